"""Every KPI on the demo, recomputed by hand from the ledger rows, agrees with the KPIs sheet.

The hand formulas below are plain Python over the sheets as openpyxl reads them: they share nothing
with ``kpis.sql`` or its relations, so a mistake in either shows up as a disagreement. They apply the
as-of rule on their own too: a remit counts when its payment date (else its production date) is on or
before the as-of date the KPIs sheet names. Rates agree to 0.1 percentage point, days to 0.1 day,
money to the cent.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from infusion_billing.pipeline import RunOptions, run_workbook

from .ledger import cents, day, month, sheets, text

SHEETS = ("Claims", "EraPayments", "EraClaims", "EraLines", "EraAdjustments", "Reconciliation", "Claim Status",
          "Denials", "AR Aging", "KPIs")
ALL = "All payers"
ZERO = Decimal("0.00")
WRITTEN_OFF = 6  # denials the biller marks Written off before the KPIs run again


@pytest.fixture(scope="module")
def demo(demo_book, tmp_path_factory) -> dict:
    """The demo month, then the biller writes off a few denials and the KPIs run again as of the close's date."""
    path = tmp_path_factory.mktemp("written-off") / "demo.xlsx"
    shutil.copy(demo_book[0], path)
    as_of = as_of_of(sheets(path, ("KPIs",)))
    wb = load_workbook(path)
    ws = wb["Denials"]
    header = [c.value for c in ws[1]]
    for r in range(2, 2 + WRITTEN_OFF):
        ws.cell(r, header.index("Work Status") + 1, "Written off")
    wb.save(path)
    run_workbook(path, ["kpis"], in_place=True, options=RunOptions(as_of=as_of))
    return sheets(path, SHEETS)


def as_of_of(s: dict) -> date:
    """The one date the KPIs sheet counted remits to (its As Of column)."""
    dates = {day(r["As Of"]) for r in s["KPIs"]}
    assert len(dates) == 1
    return dates.pop()


def by_month_and_payer(rows, key, add) -> dict[tuple[str, str], list]:
    """Sum ``add(row)`` (a tuple of numbers) per (month, payer) and per (month, All payers)."""
    out: dict[tuple[str, str], list] = {}
    for r in rows:
        m, p = key(r)
        for k in ((m, p), (m, ALL)):
            values = add(r)
            acc = out.setdefault(k, [0] * len(values))
            for i, x in enumerate(values):
                acc[i] += x
    return out


def hand_kpis(s: dict, as_of: date) -> dict[tuple[str, str, str], Decimal]:
    claims = {text(c["Claim ID"]): c for c in s["Claims"]}
    pay_date = {(text(p["File"]), text(p["Payment No"])): day(p["Payment Date"]) or day(p["Production Date"])
                for p in s["EraPayments"]}

    def place(r):
        return (text(r["File"]), text(r["Payment No"]), text(r["Claim No"]))

    remits = defaultdict(list)
    for r in s["EraClaims"]:
        if pay_date[place(r)[:2]] <= as_of:  # a remit dated after the as-of date was not known yet
            remits[text(r["Patient Control Number"])].append(r)
    adjustments = defaultdict(list)
    for a in s["EraAdjustments"]:
        adjustments[place(a)].append(a)

    def denied(adj) -> bool:
        return text(adj["Denial"]) == "Y" and text(adj["Group"]) != "PR" and cents(adj["Amount"]) > 0

    replaced = {text(c["Original Claim ID"]) for c in claims.values() if text(c["Original Claim ID"])}
    reversed_ = {cid for cid, rs in remits.items() if any(text(r["Claim Status"]) == "22" for r in rs)}
    expected: dict[tuple[str, str, str], Decimal] = {}

    def rate(kpi, sums, factor=1):
        for (m, p), (num, den) in sums.items():
            if den:
                expected[(m, p, kpi)] = Decimal(num) * factor / Decimal(den)

    first = {}
    for cid, rs in remits.items():
        kept = [r for r in rs if text(r["Claim Status"]) != "22"]
        if kept and cid in claims and text(claims[cid]["Frequency"]) == "1":
            first[cid] = min(kept, key=lambda r: (pay_date[place(r)[:2]], "|".join(place(r))))

    def key(cid):
        return month(claims[cid]["Statement From"]), text(claims[cid]["Payer ID"])

    def was_denied(cid):
        return any(denied(a) for a in adjustments[place(first[cid])])

    rate("initial_denial_rate_count", by_month_and_payer(first, key, lambda c: (int(was_denied(c)), 1)))
    rate("initial_denial_rate_dollars", by_month_and_payer(
        first, key, lambda c: (cents(first[c]["Charge"]) if was_denied(c) else ZERO, cents(first[c]["Charge"]))))
    rate("first_pass_resolution_rate", by_month_and_payer(first, key, lambda c: (int(
        not was_denied(c) and c not in replaced and c not in reversed_ and text(first[c]["Claim Status"]) != "4"), 1)))
    scrubbed = [c for c, row in claims.items() if text(row["Frequency"]) == "1"
                and text(row["Status"]) in ("Submitted", "Ready", "Held")]
    rate("clean_claim_rate", by_month_and_payer(scrubbed, key, lambda c: (int(
        text(claims[c]["Status"]) != "Held" and c not in replaced), 1)))
    paid_days = {}
    for cid, rs in remits.items():
        dates = [pay_date[place(r)[:2]] for r in rs if text(r["Claim Status"]) != "22" and cents(r["Paid"]) > 0]
        if dates and cid in claims and text(claims[cid]["Frequency"]) == "1":
            paid_days[cid] = (min(dates) - day(claims[cid]["Statement From"])).days
    rate("average_days_to_payment", by_month_and_payer(paid_days, key, lambda c: (paid_days[c], 1)))

    # Money by month of service: the Reconciliation's lines, patient payments and written-off denials.
    def line_key(r):
        return month(r["Date of Service"]), text(r["Payer ID"])

    def contractual(r):
        return cents(r["Contractual Adjustment"]) + cents(r["Sequestration"])

    recon = by_month_and_payer(s["Reconciliation"], line_key,
                               lambda r: (cents(r["Paid"]), cents(r["Charge"]), contractual(r)))
    patient = by_month_and_payer([c for c in s["Claim Status"] if text(c["Claim ID"]) in claims],
                                 lambda c: key(text(c["Claim ID"])), lambda c: (cents(c["Patient Paid"]),))
    written = by_month_and_payer([d for d in s["Denials"] if d["Work Status"] == "Written off"
                                  and day(d["Remit Date"]) <= as_of], line_key,
                                 lambda d: (cents(d["Denied Amount"]),))
    for k, (paid, charge, contract) in recon.items():
        payments = paid + patient.get(k, [ZERO])[0]
        rate("net_collection_rate", {k: (payments, charge - contract)})
        rate("gross_collection_rate", {k: (payments, charge)})
        rate("final_denial_write_off_rate", {k: (written.get(k, [ZERO])[0], charge - contract)})

    # Underpayments: what each paid line's first remit allowed (paid + PR + CO-253) against the contract.
    lines_by_place = defaultdict(list)
    for ln in s["EraLines"]:
        lines_by_place[place(ln)].append(ln)
    first_allowed: dict[tuple[str, str], Decimal] = {}
    for cid, remit in first.items():
        for ln in lines_by_place[place(remit)]:
            amount = cents(ln["Paid"]) + sum((cents(a["Amount"]) for a in adjustments[place(remit)]
                                              if text(a["Line No"]) == text(ln["Line No"]) and
                                              (text(a["Group"]) == "PR" or text(a["CARC"]) == "253")), ZERO)
            k = (cid, text(ln["Line Control Number"]))
            first_allowed[k] = first_allowed.get(k, ZERO) + amount
    found = defaultdict(lambda: [ZERO, ZERO])
    for r in s["Reconciliation"]:
        allowed = first_allowed.get((text(r["Claim ID"]), text(r["Line Control Number"])))
        if allowed is None or allowed <= 0 or r["Status"] not in ("Underpaid", "Paid as expected", "Overpaid"):
            continue
        exp = cents(r["Expected Allowed"])
        tolerance = max(Decimal("1.00"), (exp / 100).quantize(Decimal("0.01")))  # the default "1.00 or 1%"
        identified = exp - allowed if exp - allowed > tolerance else ZERO
        outstanding = exp - cents(r["Allowed"]) if r["Status"] == "Underpaid" else ZERO
        for k in ((line_key(r)), (line_key(r)[0], ALL)):
            found[k][0] += identified
            found[k][1] += max(identified - outstanding, ZERO)
    for k, (identified, recovered) in found.items():
        expected[(*k, "underpayment_identified")] = identified
        expected[(*k, "underpayment_recovered")] = recovered
        rate("underpayment_recovery_rate", {k: (recovered, identified)})
    return expected


def sheet_kpis(s: dict) -> dict[tuple[str, str, str], Decimal]:
    out = {}
    for r in s["KPIs"]:
        value = next((r[c] for c in ("Rate", "Days", "Amount") if r[c] is not None), None)
        if value is not None:
            out[(r["Month"], r["Payer ID"], r["KPI ID"])] = Decimal(str(value))
    return out


def test_every_kpi_on_the_demo_agrees_with_a_hand_count_of_the_ledgers(demo):
    expected, shown = hand_kpis(demo, as_of_of(demo)), sheet_kpis(demo)
    checked = 0
    for k, value in expected.items():
        kpi = k[2]
        tolerance = Decimal("0.001") if kpi.endswith("rate") else Decimal("0.1") if "days" in kpi else Decimal("0.01")
        assert k in shown, k
        assert abs(shown[k] - value) <= tolerance, (k, shown[k], value)
        checked += 1
    # Every month-and-payer KPI the sheet shows was checked (the AR ones are checked below).
    month_kpis = {k for k in shown if not k[2].startswith(("days_in_ar", "ar_over"))}
    assert month_kpis == set(expected)
    assert checked > 150


def test_the_ar_kpis_agree_with_the_ar_aging_sheet_and_the_window_charges(demo):
    shown = sheet_kpis(demo)
    claims = {text(c["Claim ID"]): c for c in demo["Claims"]}
    open_ar = [r for r in demo["AR Aging"] if r["Bucket"] != "Credit balance"]
    ar = sum((cents(r["Balance"]) for r in open_ar), ZERO)
    over_90 = sum((cents(r["Balance"]) for r in open_ar if r["Age"] > 90), ZERO)
    over_120 = sum((cents(r["Balance"]) for r in open_ar if r["Age"] > 120), ZERO)
    as_of_month = next(r["Month"] for r in demo["KPIs"] if r["KPI ID"] == "days_in_ar_gross")
    window = [r for r in demo["Reconciliation"] if day(r["Date of Service"]) is not None]
    # The window is the 91 days ending on the as-of date: the close's, the demo's last remit date.
    end = as_of_of(demo)
    assert end == max(day(p["Payment Date"]) or day(p["Production Date"]) for p in demo["EraPayments"])
    charges = sum((cents(r["Charge"]) for r in window if end - timedelta(days=90) <= day(r["Date of Service"]) <= end),
                  ZERO)
    assert ar > 0 and claims
    assert abs(shown[(as_of_month, ALL, "days_in_ar_gross")] - ar * 91 / charges) <= Decimal("0.1")
    assert abs(shown[(as_of_month, ALL, "ar_over_90_rate")] - over_90 / ar) <= Decimal("0.001")
    assert abs(shown[(as_of_month, ALL, "ar_over_120_rate")] - over_120 / ar) <= Decimal("0.001")


def test_what_the_net_collection_rate_has_not_collected_yet_is_the_ar_on_ar_aging(demo):
    """AR Aging and the KPIs count payments to the same date: for every month of service, charges less
    contractual adjustments less payments (the net collection rate's denominator minus its numerator)
    is what is still owed, and over all months that is the AR Aging total, to the cent (other
    adjustments, OA/PI, leave AR without being contractual; none of the demo's denials is written off
    when its AR is aged)."""
    net = [r for r in demo["KPIs"] if r["KPI ID"] == "net_collection_rate" and r["Payer ID"] == ALL]
    not_collected = sum((cents(r["Denominator"]) - cents(r["Numerator"]) for r in net), ZERO)
    other = sum((cents(r["Other Adjustment"]) for r in demo["Reconciliation"]), ZERO)
    ar = sum((cents(r["Balance"]) for r in demo["AR Aging"]), ZERO)
    paid = sum((cents(r["Paid"]) for r in demo["Reconciliation"]), ZERO)
    assert paid > 0 and ar > 0
    assert not_collected - other == ar
    # Insurance AR is what was billed less what was paid and adjusted, and less what moved to patients.
    insurance = sum((cents(r["Balance"]) for r in demo["AR Aging"] if r["Responsible Type"] == "Insurance"), ZERO)
    billed = sum((cents(r["Charge"]) for r in demo["Reconciliation"]), ZERO)
    assert insurance < billed - paid


def test_written_off_denials_make_a_final_denial_write_off_rate(demo):
    written = [d for d in demo["Denials"] if d["Work Status"] == "Written off"]
    assert len(written) == WRITTEN_OFF
    rates = [r for r in demo["KPIs"] if r["KPI ID"] == "final_denial_write_off_rate" and r["Payer ID"] == ALL]
    assert sum(Decimal(str(r["Numerator"])) for r in rates) == sum(cents(d["Denied Amount"]) for d in written) > 0


def test_each_row_names_its_formula_numerator_denominator_window_and_basis(demo):
    row = next(r for r in demo["KPIs"] if r["KPI ID"] == "initial_denial_rate_count" and r["Payer ID"] == ALL)
    assert row["Formula"] == "Denied claims / claims adjudicated"
    assert "OA-23" in row["Numerator Counts"] and "first remit" in row["Denominator Counts"]
    assert row["Look-back Window"].startswith("Month of service")
    assert row["Date Basis"] == "Date of service; first adjudication only"
    assert row["Target"] == "<= 5.0 %" and row["Status"] in ("Green", "Amber", "Red")
    assert Decimal(str(row["Rate"])) == (Decimal(str(row["Numerator"])) / Decimal(str(row["Denominator"]))).quantize(
        Decimal("0.0001"))
