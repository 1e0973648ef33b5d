"""Appeal letters: one .docx per denial still worked, from the category's template, with the claim's
facts, the reason in plain words and the checklist; corrected-claim denials get a note instead."""

from __future__ import annotations

from datetime import date

import pytest

from infusion_billing.cli import main
from infusion_billing.denials.docx import read_text
from infusion_billing.denials.letters import blocks, fill, template_name
from infusion_billing.pipeline import RunOptions, run_workbook

from .practice_book import FIRST


@pytest.fixture
def imported(practice, tmp_path):
    out = tmp_path / "imported.xlsx"
    run_workbook(practice, ["import-era", "denials"], out=out,
                 options=RunOptions(remit_sources=FIRST, as_of=date(2026, 12, 1)))
    return out


def _text(path):
    return "\n".join(read_text(path))


def test_one_document_per_denial_the_right_kind(imported, tmp_path):
    letters = tmp_path / "letters"
    run = run_workbook(imported, ["appeals"], write=False,
                       options=RunOptions(out_dir=letters, as_of=date(2026, 12, 1)))
    names = sorted(p.name for p in letters.glob("*.docx"))
    assert names == ["C1001_C1001-1_16_corrected-claim-note.docx",  # NDC missing: fix and resubmit
                     "C1002_claim_197_appeal-authorization.docx",
                     "C1003_C1003-1_999_corrected-claim-note.docx"]  # unknown reason: no letter to argue
    assert run.results["appeals"].summary["appeal letters written"] == 1


def test_the_letter_carries_the_claims_facts_and_the_checklist(imported, tmp_path):
    letters = tmp_path / "letters"
    run_workbook(imported, ["appeals"], write=False,
                 options=RunOptions(out_dir=letters, claim_ids=("C1002",), as_of=date(2026, 12, 1)))
    (letter,) = letters.glob("*.docx")
    text = _text(letter)
    for fact in ("Lakeside Infusion Center", "100 Main St", "Synthetic Medicare", "C1002", "MAC0002002",
                 "2026-11-04", "$500.00", "CO-197", "2026-11-20", "Bo Testperson", "SYNP2", "December 1, 2026"):
        assert fact in text, fact
    assert "precertification" in text.lower() or "authorization" in text.lower()
    assert "\u2610 The authorization approval" in text  # the attachment checklist


def test_a_practice_template_overrides_the_shipped_one(imported, tmp_path):
    own = tmp_path / "own"
    own.mkdir()
    own.joinpath("authorization").with_suffix(".md").write_text(
        "# Our own words\n\nClaim {claim_id} for {denied_amount}: {unknown}.\n")
    letters = tmp_path / "letters"
    run_workbook(imported, ["appeals"], write=False,
                 options=RunOptions(out_dir=letters, claim_ids=("C1002",), templates=own))
    assert _text(next(letters.glob("*.docx"))) == "Our own words\nClaim C1002 for $500.00: {unknown}."


def test_resolved_denials_get_no_letter_and_work_status_is_left_alone(imported, tmp_path, capsys):
    letters = tmp_path / "letters"
    assert main(["appeals", str(imported), "--out-dir", str(letters), "--claim", "C1002", "--claim", "C9999"]) == 0
    out = capsys.readouterr().out
    assert "C9999 has no denial" in out and "Testperson" not in out
    assert [p.name for p in letters.glob("*.docx")] == ["C1002_claim_197_appeal-authorization.docx"]


def test_templates_by_category():
    assert template_name("Medical Necessity", "50") == "medical-necessity"
    assert template_name("Coding / Bundling", "236") == "bundling"
    assert template_name("Timely Filing", "29") == "timely-filing"
    assert template_name("Duplicate", "18") == "duplicate"
    assert template_name("Eligibility / Coverage", "27") == "corrected-claim"
    letter = blocks(fill("# T\n\nA {x}\nB\n\n- one\n- two {y}\n", {"x": "1"}))
    assert [(b.kind, b.text) for b in letter] == [("title", "T"), ("paragraph", "A 1 B"), ("item", "one"),
                                                 ("item", "two {y}")]

