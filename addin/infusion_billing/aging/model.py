"""Who owes what on each visit, as of a date: reconciliation's posting split by responsible party.

AR aging and patient statements read the same posting as the ``Reconciliation`` sheet
(:func:`infusion_billing.posting.reconcile.reconcile_book`: every remit line netted on the claim line
it pays, reversals and corrections included, remits and patient payments after the as-of date left
out), so a patient's balance on a statement is the Patient Responsibility the biller sees there.
For one visit (its primary claim, and the secondary claim billed after it):

* what the **primary** paid, and its contractual adjustments (``CO`` other than denials, sequestration
  ``CO-253``, ``OA``/``PI``), leave AR for good;
* its **denials** stay in insurance AR with the primary until the biller sets the Denials row to
  Written off (then they leave AR as a write-off);
* charges no remit has decided yet (a line not yet paid, or reversed with no correction) stay with
  the primary;
* its **patient responsibility** (``PR``: deductible, coinsurance, copay) moves to the **secondary**
  payer when the patient has secondary coverage on the date of service, else to the **patient**.
  Once the secondary claim (``Claim ID`` + ``S``) is adjudicated, line by line: what it paid leaves
  AR, what it left to the patient (``PR``) moves to the patient, its denials stay with it (never more
  than it was given), and the rest of what it was given is its contractual write-off;
* **patient payments** (the PatientPayments table, applied to a named claim or else the oldest
  balance first) leave the patient's part; more paid than owed is a credit balance.

By construction, for every visit: insurance AR + patient AR = charge - insurance payments - patient
payments - contractual - written-off adjustments, to the cent (docs/aging.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..claims.ledger import LedgerClaim
from ..posting.contract import ZERO
from ..posting.reconcile import LineState
from ..posting.secondary import SECONDARY, secondary_claim_id

INSURANCE, PATIENT = "Insurance", "Patient"
#: Does the Denials sheet say this denial was written off? (Claim ID, Line Control Number, CARC, remit date)
WrittenOff = Callable[[str, str, str, date | None], bool]


def never_written_off(claim_id: str, lcn: str, carc: str, day: date | None) -> bool:
    return False


@dataclass
class Share:
    """One payer's decisions on one claim: the net of every remit event on its lines.

    ``given`` is what the payer was asked to cover: the line charges for the primary, what the
    primary left to the patient for the secondary. ``given = paid + patient + denied_open +
    written_off + contractual + pending`` always holds.
    """

    given: Decimal = ZERO
    paid: Decimal = ZERO
    patient: Decimal = ZERO
    denied_open: Decimal = ZERO
    written_off: Decimal = ZERO
    contractual: Decimal = ZERO
    pending: Decimal = ZERO
    patient_since: date | None = None  # the latest remit that set the patient's part

    @property
    def adjudicated(self) -> bool:
        return self.given != self.pending


def _line_written_off(s: LineState, written_off: WrittenOff) -> Decimal:
    """The part of the line's net denial the biller wrote off on the Denials sheet."""
    denied = s.total("denied")
    if denied <= ZERO:
        return ZERO
    marked = sum((amount for e in s.events for group, carc, amount in e.adjustments
                  if group != "PR" and written_off(s.claim.claim_id, e.line_control_number, carc, e.paid_date)), ZERO)
    return min(max(marked, ZERO), denied)


def payer_share(states: Iterable[LineState], written_off: WrittenOff,
                given: Mapping[int, Decimal] | None = None) -> Share:
    """Add up one payer's lines. ``given`` (line number -> amount) is what each line was handed on
    from the payer before (a secondary claim); None: the line charges (the primary)."""
    out = Share()
    for s in states:
        base = s.line.charge if given is None else given.get(s.line.line, ZERO)
        out.given += base
        if not s.adjudicated:
            out.pending += base
            continue
        paid, patient = s.total("paid"), s.total("patient_responsibility")
        off = _line_written_off(s, written_off)
        denied = s.total("denied") - off
        if given is not None:  # a secondary denies at most what it was handed
            denied = max(min(denied, base - paid - patient - off), ZERO)
            contractual = base - paid - patient - off - denied
            pending = ZERO
        else:
            contractual = s.total("contractual") + s.total("sequestration") + s.total("other")
            pending = base - paid - patient - off - denied - contractual  # a charge the remit did not decide
        out.paid += paid
        out.patient += patient
        out.written_off += off
        out.denied_open += denied
        out.contractual += contractual
        out.pending += pending
        if patient and s.last_payment is not None and s.last_payment.paid_date is not None:
            day = s.last_payment.paid_date
            out.patient_since = max(out.patient_since or day, day)
    return out


@dataclass
class VisitBalance:
    """One visit's money as of a date: what left AR, and who owes the rest.

    Attributes:
        claim: the primary claim; ``secondary_claim`` the claim billed to the secondary payer, if sent.
        secondary_payer: the payer of the secondary coverage in force on the date of service.
        primary, secondary: each payer's :class:`Share` (``secondary`` None when not adjudicated).
        patient_share: what the patient is responsible for (the last adjudicating payer's PR).
        patient_paid: patient payments applied to the visit.
        owed: (Insurance or Patient, Payer ID or Patient ID) -> amount still owed.
    """

    claim: LedgerClaim
    primary: Share
    secondary_payer: str | None = None
    secondary_claim: LedgerClaim | None = None
    secondary: Share | None = None
    patient_share: Decimal = ZERO
    patient_since: date | None = None
    patient_paid: Decimal = ZERO
    owed: dict[tuple[str, str], Decimal] = field(default_factory=dict)

    @property
    def charge(self) -> Decimal:
        return self.primary.given

    @property
    def insurance_paid(self) -> Decimal:
        return self.primary.paid + (self.secondary.paid if self.secondary else ZERO)

    @property
    def contractual(self) -> Decimal:
        return self.primary.contractual + (self.secondary.contractual if self.secondary else ZERO)

    @property
    def written_off(self) -> Decimal:
        return self.primary.written_off + (self.secondary.written_off if self.secondary else ZERO)

    @property
    def insurance_open(self) -> Decimal:
        """Still with a payer: not yet decided, denied and being worked, or awaiting the secondary."""
        return sum((a for (kind, _), a in self.owed.items() if kind == INSURANCE), ZERO)

    @property
    def patient_balance(self) -> Decimal:
        return self.patient_share - self.patient_paid

    def claim_for(self, kind: str, party: str) -> str:
        """The claim a balance sits on: the secondary's own claim once it is billed."""
        if kind == INSURANCE and party == self.secondary_payer and self.secondary_claim is not None:
            return self.secondary_claim.claim_id
        return self.claim.claim_id

    def add(self, kind: str, party: str, amount: Decimal) -> None:
        if amount:
            self.owed[(kind, party)] = self.owed.get((kind, party), ZERO) + amount


def visit_balances(states: Sequence[LineState], claims: Sequence[LedgerClaim],
                   secondary_payer: Callable[[LedgerClaim], str | None],
                   written_off: WrittenOff = never_written_off) -> dict[str, VisitBalance]:
    """Primary Claim ID -> its visit's balance, before patient payments (:func:`apply_payments`).

    ``states`` and ``claims`` are a :class:`~infusion_billing.posting.reconcile.Reconciliation`'s;
    ``secondary_payer(claim)`` names the payer of the patient's secondary coverage on the claim's
    date of service (None without one).
    """
    by_claim: dict[str, list[LineState]] = defaultdict(list)
    for s in states:
        by_claim[s.claim.claim_id].append(s)
    submitted = {c.claim_id: c for c in claims}
    out: dict[str, VisitBalance] = {}
    for claim in claims:
        if claim.priority == SECONDARY:
            continue
        lines = sorted(by_claim.get(claim.claim_id, []), key=lambda s: s.line.line)
        first = payer_share(lines, written_off)
        visit = VisitBalance(claim, first, secondary_payer=secondary_payer(claim))
        visit.add(INSURANCE, claim.payer_id, first.denied_open + first.pending)
        out[claim.claim_id] = visit
        if not first.patient:
            continue
        if visit.secondary_payer is None:
            visit.patient_share, visit.patient_since = first.patient, first.patient_since
            continue
        visit.secondary_claim = submitted.get(secondary_claim_id(claim.claim_id))
        handed = {s.line.line: s.total("patient_responsibility") for s in lines}
        theirs = sorted(by_claim.get(visit.secondary_claim.claim_id, []), key=lambda s: s.line.line) \
            if visit.secondary_claim is not None else []
        second = payer_share(theirs, written_off, handed)
        second.pending += first.patient - second.given  # lines the secondary claim does not carry (yet)
        second.given = first.patient
        visit.add(INSURANCE, visit.secondary_payer, second.denied_open + second.pending)
        if second.adjudicated:
            visit.secondary = second
            visit.patient_share, visit.patient_since = second.patient, second.patient_since
        else:  # nothing decided: the primary's patient part waits with the secondary
            visit.secondary = None
    for visit in out.values():
        visit.add(PATIENT, visit.claim.patient_id, visit.patient_share)
    return out


def patient_owed(visits: Mapping[str, VisitBalance]) -> dict[str, Decimal]:
    """Primary Claim ID -> the patient's share, to apply payments to (oldest first)."""
    return {claim_id: v.patient_share for claim_id, v in visits.items() if v.patient_share}


def apply_payments(visits: Mapping[str, VisitBalance], applied: Mapping[str, Decimal]) -> None:
    """Take the patient payments applied to each claim (a secondary claim's count for its visit)
    off the patient's part."""
    for claim_id, amount in applied.items():
        visit = visits.get(claim_id)
        if visit is None and claim_id.endswith("S"):
            visit = visits.get(claim_id[:-1])
        if visit is None or not amount:
            continue
        visit.patient_paid += amount
        visit.add(PATIENT, visit.claim.patient_id, -amount)
