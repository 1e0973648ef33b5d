"""Bad claim data gives located findings from the writer, never a traceback; the good claims still go."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyx12_check import pyx12_errors

from infusion_billing.claims import INSTITUTIONAL, render_837, write_837
from infusion_billing.claims.reader import read_837
from infusion_billing.claims.samples import sample_batch, sample_claims, sample_practice
from infusion_billing.claims.split import split_claim
from infusion_billing.findings import Severity
from infusion_billing.rules.catalogue import CATALOGUE


def held(claims, **batch):
    text, result = render_837(claims, sample_batch(**batch))
    return text, result, [(p.claim_id, p.line, p.finding.rule_id, p.finding.sheet, p.finding.column)
                          for p in result.problems]


def test_a_claim_id_over_20_characters_is_held_and_located():
    good, bad = sample_claims(2)
    bad = replace(bad, claim_id="ENC-2026-11-0001234567")
    text, result, where = held([good, bad])
    assert where == [("ENC-2026-11-0001234567", None, "claim.id-invalid", "Claims", "Claim ID")]
    assert result.problems[0].finding.message.startswith("Claim ENC-2026-11-0001234567: The Claim ID has 22 characters")
    assert result.claim_ids == ["C0000001"] and list(read_837(text).claims.claim_id) == ["C0000001"]


@pytest.mark.parametrize("change, column", [
    (dict(npi=""), "NPI"), (dict(ein=""), "EIN"), (dict(taxonomy=""), "Taxonomy"),
    (dict(submitter_id=""), "Submitter ID"), (dict(receiver_id=""), "Receiver ID"),
    (dict(contact_phone=""), "Contact Phone"),
])
def test_missing_practice_data_writes_no_file(change, column):
    practice = replace(sample_practice(), **change)
    text, result, where = held(sample_claims(3), practice=practice)
    assert text == "" and result.claim_ids == []
    assert where == [("", None, "claim.practice-missing", "Practice", column)]


def test_no_practice_row_at_all():
    text, result, where = held(sample_claims(1), practice=None)
    assert text == "" and [w[2] for w in where] == ["claim.practice-missing"]
    assert "no Practice row" in result.findings[0].message


@pytest.mark.parametrize("change, column, fragment", [
    (dict(npi="1234567890"), "NPI", "not a valid NPI"),
    (dict(ein="12-34567"), "EIN", "not 9 digits"),
    (dict(submitter_id="SUBMITTER-ID-TOO-LONG"), "Submitter ID", "the ISA holds 15"),
])
def test_invalid_practice_data(change, column, fragment):
    text, result, where = held(sample_claims(1), practice=replace(sample_practice(), **change))
    assert text == "" and where == [("", None, "claim.practice-invalid", "Practice", column)]
    assert fragment in result.findings[0].message


def test_billing_address_needs_zip_plus_4():
    practice = replace(sample_practice(), address=replace(sample_practice().address, zip="62701"))
    _, result, where = held(sample_claims(1), practice=practice)
    assert where == [("", None, "claim.practice-invalid", "Practice", "Address")]
    assert "ZIP '62701' is not 9 digits (ZIP+4)" in result.findings[0].message


def test_a_separator_in_the_data_holds_only_that_claim(tmp_path):
    claims = sample_claims(3)
    claims[1] = replace(claims[1], prior_authorization="AUTH*12")
    path = tmp_path / "batch.837"
    result = write_837(claims, sample_batch(), path)
    assert [(p.claim_id, p.finding.rule_id, p.finding.column) for p in result.problems] == [
        ("C0000002", "x12.data-separator", "Prior Authorization")]
    assert result.findings[0].message == ("Claim C0000002: The Prior Authorization holds '*', the element separator; "
                                          "X12 has no way to send it.")
    assert result.claim_ids == ["C0000001", "C0000003"] and pyx12_errors(path) == []


def test_a_member_id_with_a_separator_is_held_without_showing_it():
    claims = sample_claims(1)
    subscriber = replace(claims[0].coverage.subscriber, member_id="SYN:12345")
    claims[0] = replace(claims[0], coverage=replace(claims[0].coverage, subscriber=subscriber))
    _, result, where = held(claims)
    assert where == [("C0000001", None, "x12.data-separator", "Claims", "Member ID")]
    assert "SYN" not in result.findings[0].message and result.findings[0].value == ""


def test_free_text_with_separators_is_cleaned_not_held():
    claims = sample_claims(1)
    subscriber = replace(claims[0].coverage.subscriber, last_name="O*Brien~Smith")
    claims[0] = replace(claims[0], coverage=replace(claims[0].coverage, subscriber=subscriber))
    text, result, _ = held(claims)
    assert result.problems == [] and "NM1*IL*1*O Brien Smith*" in text


@pytest.mark.parametrize("line_change, rule, column", [
    (dict(modifiers=("JW", "JZ", "59", "XS", "25")), "claim.line-invalid", "Modifiers"),
    (dict(units=D(0)), "claim.line-invalid", "Units"),
    (dict(charge=D("-1.00")), "claim.line-invalid", "Charge"),
    (dict(ndc="0002-7597-01"), "claim.ndc-invalid", "NDC"),
    (dict(ndc="57894003001", ndc_unit="MG", ndc_quantity=D(1)), "claim.ndc-invalid", "NDC Unit"),
    (dict(ndc="57894003001", ndc_unit="UN", ndc_quantity=None), "claim.ndc-invalid", "NDC Quantity"),
    (dict(diagnosis_pointers=(5,)), "claim.diagnosis", "Diagnosis Pointers"),
    (dict(control_number=""), "claim.line-invalid", "Line Control Number"),
])
def test_bad_lines_are_located_on_claimlines(line_change, rule, column):
    claim = sample_claims(1)[0]
    lines = list(claim.lines)
    assert lines[2].code == "J1569"  # the drug line, with its NDC
    lines[2] = replace(lines[2], **line_change)
    _, result, where = held([replace(claim, lines=tuple(lines))])
    assert where == [("C0000001", 3, rule, "ClaimLines", column)]


def test_a_line_control_number_used_twice_holds_the_second_claim():
    first, second = sample_claims(2)
    second = replace(second, lines=(replace(second.lines[0], control_number=first.lines[0].control_number),
                                    *second.lines[1:]))
    _, result, where = held([first, second])
    assert where == [("C0000002", 1, "claim.line-invalid", "ClaimLines", "Line Control Number")]
    assert result.claim_ids == ["C0000001"]


def test_over_50_lines_is_held_with_the_way_out():
    claim = sample_claims(1)[0]
    many = tuple(replace(claim.lines[0], control_number=f"L{n}") for n in range(51))
    _, result, where = held([replace(claim, lines=many)])
    assert where == [("C0000001", None, "claim.too-many-lines", "Claims", "Lines")]
    assert "split_claim" in result.findings[0].fix


@pytest.mark.parametrize("change, rule, column", [
    (dict(frequency="7"), "claim.frequency", "Payer Claim Number"),
    (dict(frequency="2"), "claim.frequency", "Frequency"),
    (dict(diagnoses=()), "claim.diagnosis", "Diagnoses"),
])
def test_bad_claims_are_located_on_claims(change, rule, column):
    _, _, where = held([replace(sample_claims(1)[0], **change)])
    assert (where[0][0], where[0][2], where[0][4]) == ("C0000001", rule, column)


def test_missing_member_id_and_subscriber_data():
    claim = sample_claims(1)[0]
    subscriber = replace(claim.coverage.subscriber, member_id="", sex="X")
    _, result, where = held([replace(claim, coverage=replace(claim.coverage, subscriber=subscriber))])
    assert [(w[2], w[4]) for w in where] == [("claim.subscriber-missing", "Member ID"),
                                             ("claim.subscriber-missing", "Subscriber")]
    assert all("SYN" not in f.message for f in result.findings)  # no member IDs in messages


def test_an_837i_line_needs_a_revenue_code_and_types_are_not_mixed():
    facility = sample_claims(2, claim_type=INSTITUTIONAL)
    facility[0] = replace(facility[0], lines=(replace(facility[0].lines[0], revenue_code=""), *facility[0].lines[1:]))
    text, result = render_837(facility + sample_claims(1, start=9), sample_batch(), claim_type=INSTITUTIONAL)
    assert [(p.claim_id, p.line, p.finding.rule_id, p.finding.column) for p in result.problems] == [
        ("C0000001", 1, "claim.line-invalid", "Revenue Code"), ("C0000009", None, "claim.type-invalid", "Claim Type")]
    assert result.claim_ids == ["C0000002"]


def test_a_secondary_claim_without_the_primary_adjudication_is_held():
    claim = sample_claims(8)[7]
    assert claim.coverage.priority == "Secondary"
    _, _, where = held([replace(claim, other_payers=())])
    assert where == [("C0000008", None, "claim.cob-missing", "Claims", "Payer Priority")]


def test_bad_control_numbers_write_nothing():
    text, result, where = held(sample_claims(1), interchange_control=0)
    assert text == "" and [w[2] for w in where] == ["x12.control-number"]


def test_every_claim_problem_carries_its_rules_catalogue_severity_and_fix():
    claim = sample_claims(1)[0]
    lines = (replace(claim.lines[0], units=D(0)), replace(claim.lines[1], charge=D("-1.00")), *claim.lines[2:])
    subscriber = replace(claim.coverage.subscriber, member_id="")
    bad = replace(claim, frequency="7", lines=lines, coverage=replace(claim.coverage, subscriber=subscriber))
    _, result, _ = held([bad])
    many = replace(claim, lines=tuple(replace(claim.lines[0], control_number=f"L{n}") for n in range(51)))
    findings = [*result.findings, *(p.finding for p in split_claim(many)[1])]
    assert {f.rule_id for f in findings} == {"claim.frequency", "claim.line-invalid", "claim.subscriber-missing",
                                             "claim.split"}
    for f in findings:
        assert (f.severity, f.fix != "") == (CATALOGUE[f.rule_id].severity, True), f
    # The line-invalid problems name no fix of their own: the catalogue's tells the biller where to correct it.
    assert next(f for f in findings if f.rule_id == "claim.line-invalid").fix == CATALOGUE["claim.line-invalid"].fix
    assert next(f for f in findings if f.rule_id == "claim.split").severity is Severity.INFO


def test_control_numbers_that_cannot_be_used_are_an_error_the_catalogue_documents():
    _, result, _ = held(sample_claims(1), interchange_control=0)
    finding = result.findings[0]
    assert finding.severity is Severity.ERROR and Severity.ERROR in CATALOGUE["x12.control-number"].also


def test_accented_names_are_sent_without_accents_and_coded_values_with_them_are_held():
    claims = sample_claims(2)
    subscriber = replace(claims[0].coverage.subscriber, last_name="Muñoz-Peña", first_name="José")
    claims[0] = replace(claims[0], coverage=replace(claims[0].coverage, subscriber=subscriber))
    claims[1] = replace(claims[1], claim_id="C000000Ž")
    text, result, where = held(claims)
    assert "NM1*IL*1*Munoz-Pena*Jose*" in text and text.isascii()
    assert where == [("C000000Ž", None, "x12.data-separator", "Claims", "Claim ID")]
    assert "U+017D, which is not in the X12 character set" in result.findings[0].message


@settings(max_examples=150, deadline=None)
@given(claim_id=st.text(min_size=1, max_size=24), authorization=st.text(max_size=12))
def test_any_claim_id_or_authorization_is_written_exactly_or_held_never_a_traceback(claim_id, authorization):
    claim = replace(sample_claims(1)[0], claim_id=claim_id, prior_authorization=authorization)
    text, result = render_837([claim], sample_batch())
    if result.claim_ids:
        assert result.problems == [] and text.isascii()
        read = read_837(text)
        assert read.findings == [] and read.claims.claim_id.tolist() == [claim_id]
    else:
        assert text == "" and len(result.problems) >= 1
        assert {p.finding.rule_id for p in result.problems} <= {"claim.id-invalid", "x12.data-separator"}


def test_no_file_is_left_when_nothing_can_be_sent(tmp_path):
    path = tmp_path / "batch.837"
    result = write_837(sample_claims(2), sample_batch(practice=None), path)
    assert result.claim_ids == [] and list(tmp_path.iterdir()) == []
    claims = [replace(c, claim_id="X" * 21) for c in sample_claims(2)]
    assert write_837(claims, sample_batch(), path).claim_ids == [] and list(tmp_path.iterdir()) == []
