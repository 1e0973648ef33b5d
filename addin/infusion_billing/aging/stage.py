"""The pipeline's ``aging`` stage: ``AR Aging`` (who owes what on each claim, how old) and
``Aging Summary`` (payer x bucket), as of a date and on a chosen date basis.

* **As-of date**: ``--as-of``, else the Settings As-Of Date, else the latest remit; remits dated after
  it and claims submitted after it are ignored, so a back-dated report shows AR as it stood then.
* **Basis** (printed on the summary): ``dos`` (date of service: MGMA practice, best for timely-filing
  risk), ``first-billed`` (the first claim's submission date for the encounter, the HFMA basis) or
  ``last-billed`` (the latest submission: resets on a rebill, so it can hide old money).
* **Buckets**: the ``Aging Buckets`` setting (default 30, 60, 90, 120: 0-30, 31-60, 61-90, 91-120,
  over 120).
* A **credit balance** (more paid or written off than charged) is listed apart, with a finding.
* **Unbilled encounters** (no claim submitted by the as-of date) are listed in their own section of
  the summary with their timely-filing deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..asof import as_of_date
from ..claims.build import BookIndex
from ..claims.ledger import CLAIMS, LedgerClaim
from ..denials.remits import ZERO
from ..denials.worklist import SHEET as DENIALS
from ..denials.worklist import WRITTEN_OFF
from ..derived import key_text
from ..findings import Finding
from ..posting.reconcile import apply_patient_payments, patient_payments, reconcile_book
from ..rules import aging as rules
from ..stages import RunOptions, StageResult
from ..workbook.ownership import declare_result
from ..workbook.reader import BookData
from ..workbook.writer import OutputTable
from .model import INSURANCE, PATIENT, VisitBalance, apply_payments, patient_owed, visit_balances

AGING, SUMMARY = "AR Aging", "Aging Summary"
BASES = ("dos", "first-billed", "last-billed")
COLUMNS = ("Claim ID", "Encounter ID", "Responsible Type", "Responsible Party", "Date of Service", "Basis Date", "Age",
           "Bucket", "Balance")
declare_result(AGING, COLUMNS)
CREDIT = "Credit balance"
RATE = Decimal("0.0001")


def bucket_labels(limits: tuple[int, ...]) -> list[str]:
    """(30, 60, 90, 120) -> 0-30, 31-60, 61-90, 91-120, Over 120."""
    labels, low = [], 0
    for high in limits:
        labels.append(f"{low}-{high}")
        low = high + 1
    return [*labels, f"Over {limits[-1]}"]


def bucket_of(age: int, limits: tuple[int, ...]) -> str:
    labels = bucket_labels(limits)
    for label, high in zip(labels, limits, strict=False):
        if age <= high:
            return label
    return labels[-1]


@dataclass
class Posted:
    """The book's visits as of a date, from reconciliation's posting, with patient payments applied."""

    as_of: date
    visits: dict[str, VisitBalance]
    claims: list[LedgerClaim]
    findings: list[Finding]


def posted_visits(book: BookData, as_of: date) -> Posted:
    """Reconcile the book as of ``as_of`` and split every visit's balance (AR aging, statements)."""
    recon = reconcile_book(book, as_of)
    index = BookIndex(book)
    written = _written_off(book)

    def is_written_off(claim_id: str, lcn: str, carc: str, day: date | None) -> bool:
        return (key_text(claim_id), key_text(lcn), key_text(carc), key_text(day)) in written

    def secondary_of(claim: LedgerClaim) -> str | None:
        return _secondary(index, claim.patient_id, claim.payer_id, claim.statement_from or as_of)

    visits = visit_balances(recon.states, recon.claims, secondary_of, is_written_off)
    payments = apply_patient_payments(patient_payments(book), patient_owed(visits), recon.claims, as_of)
    apply_payments(visits, payments.applied)
    return Posted(as_of, visits, recon.claims, payments.findings)


def aging_as_of(book: BookData, options: RunOptions) -> date:
    """``--as-of``, else the Settings As-Of Date, else the latest remit: never an implicit today."""
    return as_of_date(book, options)


def run(book: BookData, options: RunOptions) -> StageResult:
    as_of = aging_as_of(book, options)
    basis = options.basis if options.basis in BASES else "dos"
    limits = book.settings.aging_buckets
    posted = posted_visits(book, as_of)
    billed: dict[str, list[date]] = {}
    for c in posted.claims:
        if c.submitted_date is not None:
            billed.setdefault(c.encounter_id, []).append(c.submitted_date)
    rows: list[list[Any]] = []
    findings: list[Finding] = list(posted.findings)
    for visit in posted.visits.values():
        claim = visit.claim
        dos = claim.statement_from or as_of
        dates = billed.get(claim.encounter_id) or [dos]
        basis_date = {"dos": dos, "first-billed": min(dates), "last-billed": max(dates)}[basis]
        age = (as_of - basis_date).days
        for (kind, party), amount in sorted(visit.owed.items()):
            if amount == ZERO:
                continue
            claim_id = visit.claim_for(kind, party)
            if amount < ZERO:
                findings.append(rules.CREDIT_BALANCE.finding(
                    f"Claim {claim_id} has a credit balance of {-amount} with {kind.lower()} {party}: more "
                    "was paid or adjusted than is owed; refund or re-post it.", sheet=CLAIMS, value=claim_id,
                    column="Claim ID"))
            rows.append([claim_id, claim.encounter_id, kind, party, dos, basis_date, age,
                         CREDIT if amount < ZERO else bucket_of(age, limits), amount])
    rows.sort(key=lambda r: (r[7] == CREDIT, r[2], r[3], -r[6], r[0]))
    unbilled = _unbilled(book, BookIndex(book), {c.encounter_id for c in posted.claims}, as_of)
    summary_rows = _summary(rows, limits, basis, as_of, unbilled)
    insurance = sum((r[8] for r in rows if r[2] == INSURANCE and r[7] != CREDIT), ZERO)
    patient = sum((r[8] for r in rows if r[2] == PATIENT and r[7] != CREDIT), ZERO)
    summary: dict[str, Any] = {"as of": as_of.isoformat(), "basis": basis, "insurance AR": insurance,
                               "patient AR": patient, "unbilled encounters": len(unbilled)}
    for kind in (INSURANCE, PATIENT):
        for label in bucket_labels(limits):
            summary[f"{kind.lower()} AR {label}"] = sum((r[8] for r in rows if r[2] == kind and r[7] == label), ZERO)
    tables = [
        OutputTable(AGING, list(COLUMNS), rows, number_formats={"Age": "0"},
                    description="Who owes what on each claim, how old, as of the date on Aging Summary."),
        OutputTable(SUMMARY, summary_columns(limits), summary_rows,
                    number_formats={"Over 90 %": "0.0%", "Over 120 %": "0.0%", "Days Left": "0"},
                    widths={"Section": 30}, description="AR by payer and age bucket; unbilled encounters."),
    ]
    return StageResult(tables=tables, findings=findings, summary=summary)


def summary_columns(limits: tuple[int, ...]) -> list[str]:
    return ["Section", "Responsible Type", "Payer ID", *bucket_labels(limits), "Total", "Over 90 %", "Over 120 %",
            "Encounter ID", "Date of Service", "Filing Deadline", "Days Left"]


def _summary(rows: list[list[Any]], limits: tuple[int, ...], basis: str, as_of: date,
             unbilled: list[tuple[str, str, date, date | None]]) -> list[list[Any]]:
    labels = bucket_labels(limits)
    width = len(summary_columns(limits))
    out: list[list[Any]] = []

    def line(section: str, kind: str | None, party: str | None, amounts: dict[str, Decimal]) -> None:
        total = sum(amounts.values(), ZERO)
        over90 = sum((a for label, a in amounts.items() if _low(label) > 90), ZERO)
        over120 = sum((a for label, a in amounts.items() if _low(label) > 120), ZERO)
        out.append([section, kind, party, *(amounts.get(label, ZERO) for label in labels), total,
                    _share(over90, total), _share(over120, total), None, None, None, None])

    groups: dict[tuple[str, str], dict[str, Decimal]] = {}
    for r in rows:
        if r[7] == CREDIT:
            continue
        party = r[3] if r[2] == INSURANCE else "All patients"
        amounts = groups.setdefault((r[2], party), {})
        amounts[r[7]] = amounts.get(r[7], ZERO) + r[8]
    for (kind, party), amounts in sorted(groups.items()):
        line("By responsible party", kind, party, amounts)
    for kind in (INSURANCE, PATIENT):
        total: dict[str, Decimal] = {}
        for (k, _), amounts in groups.items():
            if k == kind:
                for label, a in amounts.items():
                    total[label] = total.get(label, ZERO) + a
        line(f"{kind} AR", kind, None, total)
    everything: dict[str, Decimal] = {}
    for amounts in groups.values():
        for label, a in amounts.items():
            everything[label] = everything.get(label, ZERO) + a
    line("Total AR", None, None, everything)
    grand = sum(everything.values(), ZERO)
    out.append(["Percent of total AR", None, None, *(_share(everything.get(label, ZERO), grand) for label in labels),
                _share(grand, grand), None, None, None, None, None, None])
    credits = sum((r[8] for r in rows if r[7] == CREDIT), ZERO)
    out.append(["Credit balances (listed apart)", None, None, *([None] * len(labels)), credits, None, None, None,
                None, None, None])
    out.append([f"Basis: {basis}; as of {as_of.isoformat()}", *([None] * (width - 1))])
    for encounter, payer, dos, deadline in unbilled:
        out.append(["Unbilled encounters", INSURANCE, payer, *([None] * len(labels)), None, None, None, encounter, dos,
                    deadline, (deadline - as_of).days if deadline else None])
    return out


def _low(label: str) -> int:
    return int(label.split()[-1]) + 1 if label.startswith("Over") else int(label.split("-")[0])


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part / whole).quantize(RATE, ROUND_HALF_UP) if whole else None


def _secondary(index: BookIndex, patient_id: str, primary: str, dos: date) -> str | None:
    """The payer of the patient's secondary coverage in force on the date of service, if any."""
    for (patient, payer), rows in index.coverage.items():
        if patient != patient_id or payer == primary:
            continue
        for row in rows:
            if row.priority.value == "Secondary" and row.effective_from <= dos and (
                    row.effective_to is None or dos <= row.effective_to):
                return payer
    return None


def _written_off(book: BookData) -> set[tuple[str, ...]]:
    """Keys of the Denials rows the biller set to Written off."""
    return {tuple(key_text(r.get(k)) for k in ("Claim ID", "Line Control Number", "CARC", "Remit Date"))
            for r in book.extra_rows(DENIALS) if key_text(r.get("Work Status")) == WRITTEN_OFF}


def _unbilled(book: BookData, index: BookIndex, billed: set[str], as_of: date
              ) -> list[tuple[str, str, date, date | None]]:
    """Encounters on or before the as-of date without a claim submitted by then, with their deadline."""
    out = []
    for enc in book.rows("Encounters"):
        if enc.encounter_id in billed or enc.date_of_service > as_of:
            continue
        payer = index.payers.get(enc.payer_id)
        days = payer.timely_filing_days if payer else None
        out.append((enc.encounter_id, enc.payer_id, enc.date_of_service,
                    enc.date_of_service + timedelta(days=days) if days else None))
    return sorted(out, key=lambda u: (u[3] or date.max, u[0]))
