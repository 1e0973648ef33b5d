"""The check stage as a biller meets it: statuses, rule selection, crash isolation, burn-down, repeatability."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json

import pytest

from infusion_billing.checks.registry import registry, select_rules
from infusion_billing.checks.stage import run
from infusion_billing.cli import main
from infusion_billing.findings import Severity
from infusion_billing.pipeline import RunOptions
from infusion_billing.workbook.writer import read_output_table

D = dt.date
T = dt.time


def blocking(result) -> list:
    """Errors and warnings only (dates after 2026-09-30 add the code-set info finding)."""
    return [f for f in result.findings if f.severity is not Severity.INFO]


def status_rows(result) -> dict[str, list]:
    (table,) = [t for t in result.tables if t.name == "Encounter Status"]
    return {row[0]: row for row in table.rows}


def usage_rows(result) -> dict[str, list]:
    (table,) = [t for t in result.tables if t.name == "Authorization Usage"]
    return {row[0]: dict(zip(table.columns, row)) for row in table.rows}


# ----------------------------------------------------------------------------- Encounter Status


def test_status_hold_review_ready_with_first_reason(kit, sheets):
    kit.edit(sheets, "Coverage", "P003", Effective_To=D(2026, 9, 1))  # E003: coverage ended -> Hold
    kit.edit(sheets, "Administrations", "A004", Stop=None)  # E002: stop missing, push fallback -> Review
    result = kit.check(sheets)
    rows = status_rows(result)
    assert rows["E001"][3:7] == ["Ready", 0, 0, 0]
    assert rows["E002"][3:7] == ["Review", 0, 1, 0]  # the coding engine's push fallback, reported once
    assert rows["E003"][3:5] == ["Hold", 1]
    assert rows["E003"][7].startswith("Encounters!D4: The patient's MCD primary coverage ended 2026-09-01")
    assert rows["E003"][7].endswith("(elig.coverage-inactive)")
    assert result.summary == {"rules run": len(registry()), "Ready": 1, "Hold": 1, "Review": 1}


def test_first_reason_puts_coverage_before_documentation(kit, sheets):
    kit.edit(sheets, "Encounters", "E003", Order_On_File="N")
    kit.edit(sheets, "Coverage", "P003", Effective_To=D(2026, 9, 1))
    row = status_rows(kit.check(sheets))["E003"]
    assert row[4] == 2 and "(elig.coverage-inactive)" in row[7]


def test_a_bad_administrations_cell_holds_its_encounter(kit, sheets):
    kit.edit(sheets, "Administrations", "A004", Dose="four hundred")
    book = kit.book_of(sheets)
    (bad,) = book.findings
    assert (bad.rule_id, bad.location, bad.encounter_id) == ("reader.wrong-type", "Administrations!F5", "E002")
    rows = status_rows(run(book, RunOptions()))
    assert rows["E002"][3] == "Hold" and "(reader.wrong-type)" in rows["E002"][7]


def test_an_encounter_row_left_out_is_still_listed_as_hold(kit, sheets):
    kit.edit(sheets, "Encounters", "E002", Setting="Hospice")
    result = run(kit.book_of(sheets), RunOptions())
    rows = status_rows(result)
    assert list(rows) == ["E001", "E003", "E002"]
    assert rows["E002"][1:4] == [None, "", "Hold"] and "(reader.unknown-value)" in rows["E002"][7]


def test_a_coding_error_holds_the_encounter(kit, sheets):
    kit.edit(sheets, "Administrations", "A004", HCPCS="J9999")
    rows = status_rows(kit.check(sheets))
    assert rows["E002"][3] == "Hold"
    assert rows["E002"][7].startswith("Administrations!D5:") and rows["E002"][7].endswith("(coding.unknown-hcpcs)")


# ----------------------------------------------------------------------------- choosing rules


def test_basic_set_leaves_strict_rules_out(kit, sheets):
    kit.edit(sheets, "Encounters", "E001", Place_of_Service="11")  # payer.pos-mismatch is strict
    assert kit.check(sheets, strict=False).findings == []
    assert [f.rule_id for f in kit.check(sheets, strict=True).findings] == ["payer.pos-mismatch"]


def test_settings_rule_set_strict_turns_on_the_strict_rules(kit, sheets):
    kit.edit(sheets, "Encounters", "E001", Place_of_Service="11")
    sheets["Settings"].append(["Rule Set", "strict"])
    assert [f.rule_id for f in kit.check(sheets, strict=False).findings] == ["payer.pos-mismatch"]


def test_rules_by_family_prefix_and_unknown_names():
    rules, unknown = select_rules(only=("auth", "doc.ndc-missing", "doc.no-such-rule"))
    assert [r.id for r in rules] == ["doc.ndc-missing", "auth.missing", "auth.units-exceeded",
                                     "auth.visits-exceeded", "auth.units-low"]
    assert unknown == ["doc.no-such-rule"]


def test_unknown_rule_is_reported_and_the_rest_runs(kit, sheets):
    kit.edit(sheets, "Encounters", "E002", Order_On_File=None)
    result = kit.check(sheets, "doc.order-missing", "doc.typo")
    assert [(f.rule_id, f.severity) for f in result.findings] == [
        ("check.unknown-rule", Severity.WARNING), ("doc.order-missing", Severity.ERROR)]


def test_a_crashing_rule_becomes_a_finding_and_the_others_still_run(kit, sheets, monkeypatch):
    def boom(ctx):
        raise ZeroDivisionError("simulated bug")

    rules = registry()
    monkeypatch.setitem(rules, "doc.npi-invalid", dataclasses.replace(rules["doc.npi-invalid"], check=boom))
    kit.edit(sheets, "Encounters", "E002", Order_On_File=None)
    result = kit.check(sheets)
    assert [f.rule_id for f in result.findings] == ["doc.order-missing", "check.rule-failed"]
    assert "doc.npi-invalid" in result.findings[1].message and "ZeroDivisionError" in result.findings[1].message
    assert status_rows(result)["E002"][3] == "Hold"


def test_a_missing_table_skips_its_rules_with_one_warning(kit, sheets):
    del sheets["Coverage"]
    result = kit.check(sheets)
    assert [(f.rule_id, f.sheet) for f in result.findings] == [("check.table-missing", "Coverage")]


# ----------------------------------------------------------------------------- authorization burn-down


def _visits(kit, sheets, *visits):
    """Extra AET visits for P002: (encounter ID, date, dose mg) each with one infliximab infusion."""
    for n, (enc_id, day, dose) in enumerate(visits, start=10):
        kit.add_row(sheets, "Encounters", Encounter_ID=enc_id, Patient_ID="P002", Payer_ID="AET", Date_of_Service=day,
                    Setting="Professional", Place_of_Service="11", Rendering_NPI="1234567893",
                    Ordering_NPI="1987654328", Diagnosis_Codes="M05.79", Second_Site_Necessary="N",
                    Order_On_File="Y")
        kit.add_row(sheets, "Administrations", Encounter_ID=enc_id, Admin_ID=f"A0{n}", Drug="infliximab",
                    HCPCS="J1745", Dose=dose, Dose_Unit="mg", Wasted=0, Route="IV infusion", Start=T(10, 0),
                    Stop=T(12, 10), IV_Site="R forearm", Bag="B1", Purpose="Primary")


def test_units_burn_down_in_date_order_not_sheet_order(kit, sheets):
    # Entered out of order: the 2026-11-02 visit is typed before the 2026-10-05 one.
    _visits(kit, sheets, ("E011", D(2026, 11, 2), 400), ("E010", D(2026, 10, 5), 400), ("E012", D(2026, 11, 30), 400))
    result = kit.check(sheets)
    # E002 (09-15) 40, E010 (10-05) 40, E011 (11-02) 40 = 120; E012 takes it past: held at its Dose.
    assert [(f.rule_id, f.location, f.encounter_id) for f in blocking(result)] == [
        ("auth.units-exceeded", "Administrations!F9", "E012")]
    assert "40 units of J1745 billed with 0 of 120 left" in blocking(result)[0].message
    usage = usage_rows(result)["AUTH1"]
    assert (usage["Units Used"], usage["Units Remaining"], usage["Visits Used"], usage["Visits Remaining"]) == (
        160, -40, 4, 0)
    assert usage["Status"] == "Exceeded" and usage["Encounters"] == "E002, E010, E011, E012"


def test_low_units_warn_before_the_next_dose(kit, sheets):
    _visits(kit, sheets, ("E010", D(2026, 10, 5), 400), ("E011", D(2026, 11, 2), 300))
    kit.edit(sheets, "Authorizations", "AUTH1", Units_Authorized=130)
    result = kit.check(sheets)
    (f,) = blocking(result)
    assert (f.rule_id, f.location, f.encounter_id) == ("auth.units-low", "Authorizations!E2", "")
    assert "20 units left after E011, less than that visit's 30" in f.message
    assert status_rows(result)["E011"][3] == "Ready"  # a warning about the authorization holds no claim


def test_the_dose_that_crosses_the_limit_is_the_one_reported(kit, sheets):
    # Two 200 mg bags of infliximab in one visit share one J1745 line of 40 units; 30 units are left.
    kit.edit(sheets, "Authorizations", "AUTH1", Units_Authorized=30)
    kit.edit(sheets, "Administrations", "A004", Dose=200, Stop=T(11, 0))
    kit.add_row(sheets, "Administrations", Encounter_ID="E002", Admin_ID="A006", Drug="infliximab", HCPCS="J1745",
                Dose=200, Dose_Unit="mg", Wasted=0, Route="IV infusion", Start=T(11, 0), Stop=T(12, 0),
                IV_Site="R forearm", Bag="B2", Purpose="Primary")
    (f,) = kit.check(sheets, "auth.units-exceeded").findings
    assert f.location == "Administrations!F7"  # A006: 20 + 20 units passes 30 on the second bag


def test_a_held_encounter_still_uses_its_units(kit, sheets):
    _visits(kit, sheets, ("E010", D(2026, 10, 5), 400))
    kit.add_row(sheets, "Administrations", Encounter_ID="E002", Admin_ID="A099", Drug="mystery", HCPCS="J9999",
                Dose=1, Dose_Unit="mg", Route="IV push", Start=T(9, 0), Stop=T(9, 2), IV_Site="R forearm")
    kit.edit(sheets, "Authorizations", "AUTH1", Units_Authorized=60)
    result = kit.check(sheets, "auth")
    assert [(f.rule_id, f.encounter_id) for f in result.findings] == [("auth.units-exceeded", "E010")]


def test_payer_rules_table_wins_over_the_defaults(kit, sheets):
    sheets["Payer Rules"] = [["Payer ID", "Code", "Drug Class", "Requires Auth", "Effective From"],
                             ["MCR", None, "Chemo/Complex", "Y", D(2026, 1, 1)],
                             ["AET", None, None, "N", None]]
    result = kit.check(sheets, "auth.missing")
    # Medicare now needs one for infliximab (none on file); AET needs none for anything.
    assert [(f.location, f.encounter_id) for f in result.findings] == [("Administrations!D2", "E001")]
    assert "(Payer Rules row 2)" in result.findings[0].message


def test_default_rules_cover_ivig_for_commercial_but_not_medicare(kit, sheets):
    kit.edit(sheets, "Administrations", "A004", Drug="IVIG", HCPCS="J1569", Dose=30000, Wasted=None)
    kit.edit(sheets, "Administrations", "A001", Drug="IVIG", HCPCS="J1569", Dose=30000, Wasted=None)
    result = kit.check(sheets, "auth.missing")
    assert [f.encounter_id for f in result.findings] == ["E002"]


# ----------------------------------------------------------------------------- repeatability and safety


def test_running_twice_gives_identical_output(kit, sheets):
    kit.edit(sheets, "Administrations", "A001", Stop=None)
    kit.edit(sheets, "Authorizations", "AUTH1", Units_Authorized=30)
    book = kit.book_of(sheets)
    first, second = run(book, RunOptions(strict=True)), run(book, RunOptions(strict=True))
    fresh = run(kit.book_of(sheets), RunOptions(strict=True))
    for other in (second, fresh):
        assert other.findings == first.findings
        assert [(t.name, t.rows) for t in other.tables] == [(t.name, t.rows) for t in first.tables]
        assert other.summary == first.summary


def test_cli_check_leaves_the_input_untouched_and_writes_the_sheets(kit, sheets, book_factory, tmp_path, capsys):
    kit.edit(sheets, "Coverage", "P003", Effective_To=D(2026, 9, 1))
    path = book_factory(sheets)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    out = tmp_path / "checked.xlsx"
    assert main(["check", str(path), "-o", str(out), "--json"]) == 0
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    printed = json.loads(capsys.readouterr().out)
    assert [(f["rule_id"], f["sheet"], f["cell"]) for f in printed] == [
        ("elig.coverage-inactive", "Encounters", "D4")]
    status = {r["Encounter ID"]: r["Status"] for r in read_output_table(out, "Encounter Status")}
    assert status == {"E001": "Ready", "E002": "Ready", "E003": "Hold"}
    assert [r["Auth ID"] for r in read_output_table(out, "Authorization Usage")] == ["AUTH1", "AUTH2"]
    assert read_output_table(out, "Findings")[0]["Cell"] == "D4"


def test_cli_check_prints_the_counts(kit, sheets, book_factory, capsys):
    path = book_factory(sheets)
    assert main(["check", str(path), "--rule", "doc.order-missing"]) == 0
    text = capsys.readouterr().out
    assert "check: Ready: 3" in text and "check: Hold: 0" in text and "check: rules run: 1" in text


@pytest.mark.parametrize("r", list(registry().values()), ids=list(registry()))
def test_every_rule_is_fully_declared(r):
    assert r.title and r.message and r.fix and r.source and r.description and r.location
    assert r.rule_set in ("basic", "strict")
    assert r.check.__module__.endswith(r.family)
