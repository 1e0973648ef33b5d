"""The reader's fast row path gives exactly the rows pydantic's own validation gives."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys

import pytest

from infusion_billing.schema import INPUT_TABLES
from infusion_billing.workbook.reader import read_workbook


def test_fast_rows_equal_validated_rows(book_factory, sheets):
    sheets["Administrations"][0] += ["Container", "Purpose", "Interrupted Minutes", "Stop Date"]
    sheets["Administrations"][1] += ["single dose", "primary", 15.0, dt.date(2026, 9, 15)]
    sheets["Administrations"][2] += [None, "premed", None, None]
    sheets["Coverage"][0] += ["Coinsurance %", "Copay"]
    sheets["Coverage"][1] += ["20%", "$25"]
    book = read_workbook(book_factory(sheets))
    assert book.findings == []
    compared = 0
    for spec in INPUT_TABLES:
        for row in book.rows(spec.name):
            record = {c.header: getattr(row, c.field) for c in spec.columns}
            again = spec.model.model_validate({**{k: v for k, v in record.items() if v is not None},
                                               "__row__": row.excel_row})
            assert row == again and row.model_dump() == again.model_dump() and row.excel_row == again.excel_row
            assert hash(row) == hash(again)  # frozen rows stay usable as dict keys
            compared += 1
    assert compared == 7


def test_fast_rows_are_frozen(book_factory):
    row = read_workbook(book_factory()).rows("Administrations")[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.dose = 1  # type: ignore[misc]


def test_rows_hold_their_values_in_slots(book_factory):
    """Half a million rows a clinic-year: no attribute dictionary per row (issue 16)."""
    row = read_workbook(book_factory()).rows("Administrations")[0]
    assert not hasattr(row, "__dict__")
    assert sys.getsizeof(row) <= 32 + 8 * len(type(row).model_fields)  # headers + one pointer a field
