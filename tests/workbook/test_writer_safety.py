"""The writer never loses a user's data: new file by default, backup before in-place, atomic saves,
every part of the input copied byte for byte (charts and shapes included), and text from outside
never becomes a formula."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import shutil
import subprocess
import warnings
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from infusion_billing.findings import Finding, Severity
from infusion_billing.workbook.xlsx.package import WorkbookPackage
from infusion_billing.workbook.reader import WorkbookError, read_workbook
from infusion_billing.workbook.writer import (
    OutputTable,
    default_output_path,
    read_output_table,
    write_outputs,
)

CHARGES = OutputTable("Charges", ["Encounter ID", "Code", "Units", "Charge"],
                      [["E001", "96413", 1, Decimal("420.10")], ["E001", "J1745", 40, Decimal("1234.05")]])
A_FINDING = Finding("coding.times-missing", Severity.ERROR, "Stop time missing.", sheet="Administrations",
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
    assert openpyxl.load_workbook(out).sheetnames == inputs + ["Findings", "Charges"]  # in work order


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

    monkeypatch.setattr(WorkbookPackage, "save", crash)
    with pytest.raises(WorkbookError, match="could not be written"):
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
    assert findings[0]["Rule ID"] == "coding.times-missing" and findings[0]["Cell"] == "I2"


def test_run_log_keeps_one_row_per_run(book_factory):
    book = book_factory()
    write_outputs(book, [CHARGES], [A_FINDING], in_place=True, stage="code")
    write_outputs(book, [CHARGES], [], in_place=True, stage="check")
    assert package_problems(book) == []  # openpyxl's sheets and tables were replaced cleanly too
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


def test_written_files_are_never_more_visible_than_the_input(book_factory):
    import os
    import stat

    book = book_factory()
    os.chmod(book, 0o640)
    out = write_outputs(book, [CHARGES], [])
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640 & 0o666 & ~umask
    write_outputs(book, [CHARGES], [], in_place=True)
    assert stat.S_IMODE(book.stat().st_mode) == 0o640


# ----------------------------------------------------------------------------- package-level writing

#: Parts the writer edits to link the result sheets in; everything else must arrive byte for byte.
LINKING_PARTS = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"}
TEXT_BOX = (b'<twoCellAnchor><from><col>6</col><colOff>0</colOff><row>8</row><rowOff>0</rowOff></from>'
            b'<to><col>9</col><colOff>0</colOff><row>12</row><rowOff>0</rowOff></to><sp macro="" textlink="">'
            b'<nvSpPr><cNvPr id="3" name="TextBox 2"/><cNvSpPr txBox="1"/></nvSpPr><spPr><a:xfrm><a:off x="0" y="0"/>'
            b'<a:ext cx="1828800" cy="762000"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></spPr>'
            b'<txBody><a:bodyPr/><a:lstStyle/><a:p><a:r><a:t>Medicare timely filing: 365 days</a:t></a:r></a:p>'
            b'</txBody></sp><clientData/></twoCellAnchor>')


def rewrite_parts(path, changes):
    """Replace or add zip parts of ``path``: name -> bytes, or name -> function(old bytes) -> bytes."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            change = changes.get(item.filename)
            data = zin.read(item.filename)
            zout.writestr(item, change(data) if callable(change) else change if change is not None else data)
        for name, change in changes.items():
            if name not in zin.namelist():
                zout.writestr(name, change)
    shutil.move(tmp, path)


def book_with_chart_and_text_box(book_factory):
    """The clinic workbook with a bar chart on Payers and a text box beside it (openpyxl drops text boxes)."""
    from openpyxl.chart import BarChart, Reference

    book = book_factory()
    wb = openpyxl.load_workbook(book)
    ws = wb["Payers"]
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=4, min_row=1, max_row=3), titles_from_data=True)
    ws.add_chart(chart, "F2")
    wb.save(book)
    rewrite_parts(book, {"xl/drawings/drawing1.xml": lambda xml: xml.replace(b"</wsDr>", TEXT_BOX + b"</wsDr>")})
    return book


def parts(path):
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def package_problems(path):
    """Broken links in a package: overrides or relationships naming missing parts, repeated sheet or table ids."""
    found = []
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        if z.testzip():
            found.append("corrupt part")
        types = z.read("[Content_Types].xml").decode()
        found += [f"override {p}" for p in re.findall(r'PartName="/([^"]+)"', types) if p not in names]
        for rels in (n for n in names if n.endswith(".rels")):
            source = posixpath.dirname(posixpath.dirname(rels))
            for target, mode in re.findall(r'Target="([^"]+)"(?:\s+TargetMode="(\w+)")?', z.read(rels).decode()):
                part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(source, target))
                if mode != "External" and part not in names:
                    found.append(f"{rels} -> {target}")
        book = z.read("xl/workbook.xml").decode()
        for what in (r'sheetId="(\d+)"', r'r:id="(\w+)"', r'<sheet name="([^"]+)"'):
            values = re.findall(what, book)
            found += [f"repeated {what} {x}" for x in set(values) if values.count(x) > 1]
        tables = [z.read(n).decode() for n in names if n.startswith("xl/tables/")]
        ids = [re.search(r'<table\b[^>]*\sid="(\d+)"', t).group(1) for t in tables]
        found += [f"repeated table id {x}" for x in set(ids) if ids.count(x) > 1]
        orphans = [n for n in names if n.startswith("xl/tables/") and f"/{n}" not in types]
        found += [f"table without content type {n}" for n in orphans]
    return found


def test_charts_and_text_boxes_arrive_byte_for_byte_in_a_new_file_and_in_place(book_factory):
    book = book_with_chart_and_text_box(book_factory)
    before = parts(book)
    assert b"<sp " in before["xl/drawings/drawing1.xml"] and "xl/charts/chart1.xml" in before
    out = write_outputs(book, [CHARGES], [A_FINDING], stage="code")
    after = parts(out)
    assert {n: b for n, b in after.items() if n in before and n not in LINKING_PARTS} == \
        {n: b for n, b in before.items() if n not in LINKING_PARTS}
    for _ in range(2):  # in place twice: the second run replaces the first run's sheets
        write_outputs(book, [CHARGES], [A_FINDING], in_place=True, stage="code")
        again = parts(book)
        assert all(again[n] == b for n, b in before.items() if n not in LINKING_PARTS)
    assert package_problems(out) == [] and package_problems(book) == []
    assert len(read_output_table(book, "RunLog")) == 2


def test_replacing_a_tool_sheet_keeps_its_place_and_leaves_no_old_parts(book_factory):
    book = book_factory()
    write_outputs(book, [CHARGES, OutputTable("Encounter Status", ["Encounter ID", "Status"], [["E001", "Ready"]])],
                  [A_FINDING], in_place=True)
    first = openpyxl.load_workbook(book).sheetnames
    write_outputs(book, [OutputTable("Charges", CHARGES.columns, CHARGES.rows * 3)], [], in_place=True)
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == first == ["Payers", "Patients", "Coverage", "Encounters", "Administrations", "Findings",
                                      "Encounter Status", "Charges"]
    assert wb["Charges"].tables["Charges"].ref == "A1:D7" and wb["Findings"].tables["Findings"].ref == "A1:K2"
    with zipfile.ZipFile(book) as z:
        tables = sorted(n for n in z.namelist() if n.startswith("xl/tables/"))
    assert len(tables) == 5 + 3  # the five input tables, Charges, Encounter Status and Findings
    assert package_problems(book) == []


def test_existing_cell_formats_keep_their_numbers_and_reruns_add_none(book_factory):
    book = book_factory()
    with zipfile.ZipFile(book) as z:
        old_formats = re.search(rb"<cellXfs.*?</cellXfs>", z.read("xl/styles.xml"), re.S).group(0)
    old_xfs = re.findall(rb"<xf .*?/>", old_formats)
    write_outputs(book, [CHARGES], [A_FINDING], in_place=True, stage="code")
    with zipfile.ZipFile(book) as z:
        styles = z.read("xl/styles.xml")
    new_xfs = re.findall(rb"<xf .*?(?:/>|</xf>)", re.search(rb"<cellXfs.*?</cellXfs>", styles, re.S).group(0))
    assert new_xfs[:len(old_xfs)] == old_xfs and len(new_xfs) > len(old_xfs)
    write_outputs(book, [CHARGES], [A_FINDING], in_place=True, stage="code")
    with zipfile.ZipFile(book) as z:
        assert z.read("xl/styles.xml") == styles


def test_cells_are_written_with_excel_types_and_formats(book_factory):
    table = OutputTable("Charges", ["Charge", "Date of Service", "Posted At", "Start", "Billable", "Note"],
                        [[Decimal("0.10"), dt.date(2026, 9, 14), dt.datetime(2026, 9, 14, 18, 0), dt.time(9, 30),
                          True, "-10 adjustment"]])
    out = write_outputs(book_factory(), [table], [])
    with zipfile.ZipFile(out) as z:
        xml = z.read("xl/worksheets/sheet6.xml").decode()
    row = re.search(r'<row r="2">(.*?)</row>', xml).group(1)
    # Decimal exactly as its digits; 2026-09-14 is Excel day 46279; 18:00 is three quarters of a day.
    assert '<v>0.10</v>' in row and '<v>46279</v>' in row and '<v>46279.75</v>' in row
    assert '<v>0.3958333333333333</v>' in row and 't="b"><v>1</v>' in row
    assert '<is><t xml:space="preserve">-10 adjustment</t></is>' in row and "<f>" not in xml
    assert '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' in xml
    ws = openpyxl.load_workbook(out)["Charges"]
    assert [c.number_format for c in ws[2]] == ["#,##0.00", "m/d/yyyy", "m/d/yyyy hh:mm", "hh:mm", "General",
                                                "General"]  # dates as US practices write them (Date Format)
    assert [c.value for c in ws[2]] == [0.1, dt.datetime(2026, 9, 14), dt.datetime(2026, 9, 14, 18, 0),
                                        dt.time(9, 30), True, "-10 adjustment"]
    assert ws["F2"].quotePrefix and not ws["A2"].quotePrefix
    assert ws["A1"].font.bold and ws["A1"].font.color.rgb == "FFFFFFFF" and ws["A1"].fill.fgColor.rgb == "FF1F4E78"


def test_openpyxl_and_calamine_read_the_output_cleanly(book_factory):
    out = write_outputs(book_with_chart_and_text_box(book_factory), [CHARGES], [A_FINDING], stage="code")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wb = openpyxl.load_workbook(out)
    assert wb["Charges"].tables["Charges"].tableStyleInfo.name == "TableStyleMedium2"
    assert read_output_table(out, "Charges") == [
        {"Encounter ID": "E001", "Code": "96413", "Units": 1, "Charge": 420.1},
        {"Encounter ID": "E001", "Code": "J1745", "Units": 40, "Charge": 1234.05}]


def test_run_log_reads_earlier_rows_after_excel_resaved_them(book_factory):
    # Excel (here openpyxl) re-saves text as shared strings, not the inline strings the tool writes.
    book = book_factory()
    write_outputs(book, [CHARGES], [A_FINDING], in_place=True, stage="code")
    openpyxl.load_workbook(book).save(book)
    write_outputs(book, [CHARGES], [], in_place=True, stage="check")
    assert package_problems(book) == []  # openpyxl's sheets and tables were replaced cleanly too
    log = read_output_table(book, "RunLog")
    assert [(r["Stage"], r["Rows Written"], r["Errors"]) for r in log] == [("code", 3, 1), ("check", 2, 0)]
    assert isinstance(log[0]["Run At (UTC)"], dt.datetime) and len(log[0]["Input SHA-256"]) == 64


def test_a_result_table_name_used_by_another_sheets_table_moves_the_result(book_factory):
    sheets = {"Payers": [["Payer ID", "Payer Name"], ["MCR", "Medicare Part B"]],
              "Charges": [["Encounter ID", "Code"], ["E001", "96413"]]}
    book = book_factory(sheets)
    rewrite_parts(book, {"xl/workbook.xml": lambda x: x.replace(b'name="Charges"', b'name="My Charges"')})
    notes: list[Finding] = []
    out = write_outputs(book, [CHARGES], [], notes=notes)
    assert [(f.rule_id, f.sheet) for f in notes] == [("writer.sheet-renamed", "Charges (2)")]
    assert read_output_table(out, "My Charges") == [{"Encounter ID": "E001", "Code": "96413"}]
    assert len(read_output_table(out, "Charges (2)")) == len(CHARGES.rows)


def test_a_formula_chain_into_a_replaced_sheet_is_dropped_not_left_dangling(book_factory):
    # Excel lists formula cells in calcChain.xml; entries for cells that no longer exist make it repair the file.
    book = book_factory()
    write_outputs(book, [CHARGES], [], in_place=True)
    chain = b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="E2" i="6"/></calcChain>'
    rewrite_parts(book, {
        "xl/calcChain.xml": chain,
        "[Content_Types].xml": lambda x: x.replace(b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType='
                                                   b'"application/vnd.openxmlformats-officedocument.spreadsheetml.'
                                                   b'calcChain+xml"/></Types>'),
        "xl/_rels/workbook.xml.rels": lambda x: x.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http:'
                                                          b'//schemas.openxmlformats.org/officeDocument/2006/'
                                                          b'relationships/calcChain" Target="calcChain.xml"/>'
                                                          b"</Relationships>")})
    write_outputs(book, [OutputTable("Encounter Status", ["Encounter ID"], [])], in_place=True)
    assert "xl/calcChain.xml" in parts(book)  # sheet 6 (Charges) was not replaced
    write_outputs(book, [CHARGES], in_place=True)
    assert "xl/calcChain.xml" not in parts(book) and package_problems(book) == []


def test_memory_does_not_grow_with_the_rows_written(book_factory, tmp_path):
    # Rows are streamed to disk one at a time: ten times the rows, the same peak (openpyxl held every cell).
    import tracemalloc

    book = book_factory()

    def peak_writing(n):
        table = OutputTable("Charges", CHARGES.columns, [[f"E{i:06d}", "96413", i % 9, Decimal("420.10")]
                                                         for i in range(n)])
        tracemalloc.start()
        write_outputs(book, [table], [A_FINDING], out=tmp_path / f"{n}.xlsx", stage="code")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak

    small, large = peak_writing(4_000), peak_writing(40_000)
    assert large < small + 1_000_000 and large < 5_000_000
    assert len(read_output_table(tmp_path / "40000.xlsx", "Charges")) == 40_000


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed; .ci/run installs it")
def test_libreoffice_opens_a_rewritten_book_with_its_chart_and_the_result_tables(book_factory, tmp_path):
    book = book_with_chart_and_text_box(book_factory)
    write_outputs(book, [CHARGES], [A_FINDING], in_place=True, stage="code")
    write_outputs(book, [CHARGES], [A_FINDING], in_place=True, stage="check")
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to",
                    "xlsx", "--outdir", str(tmp_path / "lo"), str(book)], check=True, capture_output=True, timeout=180)
    again = tmp_path / "lo" / book.name
    wb = openpyxl.load_workbook(again)
    assert [c.value for c in wb["Charges"][3]] == ["E001", "J1745", 40, 1234.05]
    assert [r[1] for r in wb["RunLog"].iter_rows(min_row=2, values_only=True)] == ["code", "check"]
    assert {name for ws in wb.worksheets for name in ws.tables} >= {"Charges", "Findings", "RunLog", "Payers"}
    assert len(wb["Payers"]._charts) == 1
