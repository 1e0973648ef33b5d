"""Cell values as billers type them, turned into typed Python values.

Excel hands us whatever the user typed or pasted: a date as a date, a number, or text; a time as a
fraction of a day, a datetime or ``"11:20"``; a code such as 96413 as the number 96413.0. These
coercers accept every reasonable form and reject the rest with a pydantic custom error whose type the
reader turns into a located Finding (``reader.wrong-type``, ``reader.unknown-value``, ...).

Allowed values match case-insensitively, ignoring spaces, hyphens, underscores and slashes, so
``iv_push`` is ``IV push`` and ``single dose`` is ``Single-dose``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from pydantic_core import PydanticCustomError

CENT = Decimal("0.01")
#: Excel's day zero for serial dates (1900 system, with its leap-year quirk absorbed after 1900-03-01).
EXCEL_EPOCH = datetime(1899, 12, 30)


def cell_error(kind: str, message: str) -> PydanticCustomError:
    """Build the error pydantic carries back to the reader (kind: wrong_type, unknown_value, ...)."""
    return PydanticCustomError(kind, message)


def norm_key(text: object) -> str:
    """The comparison key for allowed values: lower case, no spaces, hyphens, underscores or slashes.

    >>> norm_key("IV_Push") == norm_key("iv push")
    True
    """
    return re.sub(r"[\s\-_/.]+", "", str(text)).lower()


class Choice(StrEnum):
    """Base class for a column's allowed values, matched leniently (see :func:`norm_key`).

    Words billers commonly use instead of a value are registered with :func:`add_synonyms`. A member
    reads as its value (``str(Route.IV_PUSH) == "IV push"``): Excel shows the value, not the name.
    """

    @classmethod
    def _missing_(cls, value):
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # Excel hands a typed 59 back as 59.0
        key = norm_key(value)
        for member in cls:
            if norm_key(member.value) == key or norm_key(member.name) == key:
                return member
        target = _SYNONYMS.get(cls, {}).get(key)
        return cls(target) if target else None

    @classmethod
    def values(cls) -> list[str]:
        return [m.value for m in cls]



_SYNONYMS: dict[type, dict[str, str]] = {}


def add_synonyms(choice: type[Choice], synonyms: dict[str, str]) -> None:
    """Accept other spellings for a choice's values, e.g. ``{"push": "IV push"}``."""
    _SYNONYMS.setdefault(choice, {}).update({norm_key(k): v for k, v in synonyms.items()})


def is_blank(value: object) -> bool:
    """Empty cell, empty string, or only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def to_text(value: object) -> str:
    """Identifiers and codes as text: 96413.0 -> "96413", " J1745 " -> "J1745"."""
    if value.__class__ is str:  # the common case first: this runs for every ID of a 100,000-row read
        return value.strip()
    if isinstance(value, bool):
        raise cell_error("wrong_type", "expected text, found TRUE/FALSE")
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, (datetime, date, time)):
        raise cell_error("wrong_type", "expected text or a code, found a date or time")
    return str(value).strip()


def to_code(value: object) -> str:
    """A billing code in upper case without spaces (``j1745`` -> ``J1745``)."""
    return to_text(value).upper().replace(" ", "")


_NUMBER_TEXT = re.compile(r"^[-+]?\$?\s*[\d,]*\.?\d+\s*%?$")


def to_decimal(value: object) -> Decimal:
    """A number as Decimal, from a number or text such as ``"$1,234.50"``; floats via their shortest repr."""
    if isinstance(value, bool):
        raise cell_error("wrong_type", "expected a number, found TRUE/FALSE")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise cell_error("wrong_type", "expected a number")
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip()
        if _NUMBER_TEXT.match(text):
            try:
                return Decimal(text.replace("$", "").replace(",", "").replace("%", "").replace(" ", ""))
            except InvalidOperation:
                pass
    raise cell_error("wrong_type", "expected a number")


def to_money(value: object) -> Decimal:
    """Money to the cent (half-up), never float."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_int(value: object) -> int:
    """A whole number (minutes, units, days); 30.0 is 30, 30.5 is an error."""
    d = to_decimal(value)
    if d != d.to_integral_value():
        raise cell_error("wrong_type", "expected a whole number")
    return int(d)


_YES = {"y", "yes", "true", "1", "x"}
_NO = {"n", "no", "false", "0"}


def to_yes_no(value: object) -> bool:
    """Y/N columns: Y, Yes, TRUE, 1 and x are yes; N, No, FALSE and 0 are no."""
    if isinstance(value, bool):
        return value
    key = norm_key(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        key = "1" if value == 1 else "0" if value == 0 else key
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise cell_error("unknown_value", "expected Y or N")


_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y%m%d", "%d-%b-%Y", "%b %d, %Y")


def to_date(value: object) -> date:
    """A date from an Excel date, a datetime, a serial number, or text (2026-09-14, 09/14/2026)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel's valid serial range (to 9999-12-31)
            return (EXCEL_EPOCH + timedelta(days=int(value))).date()
        raise cell_error("wrong_type", "expected a date")
    if isinstance(value, str):
        text = value.strip()
        for fmt in _DATE_FORMATS:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        if len(text) > 10 and text[4] == "-":  # ISO datetime text
            try:
                return datetime.fromisoformat(text).date()
            except ValueError:
                pass
    raise cell_error("wrong_type", "expected a date such as 2026-09-14 or 09/14/2026")


_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?$")


def to_clock(value: object) -> time:
    """A clock time from an Excel time (fraction of a day), a datetime, or text ``HH:MM`` / ``2:05 PM``.

    Seconds are dropped: infusion time is counted in whole minutes from the charted clock times.
    """
    if isinstance(value, datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, timedelta):
        minutes = int(round(value.total_seconds() / 60))
        if 0 <= minutes < 24 * 60:
            return time(minutes // 60, minutes % 60)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 0 <= value < 1:
            minutes = int(round(value * 24 * 60))
            if minutes == 24 * 60:
                minutes -= 1
            return time(minutes // 60, minutes % 60)
        raise cell_error("wrong_type", "expected a clock time such as 11:20")
    if isinstance(value, str):
        m = _CLOCK.match(value.strip())
        if m:
            hour, minute = int(m.group(1)), int(m.group(2))
            meridiem = (m.group(4) or "").lower()
            if meridiem:
                if not 1 <= hour <= 12:
                    raise cell_error("wrong_type", "hour must be 1-12 with AM/PM")
                hour = hour % 12 + (12 if meridiem == "pm" else 0)
            if hour < 24 and minute < 60:
                return time(hour, minute)
    raise cell_error("wrong_type", "expected a clock time such as 11:20 or 2:05 PM")


def excel_column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def is_formula_like(text: str) -> bool:
    """Text a spreadsheet could take for a formula: it starts with = + - or @ (CSV/DDE injection)."""
    return bool(text) and text[0] in "=+-@"
