"""The UDFs as xlwings Lite/Server register and call them: metadata and Office.js calls."""

from __future__ import annotations

import pytest

#: How the Office.js engine sends our "#N/A" text back: a real #N/A error cell, so ISNA() works.
NA_ERROR = {"type": "Error", "errorType": "NotAvailable"}


@pytest.fixture
def meta(server):
    import infusion_billing.udfs as udfs

    return {f["id"]: f for f in server.custom_functions_meta(udfs)["functions"]}


def test_functions_are_registered_under_their_upper_case_names(meta):
    assert {"IB_NDC11", "IB_NPI_VALID"} <= set(meta)
    assert meta["IB_NDC11"]["name"] == "IB_NDC11"


def test_every_argument_is_documented_for_the_function_wizard(meta):
    for function in meta.values():
        assert function["description"] and not function["description"].startswith("Python function")
        for param in function["parameters"]:
            assert not param["description"].startswith("Positional argument"), (function["id"], param["name"])
            # "any" keeps a blank cell from turning into #VALUE! before our code runs
            assert (param["type"], param["dimensionality"]) == ("any", "matrix")


def test_ndc11_from_a_label_ndc(call_function):
    assert call_function("IB_NDC11", "0002-7597-01") == [["00002759701"]]


def test_ndc11_on_a_column_spills(call_function):
    column = [["50242-040-62"], [""], ["5024204062"]]
    result = call_function("IB_NDC11", column)
    assert result[:2] == [["50242004062"], [NA_ERROR]]
    assert result[2][0].startswith("Invalid NDC: A 10-digit NDC without hyphens is ambiguous")


def test_ndc11_of_an_empty_cell_is_na(call_function):
    assert call_function("IB_NDC11", [[""]]) == [[NA_ERROR]]


def test_ndc11_of_a_number_cell_that_lost_its_zeros(call_function):
    assert call_function("IB_NDC11", 2759701) == [["00002759701"]]


def test_npi_valid(call_function):
    assert call_function("IB_NPI_VALID", 1234567893) == [[True]]
    assert call_function("IB_NPI_VALID", "1234567890") == [[False]]
    assert call_function("IB_NPI_VALID", [["1245319599"], [""]]) == [[True], [NA_ERROR]]


def test_the_lite_main_py_registers_every_function_and_script(server):
    """xlwings Lite builds a module from the text of main.py and asks xlwings for its metadata."""
    import types
    from pathlib import Path

    source = (Path(__file__).parents[2] / "workbook_templates" / "lite" / "main.py").read_text()
    main = types.ModuleType("main")
    exec(compile(source, "main.py", "exec"), main.__dict__)
    functions = {f["id"] for f in server.custom_functions_meta(main)["functions"]}
    scripts = {s["function_name"] for s in server.custom_scripts_meta(main)}
    assert {"IB_NDC11", "IB_NPI_VALID"} <= functions
    assert "validate_workbook" in scripts
    assert not any(name.endswith("_classic") for name in scripts)  # desktop-only twins are no Lite buttons
