"""The ``Statements`` ledger: one row per statement sent, never rewritten.

Each run of ``statements`` adds a row for every statement it wrote (Statement ID, Patient ID,
Statement Date, Balance, Notice, File Name) and writes the earlier rows back exactly as they were.
The next cycle reads it to know when a patient was last billed (no second statement inside the
cycle), what the last statement asked for (the previous balance) and how many notices a balance has
had (the dunning step). A row names the patient only by Patient ID.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from .. import values as v
from ..derived import key_text
from ..workbook.ownership import declare_result
from ..workbook.writer import OutputTable

SHEET = "Statements"
COLUMNS = ("Statement ID", "Patient ID", "Statement Date", "Balance", "Notice Level", "File Name")
declare_result(SHEET, COLUMNS)  # a clinic's own "Statements" sheet is never read as the ledger
#: What each column holds, for the README's schema section.
LEDGER_DOC: tuple[tuple[str, str], ...] = (
    ("Statement ID", "ST-, the statement date and the Patient ID (ST-20261231-P0001)"),
    ("Patient ID", "the patient billed (never the name)"),
    ("Statement Date", "the as-of date of the run that sent it"),
    ("Balance", "the amount due it asked for: the patient's share after insurance less their payments"),
    ("Notice Level", "the dunning notice it carried (Statement Notices: First notice, Reminder, Final notice)"),
    ("File Name", "the PDF written into the --out-dir folder"),
)


@dataclass(frozen=True, slots=True)
class SentStatement:
    statement_id: str
    patient_id: str
    statement_date: date
    balance: Decimal
    notice: str
    file_name: str

    def row(self) -> list[Any]:
        return [self.statement_id, self.patient_id, self.statement_date, self.balance, self.notice, self.file_name]


def read_ledger(records: Iterable[dict[str, Any]]) -> list[SentStatement]:
    """The rows as Excel hands them back (dates as datetimes, money as floats); unreadable rows skipped."""
    out = []
    for r in records:
        try:
            day = v.to_date(r.get("Statement Date"))
            balance = v.to_money(r.get("Balance"))
        except ValueError:
            continue
        out.append(SentStatement(key_text(r.get("Statement ID")), key_text(r.get("Patient ID")), day, balance,
                                 key_text(r.get("Notice Level")), key_text(r.get("File Name"))))
    return out


def earlier_rows(records: Iterable[dict[str, Any]]) -> list[list[Any]]:
    """The earlier rows to write back: typed as they were written (so the cells come out the same), a row
    this module cannot read kept as it stands."""
    out = []
    for r in records:
        read = read_ledger([r])
        out.append(read[0].row() if read else [r.get(c) for c in COLUMNS])
    return out


def ledger_table(earlier: list[list[Any]], new: Iterable[SentStatement]) -> OutputTable:
    return OutputTable(SHEET, list(COLUMNS), [*earlier, *(s.row() for s in new)],
                       number_formats={"Statement Date": "yyyy-mm-dd"}, widths={"File Name": 34},
                       description="Every patient statement sent: when, how much, which notice. Rows are never "
                                   "rewritten.")
