"""``validate_workbook`` end to end through xlwings' Office.js engine: JSON in, Excel actions out.

The synthetic clinic below has the five tables coding needs, each with one planted mistake; the
macro must list each on a new Findings sheet at the cell a biller would click, write a RunLog row,
and send no action at all to an input sheet.
"""

from __future__ import annotations

import datetime as dt

import pytest

INPUT_SHEETS = ["Payers", "Patients", "Coverage", "Encounters", "Administrations"]


def clinic() -> dict[str, list[list]]:
    return {
        "Payers": [
            ["Payer ID", "Payer Name", "Payer Type", "Timely Filing Days"],
            ["MCR", "Medicare Part B", "Medicare", 365],
            ["AET", "Synthetic Commercial", "Commercial", 90],
            ["AET", "Synthetic Commercial (copy)", "Commercial", 90],        # duplicate Payer ID -> A4
        ],
        "Patients": [
            ["Patient ID", "Last Name", "First Name", "Date of Birth", "Sex"],
            ["P001", "Testpatient", "Alpha", dt.date(1951, 3, 4), "F"],
            ["P002", "Testpatient", "Beta", dt.date(1966, 7, 1), "M"],
        ],
        "Coverage": [
            ["Patient ID", "Payer ID", "Member ID", "Priority", "Effective From"],
            ["P001", "MCR", "SYNTH0001", "Primary", dt.date(2020, 1, 1)],
            ["P002", "AET", "SYNTH0002", "Primary", dt.date(2024, 1, 1)],
        ],
        "Encounters": [
            ["Encounter ID", "Patient ID", "Payer ID", "Date of Service", "Setting", "Place of Service"],
            ["E001", "P001", "MCR", dt.date(2026, 9, 14), "Facility", "22"],
            ["E002", "P002", "AET", dt.date(2026, 9, 15), "Drive-through", "11"],  # unknown Setting -> E3
        ],
        "Administrations": [
            ["Encounter ID", "Admin ID", "Drug", "HCPCS", "Dose", "Dose Unit", "Route", "Start", "Stop", "NDC"],
            ["E001", "A001", "infliximab", "J1745", 400, "mg", "IV infusion", dt.time(9, 0), dt.time(11, 5),
             "57894-030-01"],
            ["E001", "A002", "diphenhydramine", "J1200", "=2*25", "mg", "IV push", dt.time(8, 50),
             dt.time(8, 52), ""],                                             # dose as formula text -> E3
            ["E999", "A003", "ondansetron", "J2405", 8, "mg", "IV push", dt.time(9, 10), dt.time(9, 12), ""],
        ],                                                                    # unknown encounter -> A4
    }


EXPECTED = {
    ("reader.duplicate-key", "Payers", "A4"),
    ("reader.unknown-value", "Encounters", "E3"),
    ("reader.wrong-type", "Administrations", "E3"),
    ("reader.dangling-reference", "Administrations", "A4"),
}


def set_values_on(actions, sheet_position):
    return [a for a in actions if a["func"] == "setValues" and a["sheet_position"] == sheet_position]


def added_sheets(actions):
    """name -> position of every sheet the macro added."""
    return {a["args"][1]: a["args"][0] for a in actions if a["func"] == "addSheet"}


@pytest.fixture
def validated(run_script):
    return run_script("validate_workbook", clinic())


def test_findings_sheet_lists_each_planted_mistake_at_its_cell(validated):
    actions, _book = validated
    added = added_sheets(actions)
    assert added["Findings"] == 5  # after the five input sheets
    (write,) = set_values_on(actions, added["Findings"])
    assert (write["start_row"], write["start_column"]) == (0, 0)  # A1
    header, *rows = write["values"]
    assert header[:6] == ["Severity", "Rule ID", "Sheet", "Row", "Column", "Cell"]
    errors = {(r[1], r[2], r[5]) for r in rows if r[0] == "error"}
    assert errors == EXPECTED
    assert {(r[1], r[3], r[4]) for r in rows if r[5] == "E3" and r[2] == "Encounters"} == {
        ("reader.unknown-value", 3, "Setting")}


def test_formula_text_from_a_cell_comes_back_as_text_not_a_formula(validated):
    actions, _book = validated
    (write,) = set_values_on(actions, added_sheets(actions)["Findings"])
    header, *rows = write["values"]
    value = header.index("Value")
    dose = next(r for r in rows if r[1] == "reader.wrong-type")
    assert dose[value] == "'=2*25"  # the apostrophe makes Excel keep it as text


def test_run_log_row_records_the_stage_and_counts(validated):
    actions, _book = validated
    added = added_sheets(actions)
    (write,) = set_values_on(actions, added["RunLog"])
    header, row = write["values"]
    assert header == ["Run At (UTC)", "Stage", "Tool Version", "Input SHA-256", "Tables Written", "Rows Written",
                      "Errors", "Warnings", "Info"]
    assert row[1:3] == ["validate", "0.1.0"]
    assert len(row[3]) == 64
    assert row[4] == "Findings, Encounter Status"
    assert row[6] == len(EXPECTED)


def test_input_sheets_receive_no_action(validated):
    actions, _book = validated
    touched = {a["sheet_position"] for a in actions if a["sheet_position"] is not None}
    assert touched and min(touched) >= len(INPUT_SHEETS)
    assert not [a for a in actions if a["func"] == "alert"]  # no error dialog


def test_rerun_clears_and_rewrites_the_same_findings_sheet(run_script):
    sheets = clinic()
    sheets["Findings"] = [["Severity", "Rule ID"], ["error", "stale.finding"]]
    sheets["RunLog"] = [["Run At (UTC)", "Stage"], ["2026-11-01 10:00:00", "validate"]]
    actions, _book = run_script("validate_workbook", sheets)
    assert added_sheets(actions) == {"Encounter Status": 7}  # Findings and RunLog are reused
    findings_pos, runlog_pos = 5, 6
    assert {"func": "sheetClear", "sheet_position": findings_pos} in [
        {"func": a["func"], "sheet_position": a["sheet_position"]} for a in actions]
    (write,) = set_values_on(actions, findings_pos)
    assert all(r[1] != "stale.finding" for r in write["values"])
    (log_row,) = set_values_on(actions, runlog_pos)
    assert log_row["start_row"] == 2  # appended below the earlier run (row 3)
    assert log_row["values"][0][1] == "validate"


def test_excel_table_named_tbl_is_read_like_a_sheet(run_script):
    sheets = clinic()
    sheets["Encounter Log"] = sheets.pop("Encounters")  # the table lives on a differently named sheet
    actions, _book = run_script("validate_workbook", sheets, tables={"Encounter Log": "tblEncounters"})
    (write,) = set_values_on(actions, added_sheets(actions)["Findings"])
    errors = {(r[1], r[2], r[5]) for r in write["values"][1:] if r[0] == "error"}
    assert ("reader.unknown-value", "Encounter Log", "E3") in errors
    assert "reader.table-missing" not in {e[0] for e in errors}


def test_a_clean_clinic_gives_an_empty_findings_table(run_script):
    sheets = clinic()
    del sheets["Payers"][3]
    sheets["Encounters"][2][4] = "Professional"
    sheets["Administrations"][2][4] = 50
    del sheets["Administrations"][3]
    actions, _book = run_script("validate_workbook", sheets)
    (write,) = set_values_on(actions, added_sheets(actions)["Findings"])
    assert [r for r in write["values"][1:] if r[0] in ("error", "warning")] == []


def test_an_internal_error_shows_one_dialog_and_writes_nothing(run_script, monkeypatch):
    from infusion_billing.macros import _runner

    def broken(_grids):
        raise RuntimeError("P001 Testpatient")  # even a message with data must not reach the user

    monkeypatch.setattr(_runner, "read_grids", broken)
    actions, _book = run_script("validate_workbook", clinic())
    assert [a["func"] for a in actions] == ["alert"]
    message, title = actions[0]["args"][:2]
    assert title == "infusion-billing"
    assert "could not finish 'validate' (RuntimeError)" in message
    assert "Testpatient" not in message


def test_a_stage_this_version_lacks_is_reported_not_raised(officejs_book):
    from infusion_billing.macros import run_stage_macro

    run = run_stage_macro(officejs_book(clinic()), ["validate", "reconcile-moon-phase"])
    assert ("pipeline.stage-missing", "warning") in {(f.rule_id, f.severity.value) for f in run.findings}


def test_validate_also_writes_encounter_status_holding_the_visits_with_bad_cells(validated):
    actions, _book = validated
    header, *rows = set_values_on(actions, added_sheets(actions)["Encounter Status"])[0]["values"]
    status = {r[0]: (r[header.index("Status")], r[header.index("First Blocking Reason")]) for r in rows}
    assert status["E001"] == ("Hold", "Administrations!E3: Dose: expected a number; this row was left out. "
                                      "(reader.wrong-type)")
    assert status["E002"][0] == "Hold" and status["E002"][1].startswith("Encounters!E3: Setting 'Drive-through'")
    assert "E999" not in status  # an administration pointing at no encounter is not a visit


def test_every_result_sheet_is_an_excel_table_with_filters_like_the_command_line(validated):
    actions, _book = validated
    added = added_sheets(actions)
    tables = {a["sheet_position"]: a["args"] for a in actions if a["func"] == "addTable"}
    # [range, has headers, style, name]: the file writer's Table names and style
    assert tables[added["Findings"]] == ["$A$1:$M$5", True, "TableStyleMedium2", "Findings"]
    assert tables[added["Encounter Status"]] == ["$A$1:$H$3", True, "TableStyleMedium2", "EncounterStatus"]
    assert tables[added["RunLog"]] == ["$A$1:$I$2", True, "TableStyleMedium2", "RunLog"]


def test_a_rerun_resizes_the_tables_it_made_so_formulas_on_them_keep_working(run_script):
    sheets = clinic()
    sheets["Findings"] = [["Severity", "Rule ID"], ["error", "stale.finding"]]
    actions, _book = run_script("validate_workbook", sheets, tables={"Findings": "Findings"})
    findings_pos = 5
    assert [a["args"] for a in actions if a["func"] == "resizeTable" and a["sheet_position"] == findings_pos] == [
        [0, "$A$1:$M$5"]]
    assert findings_pos not in {a["sheet_position"] for a in actions if a["func"] == "addTable"}


def test_findings_cells_link_to_the_cell_and_dates_show_as_us_practices_write_them(validated):
    actions, _book = validated
    findings_pos = added_sheets(actions)["Findings"]
    (write,) = set_values_on(actions, findings_pos)
    header, *rows = write["values"]
    cell, sheet = header.index("Cell"), header.index("Sheet")
    links = {(a["start_row"], a["args"][0], a["args"][1]) for a in actions
             if a["func"] == "addHyperlink" and a["sheet_position"] == findings_pos}
    # start_row counts from 0: the header is row 0, the first finding row 1
    assert links == {(r, f"#'{row[sheet]}'!{row[cell]}", row[cell]) for r, row in enumerate(rows, start=1)
                     if row[cell]}
    formats = {a["args"][0] for a in actions if a["func"] == "setNumberFormat" and a["sheet_position"] == findings_pos}
    assert formats == {"m/d/yyyy hh:mm"}  # Run Time, in the default Date Format
