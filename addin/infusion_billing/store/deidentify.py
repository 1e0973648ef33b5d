"""A de-identified store: no patient name, birth date, address, member ID or free text leaves the book.

``export-store --deidentify`` treats the columns the way the billing assessment does
(:mod:`infusion_billing.assess.report`): the columns the schema marks as patient data (names, dates of
birth, addresses, member IDs) and free text (notes, explanations, messages, which may quote anything)
are left out; the numbers that point at a patient, an encounter or a claim are replaced by salted
hashes (:class:`~infusion_billing.assess.report.Hasher`), the same value giving the same hash, so
claims still join their lines, remits and denials. Dates of service, codes, payers and money stay:
they are what a portfolio is about. The salt is kept beside the store (``<store>.salt``), never in it.

HIPAA's de-identification standard lists names, geographic subdivisions smaller than a state, all
elements of dates (except year) directly related to an individual such as a birth date, and medical
record and account numbers among the identifiers (45 CFR 164.514(b)(2)).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


def plan(columns: Sequence[str], hasher: Hasher) -> list[Callable[[Any], Any] | None]:
    """For each column, how its cells are written: unchanged (identity), hashed, or None (left out)."""

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
            out.append(_same)
    return out


def _same(value: Any) -> Any:
    return value


def deidentified(columns: Sequence[str], rows: Sequence[Sequence[Any]],
                 hasher: Hasher) -> tuple[list[str], list[list[Any]]]:
    """``columns`` and ``rows`` with patient data and free text left out and identifiers hashed."""
    steps = plan(columns, hasher)
    kept = [(i, step) for i, step in enumerate(steps) if step is not None]
    return ([columns[i] for i, _ in kept],
            [[step(row[i] if i < len(row) else None) for i, step in kept] for row in rows])
