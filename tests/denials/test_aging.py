"""AR aging on the small practice: balances split by who owes them, buckets by age, totals that
reconcile to the cent on two as-of dates (one back-dated), write-offs and credit balances."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from infusion_billing.aging.model import INSURANCE, visit_balances
from infusion_billing.claims.ledger import LedgerClaim, LedgerLine
from infusion_billing.cli import main
from infusion_billing.pipeline import RunOptions, run_workbook
from infusion_billing.posting.reconcile import LineState
from infusion_billing.values import to_money

from .practice_book import FIRST, PAID_LATER, records

DEC, LATER = date(2026, 12, 1), date(2026, 12, 31)


@pytest.fixture
def remitted(practice, tmp_path):
    out = tmp_path / "remitted.xlsx"
    run_workbook(practice, ["import-era", "denials"], out=out,
                 options=RunOptions(remit_sources=(*FIRST, PAID_LATER), as_of=DEC))
    return out


def _aging(book, tmp_path, as_of, basis="dos", name="aged.xlsx"):
    out = tmp_path / name
    run = run_workbook(book, ["aging"], out=out, options=RunOptions(as_of=as_of, basis=basis))
    owed = {(r["Claim ID"], r["Responsible Type"], r["Responsible Party"]): (to_money(r["Balance"]), r["Bucket"])
            for r in records(out, "AR Aging")}
    return out, run, owed


def _reconciles(book, run, as_of):
    """charges - payments - contractual - written off, from the ledgers, equals insurance + patient AR."""
    charges = sum(to_money(c["Total Charge"]) for c in records(book, "Claims"))
    dates = {(p["File"], p["Payment No"]): (p["Payment Date"] or p["Production Date"])
             for p in records(book, "EraPayments")}
    paid = sum(to_money(c["Paid"]) for c in records(book, "EraClaims")
               if dates[(c["File"], c["Payment No"])] <= as_of)
    contractual = sum(to_money(a["Amount"]) for a in records(book, "EraAdjustments")
                      if a["Denial"] == "N" and a["Group"] != "PR" and dates[(a["File"], a["Payment No"])] <= as_of)
    written_off = sum((to_money(r["Denied Amount"]) for r in records(book, "Denials")
                       if r["Work Status"] == "Written off"), Decimal("0.00"))
    summary = run.results["aging"].summary
    return Decimal(summary["insurance AR"]) + Decimal(summary["patient AR"]), charges - paid - contractual - written_off


def test_a_back_dated_report_ignores_the_later_remit_and_totals_reconcile(remitted, tmp_path):
    _, run, owed = _aging(remitted, tmp_path, DEC)
    assert owed == {
        ("C1001", "Insurance", "MCR"): (Decimal("1000.00"), "0-30"),  # the NDC denial, not yet paid on Dec 1
        ("C1001", "Insurance", "COM"): (Decimal("16.00"), "0-30"),  # Medicare's coinsurance, to the secondary
        ("C1002", "Insurance", "MCR"): (Decimal("500.00"), "0-30"),  # denied money stays in insurance AR
        ("C1003", "Insurance", "MCR"): (Decimal("50.00"), "0-30"),
    }
    assert _reconciles(remitted, run, DEC) == (Decimal("1566.00"), Decimal("1566.00"))


def test_after_the_correction_is_paid_the_claim_is_settled_but_for_the_coinsurance(remitted, tmp_path):
    _, run, owed = _aging(remitted, tmp_path, LATER)
    assert owed == {
        ("C1001", "Insurance", "COM"): (Decimal("16.00"), "31-60"),
        ("C1002", "Insurance", "MCR"): (Decimal("500.00"), "31-60"),
        ("C1003", "Insurance", "MCR"): (Decimal("50.00"), "31-60"),
    }
    assert _reconciles(remitted, run, LATER) == (Decimal("566.00"), Decimal("566.00"))


def test_a_written_off_denial_leaves_ar(remitted, tmp_path):
    wb = openpyxl.load_workbook(remitted)
    ws = wb["Denials"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[header.index("Claim ID")].value == "C1002":
            row[header.index("Work Status")].value = "Written off"
    wb.save(remitted)
    _, run, owed = _aging(remitted, tmp_path, LATER)
    assert ("C1002", "Insurance", "MCR") not in owed
    assert _reconciles(remitted, run, LATER) == (Decimal("66.00"), Decimal("66.00"))


def test_the_summary_prints_basis_as_of_buckets_and_the_unbilled_visit(remitted, tmp_path):
    out, run, _ = _aging(remitted, tmp_path, DEC, basis="first-billed")
    rows = records(out, "Aging Summary")
    sections = [r["Section"] for r in rows]
    assert "Basis: first-billed; as of 2026-12-01" in sections
    mcr = next(r for r in rows if r["Section"] == "By responsible party" and r["Payer ID"] == "MCR")
    assert (mcr["0-30"], mcr["31-60"], mcr["Total"], mcr["Over 90 %"]) == (1550, 0, 1550, 0)
    unbilled = next(r for r in rows if r["Section"] == "Unbilled encounters")
    assert (unbilled["Encounter ID"], unbilled["Filing Deadline"], unbilled["Days Left"]) == (
        "E1005", date(2027, 11, 20), 354)
    assert run.results["aging"].summary["insurance AR 0-30"] == Decimal("1566.00")


def test_every_open_claim_lands_in_exactly_one_bucket_per_party(remitted, tmp_path):
    out, _, _ = _aging(remitted, tmp_path, LATER)
    rows = records(out, "AR Aging")
    keys = [(r["Claim ID"], r["Responsible Type"], r["Responsible Party"]) for r in rows]
    assert len(keys) == len(set(keys)) and all(r["Bucket"] == "31-60" for r in rows)


def test_a_negative_balance_is_a_credit_listed_apart():
    """Medicare paid 120.00 on a 100.00 line: the payer holds a 20.00 credit, not a balance owed."""
    claim = LedgerClaim("C9", "E9", "P9", "MCR", "Primary", "837P", "1", "", "", date(2026, 11, 1),
                        date(2026, 11, 1), Decimal("100.00"), "Submitted", submitted_date=date(2026, 11, 2))
    line = LedgerLine("C9", 1, "C9-1", "E9", date(2026, 11, 1), "96413", (), Decimal("1"), Decimal("100.00"))
    state = LineState(claim, line, [], status="Overpaid", totals={"paid": Decimal("120.00"),
                                                                   "allowed": Decimal("120.00")})
    visits = visit_balances([state], [claim], lambda c: None)
    assert visits["C9"].owed == {(INSURANCE, "MCR"): Decimal("-20.00")}


def test_bad_remits_through_denials_aging_and_statements_are_located_findings(remitted, tmp_path):
    """An unknown CARC (C1003's CO-999) and a remit for a patient with no coverage row for its payer
    (C1004) are located findings; every stage finishes, none fails."""
    run = run_workbook(remitted, ["denials", "aging", "statements"], out=tmp_path / "all.xlsx",
                       options=RunOptions(as_of=LATER, statement_dir=tmp_path / "statements"))
    found = {f.rule_id: f for f in run.findings}
    assert not [f for f in run.findings if f.rule_id.startswith("pipeline.")]
    unknown = found["denial.unknown-carc"]
    assert (unknown.sheet, unknown.column, unknown.value) == ("EraAdjustments", "CARC", "999") and unknown.row
    no_cover = found["denial.no-coverage"]
    assert (no_cover.sheet, no_cover.value) == ("EraClaims", "C1004") and no_cover.row
    # C1003's unknown cut stays with Medicare; C1004's payer left nothing to the patient: no statement.
    assert run.results["statements"].summary["statements written"] == 0



def test_the_command_line_prints_ar_and_denied_dollars_as_dollars(remitted, tmp_path, capsys):
    """The progress lines show money as every summary does (1,566.00), never the raw Decimal (1566.00)."""

    assert main(["aging", str(remitted), "--as-of", "2026-12-01", "-o", str(tmp_path / "aged.xlsx")]) == 0
    assert main(["denials", str(remitted), "-o", str(tmp_path / "denied.xlsx")]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert "  aging: insurance AR 0-30: 1,566.00" in printed
    assert "  denials: denied dollars: 1,550.00" in printed
    assert "  denials: denied dollars: Documentation: 1,000.00" in printed
