"""Every pre-bill rule, one billing case that makes it fire (at its cell) and one that keeps it quiet.

Each case starts from the clean clinic in conftest.py, spoils (or nearly spoils) one thing, runs only
that rule by ID, and asserts the exact ``Sheet!A1`` locations reported. Encounters rows: E001 = 2,
E002 = 3, E003 = 4. Administrations rows: A001 = 2 ... A005 = 6.
"""

from __future__ import annotations

import datetime as dt

import pytest

from infusion_billing.checks.registry import registry
from infusion_billing.findings import Severity

D = dt.date
T = dt.time


def drop(kit, s, table, key):
    del s[table][kit.find_row(s, table, key)]


def payer_rules(s, *rows):
    s["Payer Rules"] = [["Payer ID", "Code", "Drug Class", "Requires Auth", "Effective From", "Effective To"],
                        *[list(r) for r in rows]]


# (rule ID, change to the clean clinic, expected locations). Locations are Sheet!A1.
FIRE = [
    ("doc.order-missing", lambda k, s: k.edit(s, "Encounters", "E002", Order_On_File=None), ["Encounters!K3"]),
    ("doc.order-missing", lambda k, s: k.edit(s, "Encounters", "E003", Order_On_File="N"), ["Encounters!K4"]),
    ("doc.npi-missing", lambda k, s: k.edit(s, "Encounters", "E001", Ordering_NPI=None), ["Encounters!H2"]),
    ("doc.npi-invalid", lambda k, s: k.edit(s, "Encounters", "E001", Rendering_NPI="1234567890"), ["Encounters!G2"]),
    ("doc.npi-invalid", lambda k, s: k.edit(s, "Encounters", "E002", Ordering_NPI="323456789"), ["Encounters!H3"]),
    ("doc.diagnosis-missing", lambda k, s: k.edit(s, "Encounters", "E002", Diagnosis_Codes=None), ["Encounters!I3"]),
    ("doc.diagnosis-invalid", lambda k, s: k.edit(s, "Encounters", "E002", Diagnosis_Codes="M05.79, C50.9"),
     ["Encounters!I3"]),
    ("doc.diagnosis-invalid", lambda k, s: k.edit(s, "Encounters", "E001", Diagnosis_Codes="K5090 XX99"),
     ["Encounters!I2"]),
    ("doc.diagnosis-code-set", lambda k, s: k.edit(s, "Encounters", "E001", Date_of_Service=D(2026, 10, 14)),
     ["Encounters"]),
    ("doc.iv-site-missing", lambda k, s: k.edit(s, "Administrations", "A002", IV_Site=None),
     ["Administrations!M3"]),
    ("doc.waste-missing", lambda k, s: k.edit(s, "Administrations", "A001", Dose=350, Wasted=None),
     ["Administrations!H2"]),
    ("doc.waste-mismatch", lambda k, s: k.edit(s, "Administrations", "A001", Dose=350, Wasted=0),
     ["Administrations!H2"]),
    ("doc.ndc-missing", lambda k, s: k.edit(s, "Administrations", "A005", NDC=None), ["Administrations!Q6"]),
    ("doc.ndc-missing", lambda k, s: k.edit(s, "Payers", "AET", Requires_NDC="Y"), ["Administrations!Q5"]),
    ("doc.site-overlap", lambda k, s: k.edit(s, "Administrations", "A003", Start=T(10, 30), Bag=None),
     ["Administrations!N4"]),
    ("elig.coverage-missing", lambda k, s: k.edit(s, "Encounters", "E002", Payer_ID="MCD"), ["Encounters!C3"]),
    ("elig.payer-not-primary", lambda k, s: k.edit(s, "Encounters", "E001", Payer_ID="SUP"), ["Encounters!C2"]),
    ("elig.coverage-inactive", lambda k, s: k.edit(s, "Coverage", "P003", Effective_To=D(2026, 9, 1)),
     ["Encounters!D4"]),
    ("elig.coverage-inactive", lambda k, s: k.edit(s, "Coverage", "P002", Effective_From=D(2026, 10, 1)),
     ["Encounters!D3"]),
    ("elig.primary-ambiguous", lambda k, s: k.add_row(s, "Coverage", Patient_ID="P002", Payer_ID="MCD",
                                                       Member_ID="X1", Priority="Primary",
                                                       Effective_From=D(2025, 1, 1)), ["Encounters!C3"]),
    ("elig.member-id-missing", lambda k, s: k.edit(s, "Coverage", "P002", Member_ID=None), ["Coverage!C4"]),
    ("elig.secondary-incomplete", lambda k, s: k.edit(s, "Coverage", "SUP", Member_ID=None), ["Coverage!C3"]),
    ("elig.secondary-incomplete", lambda k, s: k.edit(s, "Coverage", "SUP", Payer_ID="MCR"), ["Coverage!B3"]),
    ("elig.secondary-not-listed", lambda k, s: drop(k, s, "Coverage", "SUP"), ["Encounters!C2"]),
    ("auth.missing", lambda k, s: drop(k, s, "Authorizations", "AUTH1"), ["Administrations!D5"]),
    ("auth.missing", lambda k, s: k.edit(s, "Authorizations", "AUTH1", End_Date=D(2026, 8, 31)),
     ["Administrations!D5"]),
    ("auth.units-exceeded", lambda k, s: k.edit(s, "Authorizations", "AUTH1", Units_Authorized=30),
     ["Administrations!F5"]),
    ("auth.visits-exceeded", lambda k, s: k.edit(s, "Authorizations", "AUTH1", Visits_Authorized=0),
     ["Encounters!D3"]),
    ("auth.units-low", lambda k, s: k.edit(s, "Authorizations", "AUTH1", Units_Authorized=70),
     ["Authorizations!E2"]),
    ("filing.as-of-missing", lambda k, s: k.edit(s, "Settings", "As-Of Date", Value=None), ["Settings!B2"]),
    ("filing.days-missing", lambda k, s: k.edit(s, "Payers", "AET", Timely_Filing_Days=None), ["Payers!D4"]),
    ("filing.deadline-near", lambda k, s: k.edit(s, "Settings", "As-Of Date", Value=D(2027, 2, 20)),
     ["Encounters!D3"]),
    ("filing.deadline-passed", lambda k, s: k.edit(s, "Settings", "As-Of Date", Value=D(2027, 3, 20)),
     ["Encounters!D3"]),
    ("payer.rule-conflict", lambda k, s: payer_rules(s, ["AET", "J1745", None, "Y", D(2026, 1, 1), None],
                                                     ["AET", "J1745", None, "N", D(2026, 6, 1), None]),
     ["Payer Rules!D3"]),
    ("payer.pos-mismatch", lambda k, s: k.edit(s, "Encounters", "E001", Place_of_Service="11"), ["Encounters!F2"]),
    ("payer.pos-mismatch", lambda k, s: k.edit(s, "Encounters", "E002", Setting="Home"), ["Encounters!F3"]),
]

# (rule ID, a change that comes close but is fine, why it stays quiet).
QUIET = [
    ("doc.order-missing", lambda k, s: None, "every order is on file"),
    ("doc.npi-missing", lambda k, s: k.edit(s, "Encounters", "E001", Ordering_NPI=" 1987654328 "), "spaces trimmed"),
    ("doc.npi-invalid", lambda k, s: k.edit(s, "Encounters", "E001", Rendering_NPI=2456789017), "typed as number"),
    ("doc.diagnosis-missing", lambda k, s: k.edit(s, "Encounters", "E001", Diagnosis_Codes="K50.90;Z79.899"),
     "semicolons separate codes"),
    ("doc.diagnosis-invalid", lambda k, s: k.edit(s, "Encounters", "E001", Diagnosis_Codes="k5090, z79.899"),
     "without dots, lower case"),
    ("doc.diagnosis-code-set", lambda k, s: k.edit(s, "Encounters", "E001", Date_of_Service=D(2026, 9, 30)),
     "last day the installed code set covers"),
    ("doc.iv-site-missing", lambda k, s: k.edit(s, "Administrations", "A002", Route="SC injection", IV_Site=None),
     "an injection has no IV site"),
    ("doc.waste-missing", lambda k, s: k.edit(s, "Administrations", "A004", Dose=350, Wasted=None),
     "AET does not want JW/JZ"),
    ("doc.waste-missing", lambda k, s: k.edit(s, "Administrations", "A001", Wasted=None),
     "400 mg from 100 mg vials leaves nothing"),
    ("doc.waste-mismatch", lambda k, s: k.edit(s, "Administrations", "A001", Dose=350, Wasted=50),
     "the last vial's 50 mg charted"),
    ("doc.waste-mismatch", lambda k, s: k.edit(s, "Administrations", "A001", Dose=0.35, Dose_Unit="g", Wasted=0.05),
     "grams, converted"),
    ("doc.ndc-missing", lambda k, s: k.edit(s, "Administrations", "A004", NDC=None), "AET does not require NDC"),
    ("doc.site-overlap", lambda k, s: k.edit(s, "Administrations", "A003", Start=T(10, 30)),
     "separate labelled bags run concurrently"),
    ("doc.site-overlap", lambda k, s: k.edit(s, "Administrations", "A003", Start=T(11, 5), Bag=None),
     "starts when the other stops"),
    ("elig.coverage-missing", lambda k, s: k.edit(s, "Payers", "AET", Payer_Type="Self-pay"), "self-pay"),
    ("elig.payer-not-primary", lambda k, s: None, "every payer billed is primary"),
    ("elig.coverage-inactive", lambda k, s: k.edit(s, "Coverage", "P003", Effective_To=D(2026, 9, 16)),
     "coverage ends on the date of service"),
    ("elig.primary-ambiguous", lambda k, s: k.add_row(s, "Coverage", Patient_ID="P002", Payer_ID="MCD",
                                                       Member_ID="X1", Priority="Primary",
                                                       Effective_From=D(2026, 10, 1)), "next plan starts later"),
    ("elig.member-id-missing", lambda k, s: k.edit(s, "Coverage", "SUP", Member_ID=None),
     "only the secondary lacks it"),
    ("elig.secondary-incomplete", lambda k, s: k.edit(s, "Coverage", "SUP", Member_ID=None,
                                                      Effective_To=D(2026, 1, 1)),
     "secondary without member ID ended before the visit"),
    ("elig.secondary-not-listed", lambda k, s: drop(k, s, "Coverage", "P002"), "not a Medicare patient"),
    ("auth.missing", lambda k, s: (drop(k, s, "Authorizations", "AUTH1"),
                                   payer_rules(s, ["AET", "J1745", None, "N", None, None])),
     "Payer Rules say AET needs no auth for J1745"),
    ("auth.missing", lambda k, s: k.edit(s, "Authorizations", "AUTH1", Code=None), "blank code covers the regimen"),
    ("auth.units-exceeded", lambda k, s: k.edit(s, "Authorizations", "AUTH1", Units_Authorized=40),
     "exactly enough units"),
    ("auth.visits-exceeded", lambda k, s: k.edit(s, "Authorizations", "AUTH1", Visits_Authorized=1),
     "exactly one visit"),
    ("auth.units-low", lambda k, s: k.edit(s, "Authorizations", "AUTH1", Units_Authorized=70,
                                           End_Date=D(2026, 9, 15)), "authorization ends with this visit"),
    ("filing.as-of-missing", lambda k, s: k.edit(s, "Encounters", "E001", Billed_Date=D(2026, 9, 20)),
     "as-of date present"),
    ("filing.days-missing", lambda k, s: (k.edit(s, "Encounters", "E002", Billed_Date=D(2026, 9, 20)),
                                          k.edit(s, "Payers", "AET", Timely_Filing_Days=None)),
     "nothing unbilled at AET"),
    ("filing.deadline-near", lambda k, s: (k.edit(s, "Settings", "As-Of Date", Value=D(2027, 2, 20)),
                                           k.edit(s, "Encounters", "E002", Billed_Date=D(2026, 9, 20))),
     "already billed"),
    ("filing.deadline-near", lambda k, s: k.edit(s, "Settings", "As-Of Date", Value=D(2027, 2, 11)),
     "31 days left, window 30"),
    ("filing.deadline-passed", lambda k, s: k.edit(s, "Settings", "As-Of Date", Value=D(2027, 3, 14)),
     "deadline day itself"),
    ("payer.rule-conflict", lambda k, s: payer_rules(s, ["AET", "J1745", None, "Y", D(2026, 1, 1), D(2026, 5, 31)],
                                                     ["AET", "J1745", None, "N", D(2026, 6, 1), None]),
     "dates do not overlap"),
    ("payer.pos-mismatch", lambda k, s: k.edit(s, "Encounters", "E002", Place_of_Service="22"),
     "professional claim in a hospital outpatient department"),
]


def _ids(cases):
    return [f"{c[0]}-{i}" for i, c in enumerate(cases)]


@pytest.mark.parametrize("rule_id, change, expected", FIRE, ids=_ids(FIRE))
def test_rule_fires_at_its_cell(kit, sheets, rule_id, change, expected):
    change(kit, sheets)
    result = kit.check(sheets, rule_id)
    assert kit.fired(result, rule_id) == expected
    # Only the rule asked for ran, and nothing crashed.
    assert {f.rule_id for f in result.findings} == {rule_id}


@pytest.mark.parametrize("rule_id, change, why", QUIET, ids=_ids(QUIET))
def test_rule_stays_quiet(kit, sheets, rule_id, change, why):
    change(kit, sheets)
    result = kit.check(sheets, rule_id)
    assert result.findings == [], why


def test_every_rule_has_a_firing_and_a_quiet_case():
    ids = set(registry())
    assert ids - {c[0] for c in FIRE} == set()
    assert ids - {c[0] for c in QUIET} == set()


# (change to the clean clinic, the one rule that reports it, its cell, its severity). What the coding engine
# decides while coding (times, dose, route, NDC form, hydration necessity, a second site, nothing given) is
# reported by its rule alone: the check stage lists that finding and no documentation rule repeats it.
ONE_FACT_ONE_RULE = [
    (lambda k, s: k.edit(s, "Administrations", "A001", Stop=None), "coding.stop-time-fallback",
     "Administrations!K2", Severity.WARNING),
    (lambda k, s: (k.edit(s, "Administrations", "A001", Stop=None),
                   s["Settings"].append(["Missing Stop Time Fallback", "Hold"])), "coding.times-missing",
     "Administrations!K2", Severity.ERROR),
    (lambda k, s: k.edit(s, "Administrations", "A001", Start=None), "coding.stop-time-fallback",
     "Administrations!J2", Severity.WARNING),
    (lambda k, s: k.edit(s, "Administrations", "A004", Stop=T(9, 0)), "coding.stop-before-start",
     "Administrations!K5", Severity.ERROR),
    (lambda k, s: k.edit(s, "Administrations", "A004", Dose=None), "coding.dose-missing", "Administrations!F5",
     Severity.ERROR),
    (lambda k, s: k.edit(s, "Administrations", "A004", Dose_Unit=None), "coding.dose-unit", "Administrations!G5",
     Severity.ERROR),
    (lambda k, s: k.edit(s, "Administrations", "A002", Route=None), "coding.route-missing", "Administrations!I3",
     Severity.ERROR),
    (lambda k, s: k.edit(s, "Administrations", "A005", NDC="5024205121"), "coding.ndc-invalid",
     "Administrations!Q6", Severity.ERROR),
    (lambda k, s: k.edit(s, "Administrations", "A003", Necessity_Documented="N"), "coding.hydration-necessity",
     "Administrations!P4", Severity.WARNING),
]


@pytest.mark.parametrize("spoil, rule_id, cell, severity", ONE_FACT_ONE_RULE, ids=[c[1] for c in ONE_FACT_ONE_RULE])
def test_a_fact_the_coding_engine_decides_is_reported_once_by_its_rule(kit, sheets, spoil, rule_id, cell, severity):
    spoil(kit, sheets)
    findings = kit.check(sheets).findings
    assert [(f.rule_id, f.location, f.severity) for f in findings if f.location == cell] == [(rule_id, cell, severity)]
    assert not [f for f in findings if f.rule_id.startswith("doc.")]


def test_clean_clinic_has_no_findings_with_strict_rules(kit, sheets):
    result = kit.check(sheets)
    assert result.findings == []
    assert result.summary == {"rules run": len(registry()), "Ready": 3, "Hold": 0, "Review": 0}


# ----------------------------------------------------------------------------- details of single rules


def test_diagnosis_message_names_each_bad_code(kit, sheets):
    kit.edit(sheets, "Encounters", "E002", Diagnosis_Codes="C50.9, XX99, M05.79")
    (f,) = kit.check(sheets, "doc.diagnosis-invalid").findings
    assert "C509 is a category" in f.message and "XX99 is not an ICD-10-CM code" in f.message
    assert "M0579" not in f.message


def test_waste_message_gives_vials_and_waste(kit, sheets):
    kit.edit(sheets, "Administrations", "A001", Dose=350, Wasted=None)
    (f,) = kit.check(sheets, "doc.waste-missing").findings
    assert "350 mg from 100 mg single-dose vials leaves 50 mg" in f.message


def test_coverage_inactive_says_when_it_ended(kit, sheets):
    kit.edit(sheets, "Coverage", "P003", Effective_To=D(2026, 9, 1))
    (f,) = kit.check(sheets, "elig.coverage-inactive").findings
    assert "ended 2026-09-01" in f.message and f.encounter_id == "E003"


def test_member_id_is_never_shown(kit, sheets):
    kit.edit(sheets, "Coverage", "P002", Member_ID=None)
    kit.edit(sheets, "Encounters", "E002", Payer_ID="MCD")
    result = kit.check(sheets)
    text = " ".join(f.message + f.value + f.fix for f in result.findings)
    for member_id in ("1EG4TE5MK72", "SUP000111", "W123456789", "MCD998877", "Testpatient", "Alpha"):
        assert member_id not in text


def test_filing_message_counts_days(kit, sheets):
    kit.edit(sheets, "Settings", "As-Of Date", Value=D(2027, 2, 20))
    (f,) = kit.check(sheets, "filing.deadline-near").findings
    assert "2027-03-14, 22 days after the as-of date 2027-02-20" in f.message
    kit.edit(sheets, "Settings", "As-Of Date", Value=D(2027, 3, 20))
    (f,) = kit.check(sheets, "filing.deadline-passed").findings
    assert "passed on 2027-03-14, 6 days before" in f.message and f.severity is Severity.ERROR


def test_auth_missing_explains_the_dates_on_file(kit, sheets):
    kit.edit(sheets, "Authorizations", "AUTH1", End_Date=D(2026, 8, 31))
    (f,) = kit.check(sheets, "auth.missing").findings
    assert "AUTH1 covers 2026-01-01 to 2026-08-31" in f.message
    assert "built-in default for Commercial payers" in f.message


def _second_infliximab_dose(kit, s, wasted_first, wasted_second):
    kit.edit(s, "Administrations", "A001", Wasted=wasted_first)
    return kit.add_row(s, "Administrations", Encounter_ID="E001", Admin_ID="A006", Drug="infliximab", HCPCS="J1745",
                       Dose=150, Dose_Unit="mg", Wasted=wasted_second, Route="IV infusion", Start=T(11, 10),
                       Stop=T(11, 40), IV_Site="L forearm", Bag="B3", Purpose="Primary")


def test_doses_of_one_drug_share_vials_for_waste(kit, sheets):
    # 400 mg + 150 mg of infliximab in one visit: six 100 mg vials, 50 mg left, charted on the last dose.
    row = _second_infliximab_dose(kit, sheets, None, None)
    (f,) = kit.check(sheets, "doc.waste-missing").findings
    assert f.location == f"Administrations!H{row}" and "550 mg from 100 mg single-dose vials leaves 50 mg" in f.message
    sheets = kit.clinic()
    _second_infliximab_dose(kit, sheets, 0, 50)
    assert kit.check(sheets, "doc.waste-missing", "doc.waste-mismatch").findings == []


def test_waste_mismatch_compares_the_visit_total(kit, sheets):
    row = _second_infliximab_dose(kit, sheets, 0, 30)
    (f,) = kit.check(sheets, "doc.waste-mismatch").findings
    assert f.location == f"Administrations!H{row}" and "Wasted is 30 mg in all" in f.message


def test_more_waste_than_the_vials_leave_is_reported_once_by_the_coding_engine(kit, sheets):
    row = _second_infliximab_dose(kit, sheets, 0, 100)
    at_cell = [f for f in kit.check(sheets, strict=True).findings if f.location == f"Administrations!H{row}"]
    assert [f.rule_id for f in at_cell] == ["coding.waste-exceeds-vials"]
