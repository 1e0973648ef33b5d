"""A :class:`~infusion_billing.workbook.charts.ChartSpec` as a DrawingML chart part, for the saved file.

openpyxl's chart classes write the ``chartSpace`` XML (a faithful model of DrawingML charts [S112]);
the series point at the sheet's own cells, so Excel and LibreOffice draw them from the figures on the
sheet and recompute them when the cells change. The Excel macros draw the same description through
xlwings instead (``infusion_billing.macros._charts``).
"""

from __future__ import annotations

from xml.etree import ElementTree

from ..charts import ChartSeriesSpec, ChartSpec
from .drawing import SheetChart

#: The id of the secondary value axis a share line is drawn against (the primary ones are 10 and 100).
SECONDARY_AXIS_ID = 200


def sheet_chart(spec: ChartSpec, sheet: str) -> SheetChart:
    """``spec`` drawn on ``sheet``: the chart part's XML, anchored over the cells the spec names."""
    # openpyxl's chart classes load only when a sheet has charts.
    from openpyxl.chart import BarChart, LineChart  # noqa: PLC0415

    bar = BarChart()
    bar.type = "col"
    bar.title = spec.title
    bar.y_axis.title = spec.value_title
    bar.y_axis.numFmt = spec.value_format
    bar.y_axis.majorGridlines = None
    if spec.stacked:
        bar.grouping = "stacked"
        bar.overlap = 100
    # openpyxl hides axes unless told (delete=True by default in recent versions): show them.
    bar.x_axis.delete = False
    bar.y_axis.delete = False
    for series in spec.series:
        if not series.line:
            bar.series.append(_series(spec, series, sheet))
    if spec.lines:
        line = LineChart()
        for series in spec.lines:
            line.series.append(_series(spec, series, sheet))
        line.y_axis.axId = SECONDARY_AXIS_ID
        line.y_axis.title = spec.lines[0].name
        line.y_axis.numFmt = spec.line_format
        line.y_axis.crosses = "max"
        line.y_axis.majorGridlines = None
        line.y_axis.delete = False
        bar += line
    xml = ElementTree.tostring(bar._write())  # type: ignore[attr-defined]  # openpyxl's chart writer
    return SheetChart(xml, spec.anchor, spec.name)


def _series(spec: ChartSpec, series: ChartSeriesSpec, sheet: str):
    from openpyxl.chart import Series  # noqa: PLC0415
    from openpyxl.chart.data_source import AxDataSource, StrRef  # noqa: PLC0415

    out = Series(series.values.a1(sheet), title=series.name)
    out.cat = AxDataSource(strRef=StrRef(f=spec.categories.a1(sheet)))
    return out
