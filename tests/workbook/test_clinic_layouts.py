"""Workbooks laid out the way clinics keep them: a title block over the headers, sheets called Visits and
MAR, no Admin ID column. Each is read, and one info finding says what the reader did."""

from __future__ import annotations

import datetime as dt

import pytest

from infusion_billing.findings import Severity
from infusion_billing.schema import INPUT_TABLES
from infusion_billing.values import norm_key
from infusion_billing.workbook.reader import Grid, locate_table, read_grids, read_workbook

D = dt.date

ENCOUNTER_HEADERS = ["Encounter ID", "Patient ID", "Payer ID", "Date of Service", "Setting"]
MAR_HEADERS = ["Encounter ID", "Drug", "Dose", "Route", "Start", "Stop"]


def save(book_factory, sheets: dict[str, list[list]]):
    return book_factory(sheets, tables=False)


def info(book, rule_id):
    return [(f.sheet, f.cell or f.row, f.message) for f in book.findings if f.rule_id == rule_id]


def test_a_sheet_named_visits_under_a_title_block_is_the_encounters_table(book_factory):
    path = save(book_factory, {"Visits": [
        ["Sunrise Infusion Center"],
        ["Visits for August 2026", None, None, "printed 2026-09-01"],
        [],
        ENCOUNTER_HEADERS,
        ["E001", "P001", "MCR", "08/05/2026", "Facility"],
        ["E002", "P002", "AET", "2026/08/06", "Office"],
    ]})
    book = read_workbook(path)
    rows = book.rows("Encounters")
    assert [(e.encounter_id, e.date_of_service, e.excel_row) for e in rows] == [
        ("E001", D(2026, 8, 5), 5), ("E002", D(2026, 8, 6), 6)]
    assert book.table("Encounters").cell(5, "Date of Service") == "D5"
    assert info(book, "reader.header-row-found") == [
        ("Visits", "A4", "The Encounters headers are on row 4; the title rows above them were not read.")]
    assert info(book, "reader.table-synonym") == [("Visits", 4, "The Encounters table was read from sheet 'Visits'.")]
    assert all(f.severity is Severity.INFO for f in book.findings)


def test_the_tables_own_name_wins_over_a_synonym(book_factory):
    path = save(book_factory, {"Visits": [ENCOUNTER_HEADERS, ["E009", "P009", "MCR", D(2026, 8, 5), "Facility"]],
                           "Encounters": [ENCOUNTER_HEADERS, ["E001", "P001", "MCR", D(2026, 8, 5), "Facility"]]})
    book = read_workbook(path)
    assert [e.encounter_id for e in book.rows("Encounters")] == ["E001"]
    assert book.findings == []


def test_an_excel_table_named_after_a_synonym_is_found(book_factory):
    path = book_factory({"Sheet1": [ENCOUNTER_HEADERS, ["E001", "P001", "MCR", D(2026, 8, 5), "Facility"]]})
    # an Excel Table named Sheet1 is not a name of Encounters: not found.
    assert read_workbook(path).table("Encounters").present is False
    assert locate_table(["tblVisits"], ["Sheet1"], "Encounters") == ("table", "tblVisits")
    assert locate_table(["tblVisits"], ["Encounters"], "Encounters") == ("sheet", "Encounters")
    assert locate_table([], ["Encounter Log"], "Encounters") == ("sheet", "Encounter Log")
    assert locate_table([], ["Infusions"], "Administrations") == ("sheet", "Infusions")
    assert locate_table([], ["Meds"], "Administrations") == ("sheet", "Meds")


def test_an_excel_table_called_visits_is_read_with_a_note(book_factory):
    path = book_factory({"Visits": [ENCOUNTER_HEADERS, ["E001", "P001", "MCR", D(2026, 8, 5), "Facility"]]})
    book = read_workbook(path)
    assert [e.encounter_id for e in book.rows("Encounters")] == ["E001"]
    assert info(book, "reader.table-synonym") == [
        ("Visits", 1, "The Encounters table was read from Excel Table 'Visits'.")]


def test_a_mar_without_admin_ids_is_numbered_per_encounter(book_factory):
    path = save(book_factory, {"MAR": [
        MAR_HEADERS,
        ["E001", "diphenhydramine", "25 mg", "IV push", "0850", "0852"],
        ["E001", "acetaminophen", "650 mg", "PO", "0850", None],
        ["E002", "infliximab", "400 mg", "IV", "10am", "1210"],
        ["E001", "infliximab", "400 mg", "IV", "9:00a", "11:05a"],
    ]})
    book = read_workbook(path)
    rows = book.rows("Administrations")
    assert [(a.admin_id, a.drug) for a in rows] == [
        ("E001-1", "diphenhydramine"), ("E001-2", "acetaminophen"), ("E002-1", "infliximab"),
        ("E001-3", "infliximab")]
    assert info(book, "reader.id-numbered") == [
        ("MAR", 2, "Admin ID was blank on 4 rows from row 2; they were numbered from the Encounter ID (E001-1, ...).")]


def test_blank_admin_ids_skip_the_numbers_typed_ids_use():
    rows = [["Encounter ID", "Admin ID", "Drug"],
            ["E001", None, "a"],
            ["E001", "E001-2", "b"],
            ["E001", "", "c"]]
    book = read_grids({"Administrations": Grid("Administrations", rows)})
    assert [a.admin_id for a in book.rows("Administrations")] == ["E001-1", "E001-2", "E001-3"]
    (f,) = book.findings
    assert (f.rule_id, f.cell, f.severity) == ("reader.id-numbered", "B2", Severity.INFO)


def test_a_first_row_that_names_a_column_is_the_header_row():
    rows = [["Encounter ID", "Notes"], ["E001", "x"]]
    book = read_grids({"Encounters": Grid("Encounters", rows)})
    assert not info(book, "reader.header-row-found")


def test_a_title_block_without_headers_below_is_still_reported_as_missing_columns():
    rows = [["Sunrise Infusion Center"], ["nothing here"], ["E001", "P001"]]
    book = read_grids({"Encounters": Grid("Encounters", rows)})
    assert {f.rule_id for f in book.findings} == {"reader.missing-column", "reader.extra-column"}


def test_synonyms_name_one_table_each_and_no_tool_sheet():
    seen: dict[str, str] = {}
    for spec in INPUT_TABLES:
        for name in (spec.name, *spec.synonyms):
            assert norm_key(name) not in seen, (name, seen.get(norm_key(name)))
            seen[norm_key(name)] = spec.name
    for tool_sheet in ("Findings", "Notes", "Encounter Status", "Charges", "Authorization Usage", "RunLog", "Lists"):
        assert norm_key(tool_sheet) not in seen


@pytest.mark.parametrize("name", ["Visits", "Encounter Log", "MAR", "Infusions", "Meds"])
def test_the_issue_names_are_synonyms(name):
    assert any(norm_key(name) in {norm_key(s) for s in spec.synonyms} for spec in INPUT_TABLES)
