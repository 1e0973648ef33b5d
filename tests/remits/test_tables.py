"""The 835 tables' columns: unique headers, and the parser's claim and line records hold exactly them."""

from __future__ import annotations

import dataclasses
import doctest

import pytest

from infusion_billing.remits import elements, reader, synthetic, tables, tokenizer


def test_claim_and_line_records_are_the_table_columns_in_order():
    """The parser fills named records; each becomes a table row field for field."""
    assert [f.name for f in dataclasses.fields(tables.ClaimRow)] == [name for name, _ in tables.CLAIM_COLUMNS]
    assert [f.name for f in dataclasses.fields(tables.LineRow)] == [name for name, _ in tables.LINE_COLUMNS]


def test_headers_are_unique_per_table():
    for name, columns in tables.TABLES.items():
        headers = [h for _, h in columns]
        assert len(set(headers)) == len(headers), name


@pytest.mark.parametrize("module", [elements, tokenizer, reader, synthetic], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
