"""The pipeline's ``kpis`` stage: the ``KPIs`` sheet, one row per month of service, payer and KPI.

Each row names its formula, what its numerator and denominator count, the look-back window and the
date basis (``definitions.csv``), with the exact numerator and denominator beside the figure so a
biller can check it by hand. The figures come from ``kpis.sql`` run on DuckDB over the book's
ledgers and derived sheets (:mod:`.relations`); run ``reconcile``, ``denials`` and ``aging`` first
(``close`` runs them all in order) so the sheets it reads are this month's.

Payments, denials and AR count to the back half's as-of date (:mod:`infusion_billing.asof`): a remit
dated after it is left out, as ``Reconciliation`` and ``AR Aging`` leave it out; the ``As Of`` column
names that date, so the figures can be recomputed (``export-store`` keeps them as of the same date).

The report month (``RunOptions.month``, else the latest month of service) is where a red KPI of all
payers becomes a ``kpi.off-target`` finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ..asof import as_of_date
from ..claims.ledger import CLAIMS
from ..display import money_text
from ..findings import Finding
from ..rules import kpi as rules
from ..stages import RunOptions, StageResult
from ..workbook.reader import BookData
from ..workbook.writer import OutputTable
from .definitions import AMBER, GREEN, RED, definitions, targets
from .engine import ALL_PAYERS, KpiRow, figure, run_duckdb
from .relations import Relations, book_relations

SHEET = "KPIs"
COLUMNS = ("Month", "Payer ID", "KPI", "Rate", "Days", "Amount", "Target", "Status", "Numerator", "Denominator",
           "Factor", "Formula", "Numerator Counts", "Denominator Counts", "Look-back Window", "Date Basis", "As Of",
           "KPI ID")
UNIT_COLUMN = {"rate": 3, "days": 4, "money": 5}
#: Cell fills of the Status column: Excel's own good, neutral and bad colours.
STATUS_FILLS = {GREEN: "C6EFCE", AMBER: "FFEB9C", RED: "FFC7CE"}


@dataclass(frozen=True)
class KpiFigure:
    """One KPI of one month and payer, with its figure and target status."""

    row: KpiRow
    value: Decimal | None
    status: str | None

    @property
    def name(self) -> str:
        return definitions()[self.row.kpi].name

    @property
    def unit(self) -> str:
        return definitions()[self.row.kpi].unit


@dataclass(frozen=True)
class Measured:
    """The book's KPIs and the relations they were computed from (the Dashboard draws both)."""

    figures: list[KpiFigure]
    relations: Relations


def measure(book: BookData, as_of: date) -> Measured:
    """Every KPI of the book, sorted by month, payer (all payers first) and the definitions' order."""
    relations = book_relations(book, as_of)
    order = {k: i for i, k in enumerate(definitions())}
    out = []
    for row in run_duckdb(relations):
        d = definitions()[row.kpi]
        value = figure(row, d.unit)
        target = targets().get(row.kpi)
        out.append(KpiFigure(row, value, target.status(value) if target and value is not None else None))
    out.sort(key=lambda f: (f.row.month, f.row.payer_id != ALL_PAYERS, f.row.payer_id, order[f.row.kpi]))
    return Measured(out, relations)


def report_month(figures: list[KpiFigure], options: RunOptions) -> str | None:
    """The month the run reports on: the option, else the latest month of service with a claim adjudicated."""
    if options.month:
        return options.month
    months = sorted({f.row.month for f in figures if f.row.kpi == "initial_denial_rate_count"})
    return months[-1] if months else None


def sheet_rows(figures: list[KpiFigure], as_of: date | None) -> list[list[Any]]:
    """The KPIs sheet's rows; ``As Of`` is the date payments, denials and AR were counted to."""
    rows = []
    for f in figures:
        d = definitions()[f.row.kpi]
        target = targets().get(f.row.kpi)
        row: list[Any] = [f.row.month, f.row.payer_id, d.name, None, None, None,
                          target.text(d.unit) if target else None, f.status, f.row.numerator, f.row.denominator,
                          f.row.factor, d.formula, d.numerator, d.denominator, d.window, d.basis, as_of, d.kpi]
        row[UNIT_COLUMN[d.unit]] = f.value
        rows.append(row)
    return rows


def kpis_table(figures: list[KpiFigure], as_of: date | None = None) -> OutputTable:
    return OutputTable(SHEET, list(COLUMNS), sheet_rows(figures, as_of), fills={"Status": STATUS_FILLS},
                       number_formats={"Rate": "0.0%", "Days": "0.0", "Factor": "0", "Amount": "#,##0.00",
                                       "As Of": "yyyy-mm-dd"},
                       widths={"KPI": 30, "Formula": 48, "Numerator Counts": 48, "Denominator Counts": 48,
                               "Look-back Window": 40, "Date Basis": 30, "KPI ID": 28},
                       description="Revenue-cycle KPIs by month of service and payer, each with its formula, "
                                   "numerator, denominator, look-back window, date basis and the date remits "
                                   "were counted to.")


def run(book: BookData, options: RunOptions) -> StageResult:
    if not book.extra_rows(CLAIMS):
        return StageResult(tables=[kpis_table([])], findings=[rules.NOTHING_TO_MEASURE.finding(
            rules.NOTHING_TO_MEASURE.message)])
    as_of = as_of_date(book, options)
    try:
        figures = measure(book, as_of).figures
    except ModuleNotFoundError:
        return StageResult(findings=[rules.ENGINE_MISSING.finding(rules.ENGINE_MISSING.message)])
    month = report_month(figures, options)
    findings: list[Finding] = []
    summary: dict[str, Any] = {"as of": as_of.isoformat(), "report month": month}
    for excel_row, f in enumerate(figures, start=2):
        if f.row.payer_id != ALL_PAYERS or f.value is None:
            continue
        if f.row.month == month or f.row.kpi.startswith(("days_in_ar", "ar_over")):
            summary[f.name] = shown(f.value, f.unit)
            if f.status == RED:
                target = targets()[f.row.kpi]
                findings.append(rules.OFF_TARGET.finding(
                    f"{f.name} for {f.row.month} (all payers) is {shown(f.value, f.unit)}, against a target of "
                    f"{target.text(f.unit)}.", sheet=SHEET, row=excel_row, column="KPI", value=f.name))
    return StageResult(tables=[kpis_table(figures, as_of)], findings=findings, summary=summary)


def shown(value: Decimal, unit: str) -> str:
    """A KPI figure as the summary prints it: 9.7 %, 42.3 days, 2,178.93."""
    if unit == "rate":
        return f"{value * 100:.1f} %"
    if unit == "days":
        return f"{value:.1f} days"
    return money_text(value)
