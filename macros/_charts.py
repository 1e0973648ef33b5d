"""Native charts on the tool's sheets in the open workbook: the macros' shell for a ChartSpec.

The saved-file writer draws a result sheet's charts (:class:`~infusion_billing.workbook.charts.ChartSpec`)
as DrawingML parts; the macros draw the very same descriptions through xlwings' chart API, so the
``Close month`` button leaves the Dashboard with the same four charts over the same cells as
``infusion-billing close`` does.

A tool sheet is the tool's, charts included: when the macros rewrite one, the charts on it are deleted
and its table's charts drawn again (the file writer likewise replaces the sheet with its drawing), so
running twice leaves exactly the charts of the last run. Charts on any other sheet, the clinic's own
among them, are never looked at.

What each Excel can do from Python (xlwings 0.37):

* **desktop Excel** (the classic add-in: Windows over COM, macOS over AppleScript): everything a spec
  says: chart type, source cells, name, position and size, title, category labels, value axis, each
  series' legend name, and share series as lines with markers on a secondary percentage axis;
* **xlwings Lite and xlwings Server** (Office.js actions): the chart, its type, source cells, name,
  position, title, category labels and value axis; a chart's series cannot be listed there without an
  asynchronous round trip, so the legend keeps Excel's series names and the share lines are left out.
  A ``writer.charts-plain`` note says so: the saved-file output has the full charts;
* an engine without charts: none are drawn, and a ``writer.charts-not-drawn`` note says where they are.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import xlwings as xw

from infusion_billing.findings import Finding
from infusion_billing.rules import writer as rules
from infusion_billing.workbook.charts import ChartSpec
from infusion_billing.workbook.writer import OutputTable

__all__ = ["chart_notes", "replace_charts", "draw_chart", "can_chart"]

log = logging.getLogger("infusion_billing.macros")


def can_chart(book: xw.Book) -> bool:
    """True when this Excel lets Python list and add charts on a sheet."""
    try:
        len(book.sheets[0].charts)
    except Exception:  # NotImplementedError, AttributeError, a payload without charts: no charts here
        return False
    return True


def chart_notes(book: xw.Book, tables: Sequence[OutputTable], placed: dict[str, str], *,
                series: bool) -> list[Finding]:
    """The notes for the Findings sheet when this Excel draws the tables' charts only in part
    (``series=False``: xlwings Lite and Server) or not at all; none when it draws them in full."""
    with_charts = [t for t in tables if t.charts]
    if not with_charts:
        return []
    able = can_chart(book)
    if able and series:
        return []
    out = []
    for table in with_charts:
        sheet = placed.get(table.name, table.name)
        if not able:
            out.append(rules.CHARTS_NOT_DRAWN.finding(
                f"This Excel cannot draw charts from Python, so the {len(table.charts)} charts of '{sheet}' were not "
                "drawn; its figures are on the sheet, and the saved-file output (infusion-billing close or "
                "dashboard) has the charts.", sheet=sheet))
        else:
            out.append(rules.CHARTS_PLAIN.finding(
                f"The {len(table.charts)} charts of '{sheet}' were drawn without their series names and share "
                "lines (cumulative share, denial rate): this Excel (xlwings Lite or Server) cannot change a chart's "
                "series from Python. The saved-file output (infusion-billing close or dashboard) has the full "
                "charts.", sheet=sheet))
    return out


def replace_charts(sheet: xw.Sheet, charts: Sequence[ChartSpec], *, series: bool = True) -> list[str]:
    """Delete the charts on the tool's ``sheet`` and draw ``charts`` on it; the names of the charts
    that could not be drawn are returned (each is logged; one failing chart never stops the others).

    Nothing happens on an engine without charts (the run's notes say so, :func:`chart_notes`).
    """
    try:
        old = list(sheet.charts)
    except Exception as exc:  # an engine without charts
        log.debug("charts skipped on this engine: %s", type(exc).__name__)
        return []
    for chart in reversed(old):  # from the last, so the earlier ones keep their place in the collection
        chart.delete()
    failed = []
    for spec in charts:
        try:
            draw_chart(sheet, spec, series=series)
        except Exception as exc:
            log.warning("chart %r not drawn (%s)", spec.name, type(exc).__name__)
            failed.append(spec.name)
    return failed


def draw_chart(sheet: xw.Sheet, spec: ChartSpec, *, series: bool = True) -> xw.Chart:
    """Draw ``spec`` on ``sheet``: the source block, the category labels, title, value axis, and with
    ``series`` each series' name and the share lines on a secondary axis (without it, the columns only)."""
    c0, r0, _c1, _r1 = spec.anchor
    width, height = spec.size_points
    source = spec.source if series else spec.column_source
    chart = sheet.charts.add(chart_type=spec.chart_type, source=sheet.range(source.a1()), plot_by="columns",
                             name=spec.name, anchor=sheet.range((r0 + 1, c0 + 1)), width=width, height=height)
    chart.title = spec.title
    chart.set_x_axis_values(sheet.range(spec.categories.a1()))
    chart.value_axis.set(title=spec.value_title, number_format=spec.value_format)
    if not series:
        return chart
    for drawn, wanted in zip(chart.series, spec.series, strict=True):
        if wanted.line:
            drawn.set(name=wanted.name, chart_type="line_markers", axis_group="secondary")
        else:
            drawn.set(name=wanted.name)
    if spec.lines:
        chart.secondary_value_axis.set(title=spec.lines[0].name, number_format=spec.line_format)
    return chart
