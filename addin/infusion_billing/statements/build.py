"""Which patients get a statement this cycle, and what each statement says.

From the visits as posted (:func:`infusion_billing.aging.stage.posted_visits`: the Reconciliation
sheet's figures, secondary claims and patient payments included) and the Statements ledger:

* a visit is on the statement while the patient still owes on it: their share (the last adjudicating
  payer's patient responsibility) less the patient payments applied to it;
* a patient gets a statement when the total is at least the **Statement Minimum Balance** setting
  and no statement went to them within the **Statement Cycle Days** setting (none dated after the
  as-of date either: a back-dated run never re-bills);
* a total below zero is a **credit**: no statement, a finding (the practice owes a refund);
* the **notice** (:mod:`.notices`) counts the statements already sent since the oldest open balance
  became the patient's, and that balance's age in days;
* the **previous balance** is what the last statement asked for; payments since are the patient's
  PatientPayments rows dated after it, up to the statement date;
* the **aging** splits the amount due by the age of each visit's balance (days since the remit that
  made it the patient's), in the Aging Buckets setting's buckets.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from ..aging.model import VisitBalance
from ..aging.stage import bucket_labels, bucket_of
from ..posting.contract import ZERO
from ..schema import PatientPaymentRow
from ..settings import Settings
from .ledger import SentStatement
from .notices import Notice, notice_for


@dataclass(frozen=True, slots=True)
class VisitLine:
    """One visit on a statement. ``charge = insurance_paid + adjustments + insurance_pending + your_share``."""

    date_of_service: date
    encounter_id: str
    claim_id: str
    services: str
    charge: Decimal
    insurance_paid: Decimal
    adjustments: Decimal
    insurance_pending: Decimal
    your_share: Decimal
    you_paid: Decimal
    since: date

    @property
    def balance(self) -> Decimal:
        return self.your_share - self.you_paid


def visit_line(visit: VisitBalance) -> VisitLine:
    claim = visit.claim
    dos = claim.statement_from or (claim.lines[0].service_date if claim.lines else date.min)
    codes = list(dict.fromkeys(ln.code for ln in claim.lines))
    services = ", ".join(codes[:2]) + (f" +{len(codes) - 2}" if len(codes) > 2 else "")
    return VisitLine(dos, claim.encounter_id, claim.claim_id, services, visit.charge, visit.insurance_paid,
                     visit.contractual + visit.written_off, visit.insurance_open, visit.patient_share,
                     visit.patient_paid, visit.patient_since or dos)


@dataclass
class Statement:
    """One patient's statement, everything it prints (the name and address are added when it is drawn)."""

    statement_id: str
    patient_id: str
    statement_date: date
    pay_by: date
    visits: list[VisitLine]
    notice: Notice
    previous: SentStatement | None
    payments_since: Decimal
    aging: list[tuple[str, Decimal]]

    @property
    def balance(self) -> Decimal:
        return sum((v.balance for v in self.visits), ZERO)

    @property
    def previous_balance(self) -> Decimal:
        return self.previous.balance if self.previous else ZERO

    @property
    def new_activity(self) -> Decimal:
        """What changed since the last statement besides payments: new patient shares, adjustments."""
        return self.balance - self.previous_balance + self.payments_since

    @property
    def file_name(self) -> str:
        return f"{self.statement_id}.pdf"

    def sent(self) -> SentStatement:
        return SentStatement(self.statement_id, self.patient_id, self.statement_date, self.balance, self.notice.name,
                             self.file_name)


@dataclass
class Cycle:
    """This run's decisions: the statements to send, and the patients left out and why."""

    statements: list[Statement] = field(default_factory=list)
    credits: dict[str, Decimal] = field(default_factory=dict)
    within_cycle: list[str] = field(default_factory=list)
    below_minimum: list[str] = field(default_factory=list)


def statement_id(patient_id: str, day: date) -> str:
    """``ST-20261201-P0001``: the date and Patient ID, safe as a file name.

    >>> statement_id("P 12/3", date(2026, 12, 1))
    'ST-20261201-P_12_3'
    """
    return f"ST-{day:%Y%m%d}-{re.sub(r'[^A-Za-z0-9._-]', '_', patient_id)}"


def plan_cycle(visits: Iterable[VisitBalance], ledger: Sequence[SentStatement], payments: Iterable[PatientPaymentRow],
               notices: list[Notice], settings: Settings, as_of: date) -> Cycle:
    """Decide who gets a statement on ``as_of`` and build each one (pure: nothing is written here)."""
    lines: dict[str, list[VisitLine]] = defaultdict(list)
    for visit in visits:
        line = visit_line(visit)
        if line.balance != ZERO:
            lines[visit.claim.patient_id].append(line)
    sent: dict[str, list[SentStatement]] = defaultdict(list)
    for s in ledger:
        sent[s.patient_id].append(s)
    paid: dict[str, list[PatientPaymentRow]] = defaultdict(list)
    for p in payments:
        if p.payment_date <= as_of:
            paid[p.patient_id].append(p)
    cycle = Cycle()
    for patient_id in sorted(lines):
        visit_lines = sorted(lines[patient_id], key=lambda v: (v.date_of_service, v.claim_id))
        balance = sum((v.balance for v in visit_lines), ZERO)
        if balance < ZERO:
            cycle.credits[patient_id] = balance
            continue
        if balance == ZERO:
            continue
        earlier = sorted(sent.get(patient_id, []), key=lambda s: (s.statement_date, s.statement_id))
        last = earlier[-1] if earlier else None
        if last is not None and (as_of - last.statement_date).days < settings.statement_cycle_days:
            cycle.within_cycle.append(patient_id)
            continue
        if balance < settings.statement_minimum:
            cycle.below_minimum.append(patient_id)
            continue
        open_since = min(v.since for v in visit_lines if v.balance > ZERO)
        notices_sent = sum(1 for s in earlier if open_since <= s.statement_date <= as_of and s.balance > ZERO)
        notice = notice_for(notices, notices_sent, (as_of - open_since).days)
        since_last = ZERO if last is None else sum(
            (p.amount for p in paid.get(patient_id, []) if p.payment_date > last.statement_date), ZERO)
        cycle.statements.append(Statement(
            statement_id(patient_id, as_of), patient_id, as_of, as_of + timedelta(days=settings.statement_cycle_days),
            visit_lines, notice, last, since_last, aging(visit_lines, settings.aging_buckets, as_of)))
    return cycle


def aging(visit_lines: Iterable[VisitLine], limits: tuple[int, ...], as_of: date) -> list[tuple[str, Decimal]]:
    """The amount due by the age of each visit's balance (days since it became the patient's)."""
    amounts = dict.fromkeys(bucket_labels(limits), ZERO)
    for v in visit_lines:
        label = bucket_of(max((as_of - v.since).days, 0), limits)
        amounts[label] += v.balance
    return list(amounts.items())
