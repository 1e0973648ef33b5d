"""Charges: the practice's ChargeMaster amount per unit times the line's units, to the cent.

The charge is the practice's gross charge, not what the payer allows. It is Decimal end to end.
A workbook without a ChargeMaster table is still coded: every charge is 0.00 and ONE finding says so
(``coding.no-chargemaster``). With a ChargeMaster, a code it lacks is never billed at 0.00: the line
keeps a blank Charge and the encounter is held by one error per line (``coding.charge-missing``),
located at that Charges line, whose message names the ChargeMaster row to add the code on.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from ..findings import Finding
from ..values import excel_column_letter
from . import rules as R
from .lines import CHARGE_COLUMNS, ChargeLine

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
        #: (code, units) -> amount x units: a clinic-year's half a million lines repeat a few thousand
        #: charges, and one shared Decimal each saves about 30 MiB at 100,000 encounters.
        self._charges: dict[tuple[str, int], Decimal] = {}
        #: The first row after the ChargeMaster's last one: where a missing code goes.
        self.next_row = book.table("ChargeMaster").end_row + 1

    def charge(self, code: str, units: int) -> Decimal | None:
        """The line's charge: the ChargeMaster amount x units, or :meth:`unpriced` when there is none."""
        charge = self._charges.get((code, units))
        if charge is None:
            amount = self.amounts.get(code)
            if amount is None:
                return self.unpriced(code)
            charge = self._charges[(code, units)] = amount * units
        return charge

    def unpriced(self, code: str) -> Decimal | None:
        """The charge of a code without an amount: 0.00 when there is no ChargeMaster at all (one warning
        says so), else None, a blank Charge that holds the encounter (see :meth:`line_findings`)."""
        self.missing[code] = self.missing.get(code, 0) + 1
        return None if self.present else ZERO

    def line_findings(self, lines: Sequence[ChargeLine]) -> list[Finding]:
        """One error per claim line without a charge, at its Charges cell (the sheet lists the lines in
        this order under one header row), naming the ChargeMaster row to add the code on."""
        if not self.present or not self.missing:
            return []
        column = excel_column_letter(CHARGE_COLUMNS.index("Charge") + 1)
        add_row = self.next_row
        out = []
        for n, line in enumerate(lines, start=2):
            if line.charge is None:
                out.append(R.RULES_BY_ID[R.CHARGE_MISSING].finding(
                    f"{line.code} has no price in the ChargeMaster, so this line has no charge and {line.encounter_id} "
                    f"is held. Add {line.code} with its charge on ChargeMaster row {add_row} "
                    f"({self.sheet}!A{add_row}).",
                    sheet="Charges", row=n, column="Charge", cell=f"{column}{n}", value=line.code,
                    encounter_id=line.encounter_id,
                    fix=f"Add {line.code} and its charge to the ChargeMaster, then run code again."))
        return out

    def findings(self) -> list[Finding]:
        """One finding when there is no ChargeMaster at all (a code it lacks: :meth:`line_findings`)."""
        if not self.lines:
            return []
        if not self.present:
            return [R.RULES_BY_ID[R.NO_CHARGEMASTER].finding(
                f"There is no ChargeMaster table, so all {self.lines} claim lines have a charge of 0.00.",
                sheet="ChargeMaster",
                fix="Add a ChargeMaster table (Code, Description, Charge Amount) with your gross charges.")]
        return []  # a code the ChargeMaster lacks: one error per line, see line_findings
