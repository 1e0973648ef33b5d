"""A claim over the payer's line limit is split by date of service into claims that fit."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal as D

from pyx12_check import pyx12_errors

from infusion_billing.claims import ClaimLine, render_837, split_claim
from infusion_billing.claims.reader import read_837
from infusion_billing.claims.samples import sample_batch, sample_claims


def home_infusion_month(days: int, lines_per_day: int, **claim_changes):
    """A home-infusion month: each day a per diem and its drug, with their own diagnosis pointers."""
    base = sample_claims(1)[0]
    start = base.lines[0].service_date
    lines = []
    for d in range(days):
        for k in range(lines_per_day):
            lines.append(ClaimLine(f"H{d:02d}-{k}", "S9500" if k == 0 else "J1569", D("100.00") + k, D(1),
                                   start + timedelta(days=d), diagnosis_pointers=(1, 2) if d % 2 else (1, 3)))
    return replace(base, claim_id="HOME1126", lines=tuple(lines), diagnoses=("D80.1", "Z45.2", "Z79.899"),
                   **claim_changes)


def test_a_claim_that_fits_is_left_alone():
    claim = sample_claims(1)[0]
    assert split_claim(claim) == ([claim], [])


def test_days_are_kept_together_and_packed_in_date_order():
    claim = home_infusion_month(30, 3)  # 90 lines, 3 a day: 16 days (48 lines) fit in the first claim
    parts, problems = split_claim(claim)
    assert [(p.claim_id, len(p.lines)) for p in parts] == [("HOME1126-1", 48), ("HOME1126-2", 42)]
    for part in parts:
        days = {line.service_date for line in part.lines}
        for d in days:  # a day's lines are all on the same part
            on_day = [ln for ln in claim.lines if ln.service_date == d]
            assert on_day == [ln for ln in part.lines if ln.service_date == d]
    assert sum(p.total_charge for p in parts) == claim.total_charge == D("9090.00")
    assert [ln.control_number for p in parts for ln in p.lines] == [ln.control_number for ln in claim.lines]
    assert problems[0].finding.message == (
        "Claim HOME1126: The claim has 90 lines, over the 837P limit of 50; it was "
        "split by date of service into HOME1126-1 (48 lines), HOME1126-2 (42 lines).")


def test_diagnoses_follow_their_lines_and_pointers_are_renumbered():
    claim = home_infusion_month(40, 3)
    even_days = replace(claim, lines=tuple(ln for ln in claim.lines if ln.diagnosis_pointers == (1, 3)))
    parts, _ = split_claim(even_days)  # 60 lines, each pointing at D80.1 and Z79.899 (positions 1 and 3)
    assert len(parts) == 2
    for part in parts:
        assert part.diagnoses == ("D80.1", "Z79.899")
        assert {ln.diagnosis_pointers for ln in part.lines} == {(1, 2)}


def test_one_day_over_the_limit_is_cut_on_its_own():
    parts, _ = split_claim(home_infusion_month(2, 60))
    assert [len(p.lines) for p in parts] == [50, 10, 50, 10]


def test_the_parts_write_and_validate(tmp_path):
    parts, _ = split_claim(home_infusion_month(30, 3))
    text, result = render_837(parts, sample_batch())
    path = tmp_path / "split.837"
    path.write_text(text)
    assert result.problems == [] and pyx12_errors(path) == []
    read = read_837(text)
    assert list(read.claims.claim_id) == ["HOME1126-1", "HOME1126-2"] and list(read.claims.balanced) == ["Y", "Y"]


def test_the_primary_payers_lines_go_with_their_lines():
    claim = sample_claims(8)[7]
    many = tuple(replace(claim.lines[0], control_number=f"{claim.claim_id}-{n}",
                         service_date=claim.lines[0].service_date + timedelta(days=n // 5)) for n in range(1, 61))
    other = claim.other_payers[0]
    paid = tuple(replace(other.lines[0], line_control_number=ln.control_number) for ln in many)
    claim = replace(claim, lines=many, other_payers=(replace(other, lines=paid, paid=sum(p.paid for p in paid)),))
    parts, _ = split_claim(claim)
    for part in parts:
        prior = part.other_payers[0]
        assert {p.line_control_number for p in prior.lines} == {ln.control_number for ln in part.lines}
        assert prior.paid == sum(p.paid for p in prior.lines)


def test_replacements_are_not_split_and_ids_must_fit():
    parts, problems = split_claim(home_infusion_month(30, 2, frequency="7", original_claim_number="ICN1"))
    assert parts == [] and problems[0].finding.rule_id == "claim.too-many-lines"
    parts, problems = split_claim(replace(home_infusion_month(30, 2), claim_id="X" * 19))
    assert parts == [] and problems[0].finding.rule_id == "claim.id-invalid"
