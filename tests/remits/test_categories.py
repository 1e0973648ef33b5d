"""Adjustment categories and next actions (docs/remits.md section 2), editable per workbook."""

from __future__ import annotations

import pytest

from infusion_billing.remits import read_835
from infusion_billing.remits.categories import (
    CODE_COLUMNS,
    builtin_adjustment_code_rows,
    builtin_adjustment_codes,
    classify_adjustments,
    load_adjustment_codes,
)


def test_shipped_table_is_dated_and_has_one_row_per_key():
    codes = builtin_adjustment_codes()
    assert codes.meta["effective"] == "2026-11-27"
    assert "docs/remits.md section 2" in codes.meta["source"]
    header, rows = builtin_adjustment_code_rows()
    assert tuple(header) == CODE_COLUMNS
    assert len(rows) == len(codes) == len({tuple(r[:3]) for r in rows}) > 90
    assert all(r[3] and r[6] and r[4] in ("Y", "N") for r in rows)


@pytest.mark.parametrize("group, carc, rarcs, category, denial", [
    ("PR", "1", [], "Patient Responsibility", False),
    ("PR", "2", [], "Patient Responsibility", False),
    ("PR", "3", [], "Patient Responsibility", False),
    ("CO", "45", [], "Contractual", False),
    ("CO", "253", [], "Contractual", False),
    ("OA", "23", [], "Prior Payer", False),
    ("CO", "27", [], "Eligibility / Coverage", True),
    ("CO", "197", [], "Prior Authorization", True),
    ("CO", "198", [], "Prior Authorization", True),
    ("CO", "50", [], "Medical Necessity", True),
    ("CO", "151", ["N362"], "Coding / Bundling", True),  # MUE units, not necessity
    ("CO", "4", ["N822"], "Coding / Bundling", True),
    ("CO", "97", ["M80"], "Coding / Bundling", True),
    ("CO", "16", ["M119"], "Documentation", True),
    ("CO", "18", [], "Duplicate", True),
    ("CO", "29", [], "Timely Filing", True),
    ("OA", "22", [], "COB", True),
    ("CR", "45", [], "Reversal / Correction", False),  # 4010 correction of a contractual amount
    ("CR", "253", [], "Contractual", False),  # an any-group row wins over the CR catch-all
    ("CO", "999", [], "Other", True),
    ("OA", "A7", ["N115"], "Medical Necessity", True),  # a RARC alone decides when the CARC is unknown
])
def test_classification(group, carc, rarcs, category, denial):
    row = builtin_adjustment_codes().classify(group, carc, rarcs)
    assert (row.category, row.denial) == (category, denial)


def test_ndc_missing_has_its_own_action():
    row = builtin_adjustment_codes().classify("CO", "16", ["N14", "M119"])
    assert row.next_action == "Add the valid 11-digit NDC with unit and quantity (LIN/CTP) and resubmit."


def test_coverage_denial_moved_to_the_patient():
    row = builtin_adjustment_codes().classify("PR", "204")
    assert (row.category, row.denial) == ("Eligibility / Coverage", True)
    assert row.next_action.startswith("The payer made the patient responsible: bill the patient only with a signed ABN")


def test_unknown_pr_code_is_not_cost_share():
    row = builtin_adjustment_codes().classify("PR", "B1")
    assert (row.category, row.denial) == ("Eligibility / Coverage", True)


def test_every_infusion_adjustment_carries_its_category(data):
    remit = read_835(data("infusion_medicare_partb.835"))
    out = classify_adjustments(remit.adjustments, remit.remarks)
    assert len(out) == len(remit.adjustments)
    counts = out.groupby("category").size().to_dict()
    assert counts == {"Contractual": 16, "Patient Responsibility": 9, "Coding / Bundling": 1}
    denied = out[out["denial"] == "Y"]
    assert denied[["procedure_code", "group", "reason", "remark_codes", "category"]].values.tolist() == [
        ["J1745", "CO", "4", "N822, MA01", "Coding / Bundling"]]
    assert remit.adjustments.columns.tolist() == out.columns.tolist()[:-4]  # the reader's table is untouched


def test_claim_adjustments_use_claim_remarks_only(data):
    remit = read_835(data("infusion_two_payments_split.835"))
    out = classify_adjustments(remit.adjustments, remit.remarks)
    denial = out[out["reason"] == "197"].iloc[0]
    assert (denial["remark_codes"], denial["category"]) == ("N54", "Prior Authorization")
    copay = out[out["level"] == "claim"].iloc[0]
    assert (copay["reason"], copay["remark_codes"], copay["category"]) == ("3", None, "Patient Responsibility")


def test_workbook_rows_override_and_add(book_factory, sheets):
    sheets["Adjustment Codes"] = [
        list(CODE_COLUMNS),
        ["CO", "45", None, "Contractual", "N", "Above our contract", "Check against the Acme contract."],
        ["CO", 16, "N657", "Coding / Bundling", "Y", "Wrong code for the date", "Fix the code."],
        ["CO", None, None, None, "Y", "half-filled row", None],
    ]
    codes, findings = load_adjustment_codes(book_factory(sheets))
    assert codes.classify("CO", "45").next_action == "Check against the Acme contract."
    assert codes.classify("CO", "45").origin == "workbook"
    assert codes.classify("CO", "16", ["N657"]).category == "Coding / Bundling"  # CARC typed as a number
    assert codes.classify("CO", "253").origin == "built-in"
    [finding] = findings
    assert (finding.rule_id, finding.sheet, finding.row) == ("era.adjustment-codes", "Adjustment Codes", 4)


def test_book_without_the_table_uses_the_shipped_codes(book_factory):
    codes, findings = load_adjustment_codes(book_factory())
    assert findings == [] and codes is builtin_adjustment_codes()
