"""The assessment's figures from the client's remits and billed claims: denials, underpayments, open AR.

Definitions (docs/assessment.md, after HFMA's claim-integrity denial standard and MGMA's collection
measures, docs/remits.md section 4):

* a claim's **first adjudication** is its earliest remit (payment date, then file order); reversals
  (claim status 22) are not adjudications;
* a **denial** is an adjustment the adjustment-code table marks as one: PR cost share, contractual
  CO-45/253 and OA-23 are not denials;
* initial denial rate by count = first-adjudicated claims with a denial / first-adjudicated claims;
  by dollars = denied amounts on first adjudication / charges first adjudicated;
* net collection rate = payments / (charges - contractual adjustments that are not denials);
  gross collection rate = payments / charges;
* a denial is **recoverable now** when no later remit paid the claim and its appeal window (90 days
  from the remit, the common commercial window; Medicare allows 120) is still open on the as-of date
  (the latest remit's payment date);
* an **underpayment** is a paid line allowed less than its contract says by more than the tolerance, as
  reconciliation judges a practice's own lines (:class:`~infusion_billing.posting.contract.Contract`:
  the FeeSchedule rate in force for the payer, code and modifiers on the date of service x units,
  capped at the charge for a lesser-of payer);
* **open AR** is a billed claim no remit answers; timely-filing risk counts from the date of service
  against a 90-day filing limit (the strictest common commercial limit; a client's contracts may allow more).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ..posting.contract import Contract
from ..posting.events import lowers_allowed
from ..remits.categories import classify_adjustments
from .sources import ClientFiles, modifiers_of

ZERO = Decimal("0.00")
APPEAL_DAYS = 90
FILING_LIMIT_DAYS = 90
#: Denial categories a practice can prevent before the claim goes out (front-end and coding work).
PREVENTABLE = frozenset({"Eligibility/coverage", "Prior authorization", "Coding/bundling", "Documentation",
                         "Duplicate", "Timely filing", "COB"})
AGE_BUCKETS = ((30, "0-30"), (60, "31-60"), (90, "61-90"), (120, "91-120"), (10**9, "Over 120"))


@dataclass
class Figures:
    as_of: date | None
    period: tuple[date | None, date | None]
    denials: list[dict[str, Any]] = field(default_factory=list)
    underpayments: list[dict[str, Any]] = field(default_factory=list)
    open_ar: list[dict[str, Any]] = field(default_factory=list)
    kpis: dict[str, Any] = field(default_factory=dict)


def bucket(days: int) -> str:
    return next(label for limit, label in AGE_BUCKETS if days <= limit)


def _ratio(num: Decimal | int, den: Decimal | int) -> Decimal | None:
    return None if not den else (Decimal(num) / Decimal(den) * 100).quantize(Decimal("0.1"))


def compute(client: ClientFiles, contract: Contract) -> Figures:
    remit = client.remit
    payments = remit.payments
    payer_of = {(f, n): (pid or "", pname or "", pdate) for f, n, pid, pname, pdate in payments[
        ["file", "payment_no", "payer_id", "payer_name", "payment_date"]].itertuples(index=False, name=None)}
    claims = remit.claims
    dates = [d for d in payments["payment_date"] if d]
    as_of = max(dates) if dates else None
    dos_all = [d for d in claims["statement_from"] if d] + [d for d in client.claims["statement_from"] if d]
    figures = Figures(as_of, (min(dos_all, default=None), max(dos_all, default=None)))

    # First adjudication and later payment of each claim (by patient control number).
    order = sorted(
        ((payer_of[(f, p)][2] or date.min, f, p, c, pcn, status, charge or ZERO, paid or ZERO, dos)
         for f, p, c, pcn, status, charge, paid, dos in claims[
             ["file", "payment_no", "claim_no", "patient_control_number", "status", "charge", "paid",
              "statement_from"]].itertuples(index=False, name=None) if (f, p) in payer_of),
        key=lambda r: r[:4])
    first: dict[str, tuple] = {}
    paid_total: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in order:
        pcn, status = row[4], row[5]
        paid_total[pcn] += row[7]
        if status != "22" and pcn not in first:
            first[pcn] = row
    first_keys = {(r[1], r[2], r[3]) for r in first.values()}

    adj = classify_adjustments(remit.adjustments, remit.remarks)
    denied_first: dict[str, Decimal] = defaultdict(lambda: ZERO)
    contractual = ZERO
    columns = ["file", "payment_no", "claim_no", "amount", "denial", "group", "patient_control_number",
               "category", "reason", "remark_codes", "procedure_code"]
    for f, p, c, amount, denial, group, pcn, category, reason, rarcs, code in adj[columns].itertuples(
            index=False, name=None):
        if (f, p) not in payer_of:
            continue
        amount = amount or ZERO
        if denial != "Y":
            if group == "CO":
                contractual += amount
            continue
        payer_id, payer_name, paid_on = payer_of[(f, p)]
        is_first = (f, p, c) in first_keys
        if is_first:
            denied_first[pcn] += amount
        later_paid = paid_total.get(pcn, ZERO) > ZERO and first.get(pcn, (None,) * 9)[7] == ZERO
        appeal_by = paid_on + timedelta(days=APPEAL_DAYS) if paid_on else None
        open_window = bool(appeal_by and as_of and as_of <= appeal_by)
        status = "Later paid" if later_paid else ("Open, appealable" if open_window else "Open, past appeal window")
        figures.denials.append({
            "pcn": pcn, "payer": payer_name or payer_id, "dos": first.get(pcn, (None,) * 9)[8],
            "paid_on": paid_on, "category": category, "group": group, "carc": reason,
            "rarcs": rarcs, "code": code or "", "amount": amount,
            "first": is_first,
            "preventable": category in PREVENTABLE, "appeal_by": appeal_by, "status": status,
            "recoverable": amount if status == "Open, appealable" else ZERO,
        })

    # Underpayments: paid lines allowed below the contract, judged as reconciliation judges them.
    # A payment the payer reversed (a CLP02 22 loop with its payer claim number) is not money kept: whether it
    # was short does not matter, its correction (a later loop) is what counts.
    loops = claims[["file", "payment_no", "claim_no", "patient_control_number", "status", "payer_claim_number"]]
    reversed_icns = {(pcn, icn) for _, _, _, pcn, status, icn in loops.itertuples(index=False, name=None)
                     if status == "22"}
    left_out = {(f, p, c) for f, p, c, pcn, status, icn in loops.itertuples(index=False, name=None)
                if status == "22" or (pcn, icn) in reversed_icns}
    if contract.has_rates:
        lowered = _line_reductions(remit.adjustments) if remit.lines["allowed"].isna().any() else {}
        for f, p, claim_no, line_no, pcn, code, mods, units, paid, allowed, charge, dos in remit.lines[
                ["file", "payment_no", "claim_no", "line_no", "patient_control_number", "procedure_code", "modifiers",
                 "units", "paid", "allowed", "charge", "service_from"]].itertuples(index=False, name=None):
            if allowed is None and charge is not None:
                allowed = charge - lowered.get((f, p, claim_no, line_no), ZERO)
            # A line allowed nothing is a denial, not an underpayment (a line allowed but paid nothing went to
            # the deductible: its allowed amount still counts). A lesser-of payer allowing the full charge paid
            # what was asked (the contract caps the expected at the charge): the leak is the charge master's.
            if (f, p) not in payer_of or not allowed or (f, p, claim_no) in left_out:
                continue
            payer_id, payer_name, paid_on = payer_of[(f, p)]
            day = dos or first.get(pcn, (None,) * 9)[8] or paid_on
            if day is None:
                continue
            rate = contract.rate(payer_id, code, modifiers_of(mods), day)
            expected = contract.expected(payer_id, rate, Decimal(units or 1), charge)
            if expected is not None and contract.underpaid(expected, allowed):
                figures.underpayments.append({
                    "pcn": pcn, "payer": payer_name or payer_id, "dos": day, "code": code, "modifiers": mods or "",
                    "units": units, "expected": expected, "allowed": allowed, "paid": paid,
                    "short": expected - allowed})

    # Open AR: billed claims no remit answers.
    answered = set(claims["patient_control_number"])
    for cid, payer, dos, charge in client.claims[["claim_id", "payer_name", "statement_from", "total_charge"]] \
            .itertuples(index=False, name=None):
        if cid in answered or not dos or not as_of:
            continue
        age = (as_of - dos).days
        left = FILING_LIMIT_DAYS - age
        risk = "Past filing limit" if left < 0 else ("At risk (30 days or less)" if left <= 30 else "")
        figures.open_ar.append({"pcn": cid, "payer": payer or "", "dos": dos, "age": age, "bucket": bucket(age),
                                "charge": charge or ZERO, "risk": risk})

    charges = sum((r[6] for r in first.values()), ZERO)
    paid = sum((paid_total[p] for p in first), ZERO)
    denied_claims = sum(1 for p in first if denied_first.get(p, ZERO) > ZERO)
    days = [(r[0] - r[8]).days for r in first.values() if r[8] and r[0] != date.min]
    ar_total = sum((r["charge"] for r in figures.open_ar), ZERO)
    over = {n: sum((r["charge"] for r in figures.open_ar if r["age"] > n), ZERO) for n in (90, 120)}
    figures.kpis = {
        "claims_adjudicated": len(first), "charges": charges, "payments": paid,
        "initial_denial_rate_count": _ratio(denied_claims, len(first)),
        "initial_denial_rate_dollars": _ratio(sum(denied_first.values(), ZERO), charges),
        "net_collection_rate": _ratio(paid, charges - contractual),
        "gross_collection_rate": _ratio(paid, charges),
        "avg_days_to_payment": (Decimal(sum(days)) / len(days)).quantize(Decimal("0.1")) if days else None,
        "open_ar": ar_total, "pct_ar_over_90": _ratio(over[90], ar_total),
        "pct_ar_over_120": _ratio(over[120], ar_total),
        "contractual": contractual,
    }
    return figures


def _line_reductions(adjustments: Any) -> dict[tuple, Decimal]:
    """What comes off each line's allowed amount, by (file, payment, claim, line): reconciliation's allowed
    for a line the payer sent without AMT*B6 is the charge less these (:func:`~..posting.events.lowers_allowed`)."""
    out: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for f, p, c, n, level, group, reason, amount in adjustments[
            ["file", "payment_no", "claim_no", "line_no", "level", "group", "reason", "amount"]].itertuples(
            index=False, name=None):
        if level == "line" and amount is not None and lowers_allowed(str(group or ""), str(reason or "")):
            out[(f, p, c, n)] += amount
    return out


def drop_other_payees(client: ClientFiles, payees: set[str]) -> list[tuple[str, str]]:
    """Keep the payments made to the client; return (file, payee) of each one left out."""
    payments = client.remit.payments
    keep = payments["payee_id"].isin(payees) | payments["payee_id"].isna()
    dropped = list(payments.loc[~keep, ["file", "payee_id"]].itertuples(index=False, name=None))
    if dropped:
        kept = set(payments.loc[keep, ["file", "payment_no"]].itertuples(index=False, name=None))
        for name in ("payments", "claims", "lines", "adjustments", "remarks", "provider_adjustments"):
            table = getattr(client.remit, name)
            mask = [k in kept for k in table[["file", "payment_no"]].itertuples(index=False, name=None)]
            setattr(client.remit, name, table.loc[mask].reset_index(drop=True))
    return dropped
