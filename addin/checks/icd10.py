"""ICD-10-CM diagnosis codes: is this code billable?

A claim's diagnosis must be a valid ICD-10-CM code coded to its highest specificity: a category or
subcategory that has subdivisions (``C50.9``, ``G35`` since October 2025) is rejected by payers as
"not billable". The code set is the one shipped in the maintained ``simple-icd-10-cm`` package
(CMS code files), not a hand-made list: ``is_valid_item`` says the code exists, ``is_leaf`` that
it has no subdivisions. Codes are accepted with or without the dot and in any case.

CMS replaces the code set every October 1 (and updates it on April 1); which dates of service the
installed release can judge is in ``tables/icd10cm_code_sets.csv``.

>>> problem("C50.911"), problem("c50911"), problem("C50.9") is not None, problem("XYZ") is not None
(None, None, True, True)
"""

from __future__ import annotations

import importlib.metadata
import warnings
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from ..reference.tables import read_versioned_csv


@lru_cache(maxsize=None)
def problem(code: str) -> str | None:
    """None when ``code`` is a billable ICD-10-CM code, else why it is not (a few words for a biller)."""
    icd = _package()
    text = code.strip().upper()
    if not icd.is_valid_item(text):
        return "is not an ICD-10-CM code"
    if not icd.is_leaf(text):
        return "is a category, not billable: code it to the highest specificity"
    return None


@lru_cache(maxsize=1)
def _package():
    # Imported on first use: the package parses the whole code set (about 3 s) when imported, and
    # its loader uses importlib.resources calls deprecated in Python 3.11 (its warnings, not ours).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm

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
            return CodeSet(r["Code Set"], version, date.fromisoformat(r["Valid From"]),
                           date.fromisoformat(r["Valid To"]))
    return CodeSet(f"simple-icd-10-cm {version}", version, None, None)
