"""The Dashboard's charts as the ``close_month`` macro draws them in desktop Excel (the classic add-in).

Desktop Excel is reached over COM or AppleScript, neither of which exists on Linux, so xlwings' chart
API is stood in for by a recording fake with the same calls (``sheet.charts.add(...)``, ``chart.title``,
``set_x_axis_values``, ``value_axis.set``, ``chart.series[i].set``, ``secondary_value_axis.set``,
``chart.delete``). The Office.js route runs through xlwings' own engine in tests/contract.

The demo month's Dashboard is built by the pipeline; the macro's presenter draws its chart descriptions
on a sheet holding that table, and the charts must read the table's own figures, show the share lines
on a percentage axis, and match the saved file's chart parts range for range.
"""

from __future__ import annotations

import re

import pytest

from infusion_billing.macros._charts import replace_charts
from infusion_billing.pipeline import RunOptions, run_workbook
from infusion_billing.values import excel_column_letter

from .test_dashboard import CHART_TITLES, dashboard_charts

A1 = re.compile(r"\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$")


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


class Cells:
    """A block of a fake sheet: its A1 address as Excel writes it ($C$3:$D$8, $B$2)."""

    def __init__(self, first: tuple[int, int], last: tuple[int, int]):
        self.first, self.last = first, last

    @property
    def address(self) -> str:
        a = f"${excel_column_letter(self.first[1])}${self.first[0]}"
        b = f"${excel_column_letter(self.last[1])}${self.last[0]}"
        return a if a == b else f"{a}:{b}"

    def columns(self) -> list[Cells]:
        return [Cells((self.first[0], c), (self.last[0], c)) for c in range(self.first[1], self.last[1] + 1)]


class Axis:
    def __init__(self, chart: Chart, secondary: bool = False):
        self.chart, self.secondary, self.settings = chart, secondary, {}

    def set(self, **values):
        if self.secondary and not any(s.axis_group == "secondary" for s in self.chart.series):
            raise RuntimeError("no secondary axis group")  # Excel has none until a series is moved to it
        self.settings.update(values)


class Series:
    def __init__(self, values: Cells):
        self.values, self.name, self.chart_type, self.axis_group = values, None, None, "primary"

    def set(self, **values):
        for key, value in values.items():
            setattr(self, key, value)


class Chart:
    def __init__(self, charts: Charts, name: str, chart_type: str, top_left: Cells, width: float, height: float):
        self.charts, self.name, self.chart_type = charts, name, chart_type
        self.top_left, self.width, self.height = top_left.address, width, height
        self.title, self.categories, self.series = None, None, []
        self.value_axis, self.secondary_value_axis = Axis(self), Axis(self, secondary=True)

    def set_source_data(self, source: Cells, plot_by: str | None = None):
        assert plot_by == "columns"
        self.series = [Series(column) for column in source.columns()]

    def set_x_axis_values(self, cells: Cells):
        self.categories = cells.address

    def delete(self):
        self.charts.items.remove(self)


class Charts:
    def __init__(self):
        self.items: list[Chart] = []

    def __iter__(self):
        return iter(list(self.items))

    def __len__(self):
        return len(self.items)

    def add(self, *, chart_type, source, plot_by, name, anchor, width, height):
        assert name not in [c.name for c in self.items], "Excel refuses a second chart of the same name"
        chart = Chart(self, name, chart_type, anchor, width, height)
        chart.set_source_data(source, plot_by)
        self.items.append(chart)
        return chart


class Sheet:
    """The Dashboard sheet as the macro left it: its table's values from A1, and its charts."""

    def __init__(self, name: str, values: list[list]):
        self.name, self.values, self.charts = name, values, Charts()

    def range(self, where):
        if isinstance(where, tuple):
            return Cells(where, where)
        m = A1.match(where)
        assert m, where
        first = (int(m[2]), _column_number(m[1]))
        last = (int(m[4]), _column_number(m[3])) if m[3] else first
        return Cells(first, last)

    def cells(self, address: str) -> list:
        block = self.range(address)
        return [self.values[r - 1][c - 1] for r in range(block.first[0], block.last[0] + 1)
                for c in range(block.first[1], block.last[1] + 1)]


@pytest.fixture(scope="module")
def dashboard(demo_book):
    """The demo month's Dashboard table (with its chart descriptions) as the pipeline builds it."""
    path, _, _ = demo_book
    # As the demo's close counted them: to its last remit (its Settings As-Of Date is the day claims went out).
    run = run_workbook(path, ["kpis", "dashboard"], write=False, options=RunOptions(month_close=True))
    (table,) = [t for t in run.sheets() if t.name == "Dashboard"]
    return table


def drawn(table) -> Sheet:
    sheet = Sheet("Dashboard", [table.columns, *table.rows])
    earlier = Sheet("Dashboard", sheet.values)
    assert replace_charts(earlier, table.charts) == []
    sheet.charts = earlier.charts  # the previous close's charts are on the sheet
    assert replace_charts(sheet, table.charts) == []
    return sheet


def section_rows(table, section: str) -> list[list]:
    return [row for row in table.rows if row[0] == section]


def test_the_macro_draws_the_four_charts_over_the_dashboards_own_figures(dashboard):
    sheet = drawn(dashboard)
    charts = list(sheet.charts)
    assert [c.name for c in charts] == ["Denial Pareto", "AR by payer and bucket", "Monthly", "Underpayments by payer"]
    assert [c.title for c in charts] == list(CHART_TITLES)
    assert [c.chart_type for c in charts] == ["column_clustered", "column_stacked", "column_clustered",
                                              "column_clustered"]
    header = dashboard.columns
    pareto, ar, monthly, under = charts
    # Pareto: the denied dollars by category, largest first, and the cumulative share reaching 100 %.
    denials = section_rows(dashboard, "Denials by category")
    assert [s.name for s in pareto.series] == ["Denied", "Cumulative Share"]
    assert sheet.cells(pareto.series[0].values.address) == [r[header.index("Value")] for r in denials]
    assert sheet.cells(pareto.series[1].values.address)[-1] == 1
    assert sheet.cells(pareto.categories) == [r[1] for r in denials]
    assert [(s.chart_type, s.axis_group) for s in pareto.series] == [(None, "primary"),
                                                                     ("line_markers", "secondary")]
    assert pareto.secondary_value_axis.settings == {"title": "Cumulative Share", "number_format": "0%"}
    assert pareto.value_axis.settings == {"title": "Denied", "number_format": "#,##0"}
    # AR: one stacked series per age bucket, one category per payer.
    aging = section_rows(dashboard, "AR by payer")
    assert [s.name for s in ar.series] == ["0-30", "31-60", "61-90", "91-120", "Over 120"]
    assert len(aging) > 1 and sheet.cells(ar.categories) == [r[1] for r in aging]
    assert sheet.cells(ar.series[3].values.address) == [r[header.index("91-120")] for r in aging]
    # Monthly: charges and payments as columns, the initial denial rate as a line on the % axis.
    months = section_rows(dashboard, "Month of service")
    assert [(s.name, s.axis_group) for s in monthly.series] == [
        ("Charges", "primary"), ("Payments", "primary"), ("Initial Denial Rate", "secondary")]
    assert sheet.cells(monthly.series[0].values.address) == [r[header.index("Charges")] for r in months]
    assert sheet.cells(monthly.categories) == [r[1] for r in months]
    # Underpayments: the shortfall by payer.
    shortfall = section_rows(dashboard, "Underpayments by payer")
    assert [s.name for s in under.series] == ["Shortfall"]
    assert sheet.cells(under.series[0].values.address) == [r[header.index("Value")] for r in shortfall]
    assert all(v > 0 for v in sheet.cells(under.series[0].values.address))
    # Placed right of the table, two per row of charts, each 9 columns x 18 rows of the default layout.
    width = len(header)
    assert [c.top_left for c in charts] == [f"${excel_column_letter(width + 2)}$2",
                                            f"${excel_column_letter(width + 12)}$2",
                                            f"${excel_column_letter(width + 2)}$21",
                                            f"${excel_column_letter(width + 12)}$21"]
    assert {(c.width, c.height) for c in charts} == {(432.0, 270.0)}


def test_closing_twice_leaves_exactly_the_four_charts(dashboard):
    sheet = drawn(dashboard)
    assert len(sheet.charts) == 4
    assert replace_charts(sheet, dashboard.charts) == []
    assert [c.name for c in sheet.charts] == ["Denial Pareto", "AR by payer and bucket", "Monthly",
                                              "Underpayments by payer"]


def test_the_macro_and_the_saved_file_draw_the_same_cells(dashboard, demo_book):
    path, _, _ = demo_book
    in_file = [sorted(set(re.findall(r"<(?:c:)?f>'Dashboard'!([^<]+)</(?:c:)?f>", xml)))
               for xml in dashboard_charts(path)]
    sheet = drawn(dashboard)
    by_macro = [sorted({s.values.address for s in c.series} | {c.categories}) for c in sheet.charts]
    assert by_macro == in_file


def test_office_js_engines_get_the_dollar_columns_only(dashboard):
    sheet = Sheet("Dashboard", [dashboard.columns, *dashboard.rows])
    assert replace_charts(sheet, dashboard.charts, series=False) == []
    pareto, _ar, monthly, _under = sheet.charts
    assert [s.values.address for s in pareto.series] == [
        pareto.categories.replace("$B$", "$C$")]  # the Value column only, on the Pareto's rows
    assert len(monthly.series) == 2 and all(s.name is None for c in sheet.charts for s in c.series)


def test_a_chart_that_excel_refuses_is_reported_and_the_others_are_drawn(dashboard):
    sheet = Sheet("Dashboard", [dashboard.columns, *dashboard.rows])
    add = sheet.charts.add

    def refusing(**kwargs):
        if kwargs["name"] == "Monthly":
            raise RuntimeError("Excel refused the chart")
        return add(**kwargs)

    sheet.charts.add = refusing  # type: ignore[method-assign]
    assert replace_charts(sheet, dashboard.charts) == ["Monthly"]
    assert [c.name for c in sheet.charts] == ["Denial Pareto", "AR by payer and bucket", "Underpayments by payer"]
