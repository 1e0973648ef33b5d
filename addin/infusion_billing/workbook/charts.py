"""A chart on a result sheet, described once and drawn by both of the tool's writers.

A :class:`ChartSpec` says what a native Excel chart shows: its name (the one in Excel's selection
pane), title, column chart type (clustered or stacked), the cells holding its categories, its series
(each a column of the sheet's own table, named after the column's header), the value axis' title and
number format, which series are shares drawn as a line on a second percentage axis (a Pareto's
cumulative share, a denial rate), and where it sits (the cells it covers). Ranges are kept without a
sheet name, because the sheet a result lands on is only known when it is written (``Dashboard (2)``
when a clinic's own sheet holds the name).

Two shells present the same description:

* the saved-file writer turns it into a DrawingML chart part (:mod:`.xlsx.chartspace`);
* the Excel macros draw it through xlwings' chart API on the open workbook
  (``infusion_billing.macros._charts``).

Both need the series in one block of adjacent columns, the columns drawn first and the lines after
them (Excel's "select data" takes one rectangle on every engine, Office.js included), which
:class:`ChartSpec` checks when it is made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..values import excel_column_letter

#: Points per column and row of a sheet in Excel's default layout (8.43 characters x 15 points):
#: how the macros size a chart to the cells it covers in the saved file.
COLUMN_POINTS, ROW_POINTS = 48.0, 15.0


@dataclass(frozen=True)
class CellRange:
    """A block of cells, 1-based and inclusive, on the sheet the chart is drawn on."""

    first_row: int
    last_row: int
    first_column: int
    last_column: int

    def __post_init__(self) -> None:
        if not (1 <= self.first_row <= self.last_row and 1 <= self.first_column <= self.last_column):
            raise ValueError(f"not a block of cells: {self!r}")

    def a1(self, sheet: str | None = None) -> str:
        """``$C$3:$D$8``, or ``'Dashboard'!$C$3:$D$8`` with ``sheet`` (quotes doubled as Excel wants);
        one cell is ``$A$2``, as Excel writes it.

        >>> CellRange(3, 8, 3, 4).a1(), CellRange(2, 2, 1, 1).a1("O'Brien Clinic")
        ('$C$3:$D$8', "'O''Brien Clinic'!$A$2")
        """
        cells = f"${excel_column_letter(self.first_column)}${self.first_row}"
        if (self.last_row, self.last_column) != (self.first_row, self.first_column):
            cells += f":${excel_column_letter(self.last_column)}${self.last_row}"
        return cells if sheet is None else "'" + sheet.replace("'", "''") + "'!" + cells


def column_cells(columns: Sequence[str], header: str, rows: tuple[int, int]) -> CellRange:
    """The cells of ``header``'s column on Excel rows ``rows`` (first, last) of a table starting at A1."""
    column = list(columns).index(header) + 1
    return CellRange(rows[0], rows[1], column, column)


@dataclass(frozen=True)
class ChartSeriesSpec:
    """One series: its legend name and the cells of its values; ``line`` draws it as a line with
    markers on the secondary value axis (a share or rate beside dollars)."""

    name: str
    values: CellRange
    line: bool = False


@dataclass(frozen=True)
class ChartSpec:
    """One column chart over a sheet's cells (see the module docstring).

    ``anchor`` is the cells it covers: 0-based column and row of its top-left cell and of the cell
    just past its bottom-right corner, as a DrawingML two-cell anchor counts them.
    """

    name: str
    title: str
    categories: CellRange
    series: tuple[ChartSeriesSpec, ...]
    value_title: str
    anchor: tuple[int, int, int, int]
    stacked: bool = False
    value_format: str = "#,##0"
    line_format: str = "0%"

    def __post_init__(self) -> None:
        if not self.series:
            raise ValueError(f"chart {self.name!r} has no series")
        rows = (self.categories.first_row, self.categories.last_row)
        columns = [s.values.first_column for s in self.series]
        for s in self.series:
            if (s.values.first_row, s.values.last_row) != rows or s.values.first_column != s.values.last_column:
                raise ValueError(f"chart {self.name!r}: series {s.name!r} is not one column on rows {rows}")
        if columns != list(range(columns[0], columns[0] + len(columns))):
            raise ValueError(f"chart {self.name!r}: the series are not adjacent columns in order")
        lines = [s.line for s in self.series]
        if lines != sorted(lines) or all(lines):
            raise ValueError(f"chart {self.name!r}: columns come first, lines after them, at least one column")

    @property
    def chart_type(self) -> str:
        """Excel's (and xlwings') name of the chart type: ``column_clustered`` or ``column_stacked``."""
        return "column_stacked" if self.stacked else "column_clustered"

    @property
    def source(self) -> CellRange:
        """The block holding every series' values (what Excel's "select data" is given)."""
        return self._block(self.series)

    @property
    def column_source(self) -> CellRange:
        """The block of the series drawn as columns only (the lines left out)."""
        return self._block([s for s in self.series if not s.line])

    @property
    def lines(self) -> tuple[ChartSeriesSpec, ...]:
        return tuple(s for s in self.series if s.line)

    @property
    def size_points(self) -> tuple[float, float]:
        """Width and height in points of the cells the chart covers, in Excel's default layout."""
        c0, r0, c1, r1 = self.anchor
        return (c1 - c0) * COLUMN_POINTS, (r1 - r0) * ROW_POINTS

    def _block(self, series: Sequence[ChartSeriesSpec]) -> CellRange:
        return CellRange(self.categories.first_row, self.categories.last_row,
                         series[0].values.first_column, series[-1].values.last_column)
