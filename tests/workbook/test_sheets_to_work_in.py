"""Result sheets a biller can work in: the work list first, links to the cell to fix, pages that print.

Opened with openpyxl, as a biller's Excel would show them: the sheet tabs in work order (Findings,
Encounter Status, Charges, then the rest), the Cell column of Findings a hyperlink to the cell it
names, every result sheet printing landscape, one page wide, with its header row on every page, and
dates in the practice's Date Format (m/d/yyyy unless the Settings sheet says otherwise).
"""

from __future__ import annotations

import openpyxl

from infusion_billing.pipeline import run_workbook
from infusion_billing.workbook.sheet_order import work_order
from infusion_billing.workbook.template import write_template

INPUTS = ["Payers", "Patients", "Coverage", "Encounters", "Administrations"]


def unknown_drug(book_factory, sheets, name="clinic.xlsx"):
    sheets["Administrations"][1][3] = "J9999"  # Administrations!D2: a code no drug table knows
    return book_factory(sheets, name=name)


def run(book, *stages):
    return openpyxl.load_workbook(run_workbook(book, list(stages), in_place=True).output)


def test_result_sheets_come_in_work_order_after_the_billers_own(book_factory, sheets):
    wb = run(unknown_drug(book_factory, sheets), "validate", "code", "check")
    assert wb.sheetnames == [*INPUTS, "Findings", "Encounter Status", "Charges", "RunLog"]


def test_a_later_command_keeps_the_work_order(book_factory, sheets):
    book = unknown_drug(book_factory, sheets)
    run(book, "validate", "code")
    wb = run(book, "validate", "check")  # Encounter Status is new; it goes before the Charges already there
    assert wb.sheetnames == [*INPUTS, "Findings", "Encounter Status", "Charges", "RunLog"]


def test_the_cell_column_links_to_the_cell_to_fix(book_factory, sheets):
    wb = run(unknown_drug(book_factory, sheets), "validate", "code")
    ws = wb["Findings"]
    header = [c.value for c in ws[1]]
    cell_col, rule_col = header.index("Cell") + 1, header.index("Rule ID") + 1
    (r,) = [r for r in range(2, ws.max_row + 1) if ws.cell(r, rule_col).value == "coding.unknown-hcpcs"]
    link = ws.cell(r, cell_col)
    assert link.value == "D2"
    assert link.hyperlink.location == "'Administrations'!D2" and link.hyperlink.target is None  # inside the book
    assert link.font.underline == "single" and link.font.color.rgb == "FF0563C1"
    linked = {c.coordinate for row in ws.iter_rows(min_row=2) for c in row if c.hyperlink}
    assert linked == {ws.cell(r, cell_col).coordinate for r in range(2, ws.max_row + 1)
                      if ws.cell(r, cell_col).value}  # every finding with a cell, and nothing else


def test_every_result_sheet_prints_landscape_one_page_wide_with_its_header_row(book_factory, sheets):
    wb = run(unknown_drug(book_factory, sheets), "validate", "code", "check")
    for name in ["Findings", "Encounter Status", "Charges", "RunLog"]:
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape", name
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), name
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert ws.print_title_rows == "$1:$1", name
    assert wb["Encounters"].print_title_rows is None  # the biller's own sheets are left as they were


def test_dates_show_as_us_practices_write_them_by_default(book_factory, sheets):
    wb = run(book_factory(sheets), "validate", "code", "check")
    status = wb["Encounter Status"]
    assert [c.value for c in status[1]][1] == "Date of Service"
    assert status["B2"].number_format == "m/d/yyyy" and status["B2"].value.year == 2026
    charges = wb["Charges"]
    dos = [c.value for c in charges[1]].index("Date of Service") + 1
    assert charges.cell(2, dos).number_format == "m/d/yyyy" and charges.cell(2, dos).value.day == 14
    findings = run(unknown_drug(book_factory, sheets, name="held.xlsx"), "validate", "code")["Findings"]
    run_time = [c.value for c in findings[1]].index("Run Time") + 1
    assert findings.cell(2, run_time).number_format == "m/d/yyyy hh:mm"


def test_the_date_format_setting_changes_how_dates_show(book_factory, sheets):
    sheets["Settings"] = [["Setting", "Value"], ["Date Format", "DD/MM/YYYY"]]
    wb = run(unknown_drug(book_factory, sheets), "validate", "check")
    assert wb["Encounter Status"]["B2"].number_format == "dd/mm/yyyy"


def test_a_date_format_that_shows_no_date_is_a_finding_and_the_default_is_used(book_factory, sheets):
    sheets["Settings"] = [["Setting", "Value"], ["Date Format", "0.00"]]
    book = unknown_drug(book_factory, sheets)
    result = run_workbook(book, ["validate", "check"], in_place=True)
    assert any(f.sheet == "Settings" and f.value == "0.00" for f in result.findings)
    assert openpyxl.load_workbook(book)["Encounter Status"]["B2"].number_format == "m/d/yyyy"


def test_the_templates_lists_sheet_is_hidden(tmp_path):
    wb = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx"))
    assert wb["Lists"].sheet_state == "hidden"
    assert [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"][0] == "Instructions"


def test_a_result_moved_off_the_billers_own_sheet_keeps_its_place_in_the_order():
    # The clinic owns 'Findings' and 'RunLog' sheets: the tool's went to 'Findings (2)' and 'RunLog (2)'.
    assert work_order(["Charges", "Authorization Usage", "Findings (2)", "Encounter Status", "RunLog (2)"]) == \
        ["Findings (2)", "Encounter Status", "Charges", "Authorization Usage", "RunLog (2)"]
