"""The arithmetic of drug quantities: whole billing units rounded up, and quantities as a biller writes them.

Shared by the Drugs-table digest (:mod:`.druginfo`) and the drug lines (:mod:`.drug_lines`), so
neither imports the other for it.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

_THOUSANDTH = Decimal("0.001")
_ONE = Decimal(1)


def ceil_units(amount: Decimal, quantity: Decimal) -> int:
    """Whole billing units covering ``amount`` (positive), rounded up: 67.9 units of 10 mg is 68."""
    whole, rest = divmod(amount, quantity)
    return int(whole) + 1 if rest else int(whole)


def vial_leftover(amount: Decimal, vial: Decimal) -> Decimal:
    """What the smallest number of whole vials covering ``amount`` leaves over: the only waste that may
    be billed with JW (docs/coding-rules.md section 9 [S27]). 350 mg from 100 mg vials leaves 50 mg."""
    return ceil_units(amount, vial) * vial - amount


@lru_cache(maxsize=8192)
def number(d: Decimal) -> str:
    """A Decimal as a biller writes it: 10, 0.25, 1,600 without exponent or trailing zeros."""
    text = format(d.normalize(), "f")
    if "." in text:
        whole, frac = text.split(".")
        return f"{int(whole):,}.{frac}"
    return f"{int(text):,}"


@lru_cache(maxsize=8192)
def tidy(d: Decimal) -> Decimal:
    """A quantity to at most 3 decimals, without trailing zeros or exponent."""
    d = d.quantize(_THOUSANDTH)
    return d.quantize(_ONE) if d == d.to_integral_value() else d.normalize()
