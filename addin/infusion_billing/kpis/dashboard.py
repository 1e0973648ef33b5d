"""The pipeline's ``dashboard`` stage: the month on one sheet, with native Excel charts.

The ``Dashboard`` sheet holds one Excel Table of the figures the charts draw, section by section, and
four charts beside it that Excel and LibreOffice both render (DrawingML, [S112]):

* **KPI cards**: each KPI of the report month (all payers) with its target and a green, amber or red
  status against the benchmark table (``targets.csv``);
* **Denials by category** (Pareto): denied dollars on the Denials worklist by category, largest first,
  with the cumulative share on a second axis;
* **AR by payer and age bucket** (stacked columns), from the AR Aging sheet;
* **Charges, payments and initial denial rate by month of service**;
* **Underpayments by payer**: the shortfall found at the first remit, all months.

It is rebuilt from the book on every run (the sheet, its table and its charts are replaced together),
so running it twice gives the same sheet.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from ..aging.model import INSURANCE
from ..aging.stage import bucket_labels, bucket_of
from ..asof import as_of_date
from ..claims.ledger import CLAIMS
from ..rules import kpi as rules
from ..stages import RunOptions, StageResult
from ..workbook.charts import ChartSpec
from ..workbook.reader import BookData
from ..workbook.writer import OutputTable
from .charts import EMPTY_BECAUSE, dashboard_charts, not_drawn
from .definitions import AR, DENIALS, KPI_CARD, MONTHS, UNDERPAID, targets
from .engine import ALL_PAYERS
from .stage import STATUS_FILLS, KpiFigure, measure, report_month, shown

SHEET = "Dashboard"
ZERO = Decimal("0.00")
PATIENTS = "Patients"


def columns(limits: tuple[int, ...]) -> list[str]:
    """The Dashboard's columns; the columns a chart draws sit side by side (Value and Cumulative Share
    for the Pareto; Charges, Payments and Initial Denial Rate; the age buckets), as a chart's series
    must (:class:`~infusion_billing.workbook.charts.ChartSpec`)."""
    return ["Section", "Label", "Value", "Cumulative Share", "Target", "Status", "Charges", "Payments",
            "Initial Denial Rate", *bucket_labels(limits)]


def run(book: BookData, options: RunOptions) -> StageResult:
    limits = book.settings.aging_buckets
    cols = columns(limits)
    if not book.extra_rows(CLAIMS):
        return StageResult(tables=[dashboard_table(cols, [], [])])
    as_of = as_of_date(book, options)
    try:
        measured = measure(book, as_of)
    except ModuleNotFoundError:
        return StageResult(findings=[rules.ENGINE_MISSING.finding(rules.ENGINE_MISSING.message)])
    month = report_month(measured.figures, options)
    width = len(cols)
    rows: list[list[Any]] = []

    def add(section: str, label: str, cells: dict[str, Any]) -> None:
        row: list[Any] = [section, label, *([None] * (width - 2))]
        for header, value in cells.items():
            row[cols.index(header)] = value
        rows.append(row)

    for f in _cards(measured.figures, month):
        target = targets().get(f.row.kpi)
        add(KPI_CARD, f"{f.name} ({f.row.month})", {
            "Value": shown(f.value, f.unit) if f.value is not None else None,
            "Target": target.text(f.unit) if target else None, "Status": f.status})
    sections: dict[str, tuple[int, int]] = {}

    def section(name: str, lines: list[tuple[str, dict[str, Any]]]) -> None:
        if lines:
            sections[name] = (len(rows) + 2, len(rows) + 1 + len(lines))  # Excel rows (header on row 1)
            for label, cells in lines:
                add(name, label, cells)

    section(DENIALS, _pareto(measured.relations.records("denials")))
    section(AR, _ar(measured.relations.records("ar_aging"), limits))
    section(MONTHS, _months(measured.figures))
    section(UNDERPAID, _underpaid(measured.figures))
    charts = dashboard_charts(cols, sections, first_column=width + 1, buckets=bucket_labels(limits))
    summary: dict[str, Any] = {"report month": month, "charts": len(charts),
                               **{s: f"rows {a}-{b}" for s, (a, b) in sections.items()}}
    findings = []
    missing = not_drawn(sections)
    if missing:
        summary["charts not drawn"] = "; ".join(missing)
        findings.append(rules.CHART_NOT_DRAWN.finding(
            f"The Dashboard draws {len(charts)} of its {len(EMPTY_BECAUSE)} charts; not drawn, for want of "
            f"figures: {'; '.join(missing)}.", sheet=SHEET))
    return StageResult(tables=[dashboard_table(cols, rows, charts)], findings=findings, summary=summary)


def dashboard_table(cols: list[str], rows: list[list[Any]], charts: list[ChartSpec]) -> OutputTable:
    money = {c: "#,##0.00" for c in cols[9:]}
    return OutputTable(SHEET, cols, rows, number_formats={
        "Value": "#,##0.00", "Charges": "#,##0.00", "Payments": "#,##0.00", "Initial Denial Rate": "0.0%",
        "Cumulative Share": "0.0%", **money}, widths={"Section": 22, "Label": 40, "Value": 14, "Target": 12},
        fills={"Status": STATUS_FILLS}, charts=charts,
        description="The month at a glance: KPI cards against targets and the figures behind the charts.")


def _cards(figures: list[KpiFigure], month: str | None) -> list[KpiFigure]:
    """The all-payers figure of each KPI for the report month (point-in-time AR ones as of the as-of date)."""
    out = []
    for f in figures:
        if f.row.payer_id != ALL_PAYERS:
            continue
        if f.row.month == month or f.row.kpi.startswith(("days_in_ar", "ar_over")):
            out.append(f)
    return out


def _pareto(denials: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    by_category: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for d in denials:
        by_category[d["category"] or "Other"] += d["denied_amount"]
    total = sum(by_category.values(), ZERO)
    running = ZERO
    out = []
    for category, amount in sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0])):
        running += amount
        out.append((category, {"Value": amount, "Cumulative Share": (running / total).quantize(Decimal("0.0001"))
                               if total else None}))
    return out


def _ar(aging: list[dict[str, Any]], limits: tuple[int, ...]) -> list[tuple[str, dict[str, Any]]]:
    amounts: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for r in aging:
        if r["is_credit"] or r["age"] is None:
            continue
        party = r["responsible_party"] if r["responsible_type"] == INSURANCE else PATIENTS
        amounts[party or "Unknown"][bucket_of(r["age"], limits)] += r["balance"]
    ordered = sorted(amounts, key=lambda p: (p == PATIENTS, p))
    return [(party, {label: amounts[party].get(label, ZERO) for label in bucket_labels(limits)})
            for party in ordered]


def _months(figures: list[KpiFigure]) -> list[tuple[str, dict[str, Any]]]:
    by_month: dict[str, dict[str, Any]] = defaultdict(dict)
    for f in figures:
        if f.row.payer_id != ALL_PAYERS:
            continue
        if f.row.kpi == "gross_collection_rate":
            by_month[f.row.month].update({"Charges": f.row.denominator, "Payments": f.row.numerator})
        elif f.row.kpi == "initial_denial_rate_count":
            by_month[f.row.month]["Initial Denial Rate"] = f.value
    return [(m, cells) for m, cells in sorted(by_month.items()) if "Charges" in cells]


def _underpaid(figures: list[KpiFigure]) -> list[tuple[str, dict[str, Any]]]:
    by_payer: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for f in figures:
        if f.row.kpi == "underpayment_identified" and f.row.payer_id != ALL_PAYERS and f.value is not None:
            by_payer[f.row.payer_id] += f.value
    return [(p, {"Value": a}) for p, a in sorted(by_payer.items(), key=lambda kv: (-kv[1], kv[0]))]
