"""Denials and AR aging on the simulated payers' month: simulate-payer, import-era, reconcile, denials, aging.

The demo clinic's month (seeded, synthetic) is billed and sent; the payer simulator answers it with
835s and an answer key (``simulation-key.csv``: what it planted on every line); import-era and
reconcile post them; ``claims`` and ``export-837`` then bill the secondary payers. The worklist must
find every planted denial once, in the category its reason code belongs to, with the appeal deadline
exactly the payer's window from the remit's check date, and never a contractual, sequestration, cost
share or prior-payer adjustment. The aging must reconcile to the cent on a back-dated and a later
as-of date: insurance AR + patient AR = charges - payments - contractual - written-off adjustments.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from claims.clinic_book import records
from posting.remit_month import billed_book, remit_month

from infusion_billing.denials.tables import appeal_days_by_payer_type
from infusion_billing.pipeline import RunOptions, run_workbook
from infusion_billing.posting.simulator import KEY_FILE
from infusion_billing.values import to_money

ZERO = Decimal("0.00")
EARLY, LATE = date(2026, 12, 8), date(2026, 12, 31)
#: The category each planted reason code belongs to (reference/adjustment_codes.csv).
CATEGORY = {"16": "Documentation", "50": "Medical Necessity", "4": "Coding / Bundling", "97": "Coding / Bundling",
            "11": "Medical Necessity", "197": "Prior Authorization", "29": "Timely Filing", "18": "Duplicate"}


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    folder = tmp_path_factory.mktemp("simulated")
    m = remit_month(billed_book(folder), folder, 1)
    billed = folder / "secondary.xlsx"
    run_workbook(m.result, ["claims", "export-837"], out=billed,
                 options=RunOptions(out_dir=folder / "837-secondary", as_of=date(2026, 12, 20)))
    worked = folder / "worked.xlsx"
    run = run_workbook(billed, ["denials"], out=worked, options=RunOptions(as_of=LATE))
    with (m.remits / KEY_FILE).open() as f:
        key = list(csv.DictReader(f))
    return {"folder": folder, "book": worked, "run": run, "key": key}


def test_every_planted_denial_is_on_the_worklist_once_with_its_category(month):
    planted = [k for k in month["key"] if k["Outcome"] in ("claim denied", "line denied")]
    assert len(planted) >= 20 and {k["Outcome"] for k in planted} == {"claim denied", "line denied"}
    rows = records(month["book"], "Denials")
    found = Counter((r["Claim ID"], r["Line Control Number"], r["CARC"]) for r in rows)
    for k in planted:
        assert found[(k["Claim ID"], k["Line Control Number"], k["CARC"])] == 1, k
    assert len(rows) == len(planted)  # nothing else is a denial
    by_key = {(r["Claim ID"], r["Line Control Number"]): r for r in rows}
    for k in planted:
        row = by_key[(k["Claim ID"], k["Line Control Number"])]
        assert (row["Category"], row["RARCs"] or "") == (CATEGORY[k["CARC"]], k["RARC"])


def test_no_contractual_sequestration_cost_share_or_prior_payer_adjustment_is_a_denial(month):
    rows = records(month["book"], "Denials")
    assert not [r for r in rows if r["Group"] == "PR" or (r["Group"], r["CARC"]) in {
        ("CO", "45"), ("CO", "253"), ("OA", "23")}]
    era = records(month["book"], "EraAdjustments")
    assert {("CO", "45"), ("CO", "253")} <= {(a["Group"], a["CARC"]) for a in era}  # they were in the remits


def test_the_appeal_deadline_is_the_payers_window_from_the_check_date(month):
    payers = {p["Payer ID"]: p for p in records(month["book"], "Payers")}
    defaults = appeal_days_by_payer_type()
    rows = {(r["Claim ID"], r["Line Control Number"]): r for r in records(month["book"], "Denials")}
    checked = 0
    for k in month["key"]:
        if k["Outcome"] not in ("claim denied", "line denied"):
            continue
        payer = payers[k["Payer ID"]]
        days = int(payer["Appeal Days"]) if payer["Appeal Days"] else defaults[payer["Payer Type"]]
        check = date.fromisoformat(k["Check Date"])
        row = rows[(k["Claim ID"], k["Line Control Number"])]
        assert (row["Remit Date"], row["Appeal Deadline"], row["Days Left"]) == (
            check, check + timedelta(days=days), (check + timedelta(days=days) - LATE).days)
        checked += 1
    assert checked == len(rows)


def _written_off(book: Path, out: Path) -> Decimal:
    """The biller writes off the smallest denial on the Denials sheet."""
    wb = openpyxl.load_workbook(book)
    ws = wb["Denials"]
    header = [c.value for c in ws[1]]
    rows = list(ws.iter_rows(min_row=2))
    smallest = min(rows, key=lambda r: r[header.index("Denied Amount")].value)
    smallest[header.index("Work Status")].value = "Written off"
    wb.save(out)
    return to_money(smallest[header.index("Denied Amount")].value)


def _expected_ar(book: Path, as_of: date, written_off: Decimal) -> Decimal:
    """charges - payments - contractual - written off, straight from the ledgers and the remits."""
    charges = sum((to_money(c["Total Charge"]) for c in records(book, "Claims")
                   if c["Payer Priority"] == "Primary" and c["Status"] == "Submitted" and c["Submitted Date"] <= as_of),
                  ZERO)
    dates = {(p["File"], p["Payment No"]): p["Payment Date"] or p["Production Date"]
             for p in records(book, "EraPayments")}
    paid = sum((to_money(c["Paid"]) for c in records(book, "EraClaims")
                if dates[(c["File"], c["Payment No"])] <= as_of), ZERO)
    contractual = sum((to_money(a["Amount"]) for a in records(book, "EraAdjustments")
                       if a["Denial"] == "N" and a["Group"] != "PR" and dates[(a["File"], a["Payment No"])] <= as_of),
                      ZERO)
    return charges - paid - contractual - written_off


@pytest.mark.parametrize("as_of", [EARLY, LATE])
def test_insurance_and_patient_ar_reconcile_to_the_cent(month, tmp_path, as_of):
    book = tmp_path / "written-off.xlsx"
    written_off = _written_off(month["book"], book)
    if as_of == EARLY:  # the written-off denial's remit may be later than the back-dated report
        denial = min(records(month["book"], "Denials"), key=lambda r: r["Denied Amount"])
        written_off = written_off if denial["Remit Date"] <= as_of else ZERO
    out = tmp_path / "aged.xlsx"
    run = run_workbook(book, ["aging"], out=out, options=RunOptions(as_of=as_of))
    summary = run.results["aging"].summary
    rows = records(out, "AR Aging")
    total = sum((to_money(r["Balance"]) for r in rows), ZERO)  # credit balances included
    assert total == _expected_ar(book, as_of, written_off)
    credits = sum((to_money(r["Balance"]) for r in rows if r["Bucket"] == "Credit balance"), ZERO)
    assert Decimal(summary["insurance AR"]) + Decimal(summary["patient AR"]) + credits == total
    keys = [(r["Claim ID"], r["Responsible Type"], r["Responsible Party"]) for r in rows]
    assert len(keys) == len(set(keys))  # every open claim and party in exactly one bucket
    assert {r["Bucket"] for r in rows} <= {"0-30", "31-60", "61-90", "91-120", "Over 120", "Credit balance"}


def test_the_primarys_coinsurance_waits_with_the_secondary_on_its_own_claim(month, tmp_path):
    out = tmp_path / "aged.xlsx"
    run_workbook(month["book"], ["aging"], out=out, options=RunOptions(as_of=LATE))
    claims = {c["Claim ID"]: c for c in records(month["book"], "Claims")}
    secondary = [c for c in claims.values() if c["Payer Priority"] == "Secondary" and c["Status"] == "Submitted"]
    assert secondary
    rows = records(out, "AR Aging")
    on_secondary = {r["Claim ID"]: r for r in rows if r["Claim ID"] in {c["Claim ID"] for c in secondary}}
    assert on_secondary and all(r["Responsible Type"] == "Insurance" for r in on_secondary.values())
    for claim_id, r in on_secondary.items():
        assert r["Responsible Party"] == claims[claim_id]["Payer ID"] != claims[claim_id[:-1]]["Payer ID"]
        assert r["Encounter ID"] == claims[claim_id[:-1]]["Encounter ID"]
    patients = {claims[c]["Patient ID"] for c in on_secondary}
    assert not [r for r in rows if r["Responsible Type"] == "Patient" and r["Responsible Party"] in patients
                and r["Claim ID"] + "S" in on_secondary]


def test_bad_remits_are_located_findings_and_every_stage_finishes(month):
    run = month["run"]
    assert not [f for f in run.findings if f.rule_id.startswith("pipeline.")]
