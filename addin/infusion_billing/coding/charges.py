"""Charges: the practice's ChargeMaster amount per unit times the line's units, to the cent.

The charge is the practice's gross charge, not what the payer allows. It is Decimal end to end.
A workbook without a ChargeMaster table is still coded: every charge is 0.00 and ONE finding says so
(``coding.no-chargemaster``). A code missing from the ChargeMaster gets 0.00 and one finding per
code, however many lines use it (``coding.charge-missing``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from ..findings import Finding, Severity
from . import rules as R

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class Pricer:
    """Prices claim lines from the ChargeMaster and remembers what it could not price."""

    def __init__(self, book) -> None:
        self.present = book.has("ChargeMaster")
        self.sheet = book.table("ChargeMaster").sheet or "ChargeMaster"
        # Amounts are money to the cent (the reader rounds them half-up), so amount x units needs no rounding.
        self.amounts: dict[str, Decimal] = {r.code: r.charge_amount.quantize(CENT, rounding=ROUND_HALF_UP)
                                            for r in book.rows("ChargeMaster")}
        self.missing: dict[str, int] = {}
        self.lines = 0

    def charge(self, code: str, units: int) -> Decimal:
        """``amount x units`` rounded half-up to the cent; 0.00 when the code has no amount."""
        self.lines += 1
        amount = self.amounts.get(code)
        if amount is None:
            self.missing[code] = self.missing.get(code, 0) + 1
            return ZERO
        return amount * units  # whole units times an amount in cents: already exact to the cent

    def unpriced(self, code: str) -> Decimal:
        """0.00 for a code without an amount, remembered for :meth:`findings` (the caller counts lines)."""
        self.missing[code] = self.missing.get(code, 0) + 1
        return ZERO

    def findings(self) -> list[Finding]:
        """One finding when there is no ChargeMaster at all, else one per code it lacks."""
        if not self.lines:
            return []
        if not self.present:
            return [Finding(R.NO_CHARGEMASTER, Severity.WARNING,
                            f"There is no ChargeMaster table, so all {self.lines} claim lines have a charge of 0.00.",
                            sheet="ChargeMaster",
                            fix="Add a ChargeMaster table (Code, Description, Charge Amount) with your gross charges.")]
        return [Finding(R.CHARGE_MISSING, Severity.WARNING,
                        f"Code {code} is not in the ChargeMaster; its {count} line(s) have a charge of 0.00.",
                        sheet=self.sheet, column="Code", value=code,
                        fix=f"Add {code} with its charge amount to the ChargeMaster.")
                for code, count in sorted(self.missing.items())]
