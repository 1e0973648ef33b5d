"""The Dashboard's four charts, described over the Dashboard table's cells.

Each chart is a :class:`~infusion_billing.workbook.charts.ChartSpec`: the saved-file writer draws it
as a DrawingML chart part and the ``close_month`` macro draws the same description through xlwings,
so both show the same four charts over the same cells. A section with no rows gets no chart (an
empty chart would show only its axes), and :func:`not_drawn` says which and why.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..workbook.charts import ChartSeriesSpec, ChartSpec, column_cells
from .definitions import AR, DENIALS, MONTHS, UNDERPAID

#: Each chart's size in cells (columns, rows), and the gap between charts.
WIDTH, HEIGHT, GAP = 9, 18, 1
#: The charts' names in Excel's selection pane, in the order they are drawn.
PARETO, AR_CHART, MONTHLY, UNDERPAYMENTS = ("Denial Pareto", "AR by payer and bucket", "Monthly",
                                            "Underpayments by payer")
#: Why a section has no rows, in a biller's words: before claims are sent and remits posted, most do not.
EMPTY_BECAUSE = {
    DENIALS: (PARETO, "no denial on the Denials worklist"),
    AR: (AR_CHART, "no open claim balance on AR Aging"),
    MONTHS: (MONTHLY, "no charges on sent claims by month of service yet"),
    UNDERPAID: (UNDERPAYMENTS, "no underpayment found at a first remit"),
}
#: The Dashboard columns holding a share, drawn as a line on the percentage axis.
SHARES = ("Cumulative Share", "Initial Denial Rate")


def _series(cols: Sequence[str], headers: Sequence[str], rows: tuple[int, int],
            names: dict[str, str] | None = None) -> tuple[ChartSeriesSpec, ...]:
    names = names or {}
    return tuple(ChartSeriesSpec(names.get(h, h), column_cells(cols, h, rows), line=h in SHARES) for h in headers)


def dashboard_charts(cols: Sequence[str], sections: dict[str, tuple[int, int]], first_column: int,
                     buckets: Sequence[str]) -> list[ChartSpec]:
    """The charts of the sections present (``sections``: name -> its first and last Excel row), two
    per row of charts, right of the table from 0-based column ``first_column``; ``buckets`` are the
    AR age bucket columns."""
    built: list[tuple[str, str, str, tuple[ChartSeriesSpec, ...], bool, tuple[int, int]]] = []
    if DENIALS in sections:
        rows = sections[DENIALS]
        built.append((PARETO, "Denied dollars by category (Pareto)", "Denied",
                      _series(cols, ("Value", "Cumulative Share"), rows, {"Value": "Denied"}), False, rows))
    if AR in sections:
        rows = sections[AR]
        built.append((AR_CHART, "AR by payer and age bucket", "Balance", _series(cols, buckets, rows), True, rows))
    if MONTHS in sections:
        rows = sections[MONTHS]
        built.append((MONTHLY, "Charges, payments and initial denial rate by month of service", "Dollars",
                      _series(cols, ("Charges", "Payments", "Initial Denial Rate"), rows), False, rows))
    if UNDERPAID in sections:
        rows = sections[UNDERPAID]
        built.append((UNDERPAYMENTS, "Underpayments by payer (found at the first remit)", "Shortfall",
                      _series(cols, ("Value",), rows, {"Value": "Shortfall"}), False, rows))
    out = []
    for i, (name, title, value_title, series, stacked, rows) in enumerate(built):
        col = first_column + (i % 2) * (WIDTH + GAP)
        row = 1 + (i // 2) * (HEIGHT + GAP)
        out.append(ChartSpec(name, title, column_cells(cols, "Label", rows), series, value_title,
                             (col, row, col + WIDTH, row + HEIGHT), stacked=stacked))
    return out


def not_drawn(sections: dict[str, tuple[int, int]]) -> list[str]:
    """The charts not drawn because their section has no rows, each with why: ``Monthly (no charges ...)``."""
    return [f"{name} ({why})" for section, (name, why) in EMPTY_BECAUSE.items() if section not in sections]
