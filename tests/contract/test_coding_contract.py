"""The coding button and worksheet functions through xlwings' Office.js engine (JSON in, actions out)."""

from __future__ import annotations

import datetime as dt

CLINIC = {
    "Payers": [["Payer ID", "Payer Name", "Payer Type"], ["MCR", "Medicare Part B", "Medicare"]],
    "Patients": [["Patient ID", "Last Name", "First Name", "Date of Birth"], ["P001", "Synthetic", "Alpha", dt.date(1950, 1, 1)]],
    "Encounters": [["Encounter ID", "Patient ID", "Payer ID", "Date of Service", "Setting"],
                   ["E001", "P001", "MCR", dt.date(2026, 9, 14), "Facility"]],
    "Administrations": [
        ["Encounter ID", "Admin ID", "HCPCS", "Dose", "Dose Unit", "Route", "Start", "Stop", "IV Site"],
        ["E001", "A001", "J1745", 400, "mg", "IV infusion", dt.time(9, 0), dt.time(11, 5), "L forearm"],
        ["E001", "A002", "J1200", 25, "mg", "IV push", dt.time(8, 50), None, "L forearm"],
    ],
}


def test_code_encounters_writes_the_charges_sheet(run_script):
    actions, _book = run_script("code_encounters", CLINIC)
    added = {a["args"][1]: a["args"][0] for a in actions if a["func"] == "addSheet"}
    assert {"Charges", "Findings", "RunLog"} <= set(added)
    (write,) = [a for a in actions if a["func"] == "setValues" and a["sheet_position"] == added["Charges"]]
    header, *rows = write["values"]
    assert header[:7] == ["Encounter ID", "Line", "Date of Service", "Code", "Modifiers", "Units", "Charge"]
    # A code of digits goes with the apostrophe that keeps it text in Excel (as typed, 96413 would be a number).
    assert {(r[3], r[5], r[4]) for r in rows} == {
        ("'96413", 1, ""), ("'96415", 1, ""), ("'96375", 1, ""), ("J1745", 40, "JZ"), ("J1200", 1, "")}  # J1200 OPPS-packaged
    touched = {a["sheet_position"] for a in actions if a["sheet_position"] is not None}
    assert min(touched) >= len(CLINIC)  # input sheets untouched


def test_drug_units_and_code_encounter_as_office_js_calls_them(call_function):
    assert call_function("IB_DRUG_UNITS", "J9312", 679, "mg") == [[68]]
    rows = [r[1:] for r in CLINIC["Administrations"]]
    rows = [[c.strftime("%H:%M") if isinstance(c, dt.time) else ("" if c is None else c) for c in r] for r in rows]
    spilled = call_function("IB_CODE_ENCOUNTER", rows, "Facility", "Medicare")
    assert spilled[0][1] == "Code"
    assert {r[1] for r in spilled[1:]} == {"96413", "96415", "96375", "J1745", "J1200"}
