"""No false holds, no silent zero (issue 12 item 4), on the clean three-visit clinic of conftest.py.

An oral premedication needs no HCPCS, drug class, dose unit or site; an E/M-only consult is a normal
visit; an authorization whose period is over says Expired; a visit with a Billed Date is Billed; a stop
charted without PM is suggested its afternoon reading.
"""

from __future__ import annotations

import datetime as dt

import pytest

from infusion_billing.checks import stage as check_stage
from infusion_billing.coding.minutes import pm_reading
from infusion_billing.findings import Severity
from infusion_billing.pipeline import RunOptions, run_book
from infusion_billing.workbook.reader import Grid

T = dt.time


def status(result) -> dict[str, str]:
    table = next(t for t in result.tables if t.name == "Encounter Status")
    return {row[0]: row[3] for row in table.rows}


def run_all(kit, sheets):
    return run_book(kit.book_of(sheets), ["validate", "code", "check"], RunOptions())


def test_an_oral_premedication_needs_no_hcpcs_drug_class_unit_or_site(kit, sheets):
    kit.add_row(sheets, "Administrations", Encounter_ID="E001", Admin_ID="A009", Drug="acetaminophen", Dose=650,
                Route="PO", Start=T(8, 45), Purpose="Premedication")
    kit.add_row(sheets, "Administrations", Encounter_ID="E002", Admin_ID="A010", Drug="loratadine", Route="Oral",
                Purpose="Premedication")
    run = run_all(kit, sheets)
    assert status(run) == {"E001": "Ready", "E002": "Ready", "E003": "Ready"}
    assert [f for f in run.findings if f.encounter_id and f.severity is not Severity.INFO] == []
    assert {(f.rule_id, f.cell) for f in run.findings if f.encounter_id == "E002"} == {("coding.oral-not-billed", "I8")}


def test_an_em_only_consult_is_a_normal_visit(kit, sheets):
    kit.add_row(sheets, "Encounters", Encounter_ID="E004", Patient_ID="P001", Payer_ID="MCR",
                Date_of_Service=dt.date(2026, 9, 21), Setting="Professional", Place_of_Service="11",
                Rendering_NPI="1234567893", Ordering_NPI="1987654328", Diagnosis_Codes="K50.90", Order_On_File="Y")
    sheets["Encounters"][0].append("E/M Code")
    for row in sheets["Encounters"][1:]:
        row.append("99214" if row[0] == "E004" else None)
    run = run_all(kit, sheets)
    assert status(run)["E004"] == "Ready"
    assert [f for f in run.findings if f.encounter_id == "E004" and f.severity is not Severity.INFO] == []


def test_a_visit_with_nothing_given_and_no_em_still_asks_for_review(kit, sheets):
    kit.add_row(sheets, "Encounters", Encounter_ID="E004", Patient_ID="P001", Payer_ID="MCR",
                Date_of_Service=dt.date(2026, 9, 21), Setting="Professional", Place_of_Service="11",
                Rendering_NPI="1234567893", Ordering_NPI="1987654328", Diagnosis_Codes="K50.90", Order_On_File="Y")
    run = run_all(kit, sheets)
    assert status(run)["E004"] == "Review"
    assert [(f.rule_id, f.location) for f in run.findings if f.encounter_id == "E004"] == [
        ("coding.no-administrations", "Encounters!A5")]


def test_an_encounter_with_a_billed_date_is_billed_never_ready_even_with_a_problem(kit, sheets):
    kit.edit(sheets, "Encounters", "E001", Billed_Date=dt.date(2026, 9, 20))
    kit.edit(sheets, "Encounters", "E002", Billed_Date=dt.date(2026, 9, 20), Order_On_File="N")
    result = kit.check(sheets)
    assert status(result) == {"E001": "Billed", "E002": "Billed", "E003": "Ready"}
    assert result.summary["Billed"] == 2 and result.summary["Ready"] == 1


def test_an_authorization_whose_period_is_over_says_expired(kit, sheets):
    kit.edit(sheets, "Authorizations", "AUTH2", Start_Date=dt.date(2026, 1, 1), End_Date=dt.date(2026, 6, 30))
    kit.add_row(sheets, "Authorizations", Auth_ID="AUTH3", Patient_ID="P002", Payer_ID="AET", Code="J1745",
                Units_Authorized=120, Start_Date=dt.date(2026, 11, 1), End_Date=dt.date(2027, 4, 30))
    result = kit.check(sheets)
    usage = next(t for t in result.tables if t.name == "Authorization Usage")
    by_id = {row[0]: row[usage.columns.index("Status")] for row in usage.rows}
    # As-Of Date 2026-10-15: AUTH2 ended in June (E003 on 2026-09-16 is not covered), AUTH3 starts in November.
    assert by_id == {"AUTH1": "In use", "AUTH2": "Expired", "AUTH3": "Not started"}


def test_without_an_as_of_date_the_latest_visit_dates_the_usage_sheet(kit, sheets):
    sheets["Settings"] = [["Setting", "Value"]]
    kit.edit(sheets, "Authorizations", "AUTH2", Start_Date=dt.date(2026, 1, 1), End_Date=dt.date(2026, 6, 30))
    usage = next(t for t in kit.check(sheets).tables if t.name == "Authorization Usage")
    assert [row[usage.columns.index("Status")] for row in usage.rows] == ["In use", "Expired"]


# ----------------------------------------------------------------------------- a stop charted without PM


def minutes(t):
    return t.hour * 60 + t.minute


@pytest.mark.parametrize(
    "start, stop, suggestion",
    [
        (T(11, 30), T(1, 15), "read as 1:15 PM (13:15) it ran 1 h 45 min: if that is what the MAR shows, correct Stop "
                              "to 13:15."),
        (T(10, 0), T(0, 30), "read as 12:30 PM (12:30) it ran 2 h 30 min: if that is what the MAR shows, correct "
                             "Stop to 12:30."),
        (T(11, 50), T(12, 20), None),   # already afternoon: not a missing PM
        (T(9, 0), T(8, 0), None),       # 20:00 would be an 11-hour infusion
        (T(14, 0), T(1, 0), None),      # 13:00 is still before the start
    ],
)
def test_the_pm_reading_is_suggested_only_when_it_gives_a_plausible_length(start, stop, suggestion):
    assert pm_reading(minutes(start), minutes(stop)) == suggestion


def test_the_stop_before_start_finding_carries_the_pm_suggestion_once(kit, sheets):
    kit.edit(sheets, "Administrations", "A004", Start=T(11, 30), Stop=T(1, 15))
    run = run_all(kit, sheets)
    (f,) = [f for f in run.findings if f.encounter_id == "E002" and f.severity is Severity.ERROR]
    assert (f.rule_id, f.location) == ("coding.stop-before-start", "Administrations!K5")
    assert f.message == ("A004: Stop 01:15 is before start 11:30; read as 1:15 PM (13:15) it ran 1 h 45 min: if that "
                         "is what the MAR shows, correct Stop to 13:15.")
    assert status(run)["E002"] == "Hold"


def test_an_encounter_whose_claim_was_submitted_is_billed(kit, sheets):
    book = kit.book_of(sheets)
    book.extra_grids["Claims"] = Grid("Claims", [
        ["Claim ID", "Encounter ID", "Status", "Batch File", "Submitted Date"],
        ["E001", "E001", "Submitted", "MCR-837I-0001.txt", dt.datetime(2026, 9, 18)],
        ["E002", "E002", "Ready", "", None],
    ])
    table = next(t for t in check_stage.run(book).tables if t.name == "Encounter Status")
    rows = {row[0]: row for row in table.rows}
    assert {k: r[3] for k, r in rows.items()} == {"E001": "Billed", "E002": "Ready", "E003": "Ready"}
    assert rows["E001"][7] == "Claim E001 submitted 2026-09-18"
