"""The pipeline's ``code`` stage: every encounter into the ``Charges`` sheet, one row per claim line.

``infusion-billing code BOOK`` and the ``code_encounters`` macro both end here. The sheet has the
columns of :data:`~infusion_billing.coding.lines.CHARGE_COLUMNS`: Modifiers space-separated, Admin
IDs and Rule comma-separated, Charge as Decimal money. Held encounters have no rows; their Findings
say which cell to fix.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from ..stages import RunOptions, StageResult
from ..workbook.reader import BookData
from ..workbook.writer import OutputTable
from .engine import CodingResult, code_book
from .lines import CHARGE_COLUMNS, ChargeLine

#: Tables the stage cannot work without (ChargeMaster and Drugs are optional).
REQUIRED_TABLES = ("Payers", "Encounters", "Administrations")


def charge_rows(lines: Iterable[ChargeLine]) -> list[list]:
    """Charges sheet rows in :data:`CHARGE_COLUMNS` order.

    Modifiers and rules come in a few hundred combinations over a clinic-year's half a million lines:
    each is joined into its cell text once (the rows live until the sheet is written).
    """
    modifiers: dict[tuple[str, ...], str] = {}
    rules: dict[tuple[str, ...], str] = {}
    rows = []
    for ln in lines:
        mods = modifiers.get(ln.modifiers)
        if mods is None:
            mods = modifiers[ln.modifiers] = " ".join(ln.modifiers)
        rule = rules.get(ln.rule_ids)
        if rule is None:
            rule = rules[ln.rule_ids] = ", ".join(ln.rule_ids)
        rows.append([ln.encounter_id, ln.line, ln.date_of_service, ln.code, mods, ln.units, ln.charge, ln.ndc,
                     ln.ndc_unit, ln.ndc_quantity, ", ".join(ln.admin_ids), rule, ln.explanation])
    return rows


def charges_table(lines: Iterable[ChargeLine]) -> OutputTable:
    """The ``Charges`` output table."""
    return OutputTable(
        "Charges", list(CHARGE_COLUMNS), charge_rows(lines),
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
