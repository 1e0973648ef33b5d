"""Posting: every imported 835 line becomes an event on the claim line it pays.

The ERA sheets (``EraPayments``, ``EraClaims``, ``EraLines``, ``EraAdjustments``) hold the remits as
the payer sent them; posting ties each remit line to the claim line it adjudicated
(docs/posting.md section 3 [S68]):

* the **claim** by CLP01, the Claim ID that went out in CLM01, read leniently: case, spaces and
  leading zeros do not matter, and a payer that cut the ID short still matches when only one claim
  starts that way; else by the **payer's claim number** (CLP07), known from the ledger or from an
  earlier remit of the same claim (a reversal or a later split part);
* the **line** by REF*6R, the Line Control Number that went out on the 837 line; else by code
  (the submitted code, SVC06, when the payer changed it), modifiers, date of service and charge.

Each remit line is an **event**: an original payment, a reversal (CLP02 22, every amount negated) or
a correction. Events are never overwritten: a line's state is the sum of its events, so a reversal
takes back exactly what it reverses, and an as-of date simply leaves out later events.

Each event's adjustments are sorted into the columns a biller reconciles with: patient
responsibility (group ``PR``), sequestration (``CO-253``), denied (an adjustment the Adjustment
Codes table counts as a denial), contractual (``CO`` otherwise) and other (``OA``/``PI``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .. import asof
from .. import values as v
from ..claims.ledger import LedgerClaim, LedgerLine
from .contract import ZERO

REVERSAL = "22"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if type(value) is str:
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _money(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if v.is_blank(value):
        return ZERO
    try:
        return v.to_money(value)
    except ValueError:
        return ZERO


def _maybe_money(value: Any) -> Decimal | None:
    return None if v.is_blank(value) else _money(value)


def _number(value: Any) -> Decimal | None:
    if v.is_blank(value):
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return v.to_decimal(value).normalize()
    except ValueError:
        return None


def _day(value: Any) -> date | None:
    if v.is_blank(value):
        return None
    if isinstance(value, datetime):  # Excel hands dates back as datetimes: compare them as days
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return v.to_date(value)
    except ValueError:
        return None


def _int(value: Any) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    n = _number(value)
    return int(n) if n is not None else 0


def submitted_procedure(text: str) -> str:
    """The code of SVC06 (the procedure as submitted, when the payer paid another), as the import keeps
    the composite: ``HC:96365`` or ``HC:96365:59`` gives ``96365``; a bare code is kept.

    >>> submitted_procedure("HC:96365:59"), submitted_procedure("HC>96413"), submitted_procedure("96413")
    ('96365', '96413', '96413')
    """
    parts = [p for p in re.split(r"[^0-9A-Za-z]", text) if p]
    if len(parts) > 1 and parts[0].upper() in _QUALIFIERS:
        return parts[1]
    return parts[0] if parts else ""


#: Product/service ID qualifiers an SVC01/SVC06 composite starts with (835 TR3: HCPCS, CDT, HIEC,
#: NUBC revenue, NDC, ...).
_QUALIFIERS = frozenset({"AD", "ER", "HC", "HP", "IV", "N4", "NU", "WK", "ZZ"})


def claim_key(text: str) -> str:
    """A Claim ID as payers echo it: no spaces, upper case, no leading zeros.

    >>> claim_key(" e0000123 "), claim_key("00E0000123")
    ('E0000123', 'E0000123')
    """
    return "".join(text.split()).upper().lstrip("0")


@dataclass
class LineEvent:
    """One remit line (SVC) as posted: what this remit said about one claim line."""

    file: str
    payment_no: int
    claim_no: int
    line_no: int
    claim_status: str
    payer_claim_number: str
    patient_control_number: str
    trace_number: str
    paid_date: date | None
    code: str
    modifiers: tuple[str, ...]
    charge: Decimal
    paid: Decimal
    reported_allowed: Decimal | None
    units: Decimal | None
    submitted_code: str
    service_date: date | None
    line_control_number: str
    patient_responsibility: Decimal = ZERO
    sequestration: Decimal = ZERO
    contractual: Decimal = ZERO
    denied: Decimal = ZERO
    other: Decimal = ZERO
    reasons: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    adjustments: list[tuple[str, str, Decimal]] = field(default_factory=list)  # (group, CARC, amount) as sent

    @property
    def reversal(self) -> bool:
        return self.claim_status == REVERSAL

    @property
    def allowed(self) -> Decimal:
        """AMT*B6 when the payer sent it, else the charge less contractual, denied and other adjustments
        (those that :func:`lowers_allowed`)."""
        if self.reported_allowed is not None:
            return self.reported_allowed
        return self.charge - self.contractual - self.denied - self.other

    @property
    def order(self) -> tuple:
        return (self.paid_date or date.min, self.file, self.payment_no, self.claim_no, self.line_no)


@dataclass
class Unmatched:
    """A remit claim or line posted to nothing, and why."""

    event: LineEvent
    reason: str


def _place(row: Mapping[str, Any], *, line: bool = True) -> tuple:
    key = (_text(row.get("File")), _int(row.get("Payment No")), _int(row.get("Claim No")))
    return (*key, _int(row.get("Line No"))) if line else key


def read_events(era: Mapping[str, list[dict[str, Any]]], as_of: date | None = None) -> list[LineEvent]:
    """Every ERA line as an event with its adjustments sorted into columns; payments after ``as_of`` left out.

    ``era`` maps the ERA sheet names to their rows as read back from the book. A claim the payer
    sent without service lines becomes one event at claim level (line 0) with its claim adjustments;
    the claim-level adjustments of a claim with lines are spread over them
    (:func:`spread_claim_adjustment`).
    """
    payments = {}
    for row in era.get("EraPayments", ()):
        # The date the decision reached the practice (asof.remit_date), as the denial worklist and the
        # KPIs date it; the as-of date and event order go by it.
        payments[(_text(row.get("File")), _int(row.get("Payment No")))] = (
            _text(row.get("Trace Number")), asof.remit_date(row))
    claims = {}
    for row in era.get("EraClaims", ()):
        claims[_place(row, line=False)] = row
    events: dict[tuple, LineEvent] = {}
    with_lines: set[tuple] = set()

    def new_event(place: tuple, claim: Mapping[str, Any], line: Mapping[str, Any] | None) -> LineEvent | None:
        trace, paid_date = payments.get(place[:2], ("", None))
        if not asof.counts_by(paid_date, as_of):
            return None
        src = line if line is not None else claim
        modifiers = tuple(_text(src.get("Modifiers")).replace(",", " ").split()) if line is not None else ()
        return LineEvent(
            file=place[0], payment_no=place[1], claim_no=place[2], line_no=place[3] if len(place) > 3 else 0,
            claim_status=_text(claim.get("Claim Status")), payer_claim_number=_text(claim.get("Payer Claim Number")),
            patient_control_number=_text(claim.get("Patient Control Number")), trace_number=trace,
            paid_date=paid_date, code=_text(src.get("Procedure Code")) if line is not None else "",
            modifiers=modifiers, charge=_money(src.get("Charge")), paid=_money(src.get("Paid")),
            reported_allowed=_maybe_money(line.get("Allowed")) if line is not None else None,
            units=_number(line.get("Units Paid")) if line is not None else None,
            submitted_code=submitted_procedure(_text(line.get("Submitted Code"))) if line is not None else "",
            service_date=_day(line.get("Service From")) if line is not None else _day(claim.get("Statement From")),
            line_control_number=_text(line.get("Line Control Number")) if line is not None else "")

    for row in era.get("EraLines", ()):
        place = _place(row)
        with_lines.add(place[:3])
        event = new_event(place, claims.get(place[:3], {}), row)
        if event is not None:
            events[place] = event
    for place, claim in claims.items():
        if place not in with_lines:
            event = new_event((*place, 0), claim, None)
            if event is not None:
                events[(*place, 0)] = event
    claim_level: dict[tuple, list[Mapping[str, Any]]] = defaultdict(list)
    for row in era.get("EraAdjustments", ()):
        place = _place(row)
        event = events.get(place)  # claim level: line 0, an event only for a claim without lines
        if event is not None:
            _post_adjustment(event, row)
        elif place[3] == 0 and place[:3] in with_lines:
            claim_level[place[:3]].append(row)
        # else: a payment after the as-of date
    if claim_level:
        lines_of: dict[tuple, list[LineEvent]] = defaultdict(list)
        for place, event in events.items():
            if place[:3] in claim_level and place[3] != 0:
                lines_of[place[:3]].append(event)
        for place, adjustments in claim_level.items():
            for adjustment in adjustments:
                spread_claim_adjustment(lines_of.get(place, []), adjustment)
    return sorted(events.values(), key=lambda e: e.order)


def spread_claim_adjustment(lines: list[LineEvent], row: Mapping[str, Any]) -> None:
    """Post a claim-level adjustment (2100 CAS) of a claim that has service lines onto those lines.

    The 835 TR3 balances a claim as CLP04 = the lines' SVC03 - the claim-level adjustments: such an
    adjustment (a deductible or a contractual reduction taken on the claim as a whole) lowers what the
    claim is paid beyond its lines. Reconciliation has one row per claim line, so the amount is spread
    over the loop's lines in proportion to their charge (the last line takes the rounding cent) and
    each share is posted as if the payer had sent it on that line: it goes in its column (patient
    responsibility, sequestration, denied, contractual or other) with its reason, and lowers Paid
    (and Allowed, unless it is the patient's share or sequestration, which are part of the allowed
    amount). Every line then still adds up, and the claim's lines sum to exactly what the payer paid.
    """
    if not lines:
        return
    value = _money(row.get("Amount"))
    weights = [abs(e.charge) for e in lines]
    total = sum(weights, ZERO)
    if total == ZERO:
        weights, total = [Decimal(1)] * len(lines), Decimal(len(lines))
    left = value
    group, carc = _text(row.get("Group")).upper(), _text(row.get("CARC")).upper()
    for n, (event, weight) in enumerate(zip(lines, weights, strict=True)):
        share = left if n == len(lines) - 1 else (value * weight / total).quantize(Decimal("0.01"))
        left -= share
        if share == ZERO:
            continue
        _post_adjustment(event, {**row, "Amount": share})
        event.paid -= share
        if event.reported_allowed is not None and lowers_allowed(group, carc):
            event.reported_allowed -= share


def lowers_allowed(group: str, carc: str) -> bool:
    """Whether an adjustment comes off the allowed amount: every one but the patient's share (PR) and
    Medicare's sequestration (CO-253), which are paid out of the allowed amount."""
    return group != "PR" and carc != "253"


def _post_adjustment(event: LineEvent, row: Mapping[str, Any]) -> None:
    group, carc, value = _text(row.get("Group")).upper(), _text(row.get("CARC")).upper(), _money(row.get("Amount"))
    event.adjustments.append((group, carc, value))
    if group == "PR":
        event.patient_responsibility += value
    elif carc == "253":
        event.sequestration += value
    elif _text(row.get("Denial")).upper() == "Y":
        event.denied += value
    elif group == "CO":
        event.contractual += value
    else:
        event.other += value
    reason = f"{group}-{carc}"
    if reason not in event.reasons:
        event.reasons.append(reason)
    for rarc in _text(row.get("RARCs")).replace(",", " ").split():
        if rarc not in event.remarks:
            event.remarks.append(rarc)


# ---------------------------------------------------------------------------- matching
@dataclass
class Posting:
    """The events of every claim line, and the remit lines that matched none."""

    by_line: dict[tuple[str, int], list[LineEvent]]
    unmatched: list[Unmatched]


class _ClaimIndex:
    def __init__(self, claims: Iterable[LedgerClaim]):
        self.claims = {c.claim_id: c for c in claims}
        self.by_key: dict[str, list[str]] = defaultdict(list)
        self.by_payer_number: dict[str, str] = {}
        for c in self.claims.values():
            self.by_key[claim_key(c.claim_id)].append(c.claim_id)
            if c.payer_claim_number:
                self.by_payer_number.setdefault(c.payer_claim_number.upper(), c.claim_id)
        self._prefixes: dict[int, dict[str, list[str]]] = {}

    def find(self, pcn: str, payer_number: str) -> str | None:
        key = claim_key(pcn)
        found = self.by_key.get(key, [])
        if len(found) == 1:
            return found[0]
        if not found and len(key) >= 6:  # a payer that truncates the Claim ID: one claim starts that way
            table = self._prefixes.get(len(key))
            if table is None:
                table = defaultdict(list)
                for k, ids in self.by_key.items():
                    if len(k) > len(key):
                        table[k[:len(key)]].extend(ids)
                self._prefixes[len(key)] = table
            found = table.get(key, [])
            if len(found) == 1:
                return found[0]
        return self.by_payer_number.get(payer_number.upper()) if payer_number else None


def _line_key(code: str, modifiers: Iterable[str], day: date | None, charge: Decimal) -> tuple:
    return (code.upper(), frozenset(m.upper() for m in modifiers), day, abs(charge))


def post(events: Iterable[LineEvent], claims: Iterable[LedgerClaim]) -> Posting:
    """Match every event to its claim line (see the module docstring); unmatched ones say why."""
    index = _ClaimIndex(claims)
    events = list(events)
    by_line: dict[tuple[str, int], list[LineEvent]] = defaultdict(list)
    unmatched: list[Unmatched] = []
    # First pass: claims found by Claim ID teach the payer's claim numbers of later remits.
    for e in events:
        if e.payer_claim_number and claim_key(e.patient_control_number) in index.by_key:
            ids = index.by_key[claim_key(e.patient_control_number)]
            if len(ids) == 1:
                index.by_payer_number.setdefault(e.payer_claim_number.upper(), ids[0])
    lines_of: dict[str, tuple[dict[str, LedgerLine], dict[tuple, list[LedgerLine]]]] = {}
    taken_in_loop: dict[tuple, set[int]] = defaultdict(set)  # lines a CLP loop already paid (fallback match)
    for e in events:
        claim_id = index.find(e.patient_control_number, e.payer_claim_number)
        if claim_id is None:
            unmatched.append(Unmatched(e, "No claim has this Claim ID (CLP01) or payer claim number (CLP07)."))
            continue
        claim = index.claims[claim_id]
        if e.line_no == 0:
            if len(claim.lines) == 1:
                by_line[(claim_id, claim.lines[0].line)].append(e)
            else:
                unmatched.append(Unmatched(e, f"The payer sent claim {claim_id} without service lines; post it by "
                                              "hand from the EOB."))
            continue
        if claim_id not in lines_of:
            by_number = {ln.control_number.upper(): ln for ln in claim.lines if ln.control_number}
            by_fields: dict[tuple, list[LedgerLine]] = defaultdict(list)
            for ln in claim.lines:
                by_fields[_line_key(ln.code, ln.modifiers, ln.service_date, ln.charge)].append(ln)
            lines_of[claim_id] = (by_number, by_fields)
        by_number, by_fields = lines_of[claim_id]
        line = by_number.get(e.line_control_number.upper()) if e.line_control_number else None
        if line is None:
            candidates = by_fields.get(_line_key(e.submitted_code or e.code, e.modifiers, e.service_date, e.charge), [])
            taken = taken_in_loop[(e.file, e.payment_no, e.claim_no)]
            line = next((ln for ln in candidates if ln.line not in taken), candidates[0] if candidates else None)
        if line is None:
            unmatched.append(Unmatched(e, f"No line of claim {claim_id} has this line control number (REF*6R) or "
                                          "this code, modifiers, date of service and charge."))
            continue
        by_line[(claim_id, line.line)].append(e)
        taken_in_loop[(e.file, e.payment_no, e.claim_no)].add(line.line)
    return Posting(dict(by_line), unmatched)
