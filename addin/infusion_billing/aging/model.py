"""Who owes what on each claim, as of a date: the claim's balance split by responsible party.

From the claim ledger (what was billed) and the ERA ledger (what each payer decided), for one claim
and an as-of date (remits dated after it are ignored, so a back-dated report shows the past as it was):

* the **latest adjudication of each line** by the primary payer counts (a corrected or re-processed
  line replaces the earlier decision; a reversal with no correction after it leaves the line open);
* what the primary **paid** and its **contractual** write-offs (CO-45, CO-253 ...: Denial = N, not PR)
  leave AR for good;
* its **denials** stay in insurance AR with the primary until the biller sets the Denials row to
  Written off (then they leave AR as a write-off);
* its **patient responsibility** (PR) moves to the secondary payer when the patient has secondary
  coverage on the date of service, else to the patient; once the secondary adjudicates (CLP02 2 or
  20), what it paid leaves AR, what it left to the patient (PR) moves to the patient, its denials stay
  with it, and the rest of what it was given is its contractual write-off;
* charges no line adjudication covers yet stay with the primary.

By construction, for every claim: insurance AR + patient AR = charge - payments - contractual -
written-off adjustments, to the cent (docs/aging.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..denials.remits import ZERO, EraAdjustment, EraClaim, EraLedger, EraLine

PRIMARY = frozenset({"1", "19", "4"})
SECONDARY = frozenset({"2", "20", "3", "21"})
INSURANCE, PATIENT = "Insurance", "Patient"


@dataclass
class Outcome:
    """What one payer's latest decisions on a claim add up to."""

    paid: Decimal = ZERO
    contractual: Decimal = ZERO
    patient: Decimal = ZERO
    denied_open: Decimal = ZERO
    written_off: Decimal = ZERO
    charge_decided: Decimal = ZERO
    adjudicated: bool = False


@dataclass
class ClaimBalance:
    """A claim's money as of a date: what left AR and who owes the rest."""

    charge: Decimal
    payments: Decimal = ZERO
    contractual: Decimal = ZERO
    written_off: Decimal = ZERO
    owed: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # (Insurance/Patient, party) -> amount

    def add(self, kind: str, party: str, amount: Decimal) -> None:
        if amount:
            self.owed[(kind, party)] = self.owed.get((kind, party), ZERO) + amount


def _latest(events: list[EraClaim]) -> list[EraClaim]:
    """The adjudications in force: a reversal cancels the adjudication it follows."""
    ordered = sorted(events, key=lambda c: (c.remit_date or date.min,))
    kept: list[EraClaim] = []
    for event in ordered:
        if event.reversal:
            if kept:
                kept.pop()
            continue
        kept.append(event)
    return kept


def payer_outcome(events: list[EraClaim], era: EraLedger,
                  written_off: Callable[[str, str, str, date | None], bool]) -> Outcome:
    """One payer's decisions on one claim: the latest adjudication of each line, the claim's own
    adjustments and unlined payment from its latest adjudication."""
    out = Outcome()
    in_force = _latest(events)
    if not in_force:
        return out
    out.adjudicated = True
    lines: dict[str, tuple[EraClaim, EraLine]] = {}
    for event in in_force:
        for line in era.lines.get(event.place, []):
            lines[line.control_number or f"#{line.line_no}"] = (event, line)
    last = in_force[-1]

    def take(adj: EraAdjustment, event: EraClaim, lcn: str) -> None:
        if adj.group == "PR":
            out.patient += adj.amount
        elif adj.denial and adj.amount > ZERO:
            if written_off(event.claim_id, lcn, adj.carc, event.remit_date):
                out.written_off += adj.amount
            else:
                out.denied_open += adj.amount
        else:
            out.contractual += adj.amount

    for lcn, (event, line) in lines.items():
        out.paid += line.paid
        out.charge_decided += line.charge
        for adj in era.adjustments.get(event.place, []):
            if adj.line_no == line.line_no:
                take(adj, event, lcn if not lcn.startswith("#") else "")
    own_lines = era.lines.get(last.place, [])
    out.paid += last.paid - sum((ln.paid for ln in own_lines), ZERO)
    claim_level = [a for a in era.adjustments.get(last.place, []) if a.line_no is None]
    for adj in claim_level:
        take(adj, last, "")
    if not lines:
        out.charge_decided = last.charge
    return out


def claim_balance(charge: Decimal, primary_payer: str, secondary_payer: str | None, patient_id: str,
                  events: Iterable[EraClaim], era: EraLedger,
                  written_off: Callable[[str, str, str, date | None], bool]) -> ClaimBalance:
    """Split one claim's charge between payments, write-offs and who owes the rest."""
    events = list(events)
    first = payer_outcome([e for e in events if e.status in PRIMARY or e.reversal], era, written_off)
    result = ClaimBalance(charge)
    result.payments += first.paid
    result.contractual += first.contractual
    result.written_off += first.written_off
    undecided = charge - first.paid - first.contractual - first.written_off - first.denied_open - first.patient
    result.add(INSURANCE, primary_payer, first.denied_open + undecided)
    if not first.patient:
        return result
    if secondary_payer is None:
        result.add(PATIENT, patient_id, first.patient)
        return result
    second = payer_outcome([e for e in events if e.status in SECONDARY], era, written_off)
    if not second.adjudicated:
        result.add(INSURANCE, secondary_payer, first.patient)
        return result
    result.payments += second.paid
    result.written_off += second.written_off
    result.add(INSURANCE, secondary_payer, second.denied_open)
    result.add(PATIENT, patient_id, second.patient)
    result.contractual += first.patient - second.paid - second.written_off - second.denied_open - second.patient
    return result
