"""The identifier UDFs called as plain functions, with the values Excel really passes.

Without an xlwings runtime the decorators are identity functions, so ``IB_NDC11(x)`` here is exactly
the code a cell runs. Excel passes a blank cell as None, a code typed into a number cell as a float,
and a range as a list of rows.
"""

import inspect

import pytest

import infusion_billing.udfs as udfs
from infusion_billing.udfs import IB_NDC11, IB_NPI_VALID


@pytest.mark.parametrize(
    "cell, shown",
    [
        ("0002-7597-01", "00002759701"),
        ("50242-040-62", "50242004062"),
        ("60575-4112-1", "60575411201"),
        ("58063-797-25", "58063079725"),
        (" 00002-7597-01 ", "00002759701"),
        ("00002759701", "00002759701"),
        ([["0002-7597-01"]], "00002759701"),  # a 1x1 range
    ],
)
def test_ndc11_converts_label_ndcs(cell, shown):
    assert IB_NDC11(cell) == shown


@pytest.mark.parametrize("blank", [None, "", "   ", [[None]]])
def test_ndc11_of_an_empty_cell_is_na(blank):
    assert IB_NDC11(blank) == "#N/A"


def test_ndc11_refuses_ten_bare_digits_with_a_short_reason():
    shown = IB_NDC11("5024204062")
    assert shown.startswith("Invalid NDC: ")
    assert "ambiguous" in shown
    assert "Traceback" not in shown


def test_ndc11_puts_back_the_zeros_a_number_cell_lost():
    # 00002759701 typed into a General cell becomes the number 2759701: only a 4-4-2 label fits.
    assert IB_NDC11(2759701.0) == "00002759701"


def test_ndc11_refuses_a_ten_digit_number_as_ambiguous():
    assert "ambiguous" in IB_NDC11(5024204062.0)


def test_ndc11_explains_lost_leading_zeros_in_text():
    assert IB_NDC11("2759701") == (
        "Invalid NDC: An NDC has 10 digits (with hyphens) or 11 digits, not 7; "
        "if leading zeros were lost, format the column as Text."
    )


def test_ndc11_on_a_column_spills_one_result_per_cell():
    column = [["0002-7597-01"], [None], ["50242-040-62"], [True]]
    assert IB_NDC11(column) == [
        ["00002759701"],
        ["#N/A"],
        ["50242004062"],
        ["Invalid NDC: An NDC has only digits and hyphens."],
    ]


def test_ndc11_on_a_row_keeps_the_row_shape():
    assert IB_NDC11([["0002-7597-01", "60575-4112-1"]]) == [["00002759701", "60575411201"]]


@pytest.mark.parametrize(
    "cell, shown",
    [
        ("1234567893", True),
        (1234567893.0, True),          # NPI typed into a number cell
        ("1234567890", False),         # last digit mistyped
        ("123456789", False),
        ("NPI pending", False),
        (None, "#N/A"),
        ("", "#N/A"),
    ],
)
def test_npi_valid(cell, shown):
    assert IB_NPI_VALID(cell) == shown


def test_npi_valid_on_a_column():
    assert IB_NPI_VALID([[1234567893.0], ["1245319599"], ["1245319590"]]) == [[True], [True], [False]]


def test_unexpected_errors_become_short_text_in_that_cell_only(monkeypatch):
    from infusion_billing.identifiers import npi

    def broken(_text):
        raise RuntimeError("boom with details")

    monkeypatch.setattr(npi, "is_valid", broken)
    assert IB_NPI_VALID([["1234567893"], [None]]) == [["Error: RuntimeError (please report)"], ["#N/A"]]


def test_udf_names_are_prefixed_upper_case_and_signatures_loose():
    names = [n for n in dir(udfs) if n.startswith("IB_")]
    assert {"IB_NDC11", "IB_NPI_VALID"} <= set(names)
    for name in names:
        function = getattr(udfs, name)
        assert name == name.upper()
        assert function.__doc__, f"{name} needs a docstring for the Function Wizard"
        for param in inspect.signature(function).parameters.values():
            # A float/str hint makes Lite/Server answer #VALUE! for a blank cell.
            assert param.annotation is inspect.Parameter.empty, f"{name}({param.name}) must stay untyped"
