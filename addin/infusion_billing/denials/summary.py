"""The ``Denials Summary`` sheet: denied dollars and counts by category and payer and by CARC, and the
initial denial rate by count and by dollars.

The initial denial rate follows the HFMA Claim Integrity Task Force definitions (docs/denials.md
section 2) [S75]:

* **by count**: claims with at least one denial on their **first** remit / claims remitted (and the
  same for lines);
* **by dollars**: charges of the denied claims (lines) / charges remitted;
* cost share (PR), contractual write-offs (CO-45, CO-253) and OA-23 are not denials, and only the
  first adjudication of a claim counts: a reversal or a corrected adjudication does not count again.

A zero-pay claim denial (nothing paid on the first remit) is counted apart from line denials.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..workbook.writer import OutputTable
from .remits import ZERO, EraClaim, EraLedger
from .worklist import Denial

SHEET = "Denials Summary"
COLUMNS = ("Section", "Category", "Payer ID", "CARC", "Count", "Amount", "Of Count", "Of Amount", "Rate by Count",
           "Rate by Dollars")
RATE = Decimal("0.0001")


@dataclass(frozen=True)
class InitialRate:
    """The first-remit denial counts and dollars, for claims and lines."""

    claims: int
    claims_denied: int
    claim_charges: Decimal
    claim_charges_denied: Decimal
    lines: int
    lines_denied: int
    line_charges: Decimal
    line_charges_denied: Decimal
    zero_pay_claims: int


def initial_denial_rate(era: EraLedger, is_denial) -> InitialRate:
    """Counts and dollars on each claim's first adjudication (earliest remit, reversals left out)."""
    first: dict[str, EraClaim] = {}
    for claim in era.claims:
        if claim.reversal:
            continue
        seen = first.get(claim.claim_id)
        if seen is None or (claim.remit_date and seen.remit_date and claim.remit_date < seen.remit_date):
            first[claim.claim_id] = claim
    claims = claims_denied = lines = lines_denied = zero_pay = 0
    claim_charges = claim_denied = line_charges = line_denied = ZERO
    for claim in first.values():
        denials = [a for a in era.adjustments.get(claim.place, []) if is_denial(a)]
        claim_level = any(a.line_no is None for a in denials)
        denied_lines = {a.line_no for a in denials if a.line_no is not None}
        claims += 1
        claim_charges += claim.charge
        if denials:
            claims_denied += 1
            claim_denied += claim.charge
            zero_pay += claim.paid == ZERO
        for line in era.lines.get(claim.place, []):
            lines += 1
            line_charges += line.charge
            if claim_level or line.line_no in denied_lines:
                lines_denied += 1
                line_denied += line.charge
    return InitialRate(claims, claims_denied, claim_charges, claim_denied, lines, lines_denied, line_charges,
                       line_denied, zero_pay)


def _share(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(RATE, ROUND_HALF_UP) if whole else None


def summary_table(denials: Iterable[Denial], rate: InitialRate, as_of: date) -> OutputTable:
    denials = list(denials)
    rows: list[list[Any]] = []

    def add(section: str, category: str | None, payer: str | None, carc: str | None, group: list[Denial]) -> None:
        rows.append([section, category, payer, carc, len(group), sum((d.amount for d in group), ZERO),
                     None, None, None, None])

    by_cat: dict[tuple[str, str], list[Denial]] = {}
    by_carc: dict[tuple[str, str], list[Denial]] = {}
    for d in denials:
        by_cat.setdefault((d.category, d.payer_id), []).append(d)
        by_carc.setdefault((d.carc, d.category), []).append(d)
    for (category, payer), group in sorted(by_cat.items()):
        add("By category and payer", category, payer, None, group)
    for category in sorted({c for c, _ in by_cat}):
        add("By category (all payers)", category, None, None, [d for d in denials if d.category == category])
    for (carc, category), group in sorted(by_carc.items(), key=lambda kv: (-sum(d.amount for d in kv[1]), kv[0])):
        add("By CARC", category, None, carc, group)
    add("All denials on the worklist", None, None, None, denials)
    rows.append(["Initial denial rate: claims", None, None, None, rate.claims_denied, rate.claim_charges_denied,
                 rate.claims, rate.claim_charges, _share(rate.claims_denied, rate.claims),
                 _share(rate.claim_charges_denied, rate.claim_charges)])
    rows.append(["Initial denial rate: lines", None, None, None, rate.lines_denied, rate.line_charges_denied,
                 rate.lines, rate.line_charges, _share(rate.lines_denied, rate.lines),
                 _share(rate.line_charges_denied, rate.line_charges)])
    rows.append(["Zero-pay claim denials (first remit)", None, None, None, rate.zero_pay_claims, None, rate.claims,
                 None, _share(rate.zero_pay_claims, rate.claims), None])
    rows.append([f"As of {as_of.isoformat()}: denials exclude PR cost share, CO-45, CO-253 and OA-23; rates count "
                 "each claim's first remit only", None, None, None, None, None, None, None, None, None])
    return OutputTable(SHEET, list(COLUMNS), rows,
                       number_formats={"Count": "0", "Of Count": "0", "Rate by Count": "0.0%",
                                       "Rate by Dollars": "0.0%"},
                       widths={"Section": 38, "Category": 24},
                       description="Denied dollars and counts by category, payer and CARC; initial denial rate.")
