"""The pipeline's ``statements`` stage: a PDF per patient who owes after insurance, and the Statements ledger.

``infusion-billing statements BOOK --out-dir DIR [--as-of DATE]`` posts the book as of the date (the
same posting as the Reconciliation sheet and AR aging), decides who is billed this cycle
(:mod:`.build`), writes each statement into ``DIR`` (``ST-<date>-<Patient ID>.pdf``) and appends one
row per statement to the ``Statements`` ledger. The as-of date is ``--as-of``, else the Settings
As-Of Date, else the latest remit: never an implicit today.

Statements are addressed to patients: that is their purpose, so the PDFs hold names and addresses,
and they go only into the folder the user named. Nothing else the stage says (findings, summary,
the ledger) names a patient other than by Patient ID. Without a folder nothing is sent or logged.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from ..aging.stage import aging_as_of, posted_visits
from ..findings import Finding
from ..posting.contract import ZERO
from ..rules import stmt as rules
from ..schema import Patient, PatientPaymentRow, PracticeRow
from ..stages import RunOptions, StageResult
from ..workbook.reader import BookData
from .build import Cycle, Statement, plan_cycle
from .document import draw
from .ledger import SHEET, earlier_rows, ledger_table, read_ledger
from .notices import book_notices


def run(book: BookData, options: RunOptions) -> StageResult:
    if options.statement_dir is None:
        return StageResult(findings=[rules.NO_FOLDER.finding(
            "No folder was given for the statements; none was written or logged.")],
            summary={"statements written": 0})
    as_of = aging_as_of(book, options)
    posted = posted_visits(book, as_of)
    notices, findings = book_notices(book)
    findings = [*posted.findings, *findings]
    previous = book.extra_rows(SHEET)
    ledger = read_ledger(previous)
    payments: list[PatientPaymentRow] = _rows(book, "PatientPayments")
    cycle = plan_cycle(posted.visits.values(), ledger, payments, notices, book.settings, as_of)
    patients: dict[str, Patient] = {p.patient_id: p for p in _rows(book, "Patients")}
    practice = _practice(book)
    if cycle.statements and practice is None:
        findings.append(rules.NO_PRACTICE.finding(
            "The Practice table has no row: the statements carry no return address or phone number.",
            sheet="Practice"))
    sent: list[Statement] = []
    for statement in cycle.statements:
        patient = patients.get(statement.patient_id)
        if patient is None:
            findings.append(rules.PATIENT_UNKNOWN.finding(
                f"Patient {statement.patient_id} owes {statement.balance:,.2f} after insurance but has no row on "
                "the Patients sheet; no statement was written.", sheet="Claims", column="Patient ID",
                value=statement.patient_id))
            continue
        if not (patient.address_line_1 and patient.city and patient.zip_code):
            findings.append(_at_patient(book, patient, rules.NO_ADDRESS.finding(
                f"Patient {patient.patient_id} has no complete mailing address; statement {statement.statement_id} "
                "was written without one.", column="Address Line 1")))
        draw(statement, patient, practice, book.settings.practice_name).save(
            options.statement_dir / statement.file_name)
        sent.append(statement)
    findings += _credits(book, cycle, patients) + _not_due(cycle, book)
    summary: dict[str, Any] = {
        "as of": as_of.isoformat(), "statements written": len(sent),
        "amount billed to patients": f"{sum((s.balance for s in sent), ZERO):,.2f}",
        "within the cycle": len(cycle.within_cycle), "below the minimum": len(cycle.below_minimum),
        "credit balances": len(cycle.credits),
    }
    for s in sent:
        summary[f"notices: {s.notice.name}"] = summary.get(f"notices: {s.notice.name}", 0) + 1
    table = ledger_table(earlier_rows(previous), [s.sent() for s in sent])
    return StageResult(tables=[table], findings=findings, summary=summary)


def _rows(book: BookData, name: str) -> list:
    table = book.tables.get(name)
    return book.rows(name) if table is not None and table.present else []


def _practice(book: BookData) -> PracticeRow | None:
    """The practice-wide row (blank Payer ID and Setting), else the first."""
    rows: list[PracticeRow] = _rows(book, "Practice")
    return next((r for r in rows if r.payer_id is None and r.setting is None), rows[0] if rows else None)


def _at_patient(book: BookData, patient: Patient, finding: Finding) -> Finding:
    """The finding pointed at the patient's row (its cell in ``finding.column``)."""
    table = book.tables["Patients"]
    return replace(finding, sheet=table.sheet, row=patient.excel_row, cell=table.cell(patient.excel_row,
                                                                                       finding.column))


def _credits(book: BookData, cycle: Cycle, patients: dict[str, Patient]) -> list[Finding]:
    out = []
    for patient_id, amount in cycle.credits.items():
        finding = rules.CREDIT_BALANCE.finding(
            f"Patient {patient_id} has paid {-amount:,.2f} more than their share after insurance: a credit balance; "
            "no statement was sent.", column="Patient ID", value=patient_id, sheet="PatientPayments")
        patient = patients.get(patient_id)
        out.append(_at_patient(book, patient, finding) if patient is not None else finding)
    return out


def _not_due(cycle: Cycle, book: BookData) -> list[Finding]:
    if not (cycle.within_cycle or cycle.below_minimum):
        return []
    settings = book.settings
    return [rules.NOT_DUE.finding(
        f"{len(cycle.within_cycle)} patient(s) got a statement within the last {settings.statement_cycle_days} days "
        f"and {len(cycle.below_minimum)} owe less than {Decimal(settings.statement_minimum):,.2f}: no statement "
        "this time.", sheet=SHEET)]

