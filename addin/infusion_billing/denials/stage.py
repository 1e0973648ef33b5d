"""The pipeline's ``denials`` stage: the ``Denials`` worklist and ``Denials Summary``, rebuilt each run.

Reads the ERA ledger (what ``import-era`` stored), the claim ledger (``Claims``, ``ClaimLines``), the
Payers table (Appeal Days) and Coverage; writes the two derived sheets. The biller's columns of the
previous ``Denials`` sheet are carried over (:mod:`.worklist`). The as-of date (Days Left) is
the back half's as-of date (:mod:`infusion_billing.asof`): never an implicit today. The worklist is a
to-do list: every denial imported is on it, even one whose remit is dated after the as-of date
(hiding it could let its appeal window close unseen); its Days Left count to the as-of date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ..asof import as_of_date
from ..claims.build import BookIndex
from ..claims.ledger import CLAIM_LINES, CLAIMS
from ..findings import Finding
from ..remits.categories import BOOK_TABLE, adjustment_codes_from_grid
from ..rules import denial as rules
from ..schema import Payer
from ..stages import RunOptions, StageResult
from ..workbook.reader import BookData
from ..workbook.writer import OutputTable
from .remits import EraLedger, read_era_ledger
from .summary import initial_denial_rate, summary_table
from .tables import appeal_days_by_payer_type
from .worklist import SHEET, ClaimFacts, Denial, claim_facts, find_denials, is_denial, worklist_rows


@dataclass
class CurrentWorklist:
    """The worklist as this run sees it: the denials found, the sheet's rows with the biller's columns,
    the ERA ledger they came from, and what was found on the way."""

    denials: list[Denial]
    columns: list[str]
    rows: list[list[Any]]
    era: EraLedger
    claims: dict[str, ClaimFacts]
    findings: list[Finding]
    as_of: date

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def current_worklist(book: BookData, options: RunOptions) -> CurrentWorklist:
    """Build the worklist from the ledgers and carry the previous Denials sheet's words over.

    The ``denials`` stage writes it; ``appeals`` reads it to know which denials are still worked.
    """
    era = read_era_ledger(book)
    claims = claim_facts(book.extra_rows(CLAIMS), book.extra_rows(CLAIM_LINES))
    codes, findings = adjustment_codes_from_grid(book.extra_grid(BOOK_TABLE))
    payer_days, day_findings = _appeal_days(book)
    worklist = find_denials(era, claims, payer_days, codes)
    findings += day_findings + worklist.findings + _coverage_gaps(book, era, claims)
    as_of = as_of_date(book, options)
    columns, rows = worklist_rows(worklist.denials, book.extra_rows(SHEET), as_of)
    return CurrentWorklist(worklist.denials, columns, rows, era, claims, findings, as_of)


def run(book: BookData, options: RunOptions) -> StageResult:
    current = current_worklist(book, options)
    denials, as_of = current.denials, current.as_of
    sheet = OutputTable(SHEET, current.columns, current.rows,
                        number_formats={"Days Left": "0", "Priority": "0", "Follow-up Date": "yyyy-mm-dd"},
                        widths={"Next Action": 50, "Notes": 40, "Category": 22},
                        description="Denials to work: what, why, next action, appeal deadline; your columns are kept.")
    rate = initial_denial_rate(current.era, is_denial)
    open_rows = [d for d in denials if not d.paid_later]
    summary = {
        "denials": len(denials),
        "denied dollars": sum((d.amount for d in denials), start=Decimal("0.00")),
        "open denials past their appeal deadline": sum(1 for d in open_rows if (d.days_left(as_of) or 0) < 0),
        "as of": as_of.isoformat(),
        **{f"denied dollars: {cat}": total for cat, total in _by_category(denials).items()},
    }
    return StageResult(tables=[sheet, summary_table(denials, rate, as_of)], findings=current.findings,
                       summary=summary)


def _by_category(denials: list[Denial]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for d in sorted(denials, key=lambda d: d.category):
        out[d.category] = out.get(d.category, Decimal("0.00")) + d.amount
    return out


def _appeal_days(book: BookData) -> tuple[dict[str, int | None], list[Finding]]:
    """Our Payer ID -> appeal days: the Payers table's Appeal Days, else its payer type's default."""
    defaults = appeal_days_by_payer_type()
    table = book.tables.get("Payers")
    out: dict[str, int | None] = {}
    findings: list[Finding] = []
    if table is None:
        return out, findings
    payers: list[Payer] = book.rows("Payers")
    for payer in payers:
        days = payer.appeal_days
        if days is None:
            days = defaults.get(payer.payer_type.value)
            findings.append(rules.APPEAL_DAYS_DEFAULT.finding(
                f"Payer {payer.payer_id} has no Appeal Days; {days} days ({payer.payer_type.value} default) were "
                "used for its appeal deadlines.", sheet=table.sheet, row=payer.excel_row, column="Appeal Days",
                cell=table.cell(payer.excel_row, "Appeal Days")))
        out[payer.payer_id] = days
    return out, findings


def _coverage_gaps(book: BookData, era: EraLedger, claims: dict[str, ClaimFacts]) -> list[Finding]:
    """A remitted claim whose patient has no coverage row for the claim's payer on the date of service."""
    table = book.tables.get("Coverage")
    if table is None or not table.present:
        return []
    index = BookIndex(book)
    findings: list[Finding] = []
    seen: set[str] = set()
    for claim in era.claims:
        facts = claims.get(claim.claim_id)
        if facts is None or claim.claim_id in seen or not facts.patient_id:
            continue
        dos = facts.service_date or claim.service_date
        if dos is None or index.coverage_for(facts.patient_id, facts.payer_id, dos) is not None:
            continue
        seen.add(claim.claim_id)
        findings.append(rules.NO_COVERAGE.finding(
            f"Claim {claim.claim_id} was remitted by payer {facts.payer_id}, but patient {facts.patient_id} has no "
            f"coverage row for that payer on {dos}.", sheet=claim.where.sheet, row=claim.where.row,
            column="Patient Control Number", value=claim.claim_id))
    return findings
