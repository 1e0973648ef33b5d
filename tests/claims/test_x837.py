"""Writing 837P and 837I files: pyx12 finds zero errors, x12sdk parses them, read_837 gives the claims back."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest
from pydantic import ValidationError
from pyx12_check import pyx12_errors
from x12sdk.io import X12ModelReader

from infusion_billing.claims import (
    INSTITUTIONAL,
    PROFESSIONAL,
    Address,
    ClaimLine,
    render_837,
    write_837,
    x837,
)
from infusion_billing.claims.reader import read_837
from infusion_billing.claims.samples import sample_batch, sample_claims, sample_practice

DAY = date(2026, 11, 16)


def infusion_day(claim_type: str):
    """Hand-built claims a biller recognises: modifiers, NDC units, corrected and voided claims."""
    base = sample_claims(1, claim_type=claim_type, seed=3)[0]
    lines = (
        ClaimLine("INF100-1", "96413", D("310.00"), D(1), DAY, diagnosis_pointers=(1, 2), revenue_code="0335"),
        ClaimLine("INF100-2", "96415", D("95.00"), D(2), DAY, diagnosis_pointers=(1,), revenue_code="0335"),
        ClaimLine("INF100-3", "96375", D("58.00"), D(1), DAY, modifiers=("59",), revenue_code="0260"),
        ClaimLine("INF100-4", "96365", D("210.00"), D(1), DAY, modifiers=("XS",), revenue_code="0260"),
        ClaimLine("INF100-5", "J9312", D("2400.50"), D(50), DAY, modifiers=("JZ",), diagnosis_pointers=(2, 1),
                  revenue_code="0636", ndc="50242005121", ndc_unit="ML", ndc_quantity=D("50")),
        ClaimLine("INF100-6", "J9035", D("1200.25"), D(30), DAY, modifiers=("JG", "JZ"), revenue_code="0636",
                  ndc="50242006001", ndc_unit="ME", ndc_quantity=D("300")),
        ClaimLine("INF100-7", "J9035", D("80.02"), D(2), DAY, modifiers=("JW",), revenue_code="0636",
                  ndc="50242006001", ndc_unit="ME", ndc_quantity=D("20")),
        ClaimLine("INF100-8", "J1569", D("921.50"), D(10), DAY, modifiers=("TB",), revenue_code="0636",
                  ndc="00944270003", ndc_unit="GR", ndc_quantity=D("5")),
        ClaimLine("INF100-9", "J7050", D("12.00"), D(2), DAY, modifiers=("XU",), revenue_code="0258",
                  ndc="00338004904", ndc_unit="F2", ndc_quantity=D("0.125")),
        ClaimLine("INF100-10", "99214", D("180.00"), D(1), DAY, modifiers=("25",), revenue_code="0510"),
    )
    original = replace(base, claim_id="INF100", lines=lines, diagnoses=("C83.30", "Z51.11", "D61.810"),
                       other_payers=(), coverage=replace(base.coverage, priority="Primary"))
    replacement = replace(original, claim_id="INF100R", frequency="7", original_claim_number="PAYER-ICN-0001",
                          lines=tuple(replace(ln, control_number=ln.control_number + "R") for ln in lines))
    void = replace(original, claim_id="INF100V", frequency="8", original_claim_number="PAYER-ICN-0002",
                   lines=tuple(replace(ln, control_number=ln.control_number + "V") for ln in lines),
                   prior_authorization="AUTH-77")
    return [original, replacement, void]


def claim_set(claim_type: str):
    return sample_claims(40, claim_type=claim_type) + infusion_day(claim_type)


@pytest.fixture(scope="module", params=[PROFESSIONAL, INSTITUTIONAL])
def written(request, tmp_path_factory):
    claim_type = request.param
    path = tmp_path_factory.mktemp("x837") / f"batch_{claim_type}.txt"
    claims = claim_set(claim_type)
    result = write_837(claims, sample_batch(), path, claim_type=claim_type)
    return claim_type, claims, path, result


def test_every_claim_is_written_and_nothing_held(written):
    claim_type, claims, path, result = written
    assert result.problems == []
    assert result.claim_ids == [c.claim_id for c in claims]
    assert result.lines == sum(len(c.lines) for c in claims)
    assert result.transactions == ["0001"]


def test_pyx12_finds_zero_errors(written):
    claim_type, _, path, _ = written
    assert pyx12_errors(path) == []


def test_x12sdk_parses_the_file(written):
    claim_type, claims, path, _ = written
    try:
        with X12ModelReader(str(path)) as reader:
            models = list(reader.models())
        assert len(models) == 1 and type(models[0]).__name__ == "HealthCareClaimProfessional"
        assert claim_type == PROFESSIONAL
    except ValidationError as refused:
        # x12sdk's 837I model makes the 2410 REF (prescription number) required; the TR3 005010X223A2
        # and pyx12 have it situational (only for a dispensed Rx or a compound). It is the only objection.
        assert claim_type == INSTITUTIONAL
        assert {e["loc"][-2:] for e in refused.errors()} == {("loop_2410", "ref_segment")}
        drug_lines = sum(1 for c in claims for line in c.lines if line.ndc)
        assert refused.error_count() == drug_lines


def test_x12sdk_parses_an_837i_without_drug_lines(tmp_path):
    claims = [replace(c, lines=tuple(ln for ln in c.lines if not ln.ndc))
              for c in sample_claims(20, claim_type=INSTITUTIONAL)]
    claims = [replace(c, other_payers=()) if c.other_payers else c for c in claims]
    path = tmp_path / "no_drugs.837"
    claims = [replace(c, coverage=replace(c.coverage, priority="Primary")) for c in claims]
    write_837(claims, sample_batch(), path, claim_type=INSTITUTIONAL)
    with X12ModelReader(str(path)) as reader:
        models = list(reader.models())
    assert type(models[0]).__name__ == "HealthCareClaimInstitutional"


def test_round_trip_gives_back_claims_and_lines(written):
    claim_type, claims, path, _ = written
    read = read_837(path)
    assert read.findings == []
    got = read.claims.set_index("claim_id")
    for claim in claims:
        row = got.loc[claim.claim_id]
        assert (row.claim_type, row.total_charge, row.lines, row.frequency, row.balanced) == (
            claim_type, claim.total_charge, len(claim.lines), claim.frequency, "Y")
        assert row.original_claim_number == (claim.original_claim_number or None)
        assert row.payer_id == claim.coverage.payer.payer_id
        assert row.member_id == claim.coverage.subscriber.member_id
        assert row.diagnoses == ",".join(d.replace(".", "") for d in claim.diagnoses)
        assert row.other_payers == len(claim.other_payers)
        if claim_type == INSTITUTIONAL:
            assert row.type_of_bill == "13" + claim.frequency
    expected = [(c.claim_id, n, ln.control_number, ln.code, " ".join(ln.modifiers) or None, ln.charge, ln.units,
                 ln.ndc or None, ln.ndc_unit or None, ln.ndc_quantity, ln.service_date,
                 ln.revenue_code if claim_type == INSTITUTIONAL else None)
                for c in claims for n, ln in enumerate(c.lines, start=1)]
    columns = ["claim_id", "line", "line_control_number", "code", "modifiers", "charge", "units", "ndc", "ndc_unit",
               "ndc_quantity", "service_from", "revenue_code"]
    assert [tuple(r) for r in read.lines[columns].itertuples(index=False)] == expected


def test_totals_agree_to_the_cent_and_line_control_numbers_are_unique(written):
    _, claims, path, result = written
    read = read_837(path)
    clm02 = sum(read.claims.total_charge, D("0.00"))
    assert clm02 == sum(read.lines.charge, D("0.00")) == result.total_charge == sum(c.total_charge for c in claims)
    assert read.lines.line_control_number.is_unique
    assert read.lines.line_control_number.notna().all()


def test_every_drug_line_has_lin_and_ctp_with_its_unit(written):
    _, _, path, _ = written
    text = path.read_text()
    assert "LIN**N4*50242005121~\nCTP****50*ML~" in text
    assert "CTP****300*ME~" in text and "CTP****5*GR~" in text and "CTP****0.125*F2~" in text
    assert text.count("LIN**N4*") == text.count("CTP****")


def test_corrected_and_voided_claims_name_the_original(written):
    claim_type, _, path, _ = written
    text = path.read_text()
    code = "11:B" if claim_type == PROFESSIONAL else "13:A"
    assert f"CLM*INF100R*5467.27***{code}:7*" in text and "REF*F8*PAYER-ICN-0001~" in text
    assert f"CLM*INF100V*5467.27***{code}:8*" in text and "REF*G1*AUTH-77~\nREF*F8*PAYER-ICN-0002~" in text


def test_837p_and_837i_specific_segments(written):
    claim_type, _, path, _ = written
    text = path.read_text()
    if claim_type == PROFESSIONAL:
        assert "GS*HC*LAKESIDE01*CLEARHOUSE1*20261207*0930*101*X*005010X222A1~" in text
        assert "SV1*HC:J9312:JZ*2400.50*UN*50***2:1~" in text and "HI*ABK:C8330*ABF:Z5111*ABF:D61810~" in text
        assert "NM1*82*1*Okonkwo*Ada****XX*1112223338~\nPRV*PE*PXC*207RR0500X~" in text
    else:
        assert "ST*837*0001*005010X223A2~" in text
        assert "SV2*0636*HC:J9035:JG:JZ*1200.25*UN*30~" in text and "CL1*3*1*01~" in text
        assert "HI*ABK:C8330~\nHI*APR:" in text and "NM1*71*1*Okonkwo*Ada****XX*1112223338~" in text
        assert "DTP*434*RD8*20261116-20261116~" in text


def test_secondary_claims_carry_the_primary_payers_adjudication(written):
    claim_type, claims, path, _ = written
    secondary = next(c for c in claims if c.other_payers)
    text = path.read_text()
    start = text.index(f"CLM*{secondary.claim_id}*")
    body = text[start:text.index("HL*", start)]
    other = secondary.other_payers[0]
    assert f"AMT*D*{other.paid}~\nOI***Y***Y~" in body
    assert body.count("SVD*") == len(secondary.lines) and body.count("DTP*573*D8*") == len(secondary.lines)
    assert f"REF*F8*{other.payer_claim_number}~" in body
    assert read_837(path).claims.set_index("claim_id").loc[secondary.claim_id, "other_payer_paid"] == other.paid


def test_large_batches_are_cut_into_transactions(monkeypatch):
    monkeypatch.setattr(x837, "CLAIMS_PER_TRANSACTION", 4)
    text, result = render_837(sample_claims(10), sample_batch())
    assert result.transactions == ["0001", "0002", "0003"]
    segments = text.split("~\n")
    assert "GE*3*101" in segments and segments.count("BHT*0019*00*101-2*20261207*0930*CH") == 1
    assert len(read_837(text).claims) == 10 and read_837(text).findings == []


def test_other_separators_and_one_line_files(tmp_path):
    text, result = render_837(sample_claims(3), sample_batch(), line_break="")
    assert "\n" not in text and len(read_837(text).claims) == 3


def test_pay_to_address_and_an_individual_billing_provider(tmp_path):
    practice = replace(sample_practice(), pay_to=Address("PO Box 4400", "Springfield", "IL", "627084400"),
                       individual=True, name="Okonkwo Ada")
    path = tmp_path / "pay_to.837"
    result = write_837(sample_claims(3), sample_batch(practice=practice), path)
    text = path.read_text()
    assert result.problems == [] and pyx12_errors(path) == []
    assert "NM1*85*1*Okonkwo Ada*****XX*1234567893~" in text
    assert "REF*EI*123456789~\nNM1*87*2~\nN3*PO Box 4400~\nN4*Springfield*IL*627084400~\nHL*2*1*22*0~" in text
