"""The planted-defect contract on the synthetic clinic: coding reports its planted defect at the exact
cell, raises no error anywhere else, and only warns where a stop time is really missing."""

from __future__ import annotations

import pytest

from infusion_billing.coding.engine import code_book
from infusion_billing.schema import TABLES_BY_NAME
from infusion_billing.workbook.reader import Grid, read_grids

clinic = pytest.importorskip("infusion_billing.demo.clinic")


@pytest.fixture(scope="module")
def demo():
    c = clinic.Clinic(encounters=600)
    rows = c.rows_by_table()
    book = read_grids({n: Grid(n, [TABLES_BY_NAME[n].headers] + r) for n, r in rows.items() if n in TABLES_BY_NAME})
    return c, book, code_book(book)


def test_every_planted_unknown_hcpcs_is_found_at_its_cell(demo):
    c, _book, result = demo
    planted = {(p.sheet, p.cell) for p in c.planted if p.rule_id == "coding.unknown-hcpcs"}
    found = {(f.sheet, f.cell) for f in result.findings if f.rule_id == "coding.unknown-hcpcs"}
    assert planted and found == planted


def test_no_other_coding_error_on_the_demo(demo):
    _c, _book, result = demo
    assert {f.rule_id for f in result.findings if f.severity.value == "error"} == {"coding.unknown-hcpcs"}


def test_missing_stop_times_are_warnings_at_the_planted_cells(demo):
    c, _book, result = demo
    planted = {(p.sheet, p.cell) for p in c.planted if p.rule_id == "coding.stop-time-fallback"}
    warned = {(f.sheet, f.cell) for f in result.findings if f.rule_id == "coding.stop-time-fallback"}
    assert warned == planted


def test_the_demo_is_coded_line_by_line(demo):
    _c, book, result = demo
    assert len(result.coded) + len(result.held) == len(book.rows("Encounters"))
    assert all(line.units > 0 for line in result.lines)
    assert {line.code for line in result.lines} >= {"96365", "96413", "96415", "96375", "96372", "96360"}
