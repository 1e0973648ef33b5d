"""The writer never loses a user's data: new file by default, backup before in-place, atomic saves,
input tables equal in value, and text from outside never becomes a formula."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from infusion_billing.findings import Finding, Severity
from infusion_billing.workbook.reader import WorkbookError, read_workbook
from infusion_billing.workbook.writer import (
    OutputTable,
    default_output_path,
    read_output_table,
    write_outputs,
)

CHARGES = OutputTable("Charges", ["Encounter ID", "Code", "Units", "Charge"],
                      [["E001", "96413", 1, Decimal("420.10")], ["E001", "J1745", 40, Decimal("1234.05")]])
A_FINDING = Finding("doc.stop-time-missing", Severity.ERROR, "Stop time missing.", sheet="Administrations",
                    row=2, column="Stop", cell="I2")


def all_values(path, sheets=None):
    """Every cell value of the given sheets (default: all), as the user would see them."""
    wb = openpyxl.load_workbook(path)
    names = sheets or wb.sheetnames
    return {name: [list(r) for r in wb[name].iter_rows(values_only=True)] for name in names}


def test_results_go_to_a_new_file_and_the_input_is_untouched(book_factory):
    book = book_factory()
    before = book.read_bytes()
    out = write_outputs(book, [CHARGES], [A_FINDING])
    assert out == default_output_path(book) and out.name == "clinic.billing.xlsx"
    assert book.read_bytes() == before
    inputs = ["Payers", "Patients", "Coverage", "Encounters", "Administrations"]
    assert all_values(out, inputs) == all_values(book, inputs)
    assert openpyxl.load_workbook(out).sheetnames == inputs + ["Charges", "Findings"]


def test_input_tables_read_back_equal_after_writing(book_factory):
    book = book_factory()
    out = write_outputs(book, [CHARGES], [])
    a, b = read_workbook(book), read_workbook(out)
    for name in ("Payers", "Patients", "Coverage", "Encounters", "Administrations"):
        assert a.rows(name) == b.rows(name)


def test_in_place_writes_a_backup_first(book_factory):
    book = book_factory()
    before = book.read_bytes()
    out = write_outputs(book, [CHARGES], [A_FINDING], in_place=True)
    assert out == book
    backups = list(book.parent.glob("clinic.backup-*.xlsx"))
    assert len(backups) == 1 and backups[0].read_bytes() == before
    assert "Charges" in openpyxl.load_workbook(book).sheetnames


def test_a_failed_save_leaves_the_original_and_no_temp_file(book_factory, monkeypatch):
    book = book_factory()
    before = book.read_bytes()

    def crash(self, filename):
        with open(filename, "wb") as fh:
            fh.write(b"half a workbook")
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", crash)
    with pytest.raises(OSError):
        write_outputs(book, [CHARGES], [], in_place=True)
    assert book.read_bytes() == before
    assert [p.name for p in book.parent.iterdir() if p.name.startswith(".~ib-")] == []


def test_rerunning_replaces_tool_sheets_instead_of_piling_up(book_factory):
    book = book_factory()
    write_outputs(book, [CHARGES], [A_FINDING], in_place=True)
    smaller = OutputTable("Charges", CHARGES.columns, CHARGES.rows[:1])
    write_outputs(book, [smaller], [], in_place=True)
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames.count("Charges") == 1
    assert len(read_output_table(book, "Charges")) == 1
    assert read_output_table(book, "Findings") == []


def test_a_result_table_may_not_replace_an_input_table(book_factory):
    with pytest.raises(ValueError, match="input table"):
        write_outputs(book_factory(), [OutputTable("Encounters", ["x"], [])], [])


def test_output_path_equal_to_input_needs_in_place(book_factory):
    book = book_factory()
    with pytest.raises(WorkbookError, match="--in-place"):
        write_outputs(book, [CHARGES], [], out=book)


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"pay\")", "+1+1", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0"])
def test_text_that_looks_like_a_formula_is_stored_as_text(book_factory, text):
    out = write_outputs(book_factory(), [OutputTable("EraClaims", ["Patient Control Number"], [[text]])], [])
    with zipfile.ZipFile(out) as z:
        sheet_xml = next(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet6"))
    assert b"<f>" not in sheet_xml
    assert read_output_table(out, "EraClaims") == [{"Patient Control Number": text}]
    cell = openpyxl.load_workbook(out)["EraClaims"]["A2"]
    assert cell.data_type == "s" and cell.value == text and cell.quotePrefix


def test_money_is_written_to_the_cent(book_factory):
    out = write_outputs(book_factory(), [CHARGES], [])
    ws = openpyxl.load_workbook(out)["Charges"]
    assert ws["D3"].value == pytest.approx(1234.05) and str(ws["D3"].value) == "1234.05"
    assert ws["D2"].number_format == "#,##0.00"


def test_result_sheets_are_formatted_excel_tables(book_factory):
    out = write_outputs(book_factory(), [OutputTable("Encounter Status", ["Encounter ID", "Status"], [["E001", "Ready"]])],
                        [A_FINDING])
    wb = openpyxl.load_workbook(out)
    ws = wb["Encounter Status"]
    assert list(ws.tables) == ["EncounterStatus"] and ws.tables["EncounterStatus"].ref == "A1:B2"
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    findings = read_output_table(out, "Findings")
    assert findings[0]["Rule ID"] == "doc.stop-time-missing" and findings[0]["Cell"] == "I2"


def test_run_log_keeps_one_row_per_run(book_factory):
    book = book_factory()
    write_outputs(book, [CHARGES], [A_FINDING], in_place=True, stage="code")
    write_outputs(book, [CHARGES], [], in_place=True, stage="check")
    log = read_output_table(book, "RunLog")
    assert [r["Stage"] for r in log] == ["code", "check"]
    assert log[0]["Errors"] == 1 and len(log[0]["Input SHA-256"]) == 64
    assert isinstance(log[0]["Run At (UTC)"], dt.datetime)


def test_macro_enabled_workbook_keeps_its_macros(tmp_path, book_factory):
    # An .xlsm's VBA project must survive; openpyxl keeps it with keep_vba.
    book = book_factory(name="clinic.xlsm")
    with zipfile.ZipFile(book, "a") as z:
        z.writestr("xl/vbaProject.bin", b"synthetic vba project")
    out = write_outputs(book, [CHARGES], [], out=tmp_path / "out.xlsm")
    with zipfile.ZipFile(out) as z:
        assert z.read("xl/vbaProject.bin") == b"synthetic vba project"


def _add_shape(path):
    """Give the workbook a drawing with a text box, which openpyxl cannot carry over."""
    import shutil

    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w") as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        zout.writestr("xl/drawings/drawing1.xml", b'<xdr:wsDr xmlns:xdr="x"><xdr:twoCellAnchor><xdr:sp>'
                                                  b'<xdr:txBody/></xdr:sp></xdr:twoCellAnchor></xdr:wsDr>')
    shutil.move(tmp, path)


def test_in_place_refuses_a_workbook_whose_shapes_would_be_lost(book_factory):
    book = book_factory()
    _add_shape(book)
    before = book.read_bytes()
    with pytest.raises(WorkbookError, match="shapes or text boxes.*-o"):
        write_outputs(book, [CHARGES], [], in_place=True)
    assert book.read_bytes() == before and not list(book.parent.glob("*.backup-*"))


def test_new_file_says_what_it_could_not_copy(book_factory):
    book = book_factory()
    _add_shape(book)
    out = write_outputs(book, [CHARGES], [A_FINDING])
    rules = [r["Rule ID"] for r in read_output_table(out, "Findings")]
    assert rules == ["doc.stop-time-missing", "writer.content-not-copied"]


def test_written_files_keep_ordinary_permissions(book_factory):
    import os
    import stat

    book = book_factory()
    os.chmod(book, 0o640)
    out = write_outputs(book, [CHARGES], [])
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
    write_outputs(book, [CHARGES], [], in_place=True)
    assert stat.S_IMODE(book.stat().st_mode) == 0o640
