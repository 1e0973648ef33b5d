"""read_837 reads every public sample 837 with the figures in data/public/SOURCES.md, and bad input
gives findings, never a traceback."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from infusion_billing.claims import render_837
from infusion_billing.claims.reader import read_837
from infusion_billing.claims.samples import sample_batch, sample_claims

from .conftest import SAMPLES

# file: (claim type, claims, sum of CLM02, lines, finding rule IDs)
EXPECTED = {
    "lfh_837p_demo.example1.837": ("837P", 1, "100.00", 4, []),
    "lfh_837p_demo.example2.837": ("837P", 1, "100.00", 4, []),
    "lfh_837p_demo.example7.837": ("837P", 1, "520.24", 2, []),
    "lfh_837p_demo.example8.837": ("837P", 1, "75.00", 1, []),
    "lfh_837p_demo.example9.837": ("837P", 1, "827.00", 1, []),
    "lfh_837p_demo.example11.837": ("837P", 1, "28.75", 2, []),
    "lfh_837p_demo.example12.837": ("837P", 1, "252.71", 1, []),
    "lfh_837p_demo.drug.example10.1.837": ("837P", 1, "103.37", 2, []),
    "lfh_837p_demo.drug.example10.2.837": ("837P", 1, "2232.93", 6, []),
    "lfh_837p_demo.drug.example10.3.837": ("837P", 1, "2232.93", 6, []),
    "lfh_837p_demo.cob.example3.A.837": ("837P", 1, "79.04", 3, []),
    "lfh_837p_demo.cob.example3.B.837": ("837P", 1, "79.04", 3, []),
    "lfh_837p_demo.cob.example3.C.837": ("837P", 1, "79.04", 3, []),
    "lfh_837p_demo.cob.example4.837": ("837P", 1, "120.00", 1, []),
    "lfh_837p_demo.cob.2ndary.example4.837": ("837P", 1, "145.50", 1, []),
    "lfh_837p_demo.ambulance.example5.837": ("837P", 1, "766.50", 4, []),
    "lfh_837p_demo.autoaccident.837": ("837P", 1, "185.00", 2, []),
    "lfh_837i_institutional-claim.837i": ("837I", 1, "89.93", 2, []),
    "lfh_837i_two-claims-single-provider.837i": ("837I", 2, "139.95", 3, []),
    "lfh_837i_ppo-repriced-claim.837i": ("837I", 1, "237.50", 2, []),
    "lfh_837i_out-of-network-repriced-claim.837i": ("837I", 1, "14.84", 1, []),
    "tigershark_837-example_4010.txt": ("837P", 1, "32.73", 2, ["x12.old-version"]),
    # Two transactions, the first cut short (no SE/GE/IEA; its claim totals 10,157.05 with one
    # 2,753.00 line left), so the reader says so; the second's SE counts one segment too many.
    "tigershark_837I-Examples_4010.txt": ("837I", 2, "15527.15", 5, [
        "x12.claim-total", "x12.control-count", "x12.envelope-missing", "x12.envelope-missing",
        "x12.envelope-missing", "x12.old-version", "x12.old-version"]),
}


def test_every_public_sample_is_listed():
    assert sorted(p.name for p in SAMPLES.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_public_sample_figures(name):
    claim_type, claims, total, lines, rules = EXPECTED[name]
    read = read_837(SAMPLES / name)
    assert set(read.claims.claim_type) == {claim_type}
    assert len(read.claims) == claims and len(read.lines) == lines
    assert sum(read.claims.total_charge, D("0.00")) == D(total)
    assert all(isinstance(v, D) for v in read.lines.charge)
    assert sorted(f.rule_id for f in read.findings) == rules


def test_drug_lines_of_the_tr3_example():
    read = read_837(SAMPLES / "lfh_837p_demo.drug.example10.2.837")
    drugs = read.lines[read.lines.ndc.notna()]
    assert len(drugs) == 5 and all(len(ndc) == 11 for ndc in drugs.ndc)
    first = drugs.iloc[0]
    assert (first.code, first.ndc, first.ndc_quantity, first.ndc_unit) == ("S5001", "00004196501", D("7.00"), "UN")


def test_a_cob_claim_shows_what_the_prior_payer_paid():
    read = read_837(SAMPLES / "lfh_837p_demo.cob.example3.B.837")
    claim = read.claims.iloc[0]
    assert (claim.claim_id, claim.payer_priority, claim.other_payers) == ("26407789", "Secondary", 1)


def test_institutional_claim_fields():
    read = read_837(SAMPLES / "lfh_837i_two-claims-single-provider.837i")
    assert list(read.claims.type_of_bill) == ["131", "131"]
    assert list(read.lines.revenue_code)[:2] == ["0305", "0730"] and read.lines.revenue_code.notna().all()
    assert read.claims.iloc[0].diagnoses == "3669,4019,79431"


@pytest.mark.parametrize("data, message", [
    (b"", "837 data is not an 837 claim file: it is empty."),
    (b"%PDF-1.7 ...", "837 data is not an 837 claim file: it is a PDF."),
    (b"Claim,Charge\nC1,100\n", "837 data is not an 837 claim file: it does not start with an ISA or ST segment."),
])
def test_not_x12_is_one_finding(data, message):
    read = read_837(data)
    assert [f.message for f in read.findings] == [message] and read.claims.empty and read.lines.empty


def test_an_835_is_not_a_claim_file():
    remit = Path(__file__).resolve().parents[1] / "remits/data/infusion_medicare_partb.835"
    read = read_837(remit)
    assert [f.rule_id for f in read.findings] == ["x12.unreadable-file"]
    assert read.findings[0].message == "infusion_medicare_partb.835 holds no 837 claim (transaction types found: 835)."


def test_a_missing_file_and_a_folder(tmp_path):
    assert read_837(tmp_path / "nope.837").findings[0].message == "nope.837 was not found."
    assert "is a folder" in read_837(tmp_path).findings[0].message


def test_damaged_values_are_located_and_the_rest_is_read():
    text, _ = render_837(sample_claims(3), sample_batch())
    text = text.replace("CLM*C0000002*820.00", "CLM*C0000002*82O.00")
    text = text.replace("DTP*472*D8*20261104", "DTP*472*D8*20261304", 1)
    read = read_837(text)
    assert len(read.claims) == 3 and len(read.lines) == 8
    assert [(f.rule_id, f.message) for f in read.findings] == [
        ("x12.bad-amount",
         "The claim total (CLM02) '82O.00' at segment 46 (claim C0000002) is not an amount; it is left blank."),
        ("x12.bad-date",
         "The date '20261304' at segment 52 (claim C0000002 line 1) is not a real date; it is left blank."),
    ]
    assert list(read.claims.balanced) == ["Y", "N", "Y"]


def test_a_cut_file_keeps_its_claims_and_says_so():
    text, _ = render_837(sample_claims(3), sample_batch())
    cut = text[: text.index("CLM*C0000003")]
    read = read_837(cut)
    assert list(read.claims.claim_id) == ["C0000001", "C0000002"]
    assert sorted(f.rule_id for f in read.findings) == ["x12.envelope-missing"] * 3


def test_a_tampered_count_is_reported():
    text, _ = render_837(sample_claims(2), sample_batch())
    read = read_837(text.replace("SE*", "SE*9", 1))
    assert [f.rule_id for f in read.findings] == ["x12.control-count"]
