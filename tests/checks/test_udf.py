"""IB_ENCOUNTER_STATUS as a plain function, with what Excel passes: cells, columns, blanks, numbers."""

from __future__ import annotations

from infusion_billing.udfs import IB_ENCOUNTER_STATUS, IB_NPI_VALID

FINDINGS = [
    ["Severity", "Rule ID", "Sheet", "Row", "Column", "Cell", "Encounter ID", "Value", "Message", "Suggested Fix",
     "Source File"],
    ["error", "doc.order-missing", "Encounters", 3, "Order On File", "K3", "E002", "", "m", "f", ""],
    ["warning", "doc.site-overlap", "Administrations", 4, "Bag", "N4", "E003", "", "m", "f", ""],
    ["info", "elig.secondary-not-listed", "Encounters", 2, "Payer ID", "C2", "E001", "", "m", "f", ""],
    ["warning", "check.table-missing", "Coverage", None, "", "", "", "", "m", "f", ""],
]


def test_one_encounter_per_cell():
    assert IB_ENCOUNTER_STATUS("E002", FINDINGS) == "Hold"
    assert IB_ENCOUNTER_STATUS("e003", FINDINGS) == "Review"
    assert IB_ENCOUNTER_STATUS("E001", FINDINGS) == "Ready"  # info never stops a claim
    assert IB_ENCOUNTER_STATUS("E404", FINDINGS) == "Ready"


def test_a_column_spills_and_blanks_are_na():
    assert IB_ENCOUNTER_STATUS([["E001"], ["E002"], [None]], FINDINGS) == [["Ready"], ["Hold"], ["#N/A"]]


def test_the_table_body_without_headers_works_too():
    assert IB_ENCOUNTER_STATUS("E002", FINDINGS[1:]) == "Hold"


def test_an_empty_findings_table_means_ready_and_a_wrong_range_says_so():
    assert IB_ENCOUNTER_STATUS("E002", [FINDINGS[0]]) == "Ready"
    assert IB_ENCOUNTER_STATUS("E002", [["x", "y"]]) == "Invalid findings range: select the Findings table"


def test_npi_udf_is_the_shared_one():
    assert IB_NPI_VALID("1234567893") is True and IB_NPI_VALID(1234567890.0) is False
