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

from .identifiers import ndc as _ndc

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


def to_ndc_text(value: object) -> str:
    """An NDC cell as text. Typed into a number cell, Excel dropped its leading zeros: they are put back
    where that is certain (2759701 is 00002-7597-01, see :func:`identifiers.ndc.from_number`); text is
    kept as typed for the NDC checks to read.

    >>> to_ndc_text(2759701.0), to_ndc_text(" 50242-040-62 ")
    ('00002-7597-01', '50242-040-62')
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _ndc.from_number(value)
    return to_text(value)


def to_code(value: object) -> str:
    """A billing code in upper case without spaces (``j1745`` -> ``J1745``)."""
    return to_text(value).upper().replace(" ", "")


#: Number text: sign, dollar sign, thousands commas, decimals, an exponent (``1E+308``, as Excel shows
#: a large number that was pasted as text), percent.
#: Excel holds numbers up to about 1E+308 and down to about 1E-308; number text past that is refused.
_EXCEL_EXPONENT = 308
_NUMBER_TEXT = re.compile(r"^[-+]?\$?\s*[\d,]*\.?\d+(?:[eE][-+]?\d+)?\s*%?$")


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
                number = Decimal(text.replace("$", "").replace(",", "").replace("%", "").replace(" ", ""))
            except InvalidOperation:
                pass
            else:
                if not -_EXCEL_EXPONENT <= number.adjusted() <= _EXCEL_EXPONENT:  # 1E+999999999999: no arithmetic
                    raise cell_error("out_of_range", "the number is larger or smaller than Excel itself can hold")
                if number.is_zero():
                    return number.copy_abs()  # -0 is 0
                if "e" in text.lower() and -30 <= number.adjusted() <= 30:
                    return Decimal(format(number, "f"))  # 2.5e2 is 250, shown as such in messages
                return number
    raise cell_error("wrong_type", "expected a number")


def to_amount(value: object) -> Decimal:
    """An amount given or wasted, from a number or text with its unit (``"750 mg"`` is 750; the reader
    also checks the unit against the unit column, see :func:`split_amount`)."""
    return to_decimal(split_amount(value)[0])


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


#: Date layouts as clinics type them, US month-first where the order is numeric (05/08/2026 is May 8).
#: Day-first numeric dates are never guessed; a month in letters is unambiguous in any order.
_DATE_FORMATS = (
    "%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y%m%d", "%Y/%m/%d", "%Y.%m.%d", "%m-%d-%Y",
    "%d-%b-%Y", "%d-%b-%y", "%d %b %Y", "%d-%B-%Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y",
)
_DATE_NUMBER_MIN, _DATE_NUMBER_MAX = 19000101, 99991231


def to_date(value: object) -> date:
    """A date from an Excel date, a datetime, a serial number, or text as clinics type it.

    Accepted text: 2026-09-14, 09/14/2026, 9/14/26, 2026/09/14, 2026.09.14, 09-14-2026, 20260914,
    14-Sep-2026, 14-SEP-26, 14 Sep 2026, Sep 14, 2026 and September 14, 2026. Numeric dates are read
    month first, as US practices write them; a day-first 14/09/2026 is not a US date and is refused
    rather than guessed. The number 20260914 (a date typed without separators into a number cell) is
    read as year, month, day.

    >>> to_date("2026/08/05"), to_date("05-Aug-2026"), to_date(20260805)
    (datetime.date(2026, 8, 5), datetime.date(2026, 8, 5), datetime.date(2026, 8, 5))
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel's valid serial range (to 9999-12-31)
            return (EXCEL_EPOCH + timedelta(days=int(value))).date()
        if _DATE_NUMBER_MIN <= value <= _DATE_NUMBER_MAX and float(value).is_integer():
            try:
                return datetime.strptime(str(int(value)), "%Y%m%d").date()
            except ValueError:
                pass
        raise cell_error("wrong_type", "expected a date")
    if isinstance(value, str):
        text = " ".join(value.split())
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


#: Clock text: 11:20, 2:05 PM, 9:15a, 8.30, 11am, 11 a.m., 11:20:30 (seconds dropped), 0915, 1340h.
_CLOCK = re.compile(
    r"^(?:(?P<h>\d{1,2})(?:[:.](?P<m>\d{2})(?::\d{2})?)?|(?P<hhmm>\d{3,4}))"
    r"\s*(?:(?P<ap>[ap])\.?\s*(?:m\.?)?|h|hrs?)?$",
    re.IGNORECASE,
)
_CLOCK_MESSAGE = "expected a clock time such as 11:20, 2:05 PM or 1420"


def to_clock(value: object) -> time:
    """A clock time from an Excel time, a datetime, or a time typed the way a MAR is charted.

    * An Excel time (a fraction of a day) or a datetime: its clock time.
    * ``11:20``, ``14:05``, ``8.30`` (a dot for the colon), with or without seconds.
    * ``2:05 PM``, ``9:15a``, ``11am``, ``11 a.m.``: 12-hour clock; the hour must be 1 to 12.
    * Military time ``0915``, ``915``, ``1340`` or ``1340h``, as text or as the number Excel keeps
      when it drops the leading zero: the last two digits are the minutes, so ``1230`` is 12:30.
    * A number with decimals such as ``8.3`` or ``8.45``: Excel's record of ``8.30`` or ``8.45``
      typed into a number cell, hours before the point and minutes after (``8.3`` is 8:30, the zero
      Excel dropped); more than two decimals, or 60 minutes or more, is refused, not guessed.

    A bare hour (``9``) is refused: it could be 9 AM or 9 PM. Seconds are dropped: infusion time is
    counted in whole minutes from the charted clock times.

    >>> [to_clock(x).strftime("%H:%M") for x in ("0915", 1340, "11am", "8.30", "9:15a", 8.3, "1230")]
    ['09:15', '13:40', '11:00', '08:30', '09:15', '08:30', '12:30']
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
        return _clock_from_number(value)
    if isinstance(value, str):
        m = _CLOCK.match(value.strip())
        if m:
            if m.group("hhmm"):
                hour, minute = divmod(int(m.group("hhmm")), 100)
            elif m.group("m") is None and not m.group("ap"):
                raise cell_error("wrong_type", "a bare hour could be AM or PM; type it as 09:00 or 9 PM")
            else:
                hour, minute = int(m.group("h")), int(m.group("m") or 0)
            meridiem = (m.group("ap") or "").lower()
            if meridiem:
                if not 1 <= hour <= 12:
                    raise cell_error("wrong_type", "hour must be 1-12 with AM/PM")
                hour = hour % 12 + (12 if meridiem == "p" else 0)
            if hour < 24 and minute < 60:
                return time(hour, minute)
    raise cell_error("wrong_type", _CLOCK_MESSAGE)


def _clock_from_number(value: int | float) -> time:
    """A clock time typed into a number cell: 915 or 1340 (military), 8.3 or 8.45 (hours.minutes)."""
    if float(value).is_integer():
        whole = int(value)
        if 100 <= whole <= 2359 and whole % 100 < 60:
            return time(whole // 100, whole % 100)
        raise cell_error("wrong_type", _CLOCK_MESSAGE)
    text = repr(float(value))
    hours, _, decimals = text.partition(".")
    if "e" not in text and len(decimals) <= 2 and int(hours) < 24:
        minute = int(decimals.ljust(2, "0"))
        if minute < 60:
            return time(int(hours), minute)
    raise cell_error("wrong_type", _CLOCK_MESSAGE)


#: A dose typed with its unit: "750 mg", "1,000mL", "2.5 g". The unit is read by the unit column's
#: own choices (mg, milligrams, mcg, units, mL, cc ...).
#: The number is read whole (``1,000,000,000 mg`` is a billion, not a million and a unit ``,000 mg``) and
#: the unit starts with a letter that does not begin an exponent, so ``1E+308`` and ``2.5e2`` are numbers,
#: never 1 and 2.5 with a unit ``E+308`` or ``e2``.
_AMOUNT_WITH_UNIT = re.compile(r"^([-+]?[\d,]*\.?\d+(?:[eE][-+]?\d+)?)\s*(?![eE][-+]?\d)([^\W\d_].*?)\.?$")


def split_amount(value: object) -> tuple[object, str | None]:
    """A number typed with its unit in the cell, split into the number and the unit text.

    ``"750 mg"`` is ``("750", "mg")``; a number or plain number text comes back as it is with no unit.
    The number is then read like any number cell and the unit by the unit column's choices, so
    ``"750 milligrams"`` fills Dose Unit with mg. Per-kilogram and per-area orders (``5 mg/kg``) are not
    an amount given and are not split: they are refused as a number.

    >>> split_amount("750 mg"), split_amount("1,000mL"), split_amount(400.0), split_amount("5 mg/kg")
    (('750', 'mg'), ('1,000', 'mL'), (400.0, None), ('5 mg/kg', None))
    >>> split_amount("1E+308"), split_amount("1,000,000,000 mg"), split_amount("2.5e2 each")
    (('1E+308', None), ('1,000,000,000', 'mg'), ('2.5e2', 'each'))
    """
    if value.__class__ is not str:
        return value, None
    m = _AMOUNT_WITH_UNIT.match(value.strip())
    if not m or "/" in m.group(2):
        return value, None
    return m.group(1), m.group(2).strip()


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
