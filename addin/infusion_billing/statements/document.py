"""A patient statement drawn as a one-page (or longer) PDF, through the shared :mod:`infusion_billing.pdf`.

Top: the practice (name, address, who to call) and the statement's facts (date, account, amount due,
pay by). Then the patient's mailing address, the notice and its message, the account summary
(previous balance, payments since, new activity, amount due), every visit still owed on (charges,
insurance paid, adjustments, insurance still pending, the patient's share, what they paid, what they
owe) and the amount due by age. The patient's name and address appear only here: the PDF's title
and metadata carry the Statement ID.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..pdf import Document, money
from ..schema import Patient, PracticeRow
from .build import Statement

VISIT_COLUMNS = ("Date", "Visit", "Services", "Charges", "Insurance Paid", "Adjustments", "Insurance Pending",
                 "Your Share", "You Paid", "You Owe")
AMOUNTS = VISIT_COLUMNS[3:]


def us_date(day: date) -> str:
    """A date as US statements print it: 12/1/2026."""
    return f"{day.month}/{day.day}/{day.year}"


def practice_lines(practice: PracticeRow | None, name: str) -> list[str]:
    if practice is None:
        return [name] if name else []
    lines = [practice.name, practice.address_line_1]
    if practice.address_line_2:
        lines.append(practice.address_line_2)
    zip_code = practice.zip_code if len(practice.zip_code) != 9 else f"{practice.zip_code[:5]}-{practice.zip_code[5:]}"
    lines += [f"{practice.city}, {practice.state} {zip_code}", f"Phone: {practice.contact_phone}"]
    return lines


def patient_lines(patient: Patient) -> list[str]:
    lines = [f"{patient.first_name} {patient.last_name}"]
    if patient.address_line_1:
        lines.append(patient.address_line_1)
    if patient.address_line_2:
        lines.append(patient.address_line_2)
    place = " ".join(p for p in (f"{patient.city}," if patient.city else "", patient.state or "",
                                 patient.zip_code or "") if p)
    if place:
        lines.append(place)
    return lines


def draw(statement: Statement, patient: Patient, practice: PracticeRow | None, practice_name: str) -> Document:
    """The statement as a :class:`~infusion_billing.pdf.Document`, ready to save."""
    s = statement
    doc = Document(f"Patient statement {s.statement_id}", dated=s.statement_date, subject="Patient statement",
                   author=practice.name if practice else practice_name)
    left = doc.lines(practice_lines(practice, practice_name), bold_first=True)
    right = doc.key_values([
        ("STATEMENT", ""), ("Statement date", us_date(s.statement_date)), ("Account", s.patient_id),
        ("Statement ID", s.statement_id), ("Pay by", us_date(s.pay_by)), ("Amount due", money(s.balance))],
        x=doc.width - 70, key_width=32, value_width=53)
    doc.move_to(max(left, right))
    doc.space(6)
    doc.move_to(doc.lines(patient_lines(patient), bold_first=True))
    doc.space(6)
    doc.rule()
    doc.paragraph(s.notice.name, bold=True, size=12)
    doc.paragraph(s.notice.message)
    doc.space(3)
    summary: list[tuple[str, Decimal]] = []
    if s.previous is not None:
        summary += [(f"Previous balance (statement of {us_date(s.previous.statement_date)})", s.previous_balance),
                    ("Payments received since then", -s.payments_since),
                    ("New charges and adjustments after insurance", s.new_activity)]
    summary.append(("Amount due", s.balance))
    doc.table(["Account summary", "Amount"], [[label, amount] for label, amount in summary], widths=(4, 1),
              right=("Amount",), bold_last=True)
    total = [sum((getattr(v, f) for v in s.visits), Decimal("0.00")) for f in (
        "charge", "insurance_paid", "adjustments", "insurance_pending", "your_share", "you_paid")]
    rows = [[us_date(v.date_of_service), v.encounter_id, v.services, v.charge, v.insurance_paid, v.adjustments,
             v.insurance_pending, v.your_share, v.you_paid, v.balance] for v in s.visits]
    rows.append(["Total", "", "", *total, s.balance])
    doc.paragraph("Your visits", bold=True)
    doc.table(VISIT_COLUMNS, rows, widths=(1.6, 1.5, 2.3, 1.6, 1.6, 2.1, 1.6, 1.5, 1.4, 1.5), right=AMOUNTS,
              bold_last=True, size=8)
    doc.paragraph("Amount due by age (days since your insurance finished with each visit)", bold=True)
    doc.table([label if not label[0].isdigit() else f"{label} days" for label, _ in s.aging] + ["Total"],
              [[amount for _, amount in s.aging] + [s.balance]],
              right=tuple(label if not label[0].isdigit() else f"{label} days" for label, _ in s.aging) + ("Total",))
    doc.space(2)
    contact = f"call {practice.contact_name} at {practice.contact_phone}" if practice else "call our billing office"
    doc.paragraph(f"Questions about this bill? Please {contact}. Write your account number ({s.patient_id}) on "
                  "your check, or mention it when you pay by phone. Insurance Pending is still being worked with "
                  "your insurance and is not due from you now.", size=9)
    return doc
