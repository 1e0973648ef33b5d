"""``writer.*``: what the writer did so the results fit the workbook and Excel's limits.

The writer never replaces a sheet it did not create and never writes a sheet Excel cannot open
(README.md, Data safety); when it has to step aside or cut, it says so.
"""

from __future__ import annotations

from ..findings import Severity
from .spec import Family

W = Severity.WARNING
WRITER = Family("writer")
SAFETY = "README.md (Data safety)"
CHARTS = "README.md (Excel macros); xlwings chart API (Chart, ChartSeries: desktop Excel and Office.js engines)"
LIMITS = "README.md (Data safety); Microsoft, Excel specifications and limits"

SHEET_RENAMED = WRITER.finding(
    "writer.sheet-renamed", W, "A result went to 'Name (2)': the workbook has its own sheet or Table of that name",
    fix="Rename your own sheet if you want the results under that name; later runs keep writing to the new one.",
    source=SAFETY)
CELL_TRUNCATED = WRITER.finding(
    "writer.cell-truncated", W, "Text longer than an Excel cell holds (32,767 characters) was cut, with a mark",
    fix="Look at the source of that text (the input cell or the 835 file).", source=LIMITS)
ROWS_TO_CSV = WRITER.finding(
    "writer.rows-to-csv", W, "A table longer than an Excel sheet (1,048,576 rows): the rest is in a CSV beside it",
    fix="Open the CSV named in the message for the rest, or run on a shorter period.", source=LIMITS)
CHARTS_NOT_DRAWN = WRITER.finding(
    "writer.charts-not-drawn", Severity.INFO,
    "This Excel cannot draw charts from Python: a sheet's charts are only in the saved-file output",
    fix="Run infusion-billing close (or kpis and dashboard) on the saved workbook; Excel keeps the charts it draws.",
    source=CHARTS)
CHARTS_PLAIN = WRITER.finding(
    "writer.charts-plain", Severity.INFO,
    "Charts drawn without series names and share lines (xlwings Lite or Server cannot change a chart's series)",
    fix="For the full charts, run infusion-billing close (or dashboard) on the saved workbook, or use the classic "
        "add-in in desktop Excel.", source=CHARTS)

SPECS = tuple(WRITER.specs)
