"""What a biller's messy workbook turns into: located Findings or one clear sentence, never a traceback.

Each test spoils one thing in a clean synthetic clinic and asserts the rule that fires and the cell it
points at, the way the Findings sheet will show it.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal

import pytest

from infusion_billing.cli import main
from infusion_billing.findings import Severity
from infusion_billing.schema import Purpose, Route
from infusion_billing.workbook.reader import Grid, WorkbookError, read_grids, read_workbook


def located(book, severity=None):
    """(rule, sheet, cell) of every finding, optionally of one severity."""
    return {(f.rule_id, f.sheet, f.cell) for f in book.findings if severity is None or f.severity is severity}


def admin_ids(book):
    return [a.admin_id for a in book.rows("Administrations")]


# ----------------------------------------------------------------------------- a clean book


def test_clean_book_reads_without_findings(book_factory):
    book = read_workbook(book_factory())
    assert book.findings == []
    assert admin_ids(book) == ["A001", "A002"]
    infliximab = book.rows("Administrations")[0]
    assert infliximab.dose == Decimal("400") and infliximab.route is Route.IV_INFUSION
    assert infliximab.start == dt.time(9, 0) and infliximab.excel_row == 2


# ----------------------------------------------------------------------------- wrong types


def test_text_in_a_number_column(book_factory, sheets):
    sheets["Administrations"][1][4] = "four hundred"
    book = read_workbook(book_factory(sheets))
    assert located(book) == {("reader.wrong-type", "Administrations", "E2")}
    assert admin_ids(book) == ["A002"]  # the bad row is left out, the rest still runs


def test_impossible_date(book_factory, sheets):
    sheets["Encounters"][1][3] = "2026-02-30"
    book = read_workbook(book_factory(sheets))
    assert ("reader.wrong-type", "Encounters", "D2") in located(book)
    assert book.rows("Encounters") == []


def test_clock_time_out_of_range(book_factory, sheets):
    sheets["Administrations"][1][7] = "25:61"
    book = read_workbook(book_factory(sheets))
    assert located(book) == {("reader.wrong-type", "Administrations", "H2")}


def test_clock_time_in_words(book_factory, sheets):
    sheets["Administrations"][2][8] = "ten to nine"
    book = read_workbook(book_factory(sheets))
    assert located(book) == {("reader.wrong-type", "Administrations", "I3")}


def test_fractional_interrupted_minutes(book_factory, sheets):
    sheets["Administrations"][0].append("Interrupted Minutes")
    sheets["Administrations"][1].append(12.5)
    sheets["Administrations"][2].append(None)
    book = read_workbook(book_factory(sheets))
    (f,) = book.findings
    assert (f.rule_id, f.cell, f.value) == ("reader.wrong-type", "K2", "12.5")
    assert "whole number" in f.message


def test_yes_no_column_with_maybe(book_factory, sheets):
    sheets["Encounters"][0].append("Order On File")
    sheets["Encounters"][1].append("maybe")
    book = read_workbook(book_factory(sheets))
    assert located(book) == {("reader.unknown-value", "Encounters", "G2")}


def test_coinsurance_over_one_hundred_percent(book_factory, sheets):
    sheets["Coverage"][0].append("Coinsurance %")
    sheets["Coverage"][1].append("150%")
    book = read_workbook(book_factory(sheets))
    assert located(book) == {("reader.wrong-type", "Coverage", "F2")}


def test_money_with_dollar_sign_and_commas_is_read_to_the_cent(book_factory, sheets):
    sheets["ChargeMaster"] = [["Code", "Description", "Charge Amount"], ["96413", "Chemo infusion 1st hr", "$1,234.567"]]
    book = read_workbook(book_factory(sheets))
    assert book.rows("ChargeMaster")[0].charge_amount == Decimal("1234.57")


# ----------------------------------------------------------------------------- allowed values


def test_unknown_route(book_factory, sheets):
    sheets["Administrations"][1][6] = "IV drip"
    book = read_workbook(book_factory(sheets))
    (f,) = book.findings
    assert (f.rule_id, f.cell, f.value) == ("reader.unknown-value", "G2", "IV drip")
    assert "IV infusion" in f.message and "Pick Route" in f.fix


def test_unknown_payer_type(book_factory, sheets):
    sheets["Payers"][2][2] = "Insurance"
    book = read_workbook(book_factory(sheets))
    assert ("reader.unknown-value", "Payers", "C3") in located(book)


def test_allowed_values_match_leniently(book_factory, sheets):
    sheets["Administrations"][2][6] = "iv_push"
    sheets["Administrations"][0].extend(["Container", "Purpose"])
    sheets["Administrations"][1].extend(["single dose", "PRIMARY"])
    sheets["Administrations"][2].extend(["Single-Dose", "premed"])
    sheets["Encounters"][1][4] = "  facility "
    book = read_workbook(book_factory(sheets))
    assert book.findings == []
    assert book.rows("Administrations")[1].route is Route.IV_PUSH
    assert book.rows("Administrations")[1].purpose is Purpose.PREMEDICATION


# ----------------------------------------------------------------------------- keys and references


def test_duplicate_encounter_id(book_factory, sheets):
    sheets["Encounters"].append(["E001", "P001", "MCR", dt.date(2026, 9, 15), "Facility", "22"])
    book = read_workbook(book_factory(sheets))
    (f,) = book.findings
    assert (f.rule_id, f.cell) == ("reader.duplicate-key", "A3")
    assert "row 2" in f.message
    assert [e.date_of_service for e in book.rows("Encounters")] == [dt.date(2026, 9, 14)]


def test_duplicate_admin_id(book_factory, sheets):
    sheets["Administrations"][2][1] = "A001"
    book = read_workbook(book_factory(sheets))
    assert located(book) == {("reader.duplicate-key", "Administrations", "B3")}


def test_duplicate_payer_id_differs_only_in_case(book_factory, sheets):
    sheets["Payers"].append(["mcr", "Medicare again", "Medicare", 365])
    book = read_workbook(book_factory(sheets))
    assert located(book) == {("reader.duplicate-key", "Payers", "A4")}


def test_missing_required_value(book_factory, sheets):
    sheets["Encounters"][1][1] = None
    book = read_workbook(book_factory(sheets))
    assert ("reader.missing-value", "Encounters", "B2") in located(book)


def test_administration_of_an_encounter_that_does_not_exist(book_factory, sheets):
    sheets["Administrations"][2][0] = "E999"
    book = read_workbook(book_factory(sheets))
    (f,) = book.findings
    assert (f.rule_id, f.cell, f.value) == ("reader.dangling-reference", "A3", "E999")
    assert admin_ids(book) == ["A001"]


def test_encounter_billed_to_an_unknown_payer(book_factory, sheets):
    sheets["Encounters"][1][2] = "BCBS"
    book = read_workbook(book_factory(sheets))
    assert ("reader.dangling-reference", "Encounters", "C2") in located(book)


def test_row_with_a_bad_key_is_not_reported_again_as_a_dangling_target(book_factory, sheets):
    # The encounter row has a bad date; its administrations still point at a known Encounter ID.
    sheets["Encounters"][1][3] = "someday"
    book = read_workbook(book_factory(sheets))
    assert {f.rule_id for f in book.findings} == {"reader.wrong-type"}


# ----------------------------------------------------------------------------- columns and tables


def test_missing_required_column_makes_the_table_unusable(book_factory, sheets):
    for row in sheets["Encounters"]:
        del row[3]  # Date of Service
    book = read_workbook(book_factory(sheets))
    assert ("reader.missing-column", "Encounters", "") in located(book)
    assert not book.has("Encounters")
    (need,) = book.require("Coding", ["Encounters"])
    assert need.rule_id == "reader.table-missing" and "missing required columns" in need.message


def test_extra_column_is_reported_and_ignored(book_factory, sheets):
    sheets["Encounters"][0].append("Nurse")
    sheets["Encounters"][1].append("RN Synthetic")
    book = read_workbook(book_factory(sheets))
    (f,) = book.findings
    assert (f.rule_id, f.severity, f.cell) == ("reader.extra-column", Severity.INFO, "G1")
    assert len(book.rows("Encounters")) == 1


def test_duplicate_header(book_factory, sheets):
    sheets["Patients"][0].append("sex")
    sheets["Patients"][1].append("M")
    book = read_workbook(book_factory(sheets))
    assert located(book) == {("reader.duplicate-column", "Patients", "F1")}
    assert book.rows("Patients")[0].sex.value == "F"


def test_headers_match_whatever_the_case_and_spacing(book_factory, sheets):
    sheets["Administrations"][0] = ["ENCOUNTER ID", "admin id", "Drug", "hcpcs", " Dose ", "Dose  Unit", "route",
                                    "start", "STOP", "iv site"]
    book = read_workbook(book_factory(sheets))
    assert book.findings == []
    assert admin_ids(book) == ["A001", "A002"]


def test_table_missing_entirely(book_factory, sheets):
    del sheets["Coverage"]
    book = read_workbook(book_factory(sheets))
    assert book.findings == []  # absence is only a problem for a stage that needs the table
    (need,) = book.require("Pre-bill checks", ["Coverage", "Encounters"])
    assert (need.rule_id, need.sheet) == ("reader.table-missing", "Coverage")
    assert "was not found" in need.message


def test_sheet_without_an_excel_table_uses_row_one_as_headers(book_factory):
    book = read_workbook(book_factory(tables=False))
    assert book.findings == [] and admin_ids(book) == ["A001", "A002"]


def test_table_away_from_a1_reports_the_cells_the_user_sees(book_factory, sheets):
    sheets["Administrations"][1][4] = "lots"
    book = read_workbook(book_factory(sheets, origin="C5"))
    assert located(book) == {("reader.wrong-type", "Administrations", "G6")}
    assert book.rows("Administrations")[0].excel_row == 7


def test_table_named_with_tbl_prefix(tmp_path, sheets):
    import openpyxl
    from openpyxl.worksheet.table import Table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Visit log"  # the sheet name does not matter when the Table is named
    for row in sheets["Encounters"]:
        ws.append(row)
    ws.add_table(Table(displayName="tblEncounters", ref="A1:F2"))
    wb.save(tmp_path / "t.xlsx")
    book = read_workbook(tmp_path / "t.xlsx")
    assert [e.encounter_id for e in book.rows("Encounters")] == ["E001"]
    assert book.tables["Encounters"].sheet == "Visit log"


def test_header_only_table_has_no_rows_and_no_findings(book_factory, sheets):
    sheets["Authorizations"] = [["Auth ID", "Patient ID", "Payer ID", "Start Date", "End Date"]]
    book = read_workbook(book_factory(sheets))
    assert book.findings == [] and book.has("Authorizations") and book.rows("Authorizations") == []


# ----------------------------------------------------------------------------- what Excel does to cells


def test_codes_typed_as_numbers_become_text(book_factory, sheets):
    sheets["Administrations"][1][1] = 1001
    sheets["Encounters"][1][5] = 22.0
    sheets["ChargeMaster"] = [["Code", "Description", "Charge Amount"], [96413, "Chemo 1st hr", 420]]
    book = read_workbook(book_factory(sheets))
    assert book.findings == []
    assert admin_ids(book) == ["1001", "A002"]
    assert book.rows("Encounters")[0].place_of_service == "22"
    assert book.rows("ChargeMaster")[0].code == "96413"


def test_excel_serial_dates_and_day_fraction_times(book_factory, sheets):
    sheets["Encounters"][1][3] = 46279  # 2026-09-14 as Excel stores it
    sheets["Administrations"][1][7] = 0.375  # 09:00
    sheets["Administrations"][1][8] = "11:05 AM"
    book = read_workbook(book_factory(sheets))
    assert book.findings == []
    assert book.rows("Encounters")[0].date_of_service == dt.date(2026, 9, 14)
    a = book.rows("Administrations")[0]
    assert (a.start, a.stop) == (dt.time(9, 0), dt.time(11, 5))


def test_datetime_in_a_time_column_keeps_the_clock_time(book_factory, sheets):
    sheets["Administrations"][1][7] = dt.datetime(2026, 9, 14, 9, 0, 41)
    book = read_workbook(book_factory(sheets))
    assert book.rows("Administrations")[0].start == dt.time(9, 0)


def test_yes_no_accepts_true_false(book_factory, sheets):
    sheets["Encounters"][0].append("Second Site Necessary")
    sheets["Encounters"][1].append(True)
    book = read_workbook(book_factory(sheets))
    assert book.findings == [] and book.rows("Encounters")[0].second_site_necessary is True


def test_blank_looking_cells_are_blank(book_factory, sheets):
    sheets["Administrations"][1][9] = "   "
    book = read_workbook(book_factory(sheets))
    assert book.findings == [] and book.rows("Administrations")[0].iv_site is None


def test_empty_rows_in_the_middle_are_skipped_and_reported(book_factory, sheets):
    rows = sheets["Administrations"]
    sheets["Administrations"] = [rows[0], rows[1], [None] * 10, [None] * 10, rows[2]]
    book = read_workbook(book_factory(sheets))
    assert located(book) == {("reader.empty-row", "Administrations", "")}
    assert sorted(f.row for f in book.findings) == [3, 4]
    assert [a.excel_row for a in book.rows("Administrations")] == [2, 5]


def test_trailing_empty_rows_are_not_reported(book_factory, sheets):
    sheets["Administrations"] += [[None] * 10, [None] * 10]
    book = read_workbook(book_factory(sheets))
    assert book.findings == []


def test_formula_without_a_calculated_value(book_factory, sheets):
    sheets["Administrations"][1][4] = "=200*2"
    book = read_workbook(book_factory(sheets))
    assert ("reader.formula-no-value", "Administrations", "E2") in located(book)
    assert book.rows("Administrations")[0].dose is None  # read as blank, not guessed


def test_formula_with_a_calculated_value_uses_the_value(book_factory, sheets, tmp_path):
    sheets["Administrations"][1][4] = "=200*2"
    path = book_factory(sheets)
    _give_formula_a_cached_value(path, "E2", "400")
    book = read_workbook(path)
    assert located(book) == {("reader.formula-value-used", "Administrations", "E2")}
    assert book.rows("Administrations")[0].dose == Decimal("400")


def test_merged_header_cells(tmp_path, sheets):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Encounters"
    for row in sheets["Encounters"]:
        ws.append(row)
    ws["D1"] = "Date of Service"
    ws.merge_cells("D1:E1")  # swallows the Setting header
    wb.save(tmp_path / "m.xlsx")
    book = read_workbook(tmp_path / "m.xlsx")
    rules = located(book)
    assert ("reader.merged-header", "Encounters", "D1") in rules
    assert ("reader.missing-column", "Encounters", "") in rules  # Setting is gone


def test_patient_identifiers_never_appear_in_findings(book_factory, sheets):
    sheets["Patients"][1][3] = "March 4th"  # a bad date of birth
    sheets["Coverage"][0].append("Coinsurance %")
    sheets["Coverage"][1].append("lots")
    book = read_workbook(book_factory(sheets))
    dob = next(f for f in book.findings if f.column == "Date of Birth")
    assert dob.cell == "D2" and dob.value == "" and "March" not in dob.message
    assert all("1EG4TE5MK72" not in f.to_text() for f in book.findings)


# ----------------------------------------------------------------------------- settings


def test_settings_unknown_name_and_bad_value(book_factory, sheets):
    sheets["Settings"] = [["Setting", "Value"], ["As-Of Date", "soon"], ["Favourite Colour", "teal"],
                          ["Hydration Sum Segments", "N"]]
    book = read_workbook(book_factory(sheets))
    assert located(book) == {("reader.wrong-type", "Settings", "B2"), ("reader.unknown-setting", "Settings", "A3")}
    assert book.settings.as_of_date is None and book.settings.hydration_sum_segments is False


# ----------------------------------------------------------------------------- files that are not workbooks


def test_csv_renamed_xlsx(tmp_path):
    path = tmp_path / "encounters.xlsx"
    path.write_text("Encounter ID,Patient ID\nE001,P001\n")
    with pytest.raises(WorkbookError, match="CSV or text file renamed"):
        read_workbook(path)


def test_password_protected_workbook(tmp_path):
    path = tmp_path / "locked.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)  # encrypted OOXML is an OLE file
    with pytest.raises(WorkbookError, match="password-protected"):
        read_workbook(path)


def test_truncated_workbook(book_factory, tmp_path):
    data = book_factory().read_bytes()
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(WorkbookError, match="damaged"):
        read_workbook(broken)


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("photo.txt", "not a workbook")
    with pytest.raises(WorkbookError, match="not an Excel workbook"):
        read_workbook(path)


@pytest.mark.parametrize("content", [b"Encounter ID,Patient ID\n", b"\xd0\xcf\x11\xe0" + b"\0" * 60, b""])
def test_cli_says_one_sentence_and_exits_2(tmp_path, capsys, content):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("infusion-billing: bad.xlsx") and "Traceback" not in err
    assert err.count("\n") == 1


def test_cli_missing_file_exits_2(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope.xlsx")]) == 2
    assert "no such file" in capsys.readouterr().err


# ----------------------------------------------------------------------------- in-memory grids (macros, UDFs)


def test_grids_from_excel_values_read_like_a_file():
    grid = Grid("Payers", [["Payer ID", "Payer Name", "Payer Type"], ["MCD", "State Medicaid", "medicaid"],
                           [None, "No ID", "Commercial"]])
    book = read_grids({"Payers": grid})
    assert [p.payer_id for p in book.rows("Payers")] == ["MCD"]
    assert book.rows("Payers")[0].requires_ndc is True  # Medicaid default
    assert located(book) == {("reader.missing-value", "Payers", "A3")}


# ----------------------------------------------------------------------------- helpers


def _give_formula_a_cached_value(path, cell: str, cached: str) -> None:
    """Rewrite the formula cell with a cached value, as Excel saves it after calculating."""
    import re
    import shutil

    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rf'(<c r="{cell}"[^>]*>)(<f>[^<]*</f>)<v\s*/>'.encode(),
                              rb"\1\2<v>" + cached.encode() + b"</v>", data)
                data = re.sub(rf'(<c r="{cell}"[^>]*>)(<f>[^<]*</f>)(</c>)'.encode(),
                              rb"\1\2<v>" + cached.encode() + rb"</v>\3", data)
            zout.writestr(item, data)
    shutil.move(tmp, path)


def test_bad_cells_name_their_encounter_so_its_status_can_hold(book_factory, sheets):
    sheets["Administrations"][1][4] = "lots"  # bad dose on E001's infliximab
    sheets["Administrations"][2][0] = "E404"  # an administration of an unknown encounter
    book = read_workbook(book_factory(sheets))
    assert {(f.rule_id, f.encounter_id) for f in book.findings} == {
        ("reader.wrong-type", "E001"), ("reader.dangling-reference", "E404")}


def test_a_modifier_typed_as_a_number_is_still_the_modifier(book_factory, sheets):
    sheets["Payers"][0].append("Separate Site Modifier")
    sheets["Payers"][1].append(59)
    sheets["Payers"][2].append("xs")
    book = read_workbook(book_factory(sheets))
    assert book.findings == []
    assert [p.separate_site_modifier.value for p in book.rows("Payers")] == ["59", "XS"]


def test_the_same_bad_value_on_many_rows_is_reported_on_each(book_factory, sheets):
    sheets["Administrations"][1][5] = "tablets"
    sheets["Administrations"][2][5] = "tablets"
    book = read_workbook(book_factory(sheets))
    assert sorted(f.cell for f in book.findings if f.rule_id == "reader.unknown-value") == ["F2", "F3"]
