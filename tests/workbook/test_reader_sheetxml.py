"""Tables read straight from their sheet's XML give exactly the cells python-calamine gives.

The streamed reader (:mod:`infusion_billing.workbook.reader.sheetxml`) is what keeps a clinic-year's
read within memory; these tests pin that it changes nothing a biller could see: every kind of cell
(dates, clock times, date-times, [h]:mm durations, TRUE/FALSE, #N/A, formulas with and without a
stored value, rich text, padded text, shared and inline strings) comes out as the cell library reads
it, and a sheet written in a way it does not take apart is read by the cell library instead.
(The memory figures themselves are in bench/bench_run.py.)
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.worksheet.table import Table

from infusion_billing.workbook.reader import WorkbookGrids, grids, sheetxml

HEADER = ["Encounter ID", "Dose", "Date of Service", "Start", "Stop Date", "Documented", "Lot", "Notes",
          "Chair Time", "Units"]


def _visit_book(path: Path) -> Path:
    """An Encounters Table holding every kind of cell a biller's export holds, and a plain sheet with a
    title block and merged title cells."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Visits"
    ws.append(HEADER)
    ws.append(["E001", 400, dt.date(2026, 3, 2), dt.time(9, 5), dt.datetime(2026, 3, 2, 11, 5, 30), True, "#N/A",
               CellRichText(["Pre-med ", TextBlock(InlineFont(b=True), "given")]), dt.timedelta(hours=30), 12])
    ws.append(["E002", 6.5, 46083, 0.25, 1.5, False, None, "Saline & <flush>", 0.5, -3])
    ws["G3"] = "=NA()"  # a formula saved without a value
    ws["J3"] = "=1+1"
    for cell, fmt in (("C3", "yyyy-mm-dd"), ("D3", "h:mm"), ("E3", "m/d/yyyy h:mm"), ("I3", "[h]:mm")):
        ws[cell].number_format = fmt
    ws.append([])  # an empty row inside the Table
    ws.append(["  E004 ", 1e-7, 0, 0, 59.5, None, None, "   ", None, 2 ** 53])
    ws["C5"].number_format, ws["D5"].number_format, ws["E5"].number_format = "d-mmm-yy", "hh:mm:ss", "yyyy-mm-dd hh:mm"
    ws.add_table(Table(displayName="tblEncounters", ref="A1:J6"))  # one more empty row at its end
    sheet = wb.create_sheet("Payers")
    sheet.append(["Sunrise Infusion, payer list"])
    sheet.merge_cells("A1:C1")
    sheet.append([])
    sheet.append(["Payer ID", "Payer Name", "Payer Type"])
    sheet.append(["MCR", "Medicare", "Medicare", None, "note far right"])
    sheet["B6"] = "=A4"
    wb.save(path)
    return path


def _with_shared_strings(path: Path) -> Path:
    """The same book with its text in a shared strings table, as Excel itself saves it."""
    strings: list[str] = []

    def shared(match: re.Match) -> bytes:
        text = match.group(2)
        if text not in strings:
            strings.append(text)
        return match.group(1) + b' t="s"><v>' + str(strings.index(text)).encode() + b"</v></c>"

    out = path.with_name("shared.xlsx")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'(<c r="[A-Z]+[0-9]+"(?: s="[0-9]+")?) t="inlineStr"><is>(.*?)</is></c>', shared, data)
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.'
                                    b'org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                    b"</Relationships>")
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            zout.writestr(info, data)
        items = b"".join(b"<si>" + s + b"</si>" for s in strings)
        zout.writestr("xl/sharedStrings.xml", b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                      + items + b"</sst>")
    return out


def _streamed_and_calamine(path: Path, kind: str, name: str):
    with zipfile.ZipFile(path) as z:
        package = sheetxml.open_package(z)
        table = package.tables.get(name) if kind == "table" else None
        streamed = sheetxml.read_grid(z, package, table.sheet if table else name, table)
    by_library = grids._CalamineCells(path).grid(kind, name)
    by_library.formulas = grids._formula_cells(path, {by_library.sheet}).get(by_library.sheet, set())
    return streamed, by_library


def _same(a, b) -> None:
    assert (a.sheet, a.top, a.left, a.formulas, a.merged, a.table_name) == \
        (b.sheet, b.top, b.left, b.formulas, b.merged, b.table_name)
    assert a.rows == b.rows
    assert [[type(x) for x in row] for row in a.rows] == [[type(x) for x in row] for row in b.rows]


@pytest.mark.parametrize("strings", ["inline", "shared"])
def test_every_kind_of_cell_reads_as_the_cell_library_reads_it(tmp_path, strings):
    path = _visit_book(tmp_path / "visits.xlsx")
    if strings == "shared":
        path = _with_shared_strings(path)
        with zipfile.ZipFile(path) as z:
            assert b't="s"' in z.read("xl/worksheets/sheet1.xml") and "xl/sharedStrings.xml" in z.namelist()
    table, library = _streamed_and_calamine(path, "table", "tblEncounters")
    _same(table, library)
    assert table.rows[1] == ["E001", 400.0, dt.date(2026, 3, 2), dt.time(9, 5), dt.datetime(2026, 3, 2, 11, 5, 30),
                             True, "", "Pre-med given", dt.timedelta(hours=30), 12.0]
    assert table.rows[2][2:5] == [dt.date(2026, 3, 2), dt.time(6, 0), dt.datetime(1900, 1, 1, 12, 0)]
    assert table.rows[2][7] == "Saline & <flush>" and table.formulas == {(3, 7), (3, 10)}
    assert table.rows[3] == [""] * 10 and table.rows[5] == [""] * 10 and len(table.rows) == 6
    sheet, library = _streamed_and_calamine(path, "sheet", "Payers")
    _same(sheet, library)
    assert sheet.merged == [((1, 1), (1, 3))] and sheet.formulas == {(6, 2)}
    assert sheet.rows[3] == ["MCR", "Medicare", "Medicare", "", "note far right"] and len(sheet.rows) == 4


def test_equal_cells_share_one_value_and_the_file_is_read_without_the_cell_library(tmp_path, monkeypatch):
    path = _visit_book(tmp_path / "visits.xlsx")
    ws_book = openpyxl.load_workbook(path)
    ws = ws_book["Visits"]
    for n in range(7, 200):
        ws.append([f"E{n:03d}", 400, dt.date(2026, 3, 2), dt.time(9, 5), None, True, "L1", "IV infusion", None, 1])
    ws.tables["tblEncounters"].ref = f"A1:J{ws.max_row}"
    ws_book.save(path)
    monkeypatch.setattr(grids._CalamineCells, "grid", lambda *a: pytest.fail("read by the cell library"))
    got = WorkbookGrids(path, ["Encounters"])["Encounters"]
    rows = got.rows[-193:]
    assert len(rows) == 193 and rows[0][0] == "E007" and rows[-1][0] == "E199"
    for column in (1, 2, 3, 6, 7):  # the same dose, date, clock time, lot and note on every row: one value each
        assert len({id(row[column]) for row in rows}) == 1


def test_a_sheet_written_another_way_is_read_by_the_cell_library_to_the_same_cells(tmp_path):
    path = _visit_book(tmp_path / "visits.xlsx")
    odd = tmp_path / "odd.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(odd, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":  # attributes in another order, an escaped return
                data = data.replace(b'<c r="B2" t="n">', b'<c t="n" r="B2">').replace(b"given", b"given_x000D_")
            zout.writestr(info, data)
    with zipfile.ZipFile(odd) as z, pytest.raises(sheetxml.Unsupported):
        package = sheetxml.open_package(z)
        sheetxml.read_grid(z, package, "Visits", package.tables["tblEncounters"])
    got = WorkbookGrids(odd, ["Encounters"])["Encounters"]
    assert got.rows == grids._CalamineCells(odd).grid("table", "tblEncounters").rows
    assert got.rows[1][1] == 400.0


#: Number formats billers' workbooks carry: dates, clock times, durations, money, accounting, percent.
FORMATS = ["m/d/yyyy", "mm/dd/yy", "[$-409]mmmm d, yyyy;@", "h:mm AM/PM", "[$-409]h:mm AM/PM;@", "hh:mm:ss", "[h]:mm",
           "[mm]:ss", "mmm-yy", "dddd", '"$"#,##0.00', '_("$"* #,##0.00_);_("$"* \\(#,##0.00\\);_("$"* "-"??_);_(@_)',
           "#,##0.00_);[Red](#,##0.00)", "0.00%", "0.0E+00", "@", "General", '0" min"', '#,##0" units"', "0;-0;;@",
           "[Red][<=100]0;[Blue][>100]0", "yyyy-mm-dd hh:mm", '"Day "0', "\\h0", "A/P", "ha/p"]


def test_number_formats_read_as_the_cell_library_reads_them(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Formats"
    ws.append(["Format", "Value", "Small"])
    for fmt in FORMATS:
        ws.append([fmt, 46083.5, 0.75])
        ws.cell(ws.max_row, 2).number_format = fmt
        ws.cell(ws.max_row, 3).number_format = fmt
    ws.add_table(Table(displayName="Formats", ref=f"A1:C{ws.max_row}"))
    path = tmp_path / "formats.xlsx"
    wb.save(path)
    streamed, library = _streamed_and_calamine(path, "table", "Formats")
    _same(streamed, library)
    kinds = {row[0]: type(row[1]).__name__ for row in streamed.rows[1:]}
    assert kinds["m/d/yyyy"] == kinds["h:mm AM/PM"] == "datetime" and kinds["[h]:mm"] == "timedelta"
    assert kinds['_("$"* #,##0.00_);_("$"* \\(#,##0.00\\);_("$"* "-"??_);_(@_)'] == kinds["0.00%"] == "float"
