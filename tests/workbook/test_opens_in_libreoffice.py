"""A workbook we write opens in a real spreadsheet engine with every sheet and value intact.

openpyxl can write files Excel repairs or rejects (bad table XML, a header that is not text). LibreOffice
headless is the real engine available on Linux: it must open our output and save it again with the
same sheets and values. `.ci/run` installs it; without it these tests say so and skip.
"""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest

from infusion_billing.findings import Finding, Severity
from infusion_billing.pipeline import run_workbook
from infusion_billing.workbook.writer import OutputTable, write_outputs

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed; .ci/run installs it")]


def roundtrip(path, tmp_path):
    """Open ``path`` in LibreOffice and save it as .xlsx again; the re-saved copy's path."""
    out = tmp_path / "lo"
    out.mkdir()
    profile = tmp_path / "profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=180)
    return out / path.name


def test_output_workbook_opens_with_all_sheets_and_values(book_factory, tmp_path):
    charges = OutputTable("Charges", ["Encounter ID", "Code", "Units", "Charge", "Note"],
                          [["E001", "J1745", 40, Decimal("1234.05"), "=not a formula"]])
    finding = Finding("coding.times-missing", Severity.ERROR, "Stop time missing.", sheet="Administrations",
                      row=2, column="Stop", cell="I2")
    written = write_outputs(book_factory(), [charges], [finding], stage="code")
    again = roundtrip(written, tmp_path)
    wb = openpyxl.load_workbook(again)
    assert wb.sheetnames == ["Payers", "Patients", "Coverage", "Encounters", "Administrations", "Findings",
                             "Charges", "RunLog"]
    row = [c.value for c in wb["Charges"][2]]
    assert row == ["E001", "J1745", 40, 1234.05, "=not a formula"]
    assert wb["Findings"]["B2"].value == "coding.times-missing"


def test_links_print_setup_and_date_formats_survive_a_real_spreadsheet_engine(book_factory, sheets, tmp_path):
    sheets["Administrations"][1][3] = "J9999"  # Administrations!D2 holds the encounter
    book = book_factory(sheets)
    written = run_workbook(book, ["validate", "code", "check"], out=tmp_path / "out.xlsx").output
    wb = openpyxl.load_workbook(roundtrip(written, tmp_path))
    assert wb.sheetnames[5:8] == ["Findings", "Encounter Status", "Charges"]
    findings = wb["Findings"]
    header = [c.value for c in findings[1]]
    (row,) = [r for r in findings.iter_rows(min_row=2) if r[header.index("Rule ID")].value == "coding.unknown-hcpcs"]
    link = row[header.index("Cell")]
    assert link.value == "D2" and link.hyperlink.location.replace("'", "") == "Administrations!D2"
    assert findings.print_title_rows == "$1:$1" and findings.page_setup.orientation == "landscape"
    assert wb["Encounter Status"]["B2"].number_format.lower() == "m/d/yyyy"
