"""What the contract says a payer should allow for a line: the fee schedule rate in force on the date of service.

A payer's contract (or Medicare's fee schedule) sets an allowed amount per unit of each code; the
``FeeSchedule`` table holds it with the dates it is in force. The expected allowed amount of a line is

    rate in force on the date of service x units (units paid when the payer paid some, else billed)

and, when the payer pays the **lesser of** the billed charge and the contract (the payer's ``Lesser
Of Charge`` column, Y unless the contract says otherwise), never more than the line's charge: with
a charge below the rate the payer allows the charge, and that line is not underpaid
(docs/posting.md section 2 [S92]).

A shortfall is only an underpayment when it is more than the **tolerance** (Settings:
``Underpayment Tolerance``, default the larger of $1.00 and 1 % of the expected allowed), so a
payer's rounding is not a worklist item.

:class:`Contract` holds the three terms (fee schedule, lesser-of, tolerance) as a book states them.
The payer simulator, the reconciliation and the billing assessment all price a line through it, so
the demo's planted outcomes, what reconciliation finds and what an assessment of the same files
reports cannot drift apart.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(value: Decimal) -> Decimal:
    """Money to the cent, half up (how payers round an allowed amount)."""
    return value.quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Rate:
    """One FeeSchedule row: the allowed amount per unit of ``code`` (with ``modifier``) from ``start``."""

    payer_id: str
    code: str
    modifier: str
    amount: Decimal
    start: date
    end: date | None


class FeeSchedule:
    """The book's FeeSchedule rows, looked up by payer, code, modifiers and date of service.

    A row with a modifier is for lines carrying that modifier; a row without one is for every line of
    the code. When two rows are in force on the date, the one that started last wins.
    """

    def __init__(self, rates: Iterable[Rate]):
        self._by_key: dict[tuple[str, str], list[Rate]] = defaultdict(list)
        for r in rates:
            self._by_key[(r.payer_id, r.code)].append(r)
        for rows in self._by_key.values():
            rows.sort(key=lambda r: r.start, reverse=True)

    def __bool__(self) -> bool:
        return bool(self._by_key)

    @classmethod
    def from_rows(cls, rows: Iterable) -> FeeSchedule:
        """From the reader's FeeSchedule row models."""
        return cls(Rate(r.payer_id, r.code, (r.modifier or "").upper(), r.allowed_amount, r.effective_from,
                        r.effective_to) for r in rows)

    def rate(self, payer_id: str, code: str, modifiers: Iterable[str], on: date) -> Decimal | None:
        """The per-unit rate in force on ``on``; None when the payer has no rate for the code then."""
        wanted = {m.upper() for m in modifiers}
        fallback = None
        for r in self._by_key.get((payer_id, code), ()):
            if r.start <= on and (r.end is None or on <= r.end):
                if r.modifier and r.modifier in wanted:
                    return r.amount
                if not r.modifier and fallback is None:
                    fallback = r.amount
        return fallback


def expected_allowed(rate: Decimal | None, units: Decimal, charge: Decimal, lesser_of: bool) -> Decimal | None:
    """Rate x units to the cent, capped at the charge when the payer pays the lesser of the two.

    >>> expected_allowed(Decimal("680.44"), Decimal(1), Decimal("1500.00"), True)
    Decimal('680.44')
    >>> expected_allowed(Decimal("95.00"), Decimal(2), Decimal("150.00"), True)
    Decimal('150.00')
    >>> expected_allowed(Decimal("95.00"), Decimal(2), Decimal("150.00"), False)
    Decimal('190.00')
    """
    if rate is None:
        return None
    contract = cents(rate * units)
    return min(contract, charge) if lesser_of and charge >= ZERO else contract


@dataclass(frozen=True, slots=True)
class Tolerance:
    """How far an allowed amount may differ from the contract before it counts: the larger of an
    amount and a percent of the expected allowed.

    >>> t = Tolerance.parse("1.00 or 1%")
    >>> t.of(Decimal("50.00")), t.of(Decimal("680.44"))
    (Decimal('1.00'), Decimal('6.80'))
    >>> Tolerance.parse("2%").of(Decimal("100")), Tolerance.parse("5").of(Decimal("100"))
    (Decimal('2.00'), Decimal('5.00'))
    """

    amount: Decimal = Decimal("1.00")
    percent: Decimal = Decimal("1")

    @classmethod
    def parse(cls, text: str) -> Tolerance:
        """``1.00``, ``1%`` or ``1.00 or 1%``; anything unreadable gives the default."""
        amount, percent = ZERO, ZERO
        found = False
        for number, sign in re.findall(r"(\d+(?:\.\d+)?)\s*(%?)", str(text or "")):
            found = True
            if sign:
                percent = Decimal(number)
            else:
                amount = Decimal(number)
        return cls(amount, percent) if found else cls()

    def of(self, expected: Decimal) -> Decimal:
        return max(self.amount, cents(abs(expected) * self.percent / 100))


@dataclass(frozen=True)
class Contract:
    """A book's contract terms, applied to one line: the FeeSchedule rate in force, whether the payer
    pays the lesser of the charge and the contract (the Payers table's ``Lesser Of Charge``; Y for a
    payer it does not name), and the underpayment tolerance (Settings)."""

    fees: FeeSchedule
    lesser_of: Mapping[str, bool] = field(default_factory=dict)
    tolerance: Tolerance = Tolerance()

    @classmethod
    def of_book(cls, book: Any) -> Contract:
        """The terms a workbook states; its FeeSchedule and Payers may be absent (no rates, lesser-of)."""
        fees = FeeSchedule.from_rows(book.rows("FeeSchedule")) if "FeeSchedule" in book.tables else FeeSchedule([])
        payers = book.rows("Payers") if "Payers" in book.tables else ()
        return cls(fees, {p.payer_id: bool(p.lesser_of_charge) for p in payers},
                   Tolerance.parse(book.settings.underpayment_tolerance))

    @property
    def has_rates(self) -> bool:
        return bool(self.fees)

    def pays_lesser_of(self, payer_id: str) -> bool:
        return self.lesser_of.get(payer_id, True)

    def rate(self, payer_id: str, code: str, modifiers: Iterable[str], on: date) -> Decimal | None:
        """The payer's per-unit rate for the code (and modifiers) in force on the date of service."""
        return self.fees.rate(payer_id, code, modifiers, on)

    def expected(self, payer_id: str, rate: Decimal | None, units: Decimal, charge: Decimal | None) -> Decimal | None:
        """What the payer should allow: ``rate`` x units, capped at the charge for a lesser-of payer (a
        line without a charge is not capped)."""
        if charge is None:
            return expected_allowed(rate, units, ZERO, False)
        return expected_allowed(rate, units, charge, self.pays_lesser_of(payer_id))

    def underpaid(self, expected: Decimal, allowed: Decimal) -> bool:
        """Allowed below the expected by more than the tolerance."""
        return expected - allowed > self.tolerance.of(expected)

    def overpaid(self, expected: Decimal, allowed: Decimal) -> bool:
        """Allowed above the expected by more than the tolerance."""
        return allowed - expected > self.tolerance.of(expected)
