"""Shared test fixtures: tiny synthetic workbooks written the way a biller's Excel would hold them."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest


def write_book(path: Path, sheets: dict[str, list[list]], *, tables: bool = True, origin: str = "A1") -> Path:
    """Write ``sheets`` (name -> rows, header first) to ``path``; each sheet an Excel Table of its name.

    ``origin`` moves every table's top-left corner, as when a biller puts a title above the table.
    """
    import openpyxl
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.cell import coordinate_from_string, column_index_from_string
    from openpyxl.worksheet.table import Table

    col_letter, top = coordinate_from_string(origin)
    left = column_index_from_string(col_letter)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    ws.cell(top + r, left + c, value)
        if tables and rows and rows[0]:
            ref = (f"{get_column_letter(left)}{top}:"
                   f"{get_column_letter(left + len(rows[0]) - 1)}{top + max(len(rows) - 1, 1)}")
            ws.add_table(Table(displayName=name.replace(" ", ""), ref=ref))
    wb.save(path)
    return path


def minimal_sheets() -> dict[str, list[list]]:
    """The five tables coding needs, one clean synthetic encounter with two administrations."""
    return {
        "Payers": [
            ["Payer ID", "Payer Name", "Payer Type", "Timely Filing Days"],
            ["MCR", "Medicare Part B", "Medicare", 365],
            ["AET", "Synthetic Commercial", "Commercial", 90],
        ],
        "Patients": [
            ["Patient ID", "Last Name", "First Name", "Date of Birth", "Sex"],
            ["P001", "Testpatient", "Alpha", dt.date(1951, 3, 4), "F"],
        ],
        "Coverage": [
            ["Patient ID", "Payer ID", "Member ID", "Priority", "Effective From"],
            ["P001", "MCR", "1EG4TE5MK72", "Primary", dt.date(2020, 1, 1)],
        ],
        "Encounters": [
            ["Encounter ID", "Patient ID", "Payer ID", "Date of Service", "Setting", "Place of Service"],
            ["E001", "P001", "MCR", dt.date(2026, 9, 14), "Facility", "22"],
        ],
        "Administrations": [
            ["Encounter ID", "Admin ID", "Drug", "HCPCS", "Dose", "Dose Unit", "Route", "Start", "Stop", "IV Site"],
            ["E001", "A001", "infliximab", "J1745", 400, "mg", "IV infusion", dt.time(9, 0), dt.time(11, 5), "L forearm"],
            ["E001", "A002", "diphenhydramine", "J1200", 25, "mg", "IV push", dt.time(8, 50), dt.time(8, 52), "L forearm"],
        ],
    }


@pytest.fixture
def book_factory(tmp_path):
    """``book_factory(sheets=None, **edits)``: a workbook path built from :func:`minimal_sheets`."""

    def make(sheets: dict | None = None, name: str = "clinic.xlsx", **kwargs) -> Path:
        return write_book(tmp_path / name, sheets if sheets is not None else minimal_sheets(), **kwargs)

    return make


@pytest.fixture
def sheets():
    """A fresh copy of :func:`minimal_sheets` for a test to spoil."""
    return minimal_sheets()


# ----------------------------------------------------------------------------- the rule catalogue
#
# Every Finding any test makes, from any stage, is recorded; when the session ends each (rule ID,
# severity) must be in the rule catalogue, or the run fails naming it. So a new rule whose tests pass
# but that nobody declared (or declared with another severity) cannot land.

_EMITTED: set[tuple[str, str]] = set()


@pytest.fixture(autouse=True, scope="session")
def _record_every_finding():
    from infusion_billing.findings import Finding

    made = Finding.__init__

    def recording(self, *args, **kwargs):
        made(self, *args, **kwargs)
        _EMITTED.add((self.rule_id, getattr(self.severity, "value", str(self.severity))))

    Finding.__init__ = recording
    yield
    Finding.__init__ = made


def uncatalogued(emitted) -> list[str]:
    """The (rule ID, severity) pairs the catalogue does not declare."""
    from infusion_billing.rules.catalogue import CATALOGUE

    out = []
    for rule_id, severity in sorted(emitted):
        spec = CATALOGUE.get(rule_id)
        if spec is None:
            out.append(f"{rule_id} ({severity}): not in the rule catalogue")
        elif severity not in {s.value for s in spec.severities}:
            out.append(f"{rule_id} ({severity}): the catalogue says {[s.value for s in spec.severities]}")
    return out


def pytest_sessionfinish(session, exitstatus):
    problems = uncatalogued(_EMITTED)
    if problems:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("Findings made by the tests that the rule catalogue lacks "
                                "(declare them in infusion_billing/rules or the family's module):", red=True)
            for line in problems:
                reporter.write_line("  " + line, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_configure(config: pytest.Config) -> None:
    """In CI every LibreOffice test runs: a missing ``soffice`` stops the run instead of skipping them.

    On a developer's machine those tests skip, saying why; ``.ci/run`` installs LibreOffice, and
    this makes sure a broken install can never turn into a green run that tested less.
    """
    if os.environ.get("CI") and shutil.which("soffice") is None:
        raise pytest.UsageError("CI runs the LibreOffice tests, but soffice is not installed (.ci/run installs it).")
    # The same for the Spark test of the portfolio SQL, which needs a Java runtime.
    if os.environ.get("CI") and shutil.which("java") is None:
        raise pytest.UsageError("CI runs the Spark test, but java is not installed (.ci/run installs it).")

