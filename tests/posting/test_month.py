"""The payer simulator's month, reconciled: what was planted is exactly what reconciliation finds.

For two seeds: every 835 balances under our reader and validates with pyx12; every planted
underpayment, denial, unit cut, code change and reversal has its status on its line; the underpaid
total equals the planted shortfall to the cent; the lines paid as contracted are Paid as expected;
every adjudicated line adds up; every remit line is matched; importing twice or reconciling again
changes nothing; and a back-dated as-of shows the month as it stood then.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from claims.clinic_book import records
from posting.remit_month import SEEDS, billed_book, remit_month
from pyx12_check import pyx12_835_errors

from infusion_billing.pipeline import RunOptions, run_workbook
from infusion_billing.posting.answer_key import read_key, score
from infusion_billing.remits import read_835
from infusion_billing.values import to_money


@pytest.fixture(scope="module")
def billed(tmp_path_factory):
    return billed_book(tmp_path_factory.mktemp("billed"))


@pytest.fixture(scope="module", params=SEEDS)
def month(request, billed, tmp_path_factory):
    return remit_month(billed, tmp_path_factory.mktemp(f"seed{request.param}"), request.param)


def _table(month, name):
    return next(t for t in month.run.tables if t.name == name)


def _money(value):
    return Decimal("0.00") if value is None else to_money(value)


def test_every_835_balances_and_validates_with_pyx12(month):
    files = sorted(month.remits.glob("*.835"))
    assert len(files) >= 10  # one per payer per weekly check date
    for f in files:
        remit = read_835(f)
        assert remit.balanced, f.name
        assert [x.rule_id for x in remit.findings] == [], f.name
        assert pyx12_835_errors(f) == [], f.name


def test_reconciliation_recovers_every_planted_outcome(month):
    recon = _table(month, "Reconciliation")
    key = read_key(month.remits)
    result = score(key, recon.columns, recon.rows, month.sheet("EraProviderAdjustments"))
    assert result.misses == []
    assert result.complete
    planted = Counter(k["Expected Status"] for k in key)
    for status in ("Underpaid", "Denied", "Units reduced", "Code changed", "Reversed", "Not yet paid"):
        assert planted[status] >= 1, status
    assert {k["Outcome"].split()[1] for k in key if k["Outcome"].startswith("PLB")} >= {"L6", "WO"}
    assert any(k["Outcome"].startswith("split claim") for k in key)
    assert any(k["Outcome"] == "underpaid, reversed and corrected" for k in key)


def test_underpaid_total_equals_the_planted_shortfall_to_the_cent(month):
    recon = _table(month, "Reconciliation")
    at = recon.columns.index
    found = sum(-r[at("Variance")] for r in recon.rows if r[at("Status")] == "Underpaid")
    planted = sum(Decimal(k["Shortfall"]) for k in read_key(month.remits) if k["Expected Status"] == "Underpaid")
    assert found == planted > 0
    assert month.run.results["reconcile"].summary["underpaid"] == f"{planted:,.2f}"
    by_payer = [r for r in _table(month, "Underpayments").rows if r[0] == "Payer"]
    assert sum(r[6] for r in by_payer) == planted


def test_every_adjudicated_line_adds_up_to_the_cent(month):
    for row in month.sheet("Reconciliation"):
        if row["Status"] in ("Not yet paid", "Reversed"):
            continue
        m = {k: _money(row[k]) for k in ("Charge", "Allowed", "Contractual Adjustment", "Denied Amount",
                                         "Other Adjustment", "Paid", "Patient Responsibility", "Sequestration")}
        assert m["Charge"] == m["Allowed"] + m["Contractual Adjustment"] + m["Denied Amount"] + m["Other Adjustment"]
        assert m["Allowed"] == m["Paid"] + m["Patient Responsibility"] + m["Sequestration"]
        if row["Payer ID"] != "MCR":
            assert m["Sequestration"] == 0  # CO-253 is Medicare's, and never contractual
        elif row["Status"] == "Paid as expected" and m["Paid"] > 0:
            assert "CO-253" in row["Reason Codes"] and m["Sequestration"] > 0


def test_every_remit_line_is_matched_or_listed(month):
    era_lines = month.sheet("EraLines")
    recon = _table(month, "Reconciliation")
    unmatched = month.sheet("Unmatched Remits")
    assert unmatched == []
    assert month.run.results["reconcile"].summary["remit lines unmatched"] == 0
    lines = {(r[0], r[1]) for r in recon.rows if r[recon.columns.index("Status")] != "Not yet paid"}
    assert {(r["Patient Control Number"], r["Line Control Number"]) for r in era_lines} == lines


def test_an_underpaid_line_explains_itself(month):
    row = next(r for r in month.sheet("Reconciliation") if r["Status"] == "Underpaid")
    shortfall = -_money(row["Variance"])
    assert row["Explanation"].startswith(f"Allowed {_money(row['Allowed']):,.2f}, contract ")
    assert row["Explanation"].endswith(f": underpaid {shortfall:,.2f}.")
    assert f"on {row['Date of Service']:%Y-%m-%d}" in row["Explanation"]


def test_the_claims_ledger_stays_as_submitted_and_claim_status_is_derived(month):
    before = month.sheet("Claims")
    assert {r["Status"] for r in before} == {"Submitted"}
    status = Counter(r["Status"] for r in month.sheet("Claim Status"))
    assert status["Paid"] > status["Partially paid"] > 0
    assert status["Denied"] >= 1 and status["Reversed"] >= 1 and status["Submitted"] >= 1


def test_importing_twice_and_reconciling_again_changes_nothing(month, tmp_path):
    again = run_workbook(month.result, ["import-era", "reconcile"], out=tmp_path / "again.xlsx",
                         options=RunOptions(remit_sources=(month.remits,), month_close=True))
    assert again.results["import-era"].summary["payments added"] == 0
    for name in ("Reconciliation", "Underpayments", "Claim Status", "EraLines"):
        first = month.sheet(name)
        assert records(tmp_path / "again.xlsx", name) == first, name


def test_a_back_dated_as_of_shows_the_month_as_it_was(month, tmp_path):
    key = read_key(month.remits)
    dates = sorted({date.fromisoformat(k["Check Date"]) for k in key if k["Check Date"]})
    cut = dates[len(dates) // 2]
    then = run_workbook(month.result, ["reconcile"], out=tmp_path / "then.xlsx",
                        options=RunOptions(as_of=cut))
    rows = {(r[0], r[1]): r for r in next(t for t in then.tables if t.name == "Reconciliation").rows}
    cols = next(t for t in then.tables if t.name == "Reconciliation").columns
    paid_date, status = cols.index("Paid Date"), cols.index("Status")
    later = [k for k in key if k["Line Control Number"] and k["Check Date"]
             and date.fromisoformat(k["Check Date"]) > cut and k["Outcome"] == "paid as contracted"]
    assert later
    for k in later:
        assert rows[(k["Claim ID"], k["Line Control Number"])][status] == "Not yet paid"
    assert all(r[paid_date] is None or r[paid_date] <= cut for r in rows.values())
    # A reversal dated after the cut has not happened yet: the line is not Reversed then.
    for k in key:
        if k["Expected Status"] == "Reversed" and date.fromisoformat(k["Check Date"]) > cut:
            assert rows[(k["Claim ID"], k["Line Control Number"])][status] != "Reversed"
