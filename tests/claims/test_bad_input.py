"""Bad input to the claims stage gets a located finding, never a traceback.

* a month of home-infusion days over the 837P's 50 lines is split by date of service;
* an Encounter ID of 25 characters cannot be a Claim ID (CLM01 holds 20): held at Claims!A;
* a payer with no Practice row: its claims are held at Claims!D (Payer ID) and no 837 is written.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from decimal import Decimal

from infusion_billing.claims.build import BookIndex, ledger_claim
from infusion_billing.claims.stage import _LedgerBuilder
from infusion_billing.coding.lines import ChargeLine
from infusion_billing.pipeline import RunOptions, run_workbook
from infusion_billing.workbook.reader import read_workbook

from .clinic_book import AS_OF, MONTH, clinic_rows, column, records, write_rows


def test_a_claim_over_50_lines_is_split_by_date_of_service(tmp_path):
    book = read_workbook(write_rows(tmp_path / "book.xlsx", clinic_rows(20)))
    index = BookIndex(book)
    encounter = book.rows("Encounters")[0]
    lines = []
    for day in range(30):  # a month of daily home-infusion visits: an administration and a drug each day
        when = encounter.date_of_service + timedelta(days=day)
        lines.append(ChargeLine(encounter.encounter_id, len(lines) + 1, when, "96365", (), 1, Decimal("210.00")))
        lines.append(ChargeLine(encounter.encounter_id, len(lines) + 1, when, "J3370", ("JZ",), 2, Decimal("40.00"),
                                "00409653301", "UN", Decimal(2)))
    claim = ledger_claim(encounter.encounter_id, encounter, lines, index, status="Ready")
    findings: list = []
    parts = _LedgerBuilder(book, index, RunOptions(), [])._split(claim, findings)
    assert [(p.claim_id, len(p.lines)) for p in parts] == [
        (f"{encounter.encounter_id}-1", 50), (f"{encounter.encounter_id}-2", 10)]
    assert parts[0].lines[-1].service_date < parts[1].lines[0].service_date  # whole days stay together
    assert sum(p.total_charge for p in parts) == claim.total_charge == Decimal("7500.00")
    assert [ln.control_number for ln in parts[1].lines][:2] == [f"{encounter.encounter_id}-2-1",
                                                                 f"{encounter.encounter_id}-2-2"]
    [f] = findings
    assert (f.rule_id, f.severity.value, f.encounter_id) == ("claim.split", "info", encounter.encounter_id)


def _month(tmp_path, rows):
    source = write_rows(tmp_path / "clinic.xlsx", rows)
    return run_workbook(source, MONTH, out=tmp_path / "billed.xlsx",
                        options=RunOptions(out_dir=tmp_path / "837", as_of=AS_OF))


def test_an_encounter_id_over_20_characters_is_held_at_its_claim_id(tmp_path):
    rows = copy.deepcopy(clinic_rows(40))
    long_id = "VISIT-2026-08-03-0001-X"  # 23 characters
    old = rows["Encounters"][0][0]
    rows["Encounters"][0][0] = long_id
    ec = column("Administrations", "Encounter ID")
    for a in rows["Administrations"]:
        if a[ec] == old:
            a[ec] = long_id
    run = _month(tmp_path, rows)
    claims = records(tmp_path / "billed.xlsx", "Claims")
    row = next(i for i, c in enumerate(claims, start=2) if c["Encounter ID"] == long_id)
    assert claims[row - 2]["Status"] == "Held"
    [f] = [f for f in run.findings if f.rule_id == "claim.id-invalid"]
    assert (f.sheet, f.cell, f.encounter_id) == ("Claims", f"A{row}", long_id)
    assert "23 characters" in f.message


def test_a_payer_with_no_practice_row_holds_its_claims(tmp_path):
    rows = copy.deepcopy(clinic_rows(40))
    rows["Practice"][0][column("Practice", "Payer ID")] = "MCR"  # the practice row now serves Medicare only
    run = _month(tmp_path, rows)
    claims = records(tmp_path / "billed.xlsx", "Claims")
    others = [(i, c) for i, c in enumerate(claims, start=2) if c["Payer ID"] != "MCR"]
    assert others and all(c["Status"] == "Held" for _, c in others)
    assert all(c["Status"] == "Submitted" for c in claims if c["Payer ID"] == "MCR")
    cells = {(f.rule_id, f.sheet, f.cell) for f in run.findings}
    assert {("claim.practice-missing", "Claims", f"D{i}") for i, _ in others} <= cells
    assert [p.name.split("_")[0] for p in (tmp_path / "837").glob("*.837")] == ["MCR"]
