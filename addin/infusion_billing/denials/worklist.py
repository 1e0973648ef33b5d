"""The ``Denials`` sheet: every denied claim and line, what to do, by when, and the biller's notes.

A **denial** is an adjustment the payer made because something was wrong or not covered, not because
of the contract or the patient's cost share (docs/denials.md section 1). From the ERA ledger's
labelled adjustments (the Adjustment Codes table's Denial column):

* contractual write-offs (CO-45, CO-253 ...), the prior payer's impact (OA-23) and everything under
  group PR (the patient's share, billed to the secondary or the patient) are **not** denials;
* every other adjustment labelled a denial is one row, keyed by **Claim ID + Line Control Number +
  CARC + Remit Date** (a claim-level adjustment has a blank Line Control Number); a line denied twice
  for the same reason on one remit is one row with the sum; reversals (CLP02 = 22) add no row.

Each row carries the **Appeal Deadline** (the payer's Appeal Days, else the default for its payer
type, counted from the remit date), **Days Left** from the as-of date, **Preventable By** (the pre-bill
or scrubber rule that would have held the claim) and a **Priority** (1 = work first): open denials
whose deadline is within 30 days first, then 31-60, then later, then those past their deadline,
then resolved and written-off ones; within a group, the largest dollars first.

The biller's columns (Work Status, Assigned To, Notes, Follow-up Date, and any column added to the
right) survive every rebuild through :func:`infusion_billing.derived.carry_over`. A denial a later
remit paid is marked **Resolved**; a row whose denial no longer appears at all stays, marked
Resolved, until the biller deletes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from .. import derived
from ..findings import Finding
from ..remits.categories import ANY, AdjustmentCodes
from ..rules import denial as rules
from ..workbook.ownership import declare_result
from .remits import ZERO, EraAdjustment, EraLedger, day, money, text
from .tables import preventable_by

SHEET = "Denials"
COLUMNS = (
    "Claim ID", "Line Control Number", "Encounter ID", "Payer ID", "Date of Service", "Code", "Denied Amount",
    "Group", "CARC", "RARCs", "Category", "Next Action", "Remit Date", "Appeal Deadline", "Days Left",
    "Preventable By", "Priority", "Work Status", "Assigned To", "Notes", "Follow-up Date",
)
declare_result(SHEET, COLUMNS)  # a clinic's own "Denials" sheet is never read as the work list
KEY = ("Claim ID", "Line Control Number", "CARC", "Remit Date")
WORK_COLUMNS = ("Work Status", "Assigned To", "Notes", "Follow-up Date")
OPEN, CORRECTED, APPEALED, WRITTEN_OFF, RESOLVED = "Open", "Corrected claim sent", "Appealed", "Written off", "Resolved"
WORK_STATUSES = (OPEN, CORRECTED, APPEALED, WRITTEN_OFF, RESOLVED)
_DATES = ("Date of Service", "Remit Date", "Appeal Deadline")


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """What the claim ledger says about a Claim ID: its encounter, patient and payer (ours)."""

    encounter_id: str
    patient_id: str
    payer_id: str
    service_date: date | None
    lines: Mapping[str, tuple[str, date | None]] = field(default_factory=dict)  # LCN -> (code, DOS)
    claim_type: str = "837P"


@dataclass
class Denial:
    """One worklist row before the biller's columns are carried over."""

    claim_id: str
    control_number: str
    encounter_id: str
    payer_id: str
    service_date: date | None
    code: str
    amount: Decimal
    group: str
    carc: str
    rarcs: str
    category: str
    next_action: str
    remit_date: date | None
    deadline: date | None
    patient_id: str = ""
    paid_later: bool = False
    payer_claim_number: str = ""
    reason: str = ""  # what the CARC means, in plain words (the Adjustment Codes table's Description)

    @property
    def key(self) -> tuple[str, ...]:
        """The worklist key as the sheet shows it (Claim ID, Line Control Number, CARC, Remit Date)."""
        return tuple(derived.key_text(x) for x in (self.claim_id, self.control_number, self.carc, self.remit_date))

    def days_left(self, as_of: date) -> int | None:
        return (self.deadline - as_of).days if self.deadline else None

    def row(self, as_of: date) -> list[Any]:
        return [self.claim_id, self.control_number or None, self.encounter_id or None, self.payer_id or None,
                self.service_date, self.code or None, self.amount, self.group, self.carc, self.rarcs or None,
                self.category, self.next_action, self.remit_date, self.deadline, self.days_left(as_of),
                preventable_by(self.carc, self.rarcs) or None, None,
                RESOLVED if self.paid_later else None, None, None, None]


@dataclass
class Worklist:
    denials: list[Denial]
    findings: list[Finding]


def find_denials(era: EraLedger, claims: Mapping[str, ClaimFacts], payer_days: Mapping[str, int | None],
                 codes: AdjustmentCodes) -> Worklist:
    """Every denial in the ERA ledger, one per key, with its deadline; and what could not be tied.

    ``payer_days``: our Payer ID -> its appeal window in days (None: the payer-type default was used
    and reported, or the payer is unknown).
    """
    findings: list[Finding] = []
    out: dict[tuple, Denial] = {}
    unmatched_seen: set[str] = set()
    paid_after = _paid_after(era)
    for claim in era.claims:
        if claim.reversal:
            continue
        denied = [a for a in era.adjustments.get(claim.place, []) if is_denial(a)]
        if not denied:
            continue
        facts = claims.get(claim.claim_id)
        if facts is None and claim.claim_id not in unmatched_seen:
            unmatched_seen.add(claim.claim_id)
            findings.append(rules.CLAIM_UNMATCHED.finding(
                f"Claim {claim.claim_id or '(blank)'} was denied on a remit but is not on the Claims sheet; it is "
                "on the worklist with what the remit says.", sheet=claim.where.sheet, row=claim.where.row,
                column="Patient Control Number", value=claim.claim_id))
        if claim.remit_date is None:
            findings.append(rules.NO_REMIT_DATE.finding(
                f"The remit for claim {claim.claim_id} has no payment or production date; its appeal deadline is "
                "blank.", sheet=claim.where.sheet, row=claim.where.row))
        lines = {ln.line_no: ln for ln in era.lines.get(claim.place, [])}
        for adj in denied:
            reason = _check_known(adj, codes, findings)
            line = lines.get(adj.line_no) if adj.line_no is not None else None
            lcn = line.control_number if line else ""
            code, dos = (facts.lines.get(lcn, ("", None)) if facts and lcn else ("", None))
            payer = facts.payer_id if facts else claim.payer_id
            days = payer_days.get(payer)
            key = (claim.claim_id, lcn, adj.carc, claim.remit_date)
            if key in out:
                out[key].amount += adj.amount
                continue
            later = paid_after.get((claim.claim_id, lcn), ()) if lcn else paid_after.get((claim.claim_id, ""), ())
            out[key] = Denial(
                claim_id=claim.claim_id, control_number=lcn, encounter_id=facts.encounter_id if facts else "",
                payer_id=payer, service_date=dos or (line.service_date if line else None) or
                (facts.service_date if facts else None) or claim.service_date,
                code=code or (line.code if line else ""), amount=adj.amount, group=adj.group, carc=adj.carc,
                rarcs=adj.rarcs, category=adj.category, next_action=adj.next_action, remit_date=claim.remit_date,
                deadline=claim.remit_date + timedelta(days=days) if claim.remit_date and days else None,
                patient_id=facts.patient_id if facts else "", payer_claim_number=claim.payer_claim_number,
                reason=reason,
                paid_later=any(claim.remit_date is not None and d is not None and d > claim.remit_date
                               for d in later))
    return Worklist(list(out.values()), findings)


def is_denial(adj: EraAdjustment) -> bool:
    """A denial to work: labelled so, under CO, OA or PI (PR money is the patient's), reducing pay."""
    return adj.denial and adj.group != "PR" and adj.amount > ZERO


def _check_known(adj: EraAdjustment, codes: AdjustmentCodes, findings: list[Finding]) -> str:
    """What the code means in plain words; a finding when no Adjustment Codes row knows it."""
    row = codes.classify(adj.group, adj.carc, [r for r in adj.rarcs.split(",") if r.strip()])
    if row.carc == ANY and not row.rarc:
        findings.append(rules.UNKNOWN_CARC.finding(
            f"CARC {adj.carc} (group {adj.group}) is not in the Adjustment Codes table; the denial is worked in "
            f"category {adj.category or 'Other'}.", sheet=adj.where.sheet, row=adj.where.row, column="CARC",
            value=adj.carc))
        return f"reason code {adj.carc}"
    return row.description[:1].lower() + row.description[1:]


def _paid_after(era: EraLedger) -> dict[tuple[str, str], list[date | None]]:
    """(Claim ID, Line Control Number) -> remit dates on which the payer paid something for it; the
    claim itself (blank line number) when any of its lines was paid."""
    out: dict[tuple[str, str], list[date | None]] = {}
    for claim in era.claims:
        if claim.reversal:
            continue
        for line in era.lines.get(claim.place, []):
            if line.paid > ZERO:
                out.setdefault((claim.claim_id, line.control_number), []).append(claim.remit_date)
        if claim.paid > ZERO:
            out.setdefault((claim.claim_id, ""), []).append(claim.remit_date)
    return out


# ----------------------------------------------------------------------------- the sheet


def worklist_rows(denials: list[Denial], previous: list[dict[str, Any]], as_of: date,
                  ) -> tuple[list[str], list[list[Any]]]:
    """The Denials sheet's columns and rows: this run's denials with the biller's columns carried over,
    rows no longer found kept as Resolved, sorted and numbered by priority."""
    fresh = [d.row(as_of) for d in denials]
    columns, rows = derived.carry_over(previous, COLUMNS, fresh, key=KEY, editable=WORK_COLUMNS,
                                       keep_gone=lambda old: _kept_row(old, as_of))
    at = {name: i for i, name in enumerate(COLUMNS)}
    paid = {tuple(derived.key_text(r[at[k]]) for k in KEY) for r in fresh if r[at["Work Status"]] == RESOLVED}
    for row in rows:
        key = tuple(derived.key_text(row[at[k]]) for k in KEY)
        if key in paid and row[at["Work Status"]] != WRITTEN_OFF:
            row[at["Work Status"]] = RESOLVED  # the payer paid it after all: whatever was being done is done
        elif not row[at["Work Status"]]:
            row[at["Work Status"]] = OPEN
    rows.sort(key=lambda r: _urgency(r, at))
    for rank, row in enumerate(rows, start=1):
        row[at["Priority"]] = rank
    return columns, rows


def _urgency(row: list[Any], at: Mapping[str, int]) -> tuple:
    status = row[at["Work Status"]]
    left = row[at["Days Left"]]
    amount = row[at["Denied Amount"]] or ZERO
    if status in (RESOLVED, WRITTEN_OFF):
        group = 5
    elif left is None:
        group = 3
    elif left < 0:
        group = 4
    else:
        group = 0 if left <= 30 else 1 if left <= 60 else 2
    return (group, -amount, left if left is not None else 10**6, str(row[at["Claim ID"]]))


def _kept_row(old: Mapping[str, Any], as_of: date) -> list[Any]:
    """A row from the last run whose denial is no longer found, typed again and marked Resolved."""
    row: list[Any] = []
    for name in COLUMNS:
        value = old.get(name)
        if name in _DATES or name == "Follow-up Date":
            value = day(value) if not isinstance(value, str) else value
        elif name == "Denied Amount":
            value = money(value)
        elif name in ("Days Left", "Priority"):
            value = None
        elif name in ("Claim ID", "Line Control Number", "CARC", "Encounter ID", "Payer ID", "Code"):
            value = text(value) or None
        row.append(value)
    at = {name: i for i, name in enumerate(COLUMNS)}
    deadline = row[at["Appeal Deadline"]]
    row[at["Days Left"]] = (deadline - as_of).days if isinstance(deadline, date) else None
    if row[at["Work Status"]] != WRITTEN_OFF:
        row[at["Work Status"]] = RESOLVED
    return row


def claim_facts(claims: list[dict[str, Any]], lines: list[dict[str, Any]]) -> dict[str, ClaimFacts]:
    """The claim ledger (``Claims`` and ``ClaimLines`` rows) by Claim ID."""
    by_claim: dict[str, dict[str, tuple[str, date | None]]] = {}
    for r in lines:
        by_claim.setdefault(text(r.get("Claim ID")), {})[text(r.get("Line Control Number"))] = (
            text(r.get("Code")), day(r.get("Date of Service")))
    return {text(r.get("Claim ID")): ClaimFacts(
        encounter_id=text(r.get("Encounter ID")), patient_id=text(r.get("Patient ID")),
        payer_id=text(r.get("Payer ID")), service_date=day(r.get("Statement From")),
        lines=by_claim.get(text(r.get("Claim ID")), {}), claim_type=text(r.get("Claim Type")) or "837P")
        for r in claims if text(r.get("Claim ID"))}
