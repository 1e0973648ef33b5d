"""The synthetic clinic: seeded, plausible, and wrong only where it says so.

These tests read like an auditor going through the demo workbook: the same seed gives the same
clinic; every NPI passes its check digit and every diagnosis is a billable ICD-10-CM code; doses,
vials and clock times are what a chart would show; each planted defect sits in the very cell the
answer key names; and a run of every stage reports the planted defects and no other error.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import warnings
from collections import Counter, defaultdict
from decimal import Decimal

import openpyxl
import pytest

from infusion_billing.claims.scrub import shipped_coverage_rules
from infusion_billing.demo import catalog
from infusion_billing.demo import clinic as demo
from infusion_billing.demo.clinic import ANSWER_KEY, UNCOVERED_DX, Clinic, mistyped_hcpcs, run_demo, write_clinic
from infusion_billing.identifiers import ndc as ndc_id
from infusion_billing.reference.catalog import builtin_drugs
from infusion_billing.schema import TABLES_BY_NAME
from infusion_billing.workbook.reader import read_workbook
from infusion_billing.workbook.writer import read_output_table


def table(rows: dict, name: str) -> list[dict]:
    """Rows of one table as dicts by header (what a biller reads)."""
    headers = TABLES_BY_NAME[name].headers
    return [dict(zip(headers, r)) for r in rows[name]]


@pytest.fixture(scope="module")
def default() -> Clinic:
    return Clinic()


@pytest.fixture(scope="module")
def rows(default) -> dict:
    return default.rows_by_table()


@pytest.fixture(scope="module")
def book(default, tmp_path_factory):
    """The default demo workbook as written to disk, opened as Excel shows it."""
    path = write_clinic(Clinic(), tmp_path_factory.mktemp("demo") / "clinic.xlsx")
    return path, openpyxl.load_workbook(path)


def luhn_npi_ok(npi: str) -> bool:
    """The NPI check digit computed here from scratch: Luhn over 80840 + the ten digits."""
    digits = [int(c) for c in "80840" + npi]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return len(npi) == 10 and npi[0] in "12" and total % 10 == 0


# ----------------------------------------------------------------------------- seeded


def test_the_same_seed_gives_the_same_clinic_row_for_row():
    first, second = Clinic(seed=7, encounters=120), Clinic(seed=7, encounters=120)
    assert first.rows_by_table() == second.rows_by_table()
    assert first.planted == second.planted
    other = Clinic(seed=8, encounters=120).rows_by_table()
    assert other["Patients"] != first.rows_by_table()["Patients"]


def test_visits_are_generated_lazily_one_at_a_time():
    clinic = Clinic(encounters=5000)
    visits = clinic.visits()
    first = next(visits)
    assert first.encounter[0] == "E0000001"
    assert clinic.administration_count == len(first.administrations) < 20


# ----------------------------------------------------------------------------- the hospital department


def test_hospital_visits_exercise_the_facility_and_hospital_physician_rules(rows):
    """The demo codes facility claims (G0463 [S81], EA/EC on epoetin [S82], no JZ on packaged drugs) and
    the hospital-based physician's claims at POS 22 (E/M only, drugs left to the hospital [S85]); the
    clinic's Summit Ridge patients with lymphoma keep 96413 for rituximab [S80]."""
    from infusion_billing.coding.engine import code_book
    from infusion_billing.workbook.reader import Grid, read_grids

    book = read_grids({n: Grid(n, [TABLES_BY_NAME[n].headers] + r) for n, r in rows.items() if n in TABLES_BY_NAME})
    result = code_book(book)
    encounters = {e.encounter_id: e for e in book.rows("Encounters")}
    facility = {(ln.code, " ".join(ln.modifiers)) for ln in result.lines
                if encounters[ln.encounter_id].setting.value == "Facility"}
    assert {("G0463", "25"), ("J0885", "EA JZ"), ("J0885", "EC"), ("J0885", "EC JW"), ("J1200", "")} <= facility
    physician = {ln.code for ln in result.lines if encounters[ln.encounter_id].place_of_service == "22"
                 and encounters[ln.encounter_id].setting.value == "Professional"}
    assert physician == {"99213", "99214", "99215"}
    dropped = Counter(f.rule_id for f in result.findings if f.rule_id.startswith("coding.professional-facility"))
    assert dropped["coding.professional-facility-drug"] > 0 and dropped["coding.professional-facility-pos"] > 0
    rituximab = {ln.code for ln in result.lines if encounters[ln.encounter_id].payer_id == "SRH"
                 and "J9312" in {x.code for x in result.lines_for(ln.encounter_id)}
                 and encounters[ln.encounter_id].diagnosis_codes[:1] == "C"}
    assert "96413" in rituximab and "96365" not in rituximab


# ----------------------------------------------------------------------------- the practice


def test_five_payers_medicare_wants_jw_jz_medicaid_wants_ndc_three_commercial(rows):
    payers = {p["Payer ID"]: p for p in table(rows, "Payers")}
    assert sorted(p["Payer Type"] for p in payers.values()) == ["Commercial"] * 3 + ["Medicaid", "Medicare"]
    assert payers["MCR"]["Requires JW/JZ"] == "Y" and payers["MCD"]["Requires NDC"] == "Y"
    assert all(p["Requires NDC"] == "N" for pid, p in payers.items() if pid != "MCD")


def test_about_150_patients_three_months_of_1500_encounters_in_date_order(default, rows):
    encounters = table(rows, "Encounters")
    # 1,500 clinic encounters, then the hospital department's 12 visits (a facility and a physician claim each)
    assert default.hospital_encounter_count == 24
    assert len(encounters) == 1500 + 24 and 120 <= len(rows["Patients"]) <= 180
    days = [e["Date of Service"] for e in encounters]
    assert days == sorted(days) and days[0] == dt.date(2026, 8, 3) and days[-1] <= dt.date(2026, 10, 30)
    assert all(d.weekday() < 5 and d != dt.date(2026, 9, 7) for d in days)  # weekdays, closed Labor Day
    settings = {s["Setting"]: s["Value"] for s in table(rows, "Settings")}
    assert settings["As-Of Date"] == dt.date(2026, 11, 15) == days[-1] + dt.timedelta(days=16)
    assert default.administration_count == len(rows["Administrations"]) > 3 * len(encounters)


def test_coverage_has_secondaries_and_authorizations_cover_commercial_and_medicaid_biologics(rows):
    coverage = table(rows, "Coverage")
    assert sum(c["Priority"] == "Secondary" for c in coverage) >= 10
    assert all(c["Member ID"] for c in coverage)
    auths = table(rows, "Authorizations")
    assert len(auths) >= 20
    assert {a["Payer ID"] for a in auths} <= {"MCD", "SRH", "CVI", "LMH"}
    codes = {a["Code"] for a in auths}
    assert {"J1745", "J9312", "J1569", "J9263"} <= codes  # infliximab, rituximab, IVIG, oxaliplatin
    assert all(a["Units Authorized"] > 0 and a["Start Date"] < a["End Date"] for a in auths)


def test_every_npi_passes_the_luhn_check_digit(rows):
    npis = {e[h] for e in table(rows, "Encounters") for h in ("Rendering NPI", "Ordering NPI")}
    assert len(npis) >= 8
    assert all(luhn_npi_ok(n) for n in npis), sorted(n for n in npis if not luhn_npi_ok(n))


def test_every_diagnosis_is_a_billable_icd10cm_code(rows):
    with warnings.catch_warnings():  # the package's own importlib.resources deprecation warnings
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as icd

    used = {c.strip() for e in table(rows, "Encounters") for c in e["Diagnosis Codes"].split(",")}
    assert "Z51.11" in used and "G35" not in used
    for code in used | set(catalog.all_diagnosis_codes()):
        assert icd.is_valid_item(code) and icd.is_leaf(code), code


def test_doses_vials_and_waste_are_what_the_chart_would_show(rows):
    admins = table(rows, "Administrations")
    stock = {s.hcpcs: s for s in catalog.STOCK}
    by_drug = defaultdict(list)
    for a in admins:
        by_drug[a["HCPCS"]].append(a)
    assert {a["Dose"] for a in by_drug["J1439"]} == {750}  # ferric carboxymaltose 750 mg
    assert {a["Dose"] for a in by_drug["J1756"]} == {200}  # iron sucrose 200 mg
    assert {a["Dose"] for a in by_drug["J2350"]} <= {300, 600}  # ocrelizumab
    assert all(a["Dose"] % 10 == 0 and 200 <= a["Dose"] <= 1000 for a in by_drug["J1745"])  # 5 mg/kg infliximab
    assert all(a["Dose"] == 1000 or 500 <= a["Dose"] <= 1000 for a in by_drug["J9312"])  # 375 mg/m2 or 1,000 mg
    assert all(10 <= a["Dose"] <= 90 and a["Dose Unit"] == "g" for a in by_drug["J1569"])  # IVIG grams a day
    # single-dose drugs: dose + waste fills whole vials (the doses of one drug in a visit share vials)
    filled = defaultdict(Decimal)
    for a in admins:
        if a["HCPCS"] in stock and a["Wasted"] is not None:
            filled[(a["Encounter ID"], a["HCPCS"])] += a["Dose"] + a["Wasted"]
            assert 0 <= a["Wasted"] < stock[a["HCPCS"]].vial
    assert all((total / stock[code].vial) % 1 == 0 for (_, code), total in filled.items())
    assert all(a["Wasted"] is None for a in by_drug["J3420"])  # B12 from a multi-dose vial
    # the fluorouracil pump runs 46 hours and stops two days later
    encounters = {e["Encounter ID"]: e for e in table(rows, "Encounters")}
    pumps = [a for a in admins if a["Route"] == "Prolonged pump" and a["Stop"] is not None]
    assert pumps
    for a in pumps:
        start = dt.datetime.combine(encounters[a["Encounter ID"]]["Date of Service"], a["Start"])
        assert dt.datetime.combine(a["Stop Date"], a["Stop"]) - start == dt.timedelta(hours=46)
    same_day = [a for a in admins if a["Stop"] is not None and a["Stop Date"] is None]
    assert all(a["Start"] < a["Stop"] for a in same_day)
    assert all(a["Necessity Documented"] == "Y" for a in admins if a["Purpose"] == "Hydration")


def test_medicaid_drug_lines_carry_a_well_formed_ndc_synthetic_ones_marked(default, rows):
    payer_of = {e["Encounter ID"]: e["Payer ID"] for e in table(rows, "Encounters")}
    missing = {p.excel_row for p in default.planted if p.rule_id == "doc.ndc-missing"}
    for excel_row, a in enumerate(table(rows, "Administrations"), start=2):
        if payer_of[a["Encounter ID"]] == "MCD" and a["HCPCS"] and a["Purpose"] not in ("KVO", "Flush"):
            assert a["NDC"] or excel_row in missing
    drug_ndcs = {d["HCPCS"]: d["NDC"] for d in table(rows, "Drugs")}
    assert drug_ndcs["J9312"] == "50242-051-21" and drug_ndcs["J2469"] == "58063-797-25"  # from the built-in table
    assert all(ndc_id.is_valid(n) for n in drug_ndcs.values())
    assert all(n.startswith(catalog.SYNTHETIC_LABELER + "-") for c, n in drug_ndcs.items() if c not in ("J9312", "J2469"))


def test_charge_master_prices_every_code_the_engine_can_produce_and_each_payer_has_fees(rows):
    codes = {c["Code"] for c in table(rows, "ChargeMaster")}
    assert set(builtin_drugs()) <= codes
    assert {"96360", "96361", "96365", "96366", "96367", "96368", "96372", "96374", "96375", "96376", "96401",
            "96402", "96409", "96411", "96413", "96415", "96416", "96417", "96523", "96549"} <= codes
    assert {"99211", "99212", "99213", "99214", "99215"} <= codes
    fees = table(rows, "FeeSchedule")
    assert {f["Payer ID"] for f in fees} == {"MCR", "MCD", "SRH", "CVI", "LMH"}
    mcr = {f["Code"]: f["Allowed Amount"] for f in fees if f["Payer ID"] == "MCR"}
    assert mcr["96413"] == Decimal("262.40") and mcr["J1745"] == Decimal("45.60")


def test_mistyped_hcpcs_swaps_two_digits_into_a_code_no_table_knows():
    import random

    wrong = mistyped_hcpcs(random.Random(1), "J2405")
    assert wrong != "J2405" and sorted(wrong) == sorted("J2405") and wrong not in builtin_drugs()


# ----------------------------------------------------------------------------- planted defects


def test_each_kind_of_defect_is_planted_at_a_realistic_rate(default, rows):
    by_rule = Counter(p.rule_id for p in default.planted)
    assert set(by_rule) == {"coding.stop-time-fallback", "doc.ndc-missing", "elig.coverage-inactive",
                            "auth.units-exceeded", "coding.unknown-hcpcs", "scrub.coverage-diagnosis"}
    assert all(n >= 4 for n in by_rule.values()), by_rule
    assert 0.02 <= len(default.planted) / 1500 <= 0.06
    assert len({(p.sheet, p.excel_row) for p in default.planted}) == len(default.planted)  # one per row


def test_planted_defects_are_in_the_cells_the_answer_key_names(default, book):
    _, wb = book
    enc, adm, cov, auth = (wb[n] for n in ("Encounters", "Administrations", "Coverage", "Authorizations"))
    coverage_end = {r[0]: r[5] for r in cov.iter_rows(min_row=2, values_only=True) if r[3] == "Primary"}
    encounters = {r[0]: r for r in enc.iter_rows(min_row=2, values_only=True)}
    admin_rows = list(adm.iter_rows(min_row=2, values_only=True))
    for p in default.planted:
        ws = wb[p.sheet]
        header = ws.cell(1, ws[p.cell].column).value
        assert header == p.header, p
        value = ws[p.cell].value
        if p.rule_id == "coding.stop-time-fallback":
            row = admin_rows[p.excel_row - 2]
            assert value is None and row[9] in ("IV infusion", "Prolonged pump") and row[10] is not None, p
        elif p.rule_id == "doc.ndc-missing":
            row = admin_rows[p.excel_row - 2]
            assert value is None and row[3] and encounters[row[0]][2] == "MCD", p
        elif p.rule_id == "coding.unknown-hcpcs":
            assert value not in builtin_drugs() and value[0] == "J", p
        elif p.rule_id == "elig.coverage-inactive":
            patient = ws.cell(p.excel_row, 2).value
            assert value.date() > coverage_end[patient].date(), p
        elif p.rule_id == "scrub.coverage-diagnosis":
            encounter_id = ws.cell(p.excel_row, 1).value
            policies = {r.hcpcs for r in shipped_coverage_rules()}
            assert value == UNCOVERED_DX and any(r[0] == encounter_id and r[3] in policies for r in admin_rows), p
        else:
            assert p.rule_id == "auth.units-exceeded" and value > 0
            assert _burn_down_exceeds_at(p.excel_row, admin_rows, encounters, auth), p


def _burn_down_exceeds_at(excel_row, admin_rows, encounters, auth_ws) -> bool:
    """Recount the authorization by hand: units of the drug, visit by visit in date order."""
    row = admin_rows[excel_row - 2]
    code, patient = row[3], encounters[row[0]][1]
    (authorized,) = [r[4] for r in auth_ws.iter_rows(min_row=2, values_only=True) if r[1] == patient and r[3] == code]
    drug = builtin_drugs()[code]
    per_visit = defaultdict(Decimal)
    factor = {"g": 1000, "mg": 1, "mcg": Decimal("0.001")}
    for r in admin_rows:
        if r[3] == code and encounters[r[0]][1] == patient:
            per_visit[r[0]] += Decimal(str(r[5])) * factor[r[6]] / factor[drug.billing_unit.value]
    used = 0
    for enc_id in sorted(per_visit, key=lambda e: (encounters[e][3], e)):
        units = math.ceil(per_visit[enc_id] / drug.billing_unit_quantity)
        if enc_id == row[0]:
            return used <= authorized < used + units
        used += units
    return False


def test_a_small_demo_reads_back_with_no_reader_errors(tmp_path):
    clinic = Clinic(seed=3, encounters=60)
    path = write_clinic(clinic, tmp_path / "small.xlsx")
    book = read_workbook(path)
    assert [f.to_text() for f in book.findings if f.severity.value == "error"] == []
    assert len(book.rows("Encounters")) == 60 and len(book.rows("Administrations")) == clinic.administration_count
    assert book.settings.as_of_date == dt.date(2026, 11, 15)


# ----------------------------------------------------------------------------- the demo run


@pytest.mark.slow
def test_default_demo_reports_every_planted_defect_and_no_other_error(tmp_path):
    out = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert run_demo(tmp_path / "demo.xlsx", out=out) == 0
    text = out.getvalue()
    key = read_output_table(tmp_path / "demo.xlsx", ANSWER_KEY)
    assert len(key) >= 40 and all(r["Found"] == "Y" for r in key), [r for r in key if r["Found"] != "Y"]
    assert f"Planted defects found: {len(key)} of {len(key)}" in text
    assert "Errors other than the planted defects: 0" in text
    findings = read_output_table(tmp_path / "demo.xlsx", "Findings")
    planted = {(r["Rule ID"], r["Sheet"], r["Cell"]) for r in key}
    assert [f for f in findings if f["Severity"] == "error" and (f["Rule ID"], f["Sheet"], f["Cell"]) not in planted] == []
    assert "Encounters: Ready " in text and (tmp_path / "demo-input.xlsx").exists()
    assert f"Written: {tmp_path / 'demo.xlsx'}" in text
    # The assessment's answer key: 8 billing mistakes planted in the client's charge export and the 83
    # underpayments the payer simulator planted (2,178.93, the month's own), every one found to the cent.
    assert "Planted leaks found: 91 of 91, $2,332.96 of $2,332.96" in text.splitlines()
    assert (tmp_path / "assessment-demo.xlsx").exists() and (tmp_path / "assessment-demo.pdf").exists()


def test_above_the_stage_limit_the_workbook_carries_its_answer_key(tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "STAGE_LIMIT", 50)
    out = io.StringIO()
    assert run_demo(tmp_path / "big.xlsx", encounters=200, out=out) == 0
    assert "Stages not run above 50 encounters" in out.getvalue()
    wb = openpyxl.load_workbook(tmp_path / "big.xlsx")
    assert wb.sheetnames[-1] == ANSWER_KEY and "Findings" not in wb.sheetnames
    assert wb["Encounters"].max_row == 1 + 200 + 2  # header, the clinic, one hospital visit (two claims)
    assert [c.value for c in wb[ANSWER_KEY][1]] == demo.ANSWER_COLUMNS


def test_a_demo_of_no_encounters_is_refused_with_one_sentence(tmp_path, capsys):
    assert run_demo(tmp_path / "none.xlsx", encounters=0) == 2
    assert capsys.readouterr().err.strip() == "infusion-billing: --encounters must be 1 or more."
    assert not (tmp_path / "none.xlsx").exists()
