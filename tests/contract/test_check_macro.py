"""``check_encounters`` and ``IB_ENCOUNTER_STATUS`` through xlwings' Office.js engine.

The clinic: E001 (Medicare) is complete; E002's commercial coverage ended before the visit
(``elig.coverage-inactive`` at Encounters!D3). The macro must write Encounter Status, Authorization
Usage and Findings, a RunLog row, and nothing on an input sheet.
"""

from __future__ import annotations

import datetime as dt

D, T = dt.date, dt.time

INPUT_SHEETS = ["Settings", "Payers", "Patients", "Coverage", "Authorizations", "Encounters", "Administrations"]


def clinic() -> dict[str, list[list]]:
    return {
        "Settings": [["Setting", "Value"], ["As-Of Date", D(2026, 10, 15)]],
        "Payers": [["Payer ID", "Payer Name", "Payer Type", "Timely Filing Days"],
                   ["MCR", "Medicare Part B", "Medicare", 365], ["AET", "Synthetic Commercial", "Commercial", 180]],
        "Patients": [["Patient ID", "Last Name", "First Name", "Date of Birth"],
                     ["P001", "Testpatient", "Alpha", D(1951, 3, 4)], ["P002", "Testpatient", "Bravo", D(1972, 6, 1)]],
        "Coverage": [["Patient ID", "Payer ID", "Member ID", "Priority", "Effective From", "Effective To"],
                     ["P001", "MCR", "SYNTH0001", "Primary", D(2020, 1, 1), None],
                     ["P002", "AET", "SYNTH0002", "Primary", D(2024, 1, 1), D(2026, 8, 31)]],
        "Authorizations": [["Auth ID", "Patient ID", "Payer ID", "Code", "Units Authorized", "Visits Authorized",
                            "Start Date", "End Date"],
                           ["AUTH1", "P002", "AET", "J1745", 120, 4, D(2026, 1, 1), D(2026, 12, 31)]],
        "Encounters": [["Encounter ID", "Patient ID", "Payer ID", "Date of Service", "Setting", "Place of Service",
                        "Rendering NPI", "Ordering NPI", "Diagnosis Codes", "Order On File"],
                       ["E001", "P001", "MCR", D(2026, 9, 14), "Facility", "22", "1234567893", "1987654328", "K50.90",
                        "Y"],
                       ["E002", "P002", "AET", D(2026, 9, 15), "Professional", "11", "1234567893", "1987654328",
                        "M05.79", "Y"]],
        "Administrations": [["Encounter ID", "Admin ID", "Drug", "HCPCS", "Dose", "Dose Unit", "Wasted", "Route",
                             "Start", "Stop", "IV Site"],
                            ["E001", "A001", "ondansetron", "J2405", 8, "mg", None, "IV push", T(8, 50), T(8, 52),
                             "L forearm"],
                            ["E002", "A002", "infliximab", "J1745", 400, "mg", 0, "IV infusion", T(10, 0), T(12, 10),
                             "R forearm"]],
    }


def added_sheets(actions):
    return {a["args"][1]: a["args"][0] for a in actions if a["func"] == "addSheet"}


def written(actions, position):
    (write,) = [a for a in actions if a["func"] == "setValues" and a["sheet_position"] == position]
    return write["values"]


def test_check_encounters_writes_status_usage_and_findings(run_script):
    actions, _book = run_script("check_encounters", clinic())
    added = added_sheets(actions)
    assert list(added) == ["Findings", "Encounter Status", "Authorization Usage", "RunLog"]  # what needs work first
    header, *rows = written(actions, added["Encounter Status"])
    assert header[:4] == ["Encounter ID", "Date of Service", "Payer ID", "Status"]
    assert [r[3] for r in rows] == ["Ready", "Hold"]
    assert rows[1][7].startswith("Encounters!D3:") and rows[1][7].endswith("(elig.coverage-inactive)")
    header, *rows = written(actions, added["Authorization Usage"])
    assert rows[0][:3] == ["AUTH1", "P002", "AET"] and rows[0][header.index("Units Used")] == 40
    header, *rows = written(actions, added["Findings"])
    errors = [(r[1], r[2], r[5]) for r in rows if r[0] == "error"]
    assert errors == [("elig.coverage-inactive", "Encounters", "D3")]
    touched = {a["sheet_position"] for a in actions if a["sheet_position"] is not None}
    assert min(touched) >= len(INPUT_SHEETS)
    assert not [a for a in actions if a["func"] == "alert"]


def test_encounter_status_udf_reads_the_findings_table(call_function):
    findings = [["Severity", "Rule ID", "Sheet", "Row", "Column", "Cell", "Encounter ID"],
                ["error", "elig.coverage-inactive", "Encounters", 3, "Date of Service", "D3", "E002"],
                ["warning", "doc.site-overlap", "Administrations", 4, "Bag", "N4", "E003"]]
    ids = [["E001"], ["E002"], ["E003"], [""]]
    na = {"type": "Error", "errorType": "NotAvailable"}  # a real #N/A in the cell
    assert call_function("IB_ENCOUNTER_STATUS", ids, findings) == [["Ready"], ["Hold"], ["Review"], [na]]


def test_check_and_code_runs_both_with_one_findings_sheet_and_one_run_log_row(run_script):
    actions, _book = run_script("check_and_code", clinic())
    added = added_sheets(actions)
    assert list(added) == ["Findings", "Encounter Status", "Charges", "Authorization Usage", "RunLog"]
    header, *rows = written(actions, added["Charges"])
    assert {(r[0], r[header.index("Code")]) for r in rows} >= {("E001", "'96374"), ("E002", "J1745")}
    header, *rows = written(actions, added["Encounter Status"])
    assert [r[3] for r in rows] == ["Ready", "Hold"]
    header, *rows = written(actions, added["Findings"])
    assert [(r[1], r[5]) for r in rows if r[0] == "error"] == [("elig.coverage-inactive", "D3")]
    _, log = written(actions, added["RunLog"])
    assert log[1] == "validate+code+check"
    assert log[4] == "Findings, Encounter Status, Charges, Authorization Usage"
    tables = {a["args"][3] for a in actions if a["func"] == "addTable"}
    assert tables == {"Findings", "EncounterStatus", "Charges", "AuthorizationUsage", "RunLog"}
