"""The Dashboard's native charts from ``close_month`` through xlwings' Office.js engine (Lite, Server).

The workbook of the reconcile macro test: one Medicare claim (E100, 2026-08-03, 5,060.00 billed), its
drug line denied CO-16 (4,800.00, a Documentation denial) and its admin line underpaid by 4.00. The
close writes the Dashboard table and draws four charts whose source cells are that table's own figures,
read back here from the values the macro wrote. Office.js cannot change a chart's series from Python,
so there the charts carry the dollar columns only and a ``writer.charts-plain`` note says so. Closing
again deletes the four charts on the Dashboard and draws four new ones; a chart on the clinic's own
sheet is never touched.
"""

from __future__ import annotations

from infusion_billing.values import excel_column_letter

from .test_reconcile_macro import added_sheets, values_on, workbook

MARK = "_InfusionBilling_Sheet"
CHARTS = ("Denial Pareto", "AR by payer and bucket", "Monthly", "Underpayments by payer")


def chart_actions(actions, position):
    return [a for a in actions if "Chart" in a["func"] and a["sheet_position"] == position]


def section_cells(table, section, first, last):
    """``$C$17`` or ``$J$18:$N$19``: the cells of columns ``first``..``last`` on ``section``'s rows of
    the written table (row 1 is the header row)."""
    header = table[0]
    rows = [i + 1 for i, row in enumerate(table) if row[0] == section]
    assert rows == list(range(rows[0], rows[-1] + 1)), rows
    a = f"${excel_column_letter(header.index(first) + 1)}${rows[0]}"
    b = f"${excel_column_letter(header.index(last) + 1)}${rows[-1]}"
    return a if a == b else f"{a}:{b}"


def cell(table, address):
    column, row = address.strip("$").split("$")
    return table[int(row) - 1][[excel_column_letter(i + 1) for i in range(len(table[0]))].index(column)]


def close_once(run_script):
    actions, book = run_script("close_month", workbook())
    position = added_sheets(actions)["Dashboard"]
    return actions, book, position, values_on(actions, position)


def test_close_month_draws_the_four_dashboard_charts_over_the_table_it_wrote(run_script):
    actions, book, position, table = close_once(run_script)
    added = [a["args"] for a in chart_actions(actions, position) if a["func"] == "addChart"]
    assert [(name, kind, sheet) for name, kind, sheet, *_ in added] == [
        ("Denial Pareto", "ColumnClustered", "Dashboard"), ("AR by payer and bucket", "ColumnStacked", "Dashboard"),
        ("Monthly", "ColumnClustered", "Dashboard"), ("Underpayments by payer", "ColumnClustered", "Dashboard")]
    sources = {name: source for name, _kind, _sheet, source, *_ in added}
    # Office.js: the dollar columns only (the share lines need series access the engine lacks).
    assert sources == {
        "Denial Pareto": section_cells(table, "Denials by category", "Value", "Value"),
        "AR by payer and bucket": section_cells(table, "AR by payer", "0-30", "Over 120"),
        "Monthly": section_cells(table, "Month of service", "Charges", "Payments"),
        "Underpayments by payer": section_cells(table, "Underpayments by payer", "Value", "Value"),
    }
    assert sources["AR by payer and bucket"] == "$J$18:$N$19" and sources["Monthly"] == "$G$20:$H$20"
    # The cells hold the month's figures: the denied drug line, the claim's AR, the charges and payments,
    # the 4.00 underpayment.
    assert cell(table, sources["Denial Pareto"]) == 4800.0
    assert cell(table, "$M$18") == 4800.0 and cell(table, "$M$19") == 23.1  # 91-120 days: MCR, the patient
    assert (cell(table, "$G$20"), cell(table, "$H$20")) == (5060.0, 90.55)
    assert cell(table, sources["Underpayments by payer"]) == 4.0
    calls = chart_actions(actions, position)
    titles = [a["args"][1] for a in calls if a["func"] == "setChartTitle"]
    assert titles == ["Denied dollars by category (Pareto)", "AR by payer and age bucket",
                      "Charges, payments and initial denial rate by month of service",
                      "Underpayments by payer (found at the first remit)"]
    categories = [a["args"][1:] for a in calls if a["func"] == "setChartXAxisValues"]
    assert categories == [["Dashboard", "$B$17"], ["Dashboard", "$B$18:$B$19"], ["Dashboard", "$B$20"],
                          ["Dashboard", "$B$21"]]
    assert [cell(table, c[1].split(":")[0]) for c in categories] == ["Documentation", "MCR", "'2026-08", "MCR"]
    # Beside the table (14 columns, A:N), two per row of charts, each 9 columns by 18 rows.
    assert [args[9] for args in added] == ["$P$2", "$Z$2", "$P$21", "$Z$21"]
    assert [(args[6], args[7]) for args in added] == [(432.0, 270.0)] * 4
    assert [c.name for c in book.sheets["Dashboard"].charts] == list(CHARTS)
    findings = values_on(actions, added_sheets(actions)["Findings"])
    assert [r[:3] for r in findings if r[1].startswith("writer.charts")] == [["info", "writer.charts-plain",
                                                                           "Dashboard"]]
    assert not [a for a in actions if a["func"] == "alert"]


def test_closing_again_leaves_exactly_four_charts_and_the_clinics_own_chart(run_script):
    actions, _book, position, table = close_once(run_script)
    drawn = [{"name": a["args"][0], "chart_type": a["args"][1], "left": 0, "top": 0, "width": 432.0,
              "height": 270.0} for a in chart_actions(actions, position) if a["func"] == "addChart"]
    sheets = workbook()
    sheets["Practice Charts"] = [["Month", "Collected"], ["2026-07", 18250.0], ["2026-08", 19410.5]]
    sheets["Dashboard"] = table
    own = {"name": "Collections trend", "chart_type": "Line", "left": 120, "top": 40, "width": 355, "height": 211}
    again, book = run_script("close_month", sheets, names={MARK + "1": "Dashboard"},
                             charts={"Dashboard": drawn, "Practice Charts": [own]})
    positions = list(sheets)
    dashboard = positions.index("Dashboard")
    calls = chart_actions(again, dashboard)
    assert [a["args"] for a in calls if a["func"] == "deleteChart"] == [[3], [2], [1], [0]]
    assert [a["args"][0] for a in calls if a["func"] == "addChart"] == list(CHARTS)
    assert [c.name for c in book.sheets["Dashboard"].charts] == list(CHARTS)
    assert chart_actions(again, positions.index("Practice Charts")) == []
    assert [c.name for c in book.sheets["Practice Charts"].charts] == ["Collections trend"]
    assert not [name for name in added_sheets(again) if name.startswith("Dashboard")]
    assert values_on(again, dashboard) == table
    assert not [a for a in again if a["func"] == "alert"]
