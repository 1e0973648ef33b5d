"""The as-of date of the back half (posting, denials, aging, statements, KPIs) and which remits count by it.

**A remit's date** is the day the payer's decision reached the practice: the 835's payment date
(BPR16, the check or EFT effective date) or, when BPR16 is blank (a remit-only 835), its production
date (DTM*405). Appeal windows and days to payment run from it.

**The rule**: a posting counts as of a date when its remit is dated on or before that date. A remit
dated after it was not known yet on that day: reconciliation, aging, statements and the KPIs leave it
out, so a report as of a date shows the book as it stood then and the AR on ``AR Aging`` is the money
billed less what was paid and adjusted by the same date the KPIs count payments to. A remit with no
date at all (neither BPR16 nor DTM*405) cannot be placed before any date and is counted.

**The as-of date** is never an implicit today:

* a single command (``reconcile``, ``denials``, ``aging``, ``statements``, ``kpis``, ``export-store``) and
  its button: ``--as-of``, else the Settings As-Of Date, else the latest remit in the book;
* a month close (``close --month``, the ``Close month`` button, ``make demo``): ``--as-of``, else the
  latest of the Settings As-Of Date, the last day of the month closed and the latest remit in the
  book. A close reports the month once its payers have answered: it never stops before the month's
  end, nor before the remits already imported (the Settings date is often the day the claims went
  out, before anything was paid). Give ``--as-of`` to close as of an earlier day; the remits dated
  after it wait for the next close.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from . import values as v
from .stages import RunOptions
from .workbook.reader import BookData

#: The as-of date of a book with no date at all (no option, no setting, no remit): nothing is late.
NO_DATE = date(1970, 1, 1)


def _day(value: Any) -> date | None:
    if v.is_blank(value):
        return None
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    return value if isinstance(value, date) else v.to_date(value)


def remit_date(payment: Mapping[str, Any]) -> date | None:
    """An ``EraPayments`` row's date: its Payment Date (BPR16), else its Production Date (DTM*405)."""
    return _day(payment.get("Payment Date")) or _day(payment.get("Production Date"))


def counts_by(remit_day: date | None, as_of: date | None) -> bool:
    """Does a remit dated ``remit_day`` count as of ``as_of``? (None as-of: every remit counts.)"""
    return as_of is None or remit_day is None or remit_day <= as_of


def latest_remit(payments: Iterable[Mapping[str, Any]]) -> date | None:
    """The latest date of the ``EraPayments`` rows, None when nothing is dated."""
    return max((d for d in map(remit_date, payments) if d is not None), default=None)


def month_end(month: str) -> date:
    """2026-10 -> 2026-10-31."""
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, calendar.monthrange(year, number)[1])


def as_of_date(book: BookData, options: RunOptions) -> date:
    """The date the back half counts to (the rules in the module doc)."""
    if options.as_of is not None:
        return options.as_of
    latest = latest_remit(book.extra_rows("EraPayments"))
    if options.month_close:
        dates = [book.settings.as_of_date, month_end(options.month) if options.month else None, latest]
        return max((d for d in dates if d is not None), default=NO_DATE)
    return book.settings.as_of_date or latest or NO_DATE
