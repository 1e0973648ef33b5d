"""The template: every input table as the schema declares it, with drop-downs, and no drift.

The committed ``workbook_templates/InfusionBilling.xlsx`` is compared with the schema by meaning
(sheets, tables, headers, drop-down lists, settings), not by bytes. When a column is added to the
schema, ``make template`` regenerates it and these tests pass again.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries

from infusion_billing.schema import INPUT_TABLES, TABLES_BY_NAME
from infusion_billing.settings import SETTING_SPECS
from infusion_billing.workbook.reader import read_workbook
from infusion_billing.workbook.template import (
    INPUT_FILL,
    LISTS,
    WorkbookBuilder,
    build_workbook,
    column_dropdown,
    dropdowns,
    excel_table_name,
    setting_dropdown,
    write_template,
)
from infusion_billing.workbook.writer import HEADER_FILL, OutputTable

COMMITTED = Path(__file__).resolve().parents[2] / "workbook_templates" / "InfusionBilling.xlsx"
REGENERATE = "workbook_templates/InfusionBilling.xlsx is out of date: run `make template` and commit it."


def signature(path: Path) -> dict:
    """What the template means: sheet order, each table's name, headers and drop-downs, the lists, the settings."""
    wb = openpyxl.load_workbook(path)
    names = {n: d.attr_text for n, d in wb.defined_names.items()}
    lists = {}
    for name, ref in names.items():
        sheet, cells = ref.split("!")
        lists[name] = tuple(c.value for row in wb[sheet][cells.replace("$", "")] for c in row)
    tables = {}
    for spec in INPUT_TABLES:
        ws = wb[spec.name]
        (table,) = ws.tables.values()
        c0, r0, c1, _ = range_boundaries(table.ref)
        headers = [ws.cell(r0, c).value for c in range(c0, c1 + 1)]
        dvs = {}
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                dvs[(rng.min_col, rng.min_row)] = dv.formula1
        by_header = {headers[col - 1]: formula for (col, row), formula in dvs.items() if row == 2}
        tables[spec.name] = (table.displayName, headers, [c.name for c in table.tableColumns], by_header)
    settings = [r[0] for r in wb["Settings"].iter_rows(min_row=2, values_only=True) if r[0]]
    return {"sheets": wb.sheetnames, "lists": lists, "tables": tables, "settings": settings}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return write_template(tmp_path_factory.mktemp("template") / "InfusionBilling.xlsx")


def test_committed_template_has_not_drifted_from_the_schema(template):
    assert COMMITTED.exists(), REGENERATE
    assert signature(COMMITTED) == signature(template), REGENERATE


def test_sheets_are_instructions_then_every_input_table_then_lists(template):
    assert signature(COMMITTED)["sheets"] == ["Instructions", *(t.name for t in INPUT_TABLES), LISTS]


def test_each_table_is_an_excel_table_named_like_its_sheet_with_the_exact_headers(template):
    tables = signature(COMMITTED)["tables"]
    assert tables["Administrations"][0] == "Administrations"
    assert tables["Payer Rules"][0] == "PayerRules"  # Excel Table names have no spaces
    for spec in INPUT_TABLES:
        name, headers, table_columns, _ = tables[spec.name]
        assert name == excel_table_name(spec.name)
        assert headers == table_columns == spec.headers


def test_every_choice_and_yes_no_column_has_its_drop_down_from_the_lists_sheet():
    sig = signature(COMMITTED)
    expected_lists = {d.defined_name: d.values for d in dropdowns()}
    assert sig["lists"] == expected_lists
    assert sig["lists"]["List_Route"][:2] == ("IV infusion", "IV push")
    assert {"SC injection", "IM injection", "Prolonged pump", "Oral"} <= set(sig["lists"]["List_Route"])
    assert sig["lists"]["List_YesNo"] == ("Y", "N")
    for spec in INPUT_TABLES:
        expected = {c.header: column_dropdown(spec, c).defined_name for c in spec.columns if column_dropdown(spec, c)}
        assert sig["tables"][spec.name][3] == expected, spec.name
    assert sig["tables"]["Administrations"][3]["Route"] == "List_Route"
    assert sig["tables"]["Payers"][3]["Requires NDC"] == "List_YesNo"
    assert "Dose" not in sig["tables"]["Administrations"][3]


def test_settings_sheet_lists_every_known_setting_with_a_blank_value(template):
    assert signature(COMMITTED)["settings"] == [s.name for s in SETTING_SPECS]
    ws = openpyxl.load_workbook(template)["Settings"]
    assert all(row[1] is None for row in ws.iter_rows(min_row=2, values_only=True))
    # a setting with allowed values gets them as a drop-down on its own Value cell
    by_cell = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    rule_set_row = 2 + [s.name for s in SETTING_SPECS].index("Rule Set")
    assert by_cell[f"B{rule_set_row}"] == "List_RuleSet"
    hydration_row = 2 + [s.name for s in SETTING_SPECS].index("Hydration Sum Segments")
    assert by_cell[f"B{hydration_row}"] == "List_YesNo"
    assert setting_dropdown(next(s for s in SETTING_SPECS if s.name == "As-Of Date")) is None


def test_template_reads_back_with_no_findings_and_default_settings(template):
    book = read_workbook(template)
    assert book.findings == []
    assert all(book.has(spec.name) for spec in INPUT_TABLES)
    assert book.rows("Encounters") == [] and book.rows("Payers") == []
    assert book.settings.rule_set == "basic" and book.settings.as_of_date is None


def test_headers_frozen_required_marked_inputs_shaded_and_formatted(template):
    wb = openpyxl.load_workbook(template)
    ws = wb["Administrations"]
    spec = TABLES_BY_NAME["Administrations"]
    assert ws.freeze_panes == "A2"
    headers = {c.value: c for c in ws[1]}
    required, optional = headers["Admin ID"], headers["Dose"]
    assert spec.column("Admin ID").required and not spec.column("Dose").required
    assert required.fill.fgColor.rgb.endswith(HEADER_FILL) and not optional.fill.fgColor.rgb.endswith(HEADER_FILL)
    assert required.comment.text.startswith("Required. ") and optional.comment.text.startswith("Optional. ")
    assert "Allowed: IV infusion, IV push" in headers["Route"].comment.text
    # column styles: input shading and the kind's number format for every cell typed later
    start = ws.column_dimensions["K"]  # Start
    assert headers["Start"].column_letter == "K"
    assert start.fill.fgColor.rgb.endswith(INPUT_FILL)
    assert start.number_format == "hh:mm" and start.width == spec.column("Start").kind.width
    assert wb["Encounters"].column_dimensions["D"].number_format == "yyyy-mm-dd"  # Date of Service


def test_instructions_sheet_explains_workflow_tables_columns_commands_and_settings(template):
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames[0] == "Instructions"
    text = "\n".join(" | ".join(str(c) for c in row if c) for row in wb["Instructions"].iter_rows(values_only=True))
    for step in ("1. Fill the tables", "2. Check", "3. Code", "4. Import remits"):
        assert step in text
    assert "infusion-billing check THIS.xlsx" in text and "validate_workbook" in text
    for spec in INPUT_TABLES:
        assert f"{spec.name} table" in text and spec.description in text
        for col in spec.columns:
            assert col.header in text and col.description in text
    assert "Route | yes" not in text and "Admin ID | yes | code" in text
    for s in SETTING_SPECS:
        assert s.name in text and s.description in text
    assert "Missing Stop Time Fallback | Push code" in text


# ----------------------------------------------------------------------------- filled workbooks


def test_filled_workbook_reads_back_typed_and_text_never_becomes_a_formula(tmp_path):
    path = build_workbook(tmp_path / "filled.xlsx", {
        "Payers": [{"payer_id": "MCD", "payer_name": "Evergreen & <Co> Medicaid", "payer_type": "Medicaid"},
                   {"Payer ID": "MCR", "Payer Name": "Medicare Part B", "Payer Type": "Medicare",
                    "Timely Filing Days": 365}],
        "Administrations": [["E1", "A1", "=HYPERLINK(\"x\")", "J1745", None, Decimal("350"), "mg", Decimal("50"),
                             None, "IV infusion", dt.time(9, 0), dt.time(11, 5), None, 0, "L forearm"]],
        "Encounters": [["E1", "P1", "MCR", dt.date(2026, 9, 14), "Professional", "11"]],
        "Patients": [["P1", "Synthetic", "Alpha", dt.date(1950, 1, 2), "F"]],
    })
    book = read_workbook(path)
    assert [f.rule_id for f in book.findings] == []
    mcd, mcr = book.rows("Payers")
    assert (mcd.payer_name, mcd.requires_ndc, mcr.timely_filing_days) == ("Evergreen & <Co> Medicaid", True, 365)
    (admin,) = book.rows("Administrations")
    assert (admin.excel_row, admin.drug, admin.dose, admin.wasted) == (2, '=HYPERLINK("x")', 350, 50)
    assert (admin.start, admin.stop) == (dt.time(9, 0), dt.time(11, 5))
    assert book.rows("Encounters")[0].date_of_service == dt.date(2026, 9, 14)
    ws = openpyxl.load_workbook(path)["Administrations"]
    assert ws["C2"].data_type == "s" and ws["C2"].value == '=HYPERLINK("x")'
    assert ws["K2"].number_format == "hh:mm" and ws["F2"].number_format == "0.###"
    assert ws.tables["Administrations"].ref == "A1:Y2"


def test_rows_of_different_tables_interleave_and_report_their_excel_rows(tmp_path):
    with WorkbookBuilder(tmp_path / "stream.xlsx") as book:
        rows = []
        for i in range(1, 4):
            rows.append(book.append("Encounters", [f"E{i}", "P1", "MCR", dt.date(2026, 9, i), "Facility"]))
            rows += [book.append("Administrations", [f"E{i}", f"A{i}{j}"]) for j in range(2)]
        book.add_table(OutputTable("Demo Answer Key", ["Rule ID", "Cell"], [["doc.ndc-missing", "S3"]]))
    assert rows == [2, 2, 3, 3, 4, 5, 4, 6, 7]
    wb = openpyxl.load_workbook(tmp_path / "stream.xlsx")
    assert wb["Administrations"].tables["Administrations"].ref == "A1:Y7"
    assert wb["Encounters"]["A4"].value == "E3" and wb["Administrations"]["B7"].value == "A31"
    assert wb.sheetnames[-1] == "Demo Answer Key"
    assert [c.value for c in wb["Demo Answer Key"][2]] == ["doc.ndc-missing", "S3"]


def test_a_bad_row_is_a_programming_error_not_a_silent_file(tmp_path):
    with pytest.raises(KeyError):
        build_workbook(tmp_path / "x.xlsx", {"Charges": [["x"]]})
    with pytest.raises(ValueError):
        with WorkbookBuilder(tmp_path / "y.xlsx") as book:
            book.append("Payers", ["MCR"] * 40)
    assert not (tmp_path / "y.xlsx").exists()
