"""The as-of rule in the KPIs: a remit dated after the as-of date was not known yet on that date.

The demo's back half is run again twice, as of the day before the last day a claim's first remit paid
it and as of that day: that day's remits (their payments, their claims' first adjudications) are
left out of Reconciliation, AR Aging and every KPI the first time, and counted the second.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest

from infusion_billing.pipeline import RunOptions, run_workbook

from .ledger import cents, day, month, sheets, text

BACK_HALF = ["reconcile", "denials", "aging", "kpis"]
ALL = "All payers"


@pytest.fixture(scope="module")
def cut(demo_book, tmp_path_factory) -> dict:
    """The ledgers, the last day a claim's first remit paid it, and the back half's sheets as of the day
    before and that day."""
    result = demo_book[0]
    ledger = sheets(result, ("Claims", "EraPayments", "EraClaims"))
    dated = {(text(p["File"]), text(p["Payment No"])): day(p["Payment Date"]) or day(p["Production Date"])
             for p in ledger["EraPayments"]}
    claims = {text(c["Claim ID"]) for c in ledger["Claims"]}
    first: dict[str, tuple] = {}
    for r in ledger["EraClaims"]:
        cid, when = text(r["Patient Control Number"]), dated[(text(r["File"]), text(r["Payment No"]))]
        if cid in claims and text(r["Claim Status"]) != "22" and (cid not in first or when < first[cid][0]):
            first[cid] = (when, cents(r["Paid"]))
    last = max(when for when, paid in first.values() if paid > 0)
    folder = tmp_path_factory.mktemp("as-of")
    runs = {}
    for as_of in (last - timedelta(days=1), last):
        out = folder / f"{as_of.isoformat()}.xlsx"
        run = run_workbook(result, BACK_HALF, out=out, options=RunOptions(as_of=as_of))
        runs[as_of] = (sheets(out, ("KPIs", "Reconciliation", "AR Aging")), {f.rule_id for f in run.findings})
    return {"ledger": ledger, "last": last, "runs": runs, "later": any(d > last for d in dated.values())}


def kpi(sheet: dict, kpi_id: str, part: str) -> dict[tuple[str, str], Decimal]:
    """(month, payer) -> a KPI's numerator or denominator on the KPIs sheet."""
    return {(r["Month"], r["Payer ID"]): cents(r[part]) for r in sheet["KPIs"] if r["KPI ID"] == kpi_id}


def last_day_remits(cut: dict) -> tuple[dict[tuple[str, str], Decimal], dict[tuple[str, str], int]]:
    """Paid on the last remit day, and claims first adjudicated that day, by (month of service, payer)."""
    ledger, last = cut["ledger"], cut["last"]
    claims = {text(c["Claim ID"]): c for c in ledger["Claims"]}
    dated = {(text(p["File"]), text(p["Payment No"])): day(p["Payment Date"]) or day(p["Production Date"])
             for p in ledger["EraPayments"]}
    paid: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    first: dict[str, object] = {}
    for r in ledger["EraClaims"]:
        cid, when = text(r["Patient Control Number"]), dated[(text(r["File"]), text(r["Payment No"]))]
        if cid not in claims:
            continue
        key = (month(claims[cid]["Statement From"]), text(claims[cid]["Payer ID"]))
        if when == last:
            paid[key] += cents(r["Paid"])
            paid[(key[0], ALL)] += cents(r["Paid"])
        if text(r["Claim Status"]) != "22" and text(claims[cid]["Frequency"]) == "1":
            first[cid] = min(first.get(cid, when), when)
    firsts: dict[tuple[str, str], int] = defaultdict(int)
    for cid, when in first.items():
        if when == last:
            key = (month(claims[cid]["Statement From"]), text(claims[cid]["Payer ID"]))
            firsts[key] += 1
            firsts[(key[0], ALL)] += 1
    return paid, firsts


def test_a_remit_dated_the_day_after_the_as_of_date_is_not_counted_until_the_as_of_date_reaches_it(cut):
    last = cut["last"]
    (before, before_notes), (after, after_notes) = cut["runs"][last - timedelta(days=1)], cut["runs"][last]
    paid, firsts = last_day_remits(cut)
    assert any(paid.values()) and firsts, "the day's remits pay claims and adjudicate some for the first time"
    assert {r["As Of"].date() for r in before["KPIs"]} == {last - timedelta(days=1)}
    assert {r["As Of"].date() for r in after["KPIs"]} == {last}
    # Payments (the net collection rate's numerator) grow by exactly what the last day's remits paid.
    was, now = kpi(before, "net_collection_rate", "Numerator"), kpi(after, "net_collection_rate", "Numerator")
    for key in set(was) | set(now):
        assert now.get(key, Decimal(0)) - was.get(key, Decimal(0)) == paid.get(key, Decimal(0)), key
    # The initial denial rate counts a claim once its first remit is known: the last day's first
    # adjudications join its denominator (and, if denied, its numerator) only as of that day.
    was, now = (kpi(before, "initial_denial_rate_count", "Denominator"),
                kpi(after, "initial_denial_rate_count", "Denominator"))
    for key in set(was) | set(now):
        assert now.get(key, Decimal(0)) - was.get(key, Decimal(0)) == firsts.get(key, 0), key
    # The Reconciliation's paid column and the insurance AR on AR Aging move by the same money.
    assert (sum(cents(r["Paid"]) for r in after["Reconciliation"])
            - sum(cents(r["Paid"]) for r in before["Reconciliation"])) == sum(
        a for (_, p), a in paid.items() if p == ALL)
    assert sum(cents(r["Balance"]) for r in before["AR Aging"]) > sum(cents(r["Balance"]) for r in after["AR Aging"])
    # The day before, the book says what it left for a later as-of date; on the day, only later remits are.
    assert "post.remits-after-as-of" in before_notes
    assert ("post.remits-after-as-of" in after_notes) == cut["later"]
