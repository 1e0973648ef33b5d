"""A de-identified store: no patient name, birth date, address, member ID or free text leaves the book.

``export-store --deidentify`` treats the columns the way the billing assessment does
(:mod:`infusion_billing.assess.report`): the columns the schema marks as patient data (names, dates of
birth, addresses, member IDs) and free text (notes, explanations, messages, which may quote anything)
are left out; the numbers that point at a patient, an encounter or a claim are replaced by salted
hashes (:class:`~infusion_billing.assess.report.Hasher`), the same value giving the same hash, so
claims still join their lines, remits and denials. Dates of service, codes, payers and money stay:
they are what a portfolio is about. The salt is kept beside the store (``<store>.salt``, readable by
its owner only), never in it; the manifest keeps only a fingerprint of it (:func:`salt_fingerprint`),
so a clinic exported again with another salt (whose hashes would join nothing) is refused.

A patient's ID also turns up outside the columns named for it: AR Aging's Responsible Party is the
payer for an insurance balance and the **patient** for a patient balance, and a Statement ID carries
the patient's ID (``ST-20261231-P0001``). So beyond the columns, any cell that is one of the book's
patient IDs, or holds one as a word, is hashed wherever it is (:func:`patient_cells`).

What stays (dates of service, codes, payers, money) makes the store **pseudonymised**, not
de-identified by HIPAA's Safe Harbor method: that method removes every element of a date directly
related to a person except the year, and dates of service are such dates.

HIPAA's de-identification standard lists names, geographic subdivisions smaller than a state, all
elements of dates (except year) directly related to an individual such as a birth date, and medical
record and account numbers among the identifiers (45 CFR 164.514(b)(2)).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

from ..assess.report import Hasher
from ..schema import INPUT_TABLES

#: Headers whose cells name a patient, an encounter or a claim: hashed.
HASHED = frozenset({
    "Patient ID", "Encounter ID", "Claim ID", "Original Claim ID", "Line Control Number", "Patient Control Number",
    "Payer Claim Number", "Original Reference Number", "Admin ID", "Primary Admin ID", "Auth ID",
    "Authorization Number", "Payment ID", "Reference",
})
#: Headers holding lists of such numbers (``E0001-1, E0002-1``): each item hashed.
HASHED_LISTS = frozenset({"Admin IDs", "Claim Lines", "Encounters"})
#: Free text, which may quote a name or a number: left out.
FREE_TEXT = frozenset({
    "Notes", "Explanation", "Message", "Value", "Suggested Fix", "First Blocking Reason", "Description",
    "Status Description", "Reason Description",
})
#: Patient data by the schema (names, dates of birth, addresses, member IDs): left out.
PATIENT_DATA = frozenset(c.header for t in INPUT_TABLES for c in t.columns if c.phi)


#: The words of a cell, as a patient ID found inside it is one (``ST-20261231-P0001`` holds ``P0001``).
_WORD = re.compile(r"\w+")


def patient_cells(patients: Collection[str], hasher: Hasher) -> Callable[[Any], Any]:
    """A cell unchanged, or hashed whole when it is or holds (as a word) one of ``patients`` (their IDs)."""
    ids = {str(p).strip() for p in patients if str(p).strip()}
    words = {p for p in ids if _WORD.fullmatch(p)}
    spaced = [p for p in ids if p not in words]  # an ID with a space or a slash in it: looked for as text
    seen: dict[str, Any] = {}

    def cell(value: Any) -> Any:
        if value.__class__ is not str or not ids:
            return value
        if value not in seen:
            text = value.strip()
            holds = text in ids or any(w in words for w in _WORD.findall(text)) or any(p in text for p in spaced)
            seen[value] = hasher(text) if holds else value
        return seen[value]

    return cell


def plan(columns: Sequence[str], hasher: Hasher,
         other: Callable[[Any], Any] | None = None) -> list[Callable[[Any], Any] | None]:
    """For each column, how its cells are written: ``other`` (default: unchanged), hashed, or None (left out)."""

    def hash_list(value: Any) -> Any:
        if value in (None, ""):
            return value
        return ", ".join(hasher(item) for item in str(value).replace(";", ",").split(",") if item.strip())

    out: list[Callable[[Any], Any] | None] = []
    for header in columns:
        if header in PATIENT_DATA or header in FREE_TEXT:
            out.append(None)
        elif header in HASHED:
            out.append(hasher)
        elif header in HASHED_LISTS:
            out.append(hash_list)
        else:
            out.append(other or _same)
    return out


def _same(value: Any) -> Any:
    return value


def deidentified(columns: Sequence[str], rows: Sequence[Sequence[Any]], hasher: Hasher,
                 patients: Collection[str] = ()) -> tuple[list[str], list[list[Any]]]:
    """``columns`` and ``rows`` with patient data and free text left out and identifiers hashed, and any
    other cell that is or holds one of the ``patients``' IDs hashed."""
    steps = plan(columns, hasher, patient_cells(patients, hasher) if patients else None)
    kept = [(i, step) for i, step in enumerate(steps) if step is not None]
    return ([columns[i] for i, _ in kept],
            [[step(row[i] if i < len(row) else None) for i, step in kept] for row in rows])


def salt_path(store: Path) -> Path:
    """Where a store's salt is kept: beside the store folder (``/data/store`` -> ``/data/store.salt``)."""
    folder = Path(os.path.abspath(store))  # ``--store .`` has no name of its own: the folder's real one
    return folder.with_name(folder.name + ".salt")


def store_salt(store: Path, given: str | None) -> str:
    """The salt given (``--salt``), else the one kept beside the store, else a new random one saved there
    readable by its owner only (mode 0600: whoever has it can test a guessed patient ID against a hash)."""
    if given:
        return given
    path = salt_path(store)
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    new = secrets.token_hex(16)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(new + "\n")
    return new


def salt_fingerprint(salt: str) -> str:
    """A short fingerprint of the salt for the manifest: tells two salts apart, never gives the salt back."""
    return hashlib.sha256(b"infusion-billing store salt|" + salt.encode()).hexdigest()[:16]
