"""Classes 4, 5 and 6: bounded memory on hostile files, output Excel can open, and one bad number
that no longer kills a stage for everyone.

The zip bombs here are small (the limits are lowered for the test); bench/hostile_memory.py runs the
real-size ones under a 4 GiB cap.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal

import pytest
from hostile_kit import minimal_sheets, rewrite_part, run_cli, sheet_part, write_book

from infusion_billing.findings import Finding
from infusion_billing.workbook import sheet_limits
from infusion_billing.workbook.reader import WorkbookError, bounds, check_is_workbook, read_workbook
from infusion_billing.workbook.writer import OutputTable, read_output_table, write_outputs

# ----------------------------------------------------------------------------- class 4


def _bloat(book, part: str, extra: bytes) -> None:
    rewrite_part(book, part, lambda xml: xml.replace(b"</sheetData>", b"</sheetData>" + extra, 1)
                 if b"</sheetData>" in xml else xml + extra)


def test_a_part_that_unpacks_far_beyond_its_size_is_refused_before_reading(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bounds, "RATIO_FLOOR", 1 << 20)
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    _bloat(book, sheet_part(book, "Encounters"), b"<!--" + b" " * (8 << 20) + b"-->")
    code, out, err = run_cli("check", book, capsys=capsys)
    assert code == 2 and "zip bomb" in err and err.count("\n") == 1
    assert not (tmp_path / "clinic.billing.xlsx").exists()


def test_a_part_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(bounds, "MAX_PART_BYTES", 1 << 20)
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    rewrite_part(book, sheet_part(book, "Administrations"),
                 lambda xml: xml.replace(b"</sheetData>", b"</sheetData><!--" + b"x1" * (1 << 20) + b"-->"))
    with pytest.raises(WorkbookError, match="unpacks to more than this tool reads"):
        check_is_workbook(book)


def test_a_part_that_lies_about_its_size_is_caught_while_unpacking(tmp_path):
    import struct

    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    part = sheet_part(book, "Administrations")
    with zipfile.ZipFile(book) as z:
        info = z.getinfo(part)
    data = bytearray(book.read_bytes())
    struct.pack_into("<I", data, info.header_offset + 22, 10)  # local header: "10 bytes unpacked"
    at = data.find(b"PK\x01\x02" + data[info.header_offset + 4:info.header_offset + 6])
    name = part.encode()
    while data[at + 46:at + 46 + len(name)] != name:
        at = data.find(b"PK\x01\x02", at + 4)
    struct.pack_into("<I", data, at + 24, 10)  # central directory too
    book.write_bytes(bytes(data))
    with pytest.raises(WorkbookError, match="is damaged"):
        check_is_workbook(book)


def test_a_cell_longer_than_any_excel_cell_is_refused_while_streaming(tmp_path):
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    huge = b'<row r="9"><c r="A9" t="inlineStr"><is><t>' + b"Z" * (bounds.MAX_TEXT_RUN + 1) + b"</t></is></c></row>"
    rewrite_part(book, sheet_part(book, "Encounters"), lambda xml: xml.replace(b"</sheetData>", huge + b"</sheetData>"))
    with pytest.raises(WorkbookError, match="longer than Excel allows"):
        check_is_workbook(book)


def test_a_cell_as_long_as_excel_allows_is_read(tmp_path):
    sheets = minimal_sheets()
    sheets["Encounters"][0].append("Diagnosis Codes")
    sheets["Encounters"][1].append("C50.911 " + "&" * 32_000)  # escaped &amp;: five bytes a character
    book = write_book(tmp_path / "clinic.xlsx", sheets)
    check_is_workbook(book)
    assert read_workbook(book).rows("Encounters")


def test_the_text_run_scan_counts_across_chunks():
    assert bounds._text_run(b"<a>" + b"x" * 100, 0) == 102  # the bytes since the last tag opened
    assert bounds._text_run(b"y" * 70_000, 150_000) > bounds.MAX_TEXT_RUN
    assert bounds._text_run(b"y" * 70_000 + b"<b>", 150_000) > bounds.MAX_TEXT_RUN
    assert bounds._text_run(b"<c>" * 30_000, 150_000) == 2


# ----------------------------------------------------------------------------- class 5


def _sheet_xml(path, sheet: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(sheet_part(path, sheet)).decode("utf-8")


def test_characters_xml_forbids_never_reach_a_sheet(tmp_path):
    from xml.etree import ElementTree

    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    nasty = "A\x00B\x01C\x1bD\x7fE\ufffeF\uffffG\ud800H\udcffI"
    out = write_outputs(book, [OutputTable("EraClaims", ["Note", nasty[:5]], [[nasty, nasty]])], [])
    xml = _sheet_xml(out, "EraClaims")
    ElementTree.fromstring(xml.encode("utf-8"))  # well-formed
    assert read_output_table(out, "EraClaims")[0]["Note"] == "ABCD\x7fEFGHI"


def test_cells_over_excels_limit_are_cut_with_a_mark_and_a_finding(tmp_path):
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    notes: list[Finding] = []
    long_text = "x" * 40_000
    out = write_outputs(book, [OutputTable("EraClaims", ["Claim", "Note"], [["C1", "short"], ["C2", long_text]])],
                        [], notes=notes)
    cell = read_output_table(out, "EraClaims")[1]["Note"]
    assert len(cell) == sheet_limits.MAX_CELL_CHARS and cell.endswith(sheet_limits.CUT_MARK)
    assert [(n.rule_id, n.sheet, n.cell) for n in notes] == [("writer.cell-truncated", "EraClaims", "B3")]
    findings = read_output_table(out, "Findings")
    assert [f["Rule ID"] for f in findings] == ["writer.cell-truncated"]


def test_rows_past_the_sheet_limit_go_to_a_csv_named_in_a_finding(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sheet_limits, "MAX_SHEET_ROWS", 6)
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    notes: list[Finding] = []
    rows = [[f"C{i}", Decimal("-1.50") if i == 7 else Decimal(i), "=HYPERLINK(\"x\")" if i == 8 else ""]
            for i in range(12)]
    out = write_outputs(book, [OutputTable("EraClaims", ["Claim", "Paid", "Note"], rows)], [], notes=notes)
    assert [r["Claim"] for r in read_output_table(out, "EraClaims")] == ["C0", "C1", "C2", "C3", "C4"]
    csv_path = tmp_path / "clinic.billing.EraClaims.csv"
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    # The CSV holds the whole table (every row, not only those past the sheet), text kept as text.
    assert lines[0] == "Claim,Paid,Note" and lines[1].startswith("C0,") and len(lines) == 13
    assert "C7,-1.50," in lines[8] and lines[9] == "C8,8,\"'=HYPERLINK(\"\"x\"\")\""
    assert [n.rule_id for n in notes] == ["writer.rows-to-csv"] and csv_path.name in notes[0].message


def test_a_findings_list_longer_than_a_sheet_keeps_the_note_on_the_sheet(tmp_path, monkeypatch):
    from infusion_billing.findings import Severity

    monkeypatch.setattr(sheet_limits, "MAX_SHEET_ROWS", 6)
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    many = [Finding("reader.empty-row", Severity.INFO, f"Row {i} is empty.", sheet="Encounters", row=i)
            for i in range(20)]
    out = write_outputs(book, [], many)
    rows = read_output_table(out, "Findings")
    assert len(rows) == 5 and rows[0]["Rule ID"] == "writer.rows-to-csv"
    assert (tmp_path / "clinic.billing.Findings.csv").exists()


# ----------------------------------------------------------------------------- class 6


@pytest.mark.parametrize("column, value, rule", [
    ("Dose", 1e308, "reader.out-of-range"), ("Dose", -1e308, "reader.out-of-range"),
    ("Dose", 5e6, "reader.out-of-range"),
    # The same numbers typed or pasted as text: never read as 1 with a unit "E+308" or 1,000,000 with ",000".
    ("Dose", "1E+308", "reader.out-of-range"), ("Dose", "1e309", "reader.out-of-range"),
    ("Dose", "-1E+308 mg", "reader.out-of-range"), ("Dose", "1,000,000,000", "reader.out-of-range"),
    ("Dose", "1,000,000,000 mg", "reader.out-of-range"), ("Dose", "1e999999999999999999", "reader.out-of-range"),
    ("Dose", "1e-400", "reader.out-of-range"), ("Wasted", "1E+308", "reader.out-of-range"),
    ("Dose", "inf", "reader.wrong-type"), ("Dose", "-Infinity", "reader.wrong-type"),
    ("Dose", "NaN", "reader.wrong-type"), ("Dose", "nan mg", "reader.wrong-type"),
    # -0 is a dose of zero: read as 0 and refused by the coder like any zero dose, at the same cell.
    ("Dose", "-0", "coding.dose-invalid"), ("Dose", "-0 mg", "coding.dose-invalid"),
])
def test_an_absurd_number_is_one_located_finding_and_the_rest_is_coded(tmp_path, capsys, column, value, rule):
    sheets = minimal_sheets()
    if column not in sheets["Administrations"][0]:
        sheets["Administrations"][0].append(column)
        for row in sheets["Administrations"][1:]:
            row.append(None)
    sheets["Encounters"].append(["E002", "P001", "MCR", dt.date(2026, 9, 15), "Facility", "22"])
    sheets["Administrations"].append(["E002", "A003", "infliximab", "J1745", 400, "mg", "IV infusion",
                                      dt.time(9, 0), dt.time(11, 5), "L forearm"])
    sheets["Administrations"][1][sheets["Administrations"][0].index(column)] = value
    book = write_book(tmp_path / "clinic.xlsx", sheets)
    code, out, err = run_cli("run", book, "--json", capsys=capsys)
    assert code == 0, err
    import json

    found = json.loads(out)
    bad = [f for f in found if f["rule_id"] == rule]
    letter = "EK"[column == "Wasted"]
    assert [(f["sheet"], f["cell"], f["encounter_id"]) for f in bad] == [("Administrations", f"{letter}2", "E001")]
    assert not [f for f in found if f["rule_id"] == "reader.unknown-value"]  # no unit "E+308"
    assert not [f for f in found if f["rule_id"] in ("pipeline.stage-failed", "check.rule-failed")]
    charges = read_output_table(tmp_path / "clinic.billing.xlsx", "Charges")
    assert {r["Encounter ID"] for r in charges} == {"E002"}
    status = {r["Encounter ID"]: r["Status"] for r in read_output_table(tmp_path / "clinic.billing.xlsx",
                                                                        "Encounter Status")}
    assert status["E001"] == "Hold"


@pytest.mark.parametrize("table, column, value", [
    ("Coverage", "Copay", 1e300), ("Payers", "Timely Filing Days", 10**12)])
def test_every_kind_of_number_has_a_range(tmp_path, table, column, value):
    sheets = minimal_sheets()
    if column in sheets[table][0]:
        sheets[table][1][sheets[table][0].index(column)] = value
    else:
        sheets[table][0].append(column)
        sheets[table][1].append(value)
    book = read_workbook(write_book(tmp_path / "clinic.xlsx", sheets))
    assert [(f.rule_id, f.sheet, f.column) for f in book.findings if f.severity.value == "error"][:1] == \
        [("reader.out-of-range", table, column)]


def test_a_check_that_fails_on_one_encounter_holds_only_that_claim(tmp_path):
    import dataclasses

    from infusion_billing.checks import registry
    from infusion_billing.checks.context import CheckContext

    sheets = minimal_sheets()
    sheets["Encounters"].append(["E002", "P001", "MCR", dt.date(2026, 9, 15), "Facility", "22"])
    book = read_workbook(write_book(tmp_path / "clinic.xlsx", sheets))
    rule = registry.get_rule("doc.diagnosis-missing")

    def fails_on_e001(ctx):
        for h in rule.check(ctx):
            if h.encounter_id == "E001":
                raise OverflowError("a value no rule anticipated")
            yield h

    findings = registry.run_rules(CheckContext(book), [dataclasses.replace(rule, check=fails_on_e001)])
    failed = [f for f in findings if f.rule_id == "check.rule-failed"]
    assert [(f.encounter_id, f.sheet, f.cell) for f in failed] == [("E001", "Encounters", "A2")]
    assert [f.encounter_id for f in findings if f.rule_id == "doc.diagnosis-missing"] == ["E002"]
