"""The pipeline's ``code`` stage: every encounter into the ``Charges`` sheet, one row per claim line.

``infusion-billing code BOOK`` and the ``code_encounters`` macro both end here. The sheet has the
columns of :data:`~infusion_billing.coding.lines.CHARGE_COLUMNS`: Modifiers space-separated, Admin
IDs and Rule comma-separated, Charge as Decimal money. Held encounters have no rows; their Findings
say which cell to fix.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import overload

from ..stages import RunOptions, StageResult
from ..workbook.reader import BookData
from ..workbook.writer import OutputTable
from .engine import CodingResult, code_book
from .lines import CHARGE_COLUMNS, ChargeLine

#: Tables the stage cannot work without (ChargeMaster and Drugs are optional).
REQUIRED_TABLES = ("Payers", "Encounters", "Administrations")


class ChargeRows(Sequence[list]):
    """The Charges sheet's rows in :data:`CHARGE_COLUMNS` order, each made from its claim line when it
    is read: the writer streams them into the sheet one at a time, so a clinic-year's 335,000 rows are
    never all held beside the lines they repeat (54 MiB at 100,000 encounters, bench/bench_run.py).

    Modifiers and rules come in a few hundred combinations over a clinic-year's lines: each is joined
    into its cell text once.
    """

    def __init__(self, lines: Sequence[ChargeLine]) -> None:
        self.lines = lines
        self._modifiers: dict[tuple[str, ...], str] = {}
        self._rules: dict[tuple[str, ...], str] = {}

    def __len__(self) -> int:
        return len(self.lines)

    @overload
    def __getitem__(self, index: int) -> list: ...

    @overload
    def __getitem__(self, index: slice) -> list[list]: ...

    def __getitem__(self, index: int | slice) -> list | list[list]:
        if isinstance(index, slice):
            return [self._row(ln) for ln in self.lines[index]]
        return self._row(self.lines[index])

    def __iter__(self) -> Iterator[list]:
        return map(self._row, self.lines)

    def _row(self, ln: ChargeLine) -> list:
        mods = self._modifiers.get(ln.modifiers)
        if mods is None:
            mods = self._modifiers[ln.modifiers] = " ".join(ln.modifiers)
        rule = self._rules.get(ln.rule_ids)
        if rule is None:
            rule = self._rules[ln.rule_ids] = ", ".join(ln.rule_ids)
        return [ln.encounter_id, ln.line, ln.date_of_service, ln.code, mods, ln.units, ln.charge, ln.ndc, ln.ndc_unit,
                ln.ndc_quantity, ", ".join(ln.admin_ids), rule, ln.explanation]


def charges_table(lines: Sequence[ChargeLine]) -> OutputTable:
    """The ``Charges`` output table."""
    return OutputTable(
        "Charges", list(CHARGE_COLUMNS), ChargeRows(lines),
        # Only the columns that need a format get one: each format is a pass over the column's cells.
        number_formats={"Date of Service": "yyyy-mm-dd", "Charge": "#,##0.00", "NDC Quantity": "0.###"},
        widths={"Explanation": 90, "Rule": 40, "Admin IDs": 22, "NDC": 13, "Modifiers": 11},
        description="One row per claim line: code, modifiers, units, charge, NDC, and the rule that made it.")


def summary(result: CodingResult) -> dict[str, object]:
    total = sum((ln.charge for ln in result.lines if ln.charge is not None), Decimal("0.00"))
    return {
        "encounters coded": len(result.coded),
        "encounters held": len(result.held),
        "claim lines": len(result.lines),
        "total charges": f"{total:,.2f}",
    }


def run(book: BookData, options: RunOptions) -> StageResult:
    """Code every encounter of ``book``; the Charges table, the findings and a short summary."""
    missing = book.require("code", REQUIRED_TABLES)
    if missing:
        return StageResult(findings=missing, summary={"encounters coded": 0})
    result = code_book(book, progress=options.progress)
    return StageResult(tables=[charges_table(result.lines)], findings=result.findings, summary=summary(result))
