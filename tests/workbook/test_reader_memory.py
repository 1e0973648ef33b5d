"""The reader at a month's scale: one table's raw cells in memory at a time, the file checked once,
the same grids from python-calamine and the pure-Python fallback, patient data found quickly.

(Speed and memory figures live in bench/bench_run.py; these tests pin the structures behind them.)
"""

from __future__ import annotations

import datetime as dt
import weakref
import zipfile
from collections.abc import Iterator, Mapping

from conftest import minimal_sheets

from infusion_billing.privacy import REDACTED, Redactor
from infusion_billing.workbook.reader import Grid, WorkbookGrids, grids, read_grids, read_workbook


class _GridsHandedOut(Mapping[str, Grid]):
    """Grids made when asked for (as a file's are), noting which earlier ones are still alive then."""

    def __init__(self, tables: dict[str, list[list]]):
        self.tables = tables
        self.handed: list[tuple[str, weakref.ref]] = []
        self.alive_when_asked: dict[str, list[str]] = {}

    def __getitem__(self, name: str) -> Grid:
        self.alive_when_asked[name] = [n for n, ref in self.handed if ref() is not None]
        grid = Grid(name, [list(row) for row in self.tables[name]])
        self.handed.append((name, weakref.ref(grid)))
        return grid

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def __len__(self) -> int:
        return len(self.tables)


def test_each_tables_raw_cells_are_let_go_before_the_next_table_is_read():
    handed = _GridsHandedOut(minimal_sheets())
    book = read_grids(handed)
    assert [name for name, _ in handed.handed] == ["Payers", "Patients", "Coverage", "Encounters", "Administrations"]
    assert all(alive == [] for alive in handed.alive_when_asked.values())
    assert all(ref() is None for _, ref in handed.handed)
    assert [(r.admin_id, r.hcpcs, r.dose) for r in book.rows("Administrations")] == [
        ("A001", "J1745", 400), ("A002", "J1200", 25)]
    # Patient data is noted from each table before its cells go: the redactor still knows the name.
    assert {"Testpatient", "Alpha", "1951-03-04", "03/04/1951"} <= book.phi_values


def test_calamine_and_the_pure_python_fallback_give_the_same_grids(book_factory, sheets):
    sheets["Encounters"][1][1] = "P001"
    path = book_factory(sheets)
    fast = WorkbookGrids(path, ["Encounters", "Administrations", "Lists"])
    slow = WorkbookGrids(path, ["Encounters", "Administrations", "Lists"], pure_python=True)
    assert list(fast) == list(slow) == ["Encounters", "Administrations"]  # no Lists table in this book
    for name in fast:
        a, b = fast[name], slow[name]
        assert (a.sheet, a.top, a.left, a.formulas) == (b.sheet, b.top, b.left, b.formulas) == (name, 1, 1, set())
        assert a.rows[0] == b.rows[0] == sheets[name][0]
    admin = fast["Administrations"].rows
    assert admin[1][:4] == ["E001", "A001", "infliximab", "J1745"] and admin[1][7] == dt.time(9, 0)
    assert fast["Administrations"] is not fast["Administrations"]  # read afresh each time, never kept


def test_the_file_is_unpacked_and_checked_once_while_it_stays_the_same(book_factory, monkeypatch):
    path = book_factory()
    checked: list[str] = []
    real = grids.check_package
    monkeypatch.setattr(grids, "check_package", lambda p, z: (checked.append(p.name), real(p, z)))
    monkeypatch.setattr(grids, "_CHECKED", {})
    read_workbook(path)
    grids.load_grids(path, ["Findings"])
    grids.check_is_workbook(path)
    assert checked == ["clinic.xlsx"]
    with zipfile.ZipFile(path, "a") as z:  # the file changes: it is checked again
        z.writestr("docProps/custom.xml", "<Properties/>")
    grids.check_is_workbook(path)
    assert checked == ["clinic.xlsx", "clinic.xlsx"]


def test_a_word_many_values_start_with_costs_one_lookup_per_length_and_the_longest_wins():
    births = [f"01/{day:02d}/19{year}" for day in range(1, 29) for year in range(40, 99)]
    redactor = Redactor([*births, "01/1/1950", "Smith", "Smith-Jones", "smith jones jr"])
    assert [length for length, _ in redactor.index["01"]] == [10, 9]  # two lengths, 1,652 dates in one set
    assert len(redactor.index["01"][0][1]) == len(births)
    assert redactor.index["smith"] == [(14, {"smith jones jr"}), (11, {"smith-jones"}), (5, {"smith"})]
    text = "Born 01/17/1962 and 01/17/2026, or 01/1/1950; seen by Smith-Jones, SMITH JONES JR and Smithson"
    assert redactor.text(text) == (f"Born {REDACTED} and 01/17/2026, or {REDACTED}; seen by {REDACTED}, {REDACTED} "
                                   "and Smithson")
