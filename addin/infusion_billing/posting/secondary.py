"""Secondary claims: the primary payer's adjudication, from its posted remit, sent on to the next payer.

Once the primary payer's remit is posted and the patient has secondary coverage on the date of
service, what the primary left to the patient (deductible, coinsurance, copay) is billed to the
secondary payer on a claim of its own (Payer Priority Secondary). That claim carries the primary's
adjudication so the secondary can coordinate benefits (837P/837I loop 2320 with 2330A/2330B for the
primary payer, and 2430 for each line: SVD what it paid, CAS its adjustments, DTP*573 the date)
[S70][S78]: for every line, the primary's paid amount plus its adjustments add up to the line's charge.

The adjudication is the net of the line's remit events (:mod:`.events`), so a reversal and its
correction give the corrected figures. A primary claim is ready for its secondary when every line
has been adjudicated (none Not yet paid or Reversed) and the patient still owes something on it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from ..claims.build import BookIndex, to_claim
from ..claims.ledger import LedgerClaim
from ..claims.model import Adjustment, Coverage, LineAdjudication, OtherPayer
from ..workbook.reader import BookData
from .cob import SECONDARY, primary_claim_id, secondary_claim_id
from .contract import ZERO
from .reconcile import LineState, reconcile_book

__all__ = ["SECONDARY", "PrimaryOutcomes", "SecondaryAdjudication", "net_adjustments", "secondary_claim_id"]


class PrimaryOutcomes:
    """The book's posted primary claims, line by line, as reconciliation nets them."""

    def __init__(self, book: BookData):
        self.by_claim: dict[str, list[LineState]] = defaultdict(list)
        for s in reconcile_book(book).states:
            self.by_claim[s.claim.claim_id].append(s)

    def ready(self, claim: LedgerClaim) -> bool:
        """Every line adjudicated and something left to the patient."""
        states = self.by_claim.get(claim.claim_id, [])
        return (bool(states) and len(states) == len(claim.lines) and all(s.adjudicated for s in states)
                and sum((s.total("patient_responsibility") for s in states), ZERO) > ZERO)

    def other_payer(self, primary: LedgerClaim, coverage: Coverage, secondary_lines: Sequence[str]) -> OtherPayer:
        """The primary's adjudication for the secondary claim whose lines have these control numbers."""
        states = sorted(self.by_claim.get(primary.claim_id, []), key=lambda s: s.line.line)
        lines = []
        for s, control in zip(states, secondary_lines, strict=False):
            last = s.last_payment
            paid_date = (last.paid_date if last and last.paid_date else primary.submitted_date) or date.min
            lines.append(LineAdjudication(
                line_control_number=control, paid=s.total("paid"), code=last.code if last else s.line.code,
                units=s.units_paid if s.units_paid is not None and s.units_paid > ZERO else s.line.units,
                paid_date=paid_date, modifiers=s.line.modifiers, revenue_code=s.line.revenue_code,
                adjustments=net_adjustments(e.adjustments for e in s.events)))
        paid = sum((s.total("paid") for s in states), ZERO)
        last_dates = [ln.paid_date for ln in lines]
        numbers = [e.payer_claim_number for s in states for e in s.events if e.payer_claim_number and not e.reversal]
        return OtherPayer(coverage=coverage, paid=paid, paid_date=max(last_dates) if last_dates else None,
                          lines=tuple(lines), payer_claim_number=numbers[-1] if numbers else "")


def net_adjustments(events: Iterable[Iterable[tuple[str, str, Decimal]]]) -> tuple[Adjustment, ...]:
    """The adjustments of several remit events summed by group and reason (a reversal cancels its
    original); those that net to zero are left out."""
    total: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for adjustments in events:
        for group, reason, value in adjustments:
            total[(group, reason)] += value
    return tuple(Adjustment(g, r, a) for (g, r), a in total.items() if a != ZERO)


class SecondaryAdjudication:
    """What ``export-837`` puts in a secondary claim's loops 2320/2330/2430: the primary's posted outcome."""

    def __init__(self, book: BookData, ledger: Iterable[LedgerClaim], outcomes: PrimaryOutcomes | None = None):
        self.book = book
        self.ledger = {c.claim_id: c for c in ledger}
        self._outcomes = outcomes

    def for_secondary(self, claim: LedgerClaim, index: BookIndex) -> tuple[OtherPayer, ...]:
        """The earlier payers of ``claim``: none for a primary claim, the primary payer for a secondary."""
        if claim.priority != SECONDARY:
            return ()
        primary = self.ledger.get(primary_claim_id(claim.claim_id))
        if primary is None:
            return ()
        if self._outcomes is None:
            self._outcomes = PrimaryOutcomes(self.book)
        coverage = to_claim(primary, index).coverage
        return (self._outcomes.other_payer(primary, coverage, [ln.control_number for ln in claim.lines]),)
