"""The reader's fast paths write rows by position; those positions must match the column lists."""

from __future__ import annotations

import doctest

import pytest

from infusion_billing.remits import elements, parser, reader, synthetic, tables, tokenizer


def test_hot_path_positions_match_the_columns():
    claim = tables.index_of(tables.CLAIM_COLUMNS)
    line = tables.index_of(tables.LINE_COLUMNS)
    assert {name: claim[name] for name in ("patient_control_number", "status", "charge", "paid",
                                           "patient_responsibility", "claim_adjustments", "line_adjustments",
                                           "lines", "balanced", "variance")} == {
        "patient_control_number": parser.C_PCN, "status": parser.C_STATUS, "charge": parser.C_CHARGE,
        "paid": parser.C_PAID, "patient_responsibility": parser.C_PR, "claim_adjustments": parser.C_CLAIM_ADJ,
        "line_adjustments": parser.C_LINE_ADJ, "lines": parser.C_LINES, "balanced": parser.C_BALANCED,
        "variance": parser.C_VARIANCE}
    assert (claim["original_reference"], claim["statement_from"], claim["statement_to"], claim["received_date"],
            claim["coverage_amount"]) == (14, 15, 16, 17, 18)
    assert {name: line[name] for name in ("line_no", "procedure_code", "charge", "paid", "allowed", "service_from",
                                          "service_to", "line_control_number", "authorization", "adjustments",
                                          "balanced", "variance")} == {
        "line_no": parser.L_LINE_NO, "procedure_code": parser.L_CODE, "charge": parser.L_CHARGE,
        "paid": parser.L_PAID, "allowed": parser.L_ALLOWED, "service_from": parser.L_FROM,
        "service_to": parser.L_TO, "line_control_number": parser.L_LCN, "authorization": parser.L_AUTH,
        "adjustments": parser.L_ADJ, "balanced": parser.L_BALANCED, "variance": parser.L_VARIANCE}
    assert (line["units"], line["submitted_code"], line["submitted_units"]) == (12, 14, 15)


def test_headers_are_unique_per_table():
    for name, columns in tables.TABLES.items():
        headers = [h for _, h in columns]
        assert len(set(headers)) == len(headers), name


@pytest.mark.parametrize("module", [elements, tokenizer, reader, synthetic], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
