"""Dunning notices: which message a statement carries, by how many were sent and how old the balance is.

A practice escalates in steps (docs/statements.md section 3 [S120]): the first statement explains
the balance, the next ones remind, the last one is a final notice before the account goes to
collection. Each step is a row (Notice, Earlier Statements, Days Since Billed, Message): a statement
uses the **last** notice whose two thresholds it has reached, so a final notice never goes out as a
patient's first statement, however old the balance. The shipped texts
(``reference/statement_notices.csv``) are used unless the workbook's ``Statement Notices`` table
gives its own rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ..findings import Finding
from ..reference.tables import filled, read_versioned_csv
from ..rules import stmt as rules
from ..schema import StatementNoticeRow
from ..workbook.reader import BookData

TABLE = "Statement Notices"


@dataclass(frozen=True, slots=True)
class Notice:
    """One step of the dunning cycle."""

    name: str
    earlier_statements: int
    days_since_billed: int
    message: str


@cache
def shipped_notices() -> tuple[Notice, ...]:
    _, rows = read_versioned_csv("infusion_billing.reference", "statement_notices.csv")
    return tuple(Notice(filled(r, "Notice"), int(filled(r, "Earlier Statements")), int(filled(r, "Days Since Billed")),
                        filled(r, "Message")) for r in rows)


def book_notices(book: BookData) -> tuple[list[Notice], list[Finding]]:
    """The workbook's notices (rows it could not read are the reader's findings), else the shipped ones."""
    table = book.tables.get(TABLE)
    rows: list[StatementNoticeRow] = book.rows(TABLE) if table is not None and table.present else []
    findings: list[Finding] = []
    notices = []
    for r in rows:
        if r.earlier_statements < 0 or r.days_since_billed < 0:
            findings.append(rules.NOTICES_TABLE.finding(
                f"Notice {r.notice!r} has a negative threshold; the row is not used.", sheet=table.sheet if table else
                TABLE, row=r.excel_row, column="Earlier Statements"))
            continue
        notices.append(Notice(r.notice, r.earlier_statements, r.days_since_billed, r.message))
    if not notices:
        return list(shipped_notices()), findings
    return sorted(notices, key=lambda n: (n.earlier_statements, n.days_since_billed)), findings


def notice_for(notices: list[Notice], earlier: int, days: int) -> Notice:
    """The last notice whose Earlier Statements and Days Since Billed are both reached (else the first).

    >>> n = list(shipped_notices())
    >>> [notice_for(n, e, d).name for e, d in ((0, 200), (1, 45), (1, 10), (5, 61))]
    ['First notice', 'Reminder', 'First notice', 'Final notice']
    """
    chosen = notices[0]
    for notice in notices:
        if earlier >= notice.earlier_statements and days >= notice.days_since_billed:
            chosen = notice
    return chosen
