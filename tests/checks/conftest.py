"""A small synthetic clinic that passes every pre-bill check, and helpers to spoil one cell of it.

The clinic (all data invented):

* E001 - patient P001, Medicare (with a supplemental plan), facility, 2026-09-14: infliximab 400 mg
  IV 09:00-11:05 (four 100 mg vials, nothing wasted), diphenhydramine 25 mg push 08:50, and a
  hydration bag 11:10-12:30 with documented necessity; all through the left forearm.
* E002 - patient P002, commercial AET (prior authorization AUTH1: J1745 x 120 units, 4 visits),
  professional, 2026-09-15: infliximab 400 mg 10:00-12:10 in the right forearm.
* E003 - patient P003, Medicaid (NDC required, AUTH2 for J9312), 2026-09-16: rituximab 700 mg
  09:30-13:45 through a port, with its NDC.

Tests change one cell with :func:`edit` and assert the rule fires at that cell (``Sheet!A1``).
"""

from __future__ import annotations

import copy
import datetime as dt
import sys

import pytest

from infusion_billing.pipeline import RunOptions
from infusion_billing.checks.stage import run
from infusion_billing.workbook.reader import Grid, read_grids

D = dt.date
T = dt.time

CLEAN = {
    "Settings": [
        ["Setting", "Value"],
        ["As-Of Date", D(2026, 10, 15)],
        ["Timely Filing Warning Days", 30],
    ],
    "Payers": [
        ["Payer ID", "Payer Name", "Payer Type", "Timely Filing Days", "Requires NDC"],
        ["MCR", "Medicare Part B", "Medicare", 365, None],
        ["SUP", "Synthetic Supplement", "Commercial", 365, None],
        ["AET", "Synthetic Commercial", "Commercial", 180, None],
        ["MCD", "Synthetic Medicaid", "Medicaid", 365, None],
    ],
    "Drugs": [
        ["HCPCS", "Drug Name", "Billing Unit Quantity", "Billing Unit", "Drug Class", "Container", "Vial Size"],
        ["J1745", "infliximab", 10, "mg", "Chemo/Complex", "Single-dose", 100],
        ["J9312", "rituximab", 10, "mg", "Chemo/Complex", "Single-dose", 100],
    ],
    "Patients": [
        ["Patient ID", "Last Name", "First Name", "Date of Birth", "Sex"],
        ["P001", "Testpatient", "Alpha", D(1951, 3, 4), "F"],
        ["P002", "Testpatient", "Bravo", D(1972, 6, 1), "M"],
        ["P003", "Testpatient", "Charlie", D(1988, 1, 20), "F"],
    ],
    "Coverage": [
        ["Patient ID", "Payer ID", "Member ID", "Priority", "Effective From", "Effective To"],
        ["P001", "MCR", "1EG4TE5MK72", "Primary", D(2020, 1, 1), None],
        ["P001", "SUP", "SUP000111", "Secondary", D(2020, 1, 1), None],
        ["P002", "AET", "W123456789", "Primary", D(2025, 1, 1), None],
        ["P003", "MCD", "MCD998877", "Primary", D(2024, 7, 1), D(2026, 12, 31)],
    ],
    "Authorizations": [
        ["Auth ID", "Patient ID", "Payer ID", "Code", "Units Authorized", "Visits Authorized", "Start Date",
         "End Date"],
        ["AUTH1", "P002", "AET", "J1745", 120, 4, D(2026, 1, 1), D(2026, 12, 31)],
        ["AUTH2", "P003", "MCD", "J9312", 280, 4, D(2026, 6, 1), D(2026, 11, 30)],
    ],
    "Encounters": [
        ["Encounter ID", "Patient ID", "Payer ID", "Date of Service", "Setting", "Place of Service",
         "Rendering NPI", "Ordering NPI", "Diagnosis Codes", "Second Site Necessary", "Order On File",
         "Billed Date"],
        ["E001", "P001", "MCR", D(2026, 9, 14), "Facility", "22", "1234567893", "1987654328", "K50.90", "N", "Y",
         None],
        ["E002", "P002", "AET", D(2026, 9, 15), "Professional", "11", "1234567893", "1987654328", "M05.79", "N",
         "Y", None],
        ["E003", "P003", "MCD", D(2026, 9, 16), "Facility", "22", "1234567893", "2456789017", "C83.30", "N", "Y",
         None],
    ],
    "Administrations": [
        ["Encounter ID", "Admin ID", "Drug", "HCPCS", "Drug Class", "Dose", "Dose Unit", "Wasted", "Route", "Start",
         "Stop", "Stop Date", "IV Site", "Bag", "Purpose", "Necessity Documented", "NDC"],
        ["E001", "A001", "infliximab", "J1745", None, 400, "mg", 0, "IV infusion", T(9, 0), T(11, 5), None,
         "L forearm", "B1", "Primary", None, None],
        ["E001", "A002", "diphenhydramine", "J1200", None, 25, "mg", None, "IV push", T(8, 50), T(8, 52), None,
         "L forearm", None, "Premedication", None, None],
        ["E001", "A003", "normal saline", "J7030", "Hydration fluid", 1000, "mL", None, "IV infusion", T(11, 10),
         T(12, 30), None, "L forearm", "B2", "Hydration", "Y", None],
        ["E002", "A004", "infliximab", "J1745", None, 400, "mg", 0, "IV infusion", T(10, 0), T(12, 10), None,
         "R forearm", "B1", "Primary", None, None],
        ["E003", "A005", "rituximab", "J9312", None, 700, "mg", 0, "IV infusion", T(9, 30), T(13, 45), None,
         "port", "B1", "Primary", None, "50242-051-21"],
    ],
}

#: Excel column letters of the clean clinic's tables (header in row 1, so data row n is Excel row n + 1).
COLUMNS = {name: {h: chr(65 + i) for i, h in enumerate(rows[0])} for name, rows in CLEAN.items()}


def clinic() -> dict[str, list[list]]:
    """A fresh deep copy of the clean clinic."""
    return copy.deepcopy(CLEAN)


def find_row(sheets: dict, table: str, key: str) -> int:
    """Index (in the table's row list) of the row whose first or second cell is ``key``."""
    for i, row in enumerate(sheets[table][1:], start=1):
        if key in (row[0], row[1]):
            return i
    raise KeyError(key)


def edit(sheets: dict, table: str, key: str, **cells) -> str:
    """Set cells (header names with spaces as underscores) on the row keyed ``key``; return its first A1 cell."""
    i = find_row(sheets, table, key)
    header = sheets[table][0]
    first = ""
    for name, value in cells.items():
        h = name.replace("_", " ")
        if h not in header:
            h = next(x for x in header if x.replace(" ", "").lower() == name.replace("_", "").lower())
        sheets[table][i][header.index(h)] = value
        first = first or f"{table}!{COLUMNS[table][h]}{i + 1}"
    return first


def add_row(sheets: dict, table: str, **cells) -> int:
    """Append a row (cells by header, underscores for spaces); returns its Excel row number."""
    header = sheets[table][0]
    row = [None] * len(header)
    for name, value in cells.items():
        row[header.index(name.replace("_", " "))] = value
    sheets[table].append(row)
    return len(sheets[table])


def cell(table: str, header: str, excel_row: int) -> str:
    return f"{table}!{COLUMNS[table][header]}{excel_row}"


def book_of(sheets: dict):
    return read_grids({name: Grid(name, rows) for name, rows in sheets.items()})


def check(sheets: dict, *rules: str, strict: bool = True):
    """Run the check stage (only ``rules`` when given) on in-memory tables; returns the StageResult."""
    return run(book_of(sheets), RunOptions(strict=strict, rules=tuple(rules)))


def fired(result, rule_id: str) -> list[str]:
    """``Sheet!A1`` of every finding of ``rule_id`` (sheet only when the finding has no cell)."""
    return [f.location for f in result.findings if f.rule_id == rule_id]


@pytest.fixture
def sheets():
    """A fresh clean clinic to spoil."""
    return clinic()


@pytest.fixture
def kit():
    """These helpers (clinic, edit, add_row, cell, check, fired, book_of) as one object."""
    return sys.modules[__name__]
