"""A real clinic's first day (issue 12): a workbook typed the way a practice types, run end to end.

Twelve synthetic visits in August 2026 kept the way an infusion clinic keeps them: a title block over
the visit list, a sheet called Visits and one called MAR, no Admin IDs, military and 12-hour times,
dates typed three ways, doses with their units, an NDC that lost its zeros, oral premedications with
neither HCPCS nor drug class, and an E/M-only consult. Eight visits are clean and must be Ready; each
of the others has exactly one real problem, and ``run`` holds it with one located finding:

* E009: the stop time was charted 1:15 meaning 1:15 PM (the finding suggests 13:15);
* E010: 96415 is billed but the ChargeMaster has no price for it;
* E011: its authorization ran out before the visit (the Authorization Usage sheet says Expired);
* E012: already billed (a Billed Date): Billed, never Ready.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from infusion_billing.findings import Severity
from infusion_billing.pipeline import RunOptions, run_book
from infusion_billing.workbook.reader import read_workbook

D = dt.date
NPI_A, NPI_B = "1234567893", "1987654328"

ENCOUNTER_HEADERS = ["Encounter ID", "Patient ID", "Payer ID", "Date of Service", "Setting", "Place of Service",
                     "Rendering NPI", "Ordering NPI", "Diagnosis Codes", "Primary Admin ID", "E/M Code",
                     "E/M Separately Identifiable", "Order On File", "Billed Date"]
MAR_HEADERS = ["Encounter ID", "Drug", "HCPCS", "Dose", "Dose Unit", "Wasted", "Route", "Start", "Stop", "IV Site",
               "Purpose", "NDC"]


def visit(enc, patient, payer, dos, em=None, em_separate=None, billed=None, primary=None):
    return [enc, patient, payer, dos, "Office", 11, NPI_A, NPI_B, "M05.79", primary, em, em_separate, "Y", billed]


def infliximab_visit(enc, start, stop, dose="400 mg", site="L forearm"):
    """An infliximab infusion with the oral premedications the MAR charts before it."""
    return [
        [enc, "acetaminophen", None, "650 mg", None, None, "PO", start, None, None, "Premed", None],
        [enc, "cetirizine", None, 10, "mg", None, "by mouth", start, None, None, "Premedication", None],
        [enc, "infliximab", "J1745", dose, None, 0, "IV", start, stop, site, "Primary", None],
    ]


def clinic_sheets() -> dict[str, list[list]]:
    mar = [MAR_HEADERS]
    mar += infliximab_visit("E001", "0915", "1130")                     # military time, text
    mar += infliximab_visit("E002", 930, 1145)                          # military time, numbers
    mar += infliximab_visit("E003", "9:15a", "11:30a")
    mar += infliximab_visit("E004", "8.30", "10.45")
    mar += infliximab_visit("E005", 8.3, 10.45)                         # 8.30 typed into a number cell
    mar += infliximab_visit("E006", "11am", "1:20 PM")
    mar += [["E007", "rituximab", "J9312", 700, "mg", 0, "IV", "0900", "1340", "port", "Primary", 50242005121]]
    # E008: an E/M-only consult, nothing given.
    mar += infliximab_visit("E009", "11:30", "1:15")                    # 1:15 meant PM
    mar += infliximab_visit("E010", "0900", "1105")
    mar += [["E010", "rituximab", "J9312", 100, "mg", 0, "IV", "1110", "1210", "L forearm", "Primary", None]]
    mar += infliximab_visit("E011", "0900", "1105")
    mar += infliximab_visit("E012", "0900", "1105")
    return {
        "Settings": [["Setting", "Value"], ["As-Of Date", D(2026, 9, 1)]],
        "Payers": [["Payer ID", "Payer Name", "Payer Type", "Timely Filing Days"],
                   ["MCR", "Medicare Part B", "Medicare", 365],
                   ["AET", "Synthetic Commercial", "Commercial", 180]],
        "ChargeMaster": [["Code", "Description", "Charge Amount"],
                         ["96413", "Chemo IV infusion, first hour", "420.00"],
                         ["96415", "Chemo IV infusion, each additional hour", "95.00"],
                         ["J1745", "Infliximab 10 mg", 95],
                         ["J9312", "Rituximab 10 mg", 210],
                         ["99214", "Office visit, established, moderate", 180]],
        # 96417 (a second chemo drug in sequence) is missing from the ChargeMaster: E010's problem.
        "Patients": [["Patient ID", "Last Name", "First Name", "Date of Birth"]]
                    + [[f"P{i:03}", "Testpatient", f"Name{i}", D(1960, 1, i)] for i in range(1, 13)],
        "Coverage": [["Patient ID", "Payer ID", "Member ID", "Priority", "Effective From"]]
                    + [[f"P{i:03}", "AET" if i == 11 else "MCR", f"M{i:08}", "Primary", D(2020, 1, 1)]
                       for i in range(1, 13)],
        "Authorizations": [["Auth ID", "Patient ID", "Payer ID", "Code", "Units Authorized", "Visits Authorized",
                            "Start Date", "End Date"],
                           ["AUTH11", "P011", "AET", "J1745", 120, 4, D(2026, 1, 1), D(2026, 7, 31)]],
        "Visits": [
            ["Sunrise Infusion Center (synthetic)"],
            ["Visit log, August 2026"],
            [],
            ENCOUNTER_HEADERS,
            visit("E001", "P001", "MCR", "2026/08/03"),
            visit("E002", "P002", "MCR", "03-Aug-2026"),
            visit("E003", "P003", "MCR", D(2026, 8, 4)),
            visit("E004", "P004", "MCR", "08/04/2026"),
            visit("E005", "P005", "MCR", "2026/08/05"),
            visit("E006", "P006", "MCR", "05-Aug-2026"),
            visit("E007", "P007", "MCR", "2026/08/06"),
            visit("E008", "P008", "MCR", "06-Aug-2026", em="99214"),
            visit("E009", "P009", "MCR", "2026/08/07"),
            visit("E010", "P010", "MCR", "2026/08/07", primary="E010-3"),   # the numbered Admin ID
            visit("E011", "P011", "AET", "2026/08/10"),
            visit("E012", "P012", "MCR", "2026/08/10", billed="2026/08/12"),
        ],
        "MAR": mar,
    }


@pytest.fixture
def clinic_run(book_factory):
    path = book_factory(clinic_sheets(), name="Sunrise.xlsx", tables=False)
    return run_book(read_workbook(path), ["validate", "code", "check"], RunOptions())


def status_rows(run):
    table = next(t for t in run.tables if t.name == "Encounter Status")
    return {row[0]: dict(zip(table.columns, row, strict=True)) for row in table.rows}


def blocking(run):
    """The errors and warnings of the run, by encounter."""
    by_encounter = defaultdict(list)
    for f in run.findings:
        if f.severity is not Severity.INFO:
            by_encounter[f.encounter_id].append(f)
    return by_encounter


def test_only_the_visits_with_a_real_problem_are_held(clinic_run):
    status = {enc: row["Status"] for enc, row in status_rows(clinic_run).items()}
    assert status == {
        "E001": "Ready", "E002": "Ready", "E003": "Ready", "E004": "Ready", "E005": "Ready", "E006": "Ready",
        "E007": "Ready", "E008": "Ready",
        "E009": "Hold", "E010": "Hold", "E011": "Hold", "E012": "Billed",
    }


def test_each_held_visit_has_one_located_finding(clinic_run):
    found = blocking(clinic_run)
    assert set(found) == {"E009", "E010", "E011"}
    located = {enc: [(f.rule_id, f.location) for f in fs] for enc, fs in found.items()}
    assert located["E009"] == [("coding.stop-before-start", "MAR!I23")]
    assert located["E010"] == [("coding.charge-missing", "Charges!G26")]
    assert located["E011"] == [("auth.missing", "MAR!C30")]


def test_the_stop_before_start_suggests_the_pm_reading(clinic_run):
    (f,) = blocking(clinic_run)["E009"]
    assert f.message.endswith("read as 1:15 PM (13:15) it ran 1 h 45 min: if that is what the MAR shows, correct Stop "
                              "to 13:15.")


def test_the_missing_price_points_at_the_charges_line_and_the_chargemaster_row(clinic_run):
    (f,) = blocking(clinic_run)["E010"]
    charges = next(t for t in clinic_run.tables if t.name == "Charges")
    codes = [(row[0], row[3]) for row in charges.rows]
    assert ("E010", "96417") in codes
    line_row = codes.index(("E010", "96417")) + 2
    assert f.location == f"Charges!G{line_row}"
    assert "ChargeMaster row 7" in f.message
    charge = charges.rows[line_row - 2][6]
    assert charge is None  # never a $0.00 claim line


def test_the_expired_authorization_says_expired(clinic_run):
    usage = next(t for t in clinic_run.tables if t.name == "Authorization Usage")
    row = dict(zip(usage.columns, usage.rows[0], strict=True))
    assert row["Auth ID"] == "AUTH11" and row["Status"] == "Expired"


def test_the_reader_said_what_it_did_in_info_findings(clinic_run):
    notes = {(f.rule_id, f.sheet) for f in clinic_run.findings
             if f.severity is Severity.INFO and f.rule_id.startswith("reader.")}
    assert {("reader.table-synonym", "Visits"), ("reader.table-synonym", "MAR"),
            ("reader.header-row-found", "Visits"), ("reader.id-numbered", "MAR")} <= notes


def test_only_the_ready_visits_are_offered_a_claim(book_factory):
    path = book_factory(clinic_sheets(), name="Sunrise.xlsx", tables=False)
    run = run_book(read_workbook(path), ["validate", "code", "check", "claims"], RunOptions())
    claims = next(t for t in run.tables if t.name == "Claims")
    offered = {row[claims.columns.index("Encounter ID")] for row in claims.rows}
    assert offered == {f"E00{i}" for i in range(1, 9)}   # E012 was billed; E009-E011 are held
