"""The macro runner's pure parts, in the main test process (no xlwings engine needed).

The runner end to end (Office.js JSON in, Excel actions out) is tested in tests/contract.
"""

import datetime as dt
import doctest
import inspect
from decimal import Decimal

import pytest

import infusion_billing.macros as macros
from infusion_billing.macros import _runner
from infusion_billing.macros._runner import StatusBar, excel_value, input_hash, write_output_sheet
from infusion_billing.schema import PayerType
from infusion_billing.workbook.reader import Grid
from infusion_billing.workbook.writer import OutputTable


def test_docstring_examples():
    assert doctest.testmod(_runner).failed == 0


@pytest.mark.parametrize(
    "value, cell",
    [
        (Decimal("2310.40"), 2310.4),                 # money: exact to the cent as a double
        (dt.time(11, 5), (11 * 60 + 5) / 1440),       # clock time: fraction of a day
        (dt.date(2026, 9, 14), dt.date(2026, 9, 14)),
        (PayerType.MEDICARE, "Medicare"),             # enums as the text the user sees
        ("=SUM(A1)", "'=SUM(A1)"),                    # formula-looking text stays text
        ("+1 555", "'+1 555"),
        ("-5.00 CO-45", "'-5.00 CO-45"),
        ("@cmd", "'@cmd"),
        ("J1745-JW", "J1745-JW"),
        (None, None),
        (True, True),
        (40, 40),
    ],
)
def test_excel_value(value, cell):
    assert excel_value(value) == cell


def test_input_hash_changes_with_one_cell():
    grids = {"Encounters": Grid("Encounters", [["Encounter ID"], ["E001"]])}
    same = {"Encounters": Grid("Encounters", [["Encounter ID"], ["E001"]])}
    changed = {"Encounters": Grid("Encounters", [["Encounter ID"], ["E002"]])}
    assert input_hash(grids) == input_hash(same)
    assert input_hash(grids) != input_hash(changed)
    assert len(input_hash(grids)) == 64


@pytest.mark.parametrize("name", ["Encounters", "administrations", "Fee Schedule"])
def test_a_result_never_overwrites_an_input_table(name):
    # The check comes before any call on the book, so no book is needed to prove it.
    with pytest.raises(ValueError, match="refusing"):
        write_output_sheet(None, OutputTable(name, ["A"], []))


class FakeApp:
    def __init__(self):
        self.shown = []

    @property
    def status_bar(self):
        return self.shown[-1] if self.shown else False

    @status_bar.setter
    def status_bar(self, text):
        self.shown.append(text)


class FakeBook:
    def __init__(self):
        self.app = FakeApp()


def test_status_bar_progress_updates_about_every_five_percent():
    book = FakeBook()
    bar = StatusBar(book)
    assert list(bar.progress(range(100), total=100, desc="coding encounters")) == list(range(100))
    assert len(book.app.shown) == 20
    assert book.app.shown[:2] == ["infusion-billing: coding encounters 0%", "infusion-billing: coding encounters 5%"]
    bar.clear()
    assert book.app.shown[-1] is False  # hands the status bar back to Excel


def test_status_bar_goes_quiet_where_the_engine_has_none():
    class NoStatusApp:
        @property
        def status_bar(self):
            raise NotImplementedError

        @status_bar.setter
        def status_bar(self, text):
            raise NotImplementedError("App.status_bar is not supported on this engine")

    book = FakeBook()
    book.app = NoStatusApp()
    bar = StatusBar(book)
    bar.show("reading")  # no error
    assert bar.enabled is False
    assert list(bar.progress([1, 2], total=2)) == [1, 2]


def test_validate_macro_takes_the_book_and_has_a_classic_twin():
    params = inspect.signature(inspect.unwrap(macros.validate_workbook)).parameters
    assert list(params) == ["book"]
    assert inspect.signature(macros.validate_workbook_classic).parameters == {}
    assert callable(macros.run_stage_macro)
