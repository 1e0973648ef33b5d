"""Reconciliation: for every claim line billed, what the contract says, what the payer allowed and paid, and why.

``infusion-billing reconcile BOOK [--as-of DATE]`` posts the imported remits to the claim ledger
(:mod:`.events`) and rebuilds four derived sheets (the ``Claims`` ledger itself stays as submitted):

* ``Reconciliation``: one row per submitted claim line with the net of all its remit events:
  charge, expected allowed (:mod:`.contract`), allowed, paid, patient responsibility, sequestration,
  contractual, denied and other adjustments, the variance (allowed - expected; negative is
  underpaid), a status and one sentence saying why. For every adjudicated line
  ``Charge = Allowed + Contractual + Denied + Other`` and ``Allowed = Paid + Patient Responsibility
  + Sequestration``, to the cent; sequestration (``CO-253``) is expected on Medicare lines and is
  never an underpayment.
* ``Underpayments``: the shortfall of the Underpaid lines by payer and by code, with the lines.
* ``Unmatched Remits``: remit lines that match no claim line, and why.
* ``Claim Status``: one row per claim: paid, patient responsibility and payments, balances, status.

Status, first match wins (docs/posting.md section 5): Not yet paid, Reversed, Denied, Partially
denied, Code changed, Units reduced, Underpaid, Overpaid, No contract rate, Paid as expected.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from .. import asof
from .. import values as v
from ..claims.ledger import CLAIMS, LedgerClaim, LedgerLine, read_ledger
from ..derived import carry_over
from ..display import money_text
from ..findings import Finding
from ..remits.importer import ERA_TABLES
from ..rules import posting as rules
from ..schema import PatientPaymentRow
from ..stages import RunOptions, StageResult
from ..workbook.ownership import declare_result
from ..workbook.reader import BookData
from ..workbook.writer import OutputTable
from .cob import SECONDARY, primary_claim_id, secondary_expected
from .contract import ZERO, Contract
from .events import LineEvent, Posting, Unmatched, claim_key, post, read_events
from .status import (
    CODE_CHANGED,
    DENIED,
    NO_CONTRACT_RATE,
    NOT_YET_PAID,
    OVERPAID,
    PAID_AS_EXPECTED,
    PARTIALLY_DENIED,
    REVERSED,
    STATUSES,
    UNDERPAID,
    UNITS_REDUCED,
)

RECONCILIATION, UNDERPAYMENTS, UNMATCHED, CLAIM_STATUS = (
    "Reconciliation", "Underpayments", "Unmatched Remits", "Claim Status")
RECON_COLUMNS = (
    "Claim ID", "Line Control Number", "Encounter ID", "Payer ID", "Date of Service", "Code", "Modifiers",
    "Units Billed", "Units Paid", "Charge", "Expected Allowed", "Allowed", "Paid", "Patient Responsibility",
    "Sequestration", "Contractual Adjustment", "Denied Amount", "Other Adjustment", "Variance", "Status",
    "Reason Codes", "Trace Number", "Paid Date", "Explanation",
)
UNDERPAYMENT_COLUMNS = ("By", "Payer ID", "Code", "Lines", "Expected Allowed", "Allowed", "Shortfall", "Claim Lines")
UNMATCHED_COLUMNS = ("File", "Trace Number", "Paid Date", "Patient Control Number", "Payer Claim Number",
                     "Claim Status", "Claim No", "Line No", "Procedure Code", "Line Control Number", "Charge", "Paid",
                     "Reason")
CLAIM_STATUS_COLUMNS = ("Claim ID", "Encounter ID", "Patient ID", "Payer ID", "Payer Priority", "Total Charge",
                        "Paid", "Patient Responsibility", "Adjustments", "Patient Paid", "Insurance Balance",
                        "Patient Balance", "Last Remit Date", "Status")
for _name, _columns in ((RECONCILIATION, RECON_COLUMNS), (UNDERPAYMENTS, UNDERPAYMENT_COLUMNS),
                        (UNMATCHED, UNMATCHED_COLUMNS), (CLAIM_STATUS, CLAIM_STATUS_COLUMNS)):
    declare_result(_name, _columns)  # a clinic's own "Reconciliation" is never read as the tool's
#: Claim Status statuses.
SUBMITTED, PAID, PARTIALLY_PAID = "Submitted", "Paid", "Partially paid"
_DATE, _MONEY = "yyyy-mm-dd", "#,##0.00"


def _m(x: Decimal) -> str:
    return money_text(x)


def _units(x: Decimal) -> str:
    return format(x.normalize(), "f")


@dataclass
class LineState:
    """One claim line with the net of its remit events."""

    claim: LedgerClaim
    line: LedgerLine
    events: list[LineEvent]
    rate: Decimal | None = None
    expected: Decimal | None = None
    status: str = NOT_YET_PAID
    totals: dict[str, Decimal] = field(default_factory=dict)
    units_paid: Decimal | None = None
    #: On a secondary claim: the same line on the primary claim, whose outcome sets what is expected.
    primary: LineState | None = None

    @property
    def adjudicated(self) -> bool:
        return self.status not in (NOT_YET_PAID, REVERSED)

    def total(self, name: str) -> Decimal:
        return self.totals.get(name, ZERO)

    @property
    def last(self) -> LineEvent | None:
        return self.events[-1] if self.events else None

    @property
    def last_payment(self) -> LineEvent | None:
        return next((e for e in reversed(self.events) if not e.reversal), None)

    @property
    def variance(self) -> Decimal | None:
        if not self.events or self.expected is None:
            return None
        return self.total("allowed") - self.expected


class Reconciler:
    """The book's contract terms (fee schedule, lesser-of, tolerance), applied line by line."""

    def __init__(self, contract: Contract):
        self.contract = contract

    def state(self, claim: LedgerClaim, line: LedgerLine, events: list[LineEvent],
              primary: LineState | None = None) -> LineState:
        """The line netted over its events; ``primary`` is the primary claim's same line when ``claim``
        is a secondary claim (coordination of benefits sets what it is expected to allow)."""
        s = LineState(claim, line, sorted(events, key=lambda e: e.order), primary=primary)
        s.rate = self.contract.rate(claim.payer_id, line.code, line.modifiers, line.service_date)
        if s.events:
            totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
            units = ZERO
            for e in s.events:
                for name in ("charge", "paid", "allowed", "patient_responsibility", "sequestration", "contractual",
                             "denied", "other"):
                    totals[name] += getattr(e, name)
                units += e.units if e.units is not None else (line.units if not e.reversal else -line.units)
            s.totals = dict(totals)
            s.units_paid = units
        units = s.units_paid if s.units_paid is not None and s.units_paid > ZERO else line.units
        s.expected = self.contract.expected(claim.payer_id, s.rate, units, line.charge)
        if primary is not None:
            s.expected = secondary_expected(s.expected, primary.total("paid"), primary.total("patient_responsibility"))
        s.status = self.status_of(s)
        return s

    def status_of(self, s: LineState) -> str:
        if not s.events:
            return NOT_YET_PAID
        if s.events[-1].reversal:
            return REVERSED
        allowed, denied = s.total("allowed"), s.total("denied")
        if allowed == ZERO and denied != ZERO:
            return DENIED
        if denied != ZERO:
            return PARTIALLY_DENIED
        last = s.last_payment
        if last is not None and last.submitted_code and last.submitted_code.upper() != last.code.upper():
            return CODE_CHANGED
        if s.units_paid is not None and s.units_paid < s.line.units:
            return UNITS_REDUCED
        if s.expected is None:
            return NO_CONTRACT_RATE
        if self.contract.underpaid(s.expected, allowed):
            return UNDERPAID
        if self.contract.overpaid(s.expected, allowed):
            return OVERPAID
        return PAID_AS_EXPECTED


def explanation(s: LineState) -> str:
    """One sentence: what happened to the line and how it compares with the contract."""
    line = s.line
    day = line.service_date.isoformat()
    units = s.units_paid if s.units_paid is not None and s.units_paid > ZERO else line.units
    contract = (f"contract {_m(s.rate)} x {_units(units)} on {day}" if s.rate is not None
                else f"no {s.claim.payer_id} rate for {line.code} on {day}")
    if s.primary is not None:
        contract = (f"expected {_m(s.expected or ZERO)} after the primary paid {_m(s.primary.total('paid'))} "
                    f"and left {_m(s.primary.total('patient_responsibility'))} to the patient ({contract})")
    elif s.rate is not None and s.expected is not None and s.expected < (s.rate * units).quantize(Decimal("0.01")):
        contract += f", lesser of the charge {_m(line.charge)}"
    last = s.last
    if last is None:
        sent = f" on {s.claim.submitted_date.isoformat()}" if s.claim.submitted_date else ""
        return f"No remit yet: billed {_m(line.charge)}{sent}; {contract}."
    reasons = ", ".join(last.reasons) or "no reason given"
    if s.status == REVERSED:
        return (f"The payer reversed its payment on {last.paid_date} (trace {last.trace_number}, {reasons}): "
                f"nothing is paid now; {contract}.")
    allowed = s.total("allowed")
    if s.status == DENIED:
        return f"Denied ({reasons}): nothing allowed, {contract}."
    if s.status == PARTIALLY_DENIED:
        return f"Allowed {_m(allowed)} with {_m(s.total('denied'))} denied ({reasons}), {contract}."
    if s.status == CODE_CHANGED:
        paid_as = s.last_payment.code if s.last_payment else line.code
        return f"Paid as {paid_as} instead of {line.code}: allowed {_m(allowed)}, {contract}."
    if s.status == UNITS_REDUCED:
        return f"Paid {_units(units)} of {_units(line.units)} units: allowed {_m(allowed)}, {contract}."
    if s.status == NO_CONTRACT_RATE:
        return f"Allowed {_m(allowed)}; {contract}, so it cannot be checked."
    variance = s.variance or ZERO
    what = {UNDERPAID: f"underpaid {_m(-variance)}", OVERPAID: f"overpaid {_m(variance)}"}.get(
        s.status, "paid as expected" if variance == ZERO else f"within tolerance ({_m(variance)})")
    return f"Allowed {_m(allowed)}, {contract}: {what}."


def recon_row(s: LineState) -> list[Any]:
    line, last = s.line, s.last
    adjudicated = bool(s.events)

    def money(name: str) -> Decimal | None:
        return s.total(name) if adjudicated else None

    payment = s.last_payment if s.status != REVERSED else last
    reasons = ""
    if payment is not None:
        reasons = ", ".join(payment.reasons)
        if payment.remarks:
            reasons += f" ({', '.join(payment.remarks)})"
    return [s.claim.claim_id, line.control_number, line.encounter_id or s.claim.encounter_id, s.claim.payer_id,
            line.service_date, line.code, " ".join(line.modifiers), line.units, s.units_paid, line.charge, s.expected,
            money("allowed"), money("paid"), money("patient_responsibility"), money("sequestration"),
            money("contractual"), money("denied"), money("other"), s.variance, s.status, reasons or None,
            last.trace_number if last else None, last.paid_date if last else None, explanation(s)]


# ---------------------------------------------------------------------------- the sheets
def underpayment_rows(states: Iterable[LineState]) -> list[list[Any]]:
    """Shortfall by payer, then by payer and code, with the lines behind each."""
    groups: dict[tuple[str, str, str], list[LineState]] = defaultdict(list)
    for s in states:
        if s.status == UNDERPAID:
            groups[("Payer", s.claim.payer_id, "")].append(s)
            groups[("Payer and code", s.claim.payer_id, s.line.code)].append(s)
    rows = []
    for (by, payer, code), items in sorted(groups.items(), key=lambda kv: (kv[0][0] != "Payer", kv[0][1], kv[0][2])):
        expected = sum((s.expected or ZERO for s in items), ZERO)
        allowed = sum((s.total("allowed") for s in items), ZERO)
        rows.append([by, payer, code or None, len(items), expected, allowed, expected - allowed,
                     ", ".join(s.line.control_number for s in items)])
    return rows


def unmatched_rows(unmatched: Iterable[Unmatched]) -> list[list[Any]]:
    return [[u.event.file, u.event.trace_number, u.event.paid_date, u.event.patient_control_number,
             u.event.payer_claim_number or None, u.event.claim_status, u.event.claim_no, u.event.line_no or None,
             u.event.code or None, u.event.line_control_number or None, u.event.charge, u.event.paid, u.reason]
            for u in unmatched]


@dataclass
class PatientLedger:
    """Patient payments applied to claims: by Claim ID when given, else the oldest balance first."""

    applied: dict[str, Decimal]
    findings: list[Finding]


def patient_payments(book: BookData) -> list[PatientPaymentRow]:
    """The book's PatientPayments rows (none when it has no such table)."""
    if "PatientPayments" not in book.tables or not book.tables["PatientPayments"].present:
        return []
    return list(book.rows("PatientPayments"))


def apply_patient_payments(payments: Iterable[PatientPaymentRow], owed: Mapping[str, Decimal],
                           claims: Sequence[LedgerClaim], as_of: date | None = None) -> PatientLedger:
    """Apply each patient payment (in date order, those after ``as_of`` left out) to the claims.

    A payment naming one of the patient's submitted claims (Claim ID read as payers echo it) goes to
    that claim whatever it owes; one without a claim, or naming a claim that is not the patient's,
    pays the patient's balances ``owed`` (patient responsibility by Claim ID) oldest date of service
    first; what is left is a credit balance (``post.patient-credit``).
    """
    applied: dict[str, Decimal] = defaultdict(lambda: ZERO)
    findings: list[Finding] = []
    by_key = {claim_key(c.claim_id): c for c in claims}
    oldest: dict[str, list[LedgerClaim]] = defaultdict(list)
    for c in sorted(claims, key=lambda c: (c.statement_from or date.min, c.claim_id)):
        oldest[c.patient_id].append(c)
    for p in sorted(payments, key=lambda p: (p.payment_date, p.payment_id)):
        if as_of is not None and p.payment_date > as_of:
            continue
        left = p.amount
        if p.claim_id:
            claim = by_key.get(claim_key(p.claim_id))
            if claim is not None and claim.patient_id == p.patient_id:
                applied[claim.claim_id] += left
                continue
            findings.append(rules.PAYMENT_CLAIM_UNKNOWN.finding(
                f"Patient payment {p.payment_id} names claim {p.claim_id}, which is not a submitted claim of this "
                "patient; it was applied to the patient's oldest balance instead.",
                sheet="PatientPayments", row=p.excel_row, column="Claim ID", value=p.claim_id))
        for claim in oldest.get(p.patient_id, ()):
            due = owed.get(claim.claim_id, ZERO) - applied[claim.claim_id]
            if due <= ZERO or left <= ZERO:
                continue
            take = min(due, left)
            applied[claim.claim_id] += take
            left -= take
        if left > ZERO:
            findings.append(rules.PATIENT_CREDIT.finding(
                f"Patient payment {p.payment_id} is {_m(left)} more than the patient owes on submitted claims: a "
                "credit balance.", sheet="PatientPayments", row=p.excel_row, column="Amount"))
    return PatientLedger({k: x for k, x in applied.items() if x != ZERO}, findings)


def claim_status_rows(claims: Sequence[LedgerClaim], states: dict[tuple[str, int], LineState],
                      patient: PatientLedger) -> list[list[Any]]:
    rows = []
    for c in claims:
        lines = [states[(c.claim_id, ln.line)] for ln in c.lines if (c.claim_id, ln.line) in states]
        paid = sum((s.total("paid") for s in lines), ZERO)
        pr = sum((s.total("patient_responsibility") for s in lines), ZERO)
        adjustments = sum((s.total(n) for s in lines for n in ("sequestration", "contractual", "denied", "other")),
                          ZERO)
        open_charge = sum((s.line.charge for s in lines if not s.adjudicated), ZERO)
        patient_paid = patient.applied.get(c.claim_id, ZERO)
        statuses = {s.status for s in lines}
        dates = [e.paid_date for s in lines for e in s.events if e.paid_date]
        if not any(s.events for s in lines):
            status = SUBMITTED
        elif statuses == {REVERSED}:
            status = REVERSED
        elif statuses == {DENIED}:
            status = DENIED
        elif statuses & {NOT_YET_PAID, REVERSED, DENIED, PARTIALLY_DENIED}:
            status = PARTIALLY_PAID
        else:
            status = PAID
        rows.append([c.claim_id, c.encounter_id, c.patient_id, c.payer_id, c.priority, c.total_charge, paid, pr,
                     adjustments, patient_paid, open_charge, pr - patient_paid, max(dates) if dates else None, status])
    return rows


@dataclass
class Reconciliation:
    """Everything reconcile computes, for the stage, the demo and the tests."""

    states: list[LineState]
    posting: Posting
    claims: list[LedgerClaim]
    patient: PatientLedger

    def total(self, name: str, statuses: Iterable[str] | None = None) -> Decimal:
        wanted = set(statuses) if statuses is not None else None
        return sum((s.total(name) for s in self.states if wanted is None or s.status in wanted), ZERO)

    @property
    def underpaid(self) -> Decimal:
        return sum((-(s.variance or ZERO) for s in self.states if s.status == UNDERPAID), ZERO)

    @property
    def expected(self) -> Decimal:
        return sum((s.expected or ZERO for s in self.states), ZERO)

    @property
    def billed(self) -> Decimal:
        return sum((s.line.charge for s in self.states), ZERO)


def reconcile_rows(claims: Sequence[LedgerClaim], era: Mapping[str, list[dict[str, Any]]], reconciler: Reconciler,
                   as_of: date | None = None) -> Reconciliation:
    """Post the ERA rows (sheet name -> rows as the book holds them) to ``claims`` and net every line.

    Patient payments are applied by :func:`reconcile_book`, which has the book's PatientPayments.
    """
    posting = post(read_events(era, as_of), claims)
    by_line: dict[tuple[str, int], LineState] = {}
    secondaries: list[LedgerClaim] = []
    for c in claims:  # primaries first: a secondary line is judged by its primary line's outcome
        if c.priority == SECONDARY:
            secondaries.append(c)
            continue
        for ln in c.lines:
            by_line[(c.claim_id, ln.line)] = reconciler.state(c, ln, posting.by_line.get((c.claim_id, ln.line), []))
    for c in secondaries:
        for ln in c.lines:
            primary = by_line.get((primary_claim_id(c.claim_id), ln.line))
            by_line[(c.claim_id, ln.line)] = reconciler.state(c, ln, posting.by_line.get((c.claim_id, ln.line), []),
                                                               primary)
    states = [by_line[(c.claim_id, ln.line)] for c in claims for ln in c.lines]
    return Reconciliation(states, posting, list(claims), PatientLedger({}, []))


def reconcile_book(book: BookData, as_of: date | None = None) -> Reconciliation:
    """Post the book's ERA rows to its claim ledger as of ``as_of`` (None: every remit) and reconcile."""
    ledger = read_ledger(book)
    claims = [c for c in ledger if c.submitted and (as_of is None or c.submitted_date is None
                                                    or c.submitted_date <= as_of)]
    era = {name: book.extra_rows(name) for name in ERA_TABLES}
    reconciler = Reconciler(Contract.of_book(book))
    r = reconcile_rows(claims, era, reconciler, as_of)
    owed: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for s in r.states:
        owed[s.claim.claim_id] += s.total("patient_responsibility")
    r.patient = apply_patient_payments(patient_payments(book), owed, claims, as_of)
    return r


def sheet_rows(r: Reconciliation) -> dict[str, list[list[Any]]]:
    """The rows of the four sheets, by sheet name, in their columns' order."""
    by_line = {(s.claim.claim_id, s.line.line): s for s in r.states}
    return {RECONCILIATION: [recon_row(s) for s in r.states], UNDERPAYMENTS: underpayment_rows(r.states),
            UNMATCHED: unmatched_rows(r.posting.unmatched),
            CLAIM_STATUS: claim_status_rows(r.claims, by_line, r.patient)}


def _table(book: BookData, name: str, columns: Sequence[str], rows: list[list[Any]], key: Sequence[str],
           description: str, formats: dict[str, str], widths: dict[str, float] | None = None) -> OutputTable:
    out_columns, out_rows = carry_over(book.extra_rows(name), columns, rows, key=key)
    return OutputTable(name, out_columns, out_rows, number_formats=formats, widths=widths or {},
                       description=description)


def tables(book: BookData, r: Reconciliation) -> list[OutputTable]:
    money = {c: _MONEY for c in ("Charge", "Expected Allowed", "Allowed", "Paid", "Patient Responsibility",
                                 "Sequestration", "Contractual Adjustment", "Denied Amount", "Other Adjustment",
                                 "Variance", "Total Charge", "Adjustments", "Patient Paid", "Insurance Balance",
                                 "Patient Balance", "Shortfall")}
    rows = sheet_rows(r)
    return [
        _table(book, RECONCILIATION, RECON_COLUMNS, rows[RECONCILIATION],
               ("Claim ID", "Line Control Number"),
               "One row per submitted claim line: expected (contract) vs allowed and paid, net of every remit event.",
               {**money, "Date of Service": _DATE, "Paid Date": _DATE, "Units Billed": "0.###", "Units Paid": "0.###"},
               {"Explanation": 70, "Reason Codes": 22, "Line Control Number": 20}),
        _table(book, UNDERPAYMENTS, UNDERPAYMENT_COLUMNS, rows[UNDERPAYMENTS], ("By", "Payer ID", "Code"),
               "The shortfall of the Underpaid lines, by payer and by payer and code, with the lines behind each.",
               {**money, "Lines": "0"}, {"Claim Lines": 60}),
        _table(book, UNMATCHED, UNMATCHED_COLUMNS, rows[UNMATCHED],
               ("File", "Claim No", "Line No"), "Remit claims and lines that match no claim line, and why.",
               {**money, "Paid Date": _DATE, "Claim No": "0", "Line No": "0"}, {"Reason": 70, "File": 30}),
        _table(book, CLAIM_STATUS, CLAIM_STATUS_COLUMNS, rows[CLAIM_STATUS],
               ("Claim ID",), "One row per submitted claim as posted (the Claims ledger stays as submitted).",
               {**money, "Last Remit Date": _DATE}),
    ]


def run(book: BookData, options: RunOptions) -> StageResult:
    """The ``reconcile`` stage: post the remits and rebuild the four reconciliation sheets."""
    as_of = asof.as_of_date(book, options)
    findings: list[Finding] = []
    if not book.extra_rows(CLAIMS):
        if book.extra_rows("EraLines"):
            findings.append(rules.NO_LEDGER.finding(rules.NO_LEDGER.message, sheet=CLAIMS))
        return StageResult(findings=findings, summary={"claim lines reconciled": 0})
    r = reconcile_book(book, as_of)
    findings += r.patient.findings + later_remits(book, as_of)
    if r.posting.unmatched:
        paid = sum((u.event.paid for u in r.posting.unmatched), ZERO)
        findings.append(rules.UNMATCHED_REMIT.finding(
            rules.UNMATCHED_REMIT.message.format(count=len(r.posting.unmatched), amount=_m(paid)), sheet=UNMATCHED))
    underpaid = [s for s in r.states if s.status == UNDERPAID]
    if underpaid:
        findings.append(rules.UNDERPAID.finding(
            rules.UNDERPAID.message.format(count=len(underpaid), amount=_m(r.underpaid)), sheet=UNDERPAYMENTS))
    no_rate = sum(1 for s in r.states if s.status == NO_CONTRACT_RATE)
    if no_rate:
        findings.append(rules.NO_CONTRACT_RATE.finding(rules.NO_CONTRACT_RATE.message.format(count=no_rate),
                                                       sheet=RECONCILIATION))
    counts: dict[str, int] = defaultdict(int)
    for s in r.states:
        counts[s.status] += 1
    summary: dict[str, Any] = {
        "claim lines reconciled": len(r.states),
        "billed": _m(r.billed), "expected": _m(r.expected), "allowed": _m(r.total("allowed")),
        "paid": _m(r.total("paid")), "patient responsibility": _m(r.total("patient_responsibility")),
        "underpaid": _m(r.underpaid), "remit lines unmatched": len(r.posting.unmatched),
        **{status: counts[status] for status in STATUSES if counts[status]},
    }
    summary["as of"] = as_of.isoformat()
    return StageResult(tables=tables(book, r), findings=findings, summary=summary)


def later_remits(book: BookData, as_of: date) -> list[Finding]:
    """The note that remits dated after the as-of date were left out (none when every remit counts)."""
    later = [p for p in book.extra_rows("EraPayments") if not asof.counts_by(asof.remit_date(p), as_of)]
    if not later:
        return []
    amount = sum((money_cell(p.get("Payment Amount")) or ZERO for p in later), ZERO)
    last = max(d for d in map(asof.remit_date, later) if d is not None)
    return [rules.REMITS_AFTER_AS_OF.finding(rules.REMITS_AFTER_AS_OF.message.format(
        count=len(later), amount=_m(amount), as_of=as_of.isoformat(), last=last.isoformat()), sheet="EraPayments")]


def money_cell(value: Any) -> Decimal | None:
    """A money cell read back from the sheet (tests and the macro)."""
    return None if v.is_blank(value) else v.to_money(value)
