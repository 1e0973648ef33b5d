"""Turn X12 element text into typed values: money as Decimal to the cent, dates, quantities.

Shared by the 835 and 837 readers (the writer formats the other way, :mod:`.writer`).

X12 writes amounts as plain decimal text (``800``, ``127.8``, ``-1.27``), dates as ``CCYYMMDD``
(``20020301``) and quantities such as units paid as decimals too (``1.00``, ``-6`` on a
reversal). These helpers never use float. Each raises :class:`ValueError` on text that is not what
it should be; the reader turns that into a Finding naming the segment.

The same few amounts and dates repeat thousands of times in a payer's file (``0``, ``0.00``, one
check date), so the parsed values are cached by their text; the caches are cleared when they grow
large, keeping memory bounded on 100 MB files.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

CENT = Decimal("0.01")
_CACHE_LIMIT = 50_000
_money_cache: dict[str, Decimal] = {}
_quantity_cache: dict[str, Decimal] = {}
_date_cache: dict[str, date] = {}


def money(text: str) -> Decimal:
    """An amount as Decimal, shown to the cent; more decimals are kept exactly, never rounded.

    >>> money("127.8"), money("-1.27"), money("0"), money("10.005")
    (Decimal('127.80'), Decimal('-1.27'), Decimal('0.00'), Decimal('10.005'))
    """
    value = _money_cache.get(text)
    if value is not None:
        return value
    value = _decimal(text)
    stripped = text.strip()
    dot = stripped.find(".")
    if "e" in stripped or "E" in stripped:
        if _places(value) < 2:
            value = value.quantize(CENT)
    elif dot < 0 or len(stripped) - dot < 3:  # "800" or "127.8": add the zeros, nothing is lost
        value = value.quantize(CENT)
    if len(_money_cache) >= _CACHE_LIMIT:
        _money_cache.clear()
    _money_cache[text] = value
    return value


def quantity(text: str) -> Decimal:
    """A quantity (units paid, CAS quantity) as Decimal, exactly as written.

    >>> quantity("1.00"), quantity("-6")
    (Decimal('1.00'), Decimal('-6'))
    """
    value = _quantity_cache.get(text)
    if value is None:
        value = _decimal(text)
        if len(_quantity_cache) >= _CACHE_LIMIT:
            _quantity_cache.clear()
        _quantity_cache[text] = value
    return value


def _places(value: Decimal) -> int:
    """Digits after the decimal point: 2 for 127.80, 0 for 800, -2 for 8E+2 (0 for NaN, never an X12 number)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) else 0


def _decimal(text: str) -> Decimal:
    stripped = text.strip() if text[:1].isspace() or text[-1:].isspace() else text
    # Decimal() also accepts "1_000", "Infinity" and "NaN": none of these is an X12 number.
    if not stripped or "_" in stripped:
        raise ValueError(text)
    try:
        value = Decimal(stripped)
    except InvalidOperation:
        raise ValueError(text) from None
    # X12 numbers are at most 18 digits; "14E950" is damage, not an amount (and cannot be quantized).
    if not value.is_finite() or value.adjusted() > 17 or value.adjusted() < -17:
        raise ValueError(text)
    return value


def ccyymmdd(text: str) -> date:
    """A ``CCYYMMDD`` date (``YYMMDD`` is read as 20YY, as in the 4010 ISA).

    >>> ccyymmdd("20020301")
    datetime.date(2002, 3, 1)
    """
    try:
        return _date_cache[text]
    except KeyError:
        pass
    digits = text.strip()
    if not digits.isdigit() or len(digits) not in (6, 8):
        raise ValueError(text)
    if len(digits) == 6:
        digits = "20" + digits
    parsed = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))  # ValueError on 20002316
    if len(_date_cache) >= _CACHE_LIMIT:
        _date_cache.clear()
    _date_cache[text] = parsed
    return parsed


def cents(amount: Decimal | None) -> str:
    """An amount for a finding message: ``5,482.52`` or ``-216.19``.

    >>> cents(Decimal("5482.52")), cents(Decimal("-0.5"))
    ('5,482.52', '-0.50')
    """
    if amount is None:
        return "blank"
    return f"{amount:,.2f}" if _places(amount) <= 2 else f"{amount:,}"
