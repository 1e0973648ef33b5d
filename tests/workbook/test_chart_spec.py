"""One chart description for both writers: what a ChartSpec accepts and what the saved file gets from it."""

from __future__ import annotations

import re

import pytest

from infusion_billing.workbook.charts import CellRange, ChartSeriesSpec, ChartSpec
from infusion_billing.workbook.xlsx.chartspace import sheet_chart

LABELS = CellRange(17, 19, 2, 2)  # B17:B19, three denial categories


def pareto(denied_column: int = 3, share_column: int = 4) -> ChartSpec:
    return ChartSpec("Denial Pareto", "Denied dollars by category (Pareto)", LABELS,
                     (ChartSeriesSpec("Denied", CellRange(17, 19, denied_column, denied_column)),
                      ChartSeriesSpec("Cumulative Share", CellRange(17, 19, share_column, share_column), line=True)),
                     "Denied", (15, 1, 24, 19))


def test_the_saved_file_names_the_sheet_the_result_landed_on():
    # A clinic sheet called Dashboard sends the result to 'Dashboard (2)': the chart must read that sheet.
    xml = sheet_chart(pareto(), "Dashboard (2)").xml.decode()
    refs = re.findall(r"<(?:c:)?f>([^<]+)</(?:c:)?f>", xml)
    assert set(refs) == {"'Dashboard (2)'!$C$17:$C$19", "'Dashboard (2)'!$D$17:$D$19", "'Dashboard (2)'!$B$17:$B$19"}
    # The denied dollars as clustered columns, the cumulative share as a line on a 0% axis.
    assert '<grouping val="clustered" />' in xml
    line = xml[xml.index("<lineChart>"):xml.index("</lineChart>")]
    assert "'Dashboard (2)'!$D$17:$D$19" in line and "$C$17" not in line
    assert re.findall(r'numFmt formatCode="([^"]+)"', xml) == ["#,##0", "0%"]


def test_the_source_block_and_the_columns_only_block():
    spec = pareto()
    assert spec.source.a1() == "$C$17:$D$19" and spec.column_source.a1() == "$C$17:$C$19"
    assert spec.chart_type == "column_clustered" and spec.size_points == (432.0, 270.0)
    assert [s.name for s in spec.lines] == ["Cumulative Share"]


@pytest.mark.parametrize("denied, share, problem", [
    (3, 9, "adjacent"),            # Value in C, Cumulative Share in I: Excel's select-data takes one block
    (4, 3, "adjacent"),            # in the table's order
])
def test_series_must_sit_side_by_side_in_order(denied, share, problem):
    with pytest.raises(ValueError, match=problem):
        pareto(denied, share)


def test_a_line_cannot_come_before_the_columns_nor_stand_alone():
    line_first = (ChartSeriesSpec("Share", CellRange(17, 19, 3, 3), line=True), ChartSeriesSpec("Denied", CellRange(
        17, 19, 4, 4)))
    with pytest.raises(ValueError, match="columns come first"):
        ChartSpec("x", "x", LABELS, line_first, "x", (0, 0, 1, 1))
    with pytest.raises(ValueError, match="columns come first"):
        ChartSpec("x", "x", LABELS, line_first[:1], "x", (0, 0, 1, 1))
    with pytest.raises(ValueError, match="not one column on rows"):
        ChartSpec("x", "x", LABELS, (ChartSeriesSpec("Denied", CellRange(17, 20, 3, 3)),), "x", (0, 0, 1, 1))
