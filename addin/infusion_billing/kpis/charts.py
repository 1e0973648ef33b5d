"""The Dashboard's four charts, as DrawingML chart parts over the Dashboard table's cells.

openpyxl's chart classes write the ``chartSpace`` XML (they are a faithful model of DrawingML
charts [S112]); the series point at the Dashboard sheet's own cells, so Excel and LibreOffice draw
them from the figures on the sheet. A section with no rows gets no chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree import ElementTree

from openpyxl.chart import BarChart, LineChart, Series
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.series import Series as ChartSeries

from ..values import excel_column_letter
from ..workbook.xlsx.drawing import SheetChart
from .definitions import AR, DENIALS, MONTHS, UNDERPAID

SHEET_REF = "'Dashboard'"
#: Each chart's size in cells (columns, rows), and the gap between charts.
WIDTH, HEIGHT, GAP = 9, 18, 1


def _range(cols: Sequence[str], header: str, rows: tuple[int, int]) -> str:
    letter = excel_column_letter(list(cols).index(header) + 1)
    return f"{SHEET_REF}!${letter}${rows[0]}:${letter}${rows[1]}"


def _series(cols: Sequence[str], header: str, rows: tuple[int, int]) -> ChartSeries:
    series = Series(_range(cols, header, rows), title=header)
    series.cat = AxDataSource(strRef=StrRef(f=_range(cols, "Label", rows)))
    return series


def _bar(title: str, y_title: str, *, stacked: bool = False) -> BarChart:
    chart = BarChart()
    chart.type = "col"
    chart.title = title
    chart.y_axis.title = y_title
    chart.y_axis.numFmt = "#,##0"
    chart.y_axis.majorGridlines = None
    if stacked:
        chart.grouping = "stacked"
        chart.overlap = 100
    # openpyxl hides axes unless told (delete=True by default in recent versions): show them.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    return chart


def _rate_line(cols: Sequence[str], header: str, rows: tuple[int, int]) -> LineChart:
    """A percentage line on a second value axis at the right of a bar chart."""
    line = LineChart()
    line.series.append(_series(cols, header, rows))
    line.y_axis.axId = 200
    line.y_axis.title = header
    line.y_axis.numFmt = "0%"
    line.y_axis.crosses = "max"
    line.y_axis.majorGridlines = None
    line.y_axis.delete = False
    return line


def dashboard_charts(cols: Sequence[str], sections: dict[str, tuple[int, int]], first_column: int) -> list[SheetChart]:
    """The charts of the sections present, two per row of charts, right of the table."""
    built: list[tuple[str, object]] = []
    if DENIALS in sections:
        rows = sections[DENIALS]
        bar = _bar("Denied dollars by category (Pareto)", "Denied")
        bar.series.append(_series(cols, "Value", rows))
        bar += _rate_line(cols, "Cumulative Share", rows)
        built.append(("Denial Pareto", bar))
    if AR in sections:
        rows = sections[AR]
        bar = _bar("AR by payer and age bucket", "Balance", stacked=True)
        for header in cols[9:]:
            bar.series.append(_series(cols, header, rows))
        built.append(("AR by payer and bucket", bar))
    if MONTHS in sections:
        rows = sections[MONTHS]
        bar = _bar("Charges, payments and initial denial rate by month of service", "Dollars")
        bar.series.append(_series(cols, "Charges", rows))
        bar.series.append(_series(cols, "Payments", rows))
        bar += _rate_line(cols, "Initial Denial Rate", rows)
        built.append(("Monthly", bar))
    if UNDERPAID in sections:
        rows = sections[UNDERPAID]
        bar = _bar("Underpayments by payer (found at the first remit)", "Shortfall")
        bar.series.append(_series(cols, "Value", rows))
        built.append(("Underpayments by payer", bar))
    out = []
    for i, (name, chart) in enumerate(built):
        col = first_column + (i % 2) * (WIDTH + GAP)
        row = 1 + (i // 2) * (HEIGHT + GAP)
        xml = ElementTree.tostring(chart._write())  # type: ignore[attr-defined]  # openpyxl's chart writer
        out.append(SheetChart(xml, (col, row, col + WIDTH, row + HEIGHT), name))
    return out
