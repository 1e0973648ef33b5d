"""ICD-10-CM diagnosis codes: is this code billable?

A claim's diagnosis must be a valid ICD-10-CM code coded to its highest specificity: a category or
subcategory that has subdivisions (``C50.9``, ``G35`` since October 2025) is rejected by payers as
"not billable". The code set is the one shipped in the maintained ``simple-icd-10-cm`` package
(CMS code files), not a hand-made list: a code is billable when the package knows it
(``is_valid_item``) and it has no subdivisions (``is_leaf``). Codes are accepted with or without
the dot and in any case.

Importing the package parses its whole XML classification (3-4 s) to answer questions a pre-bill
check never asks, so :func:`problem` reads the package's own flat code list (the same 98,466 codes,
about 0.1 s) and derives "has subdivisions" from it: a code is a leaf when no longer code starts with
it. A test checks that this gives exactly the package's ``is_valid_item``/``is_leaf`` answer for every
code; if a future release ships no such list, the package API is used.

CMS replaces the code set every October 1 (and updates it on April 1); which dates of service the
installed release can judge is in ``tables/icd10cm_code_sets.csv``.

>>> problem("C50.911"), problem("c50911"), problem("C50.9") is not None, problem("XYZ") is not None
(None, None, True, True)
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import warnings
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from pathlib import Path

from ..reference.tables import filled, read_versioned_csv

NOT_A_CODE = "is not an ICD-10-CM code"
NOT_BILLABLE = "is a category, not billable: code it to the highest specificity"


@cache
def problem(code: str) -> str | None:
    """None when ``code`` is a billable ICD-10-CM code, else why it is not (a few words for a biller)."""
    text = code.strip().upper()
    if "." in text:
        if text.index(".") != 3 or text.count(".") > 1:
            return NOT_A_CODE
        text = text.replace(".", "")
    flat = _flat_code_set()
    if flat is None:
        return _problem_from_package(text)
    codes, parents = flat
    if text not in codes:
        return NOT_A_CODE
    return NOT_BILLABLE if text in parents else None


def _problem_from_package(text: str) -> str | None:
    icd = _package()
    if not icd.is_valid_item(text):
        return NOT_A_CODE
    return None if icd.is_leaf(text) else NOT_BILLABLE


def code_list_path() -> Path | None:
    """The package's flat code list (``data/code-list-<release>.txt``), found without importing it."""
    spec = importlib.util.find_spec("simple_icd_10_cm")
    for location in (spec.submodule_search_locations or []) if spec else []:
        found = sorted((Path(location) / "data").glob("code-list-*.txt"))
        if len(found) == 1:
            return found[0]
    return None


@lru_cache(maxsize=1)
def _flat_code_set() -> tuple[frozenset[str], frozenset[str]] | None:
    """(every code, every code that has subdivisions), without dots; None when the list is absent."""
    path = code_list_path()
    if path is None:
        return None
    # The list also holds chapter numbers ("1") and block ranges ("A00-A09"), which are not codes.
    codes = [c for c in (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
             if c and "-" not in c and not c.isdigit()]
    parents = {c[:i] for c in codes for i in range(3, len(c))}
    return frozenset(codes), frozenset(parents)


@lru_cache(maxsize=1)
def _package():
    # Imported on first use: loading the code set costs about 0.25 s (bench_checks), which a run that
    # checks no diagnosis never pays. Its loader uses importlib.resources calls deprecated in Python 3.11
    # (its warnings, not ours).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm  # noqa: PLC0415 - on first use, see above

    return simple_icd_10_cm


@dataclass(frozen=True, slots=True)
class CodeSet:
    """The installed code-set release and the dates of service it is valid for."""

    name: str
    package_version: str
    valid_from: date | None
    valid_to: date | None

    def covers(self, day: date) -> bool:
        return self.valid_from is not None and self.valid_to is not None and self.valid_from <= day <= self.valid_to


@lru_cache(maxsize=1)
def installed_code_set() -> CodeSet:
    """The release of simple-icd-10-cm installed here, with its validity window when the table knows it."""
    version = importlib.metadata.version("simple_icd_10_cm")
    _meta, rows = read_versioned_csv("infusion_billing.checks", "tables/icd10cm_code_sets.csv")
    for r in rows:
        if r["Package Version"] == version:
            return CodeSet(filled(r, "Code Set"), version, date.fromisoformat(filled(r, "Valid From")),
                           date.fromisoformat(filled(r, "Valid To")))
    return CodeSet(f"simple-icd-10-cm {version}", version, None, None)
