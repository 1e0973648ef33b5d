"""The claim ledger's sheets have exactly the columns issue 8 names (reconciliation matches on them),
and the README documents each of them."""

from __future__ import annotations

from pathlib import Path

from infusion_billing.claims.ledger import BATCH_COLUMNS, CLAIM_COLUMNS, LEDGER_DOCS, LINE_COLUMNS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_claims_and_claim_lines_have_the_issue_columns_in_order():
    assert CLAIM_COLUMNS == (
        "Claim ID", "Encounter ID", "Patient ID", "Payer ID", "Payer Priority", "Claim Type", "Frequency",
        "Original Claim ID", "Payer Claim Number", "Statement From", "Statement To", "Total Charge", "Lines",
        "Status", "Batch File", "Submitted Date")
    assert LINE_COLUMNS == (
        "Claim ID", "Line", "Line Control Number", "Encounter ID", "Date of Service", "Code", "Modifiers", "Units",
        "Charge", "Revenue Code", "NDC", "NDC Unit", "NDC Quantity", "Diagnosis Pointers")


def test_the_readme_schema_documents_every_ledger_column():
    documented = {name: tuple(c for c, _ in columns) for name, _, columns in LEDGER_DOCS}
    assert documented == {"Claims": CLAIM_COLUMNS, "ClaimLines": LINE_COLUMNS, "Claim Batches": BATCH_COLUMNS}
    text = README.read_text(encoding="utf-8")
    for name in documented:
        assert f"#### {name}" in text
