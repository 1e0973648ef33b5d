"""The code stage on a saved workbook, the command line, the rule tables and the rule catalogue."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from infusion_billing.cli import main
from infusion_billing.coding.lines import CHARGE_COLUMNS
from infusion_billing.coding.rules import RULES, RULES_BY_ID
from infusion_billing.coding.ruletables import TABLE_FILES, coding_tables
from infusion_billing.coding.stage import ChargeRows
from infusion_billing.pipeline import run_workbook
from infusion_billing.reference.tables import read_versioned_csv
from infusion_billing.schema import Payer
from infusion_billing.settings import SETTING_SPECS, Settings
from infusion_billing.workbook.writer import read_output_table


@pytest.fixture
def coded(sheets, book_factory, tmp_path):
    """The shared minimal clinic (infliximab 09:00-11:05, 125 min, and a diphenhydramine push) with a ChargeMaster."""
    sheets["ChargeMaster"] = [["Code", "Description", "Charge Amount"], ["96413", "chemo infusion 1st hr", 612.5],
                              ["J1745", "infliximab per 10 mg", "98.10"], ["96375", "push addl", 120]]
    path = book_factory(sheets)
    run = run_workbook(path, ["validate", "code"], out=tmp_path / "out.xlsx")
    return run, read_output_table(run.output, "Charges")


def test_charges_sheet_has_one_row_per_claim_line(coded):
    run, rows = coded
    assert list(rows[0]) == list(CHARGE_COLUMNS)
    got = {(r["Code"], r["Units"], r.get("Modifiers") or "") for r in rows}
    # Diphenhydramine is packaged under the hospital outpatient PPS: no JZ on the facility claim.
    assert got == {("96413", 1, ""), ("96415", 1, ""), ("96375", 1, ""), ("J1745", 40, "JZ"), ("J1200", 1, "")}
    assert [r["Line"] for r in rows] == [1, 2, 3, 4, 5]


def test_charges_are_chargemaster_amount_times_units(coded):
    _run, rows = coded
    charges = {r["Code"]: Decimal(str(r["Charge"])) if r.get("Charge") is not None else None for r in rows}
    # 96415 and J1200 have no ChargeMaster price: a blank Charge, never 0.00, and the encounter is held.
    assert charges == {"96413": Decimal("612.5"), "96415": None, "96375": Decimal("120"),
                       "J1745": Decimal("3924"), "J1200": None}
    assert {(f.rule_id, f.severity.value, f.cell) for f in _run.findings if f.rule_id == "coding.charge-missing"} == {
        ("coding.charge-missing", "error", "G3"), ("coding.charge-missing", "error", "G6")}


def test_charges_rows_say_where_they_come_from(coded):
    _run, rows = coded
    drug = next(r for r in rows if r["Code"] == "J1745")
    assert drug["Admin IDs"] == "A001"
    assert drug["Rule"] == "coding.drug-units, coding.jz-no-waste"
    assert drug["Explanation"] == ("Infliximab 400 mg at 10 mg per unit, rounded up: J1745 x 40; nothing discarded "
                                   "from the single-dose container: JZ")
    assert drug["Date of Service"] in (dt.datetime(2026, 9, 14), dt.date(2026, 9, 14))


def test_charges_rows_are_made_from_the_claim_lines_as_they_are_read(coded):
    # The writer streams them, so a clinic-year's rows are never all held beside the lines (issue 16).
    run, _rows = coded
    charges = next(t for t in run.tables if t.name == "Charges")
    assert isinstance(charges.rows, ChargeRows) and len(charges.rows) == 5
    drug = charges.rows[3]
    assert drug[:7] == ["E001", 4, dt.date(2026, 9, 14), "J1745", "JZ", 40, Decimal("3924.00")]
    assert drug[10:12] == ["A001", "coding.drug-units, coding.jz-no-waste"]
    assert [row[3] for row in charges.rows] == [row[3] for row in charges.rows[:]] == [
        "96413", "96415", "96375", "J1745", "J1200"]
    assert charges.rows[1][6] is None  # 96415 has no ChargeMaster price: a blank Charge


def test_the_command_codes_a_workbook_of_only_the_five_basic_tables(book_factory, tmp_path, capsys):
    path = book_factory()
    out = tmp_path / "coded.xlsx"
    assert main(["code", str(path), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "code: encounters coded: 1" in printed
    rows = read_output_table(out, "Charges")
    assert {r["Charge"] for r in rows} == {0}
    findings = read_output_table(out, "Findings")
    assert [f["Rule ID"] for f in findings if f["Rule ID"].startswith("coding.")] == ["coding.no-chargemaster"]


def test_a_workbook_without_administrations_is_one_finding_not_a_crash(sheets, book_factory, tmp_path):
    del sheets["Administrations"]
    run = run_workbook(book_factory(sheets), ["validate", "code"], out=tmp_path / "o.xlsx")
    assert ("reader.table-missing", "Administrations") in {(f.rule_id, f.sheet) for f in run.findings}
    assert "pipeline.stage-failed" not in {f.rule_id for f in run.findings}


def test_unknown_hcpcs_in_a_workbook_is_located_at_its_cell(sheets, book_factory, tmp_path):
    sheets["Administrations"][1][3] = "J9998"
    run = run_workbook(book_factory(sheets), ["validate", "code"], out=tmp_path / "o.xlsx")
    assert ("coding.unknown-hcpcs", "error", "Administrations!D2") in {
        (f.rule_id, f.severity.value, f.location) for f in run.findings}
    assert read_output_table(run.output, "Charges") == []


# ----------------------------------------------------------------------------- tables


def test_every_rule_table_names_its_source_and_effective_date():
    for name in TABLE_FILES:
        meta, rows = read_versioned_csv("infusion_billing.coding", f"tables/{name}")
        assert meta["source"] and dt.date.fromisoformat(meta["effective"]) and rows, name


def test_hierarchy_ranks_follow_the_facility_order():
    kinds = sorted(coding_tables().kinds.values(), key=lambda k: k.rank)
    assert [(k.category, k.method, k.initial) for k in kinds] == [
        ("Chemo/Complex", "infusion", "96413"), ("Chemo/Complex", "push", "96409"),
        ("Therapeutic", "infusion", "96365"), ("Therapeutic", "push", "96374"),
        ("Hydration fluid", "infusion", "96360")]


def test_every_code_the_tables_produce_has_a_label():
    t = coding_tables()
    produced = {c for k in t.kinds.values() for c in (k.initial, k.addon_hour, k.subsequent,
                                                      k.subsequent_addon_hour, k.concurrent, k.same_drug_repeat) if c}
    produced |= {c for rc in t.route_codes for c in (rc.code, rc.addon_hour, rc.additional_site) if c}
    produced |= set(t.addon_primaries) | {c for p in t.addon_primaries.values() for c in p}
    assert produced - set(t.families) == set()


def test_option_defaults_in_the_options_table_are_the_real_defaults():
    """options.csv documents each section 12 option; its Default must be what the code does."""
    settings = Settings()
    by_name = {s.name: s for s in SETTING_SPECS}
    payer = Payer.model_validate({"Payer ID": "X", "Payer Name": "X", "Payer Type": "Commercial"})
    payer_columns = {f.alias: name for name, f in Payer.model_fields.items()}
    for row in coding_tables().options:
        if row["Where"] == "Settings":
            value = getattr(settings, by_name[row["Option"]].attr)
            assert {True: "Y", False: "N"}.get(value, value) == row["Default"], row["Option"]
        elif row["Option"] == "Requires JW/JZ":
            assert payer.requires_jw_jz is False  # "Y for Medicare": a commercial payer defaults to N
        elif row["Option"] == "Clinic Visit G0463":
            assert payer.clinic_visit_g0463 is False  # "Y for Medicare": a commercial payer defaults to N
        else:
            value = getattr(payer, payer_columns[row["Option"]])
            assert {True: "Y", False: "N"}.get(value, str(value)) == row["Default"], row["Option"]


# ----------------------------------------------------------------------------- rule catalogue


def test_rule_ids_are_stable_slugs():
    assert len(RULES) == len(RULES_BY_ID)
    assert all(re.fullmatch(r"coding\.[a-z0-9]+(-[a-z0-9]+)*", r.id) for r in RULES)


def test_every_rule_id_is_exercised_by_a_billing_case():
    here = Path(__file__).parent
    text = "".join(p.read_text() for p in here.glob("test_*.py") if p.name != Path(__file__).name)
    assert [r.id for r in RULES if f'"{r.id}"' not in text] == []
