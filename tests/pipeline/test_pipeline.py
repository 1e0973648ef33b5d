"""The pipeline: stages share one read, a crashing stage becomes a finding, findings are listed once."""

from __future__ import annotations

from collections import Counter

from infusion_billing import pipeline
from infusion_billing.coding import engine
from infusion_billing.findings import Severity
from infusion_billing.pipeline import RunOptions, StageResult, run_book
from infusion_billing.workbook.reader import read_workbook


def unknown_drug_book(book_factory, sheets):
    sheets["Administrations"][1][3] = "J9999"  # a code in neither the built-in nor the workbook Drugs table
    return read_workbook(book_factory(sheets))


def test_check_alone_lists_the_coding_problem_that_holds_the_claim(book_factory, sheets):
    run = run_book(unknown_drug_book(book_factory, sheets), ["validate", "check"])
    unknown = [f for f in run.findings if f.rule_id == "coding.unknown-hcpcs"]
    assert [(f.sheet, f.cell, f.encounter_id) for f in unknown] == [("Administrations", "D2", "E001")]
    status = run.results["check"].tables[0]
    assert status.rows[0][0] == "E001" and status.rows[0][3] == "Hold"


def test_code_and_check_share_one_coding_pass_and_list_each_finding_once(book_factory, sheets, monkeypatch):
    calls = Counter()
    real = engine._code_book

    def counting(book, progress):
        calls["code_book"] += 1
        return real(book, progress)

    monkeypatch.setattr(engine, "_code_book", counting)
    run = run_book(unknown_drug_book(book_factory, sheets), ["validate", "code", "check"])
    assert calls["code_book"] == 1
    assert Counter(f.rule_id for f in run.findings)["coding.unknown-hcpcs"] == 1


def test_a_crashing_stage_becomes_one_finding_and_the_run_goes_on(book_factory, monkeypatch):
    def broken(book, options):
        raise ZeroDivisionError("synthetic bug")

    real = pipeline.stage_function
    monkeypatch.setattr(pipeline, "stage_function", lambda name: broken if name == "code" else real(name))
    run = run_book(read_workbook(book_factory()), ["code", "check"])
    failed = [f for f in run.findings if f.rule_id == "pipeline.stage-failed"]
    assert len(failed) == 1 and failed[0].severity is Severity.ERROR and "ZeroDivisionError" in failed[0].message
    assert "check" in run.results and run.results["check"].tables  # the next stage still ran


def test_an_unknown_stage_is_skipped_with_a_warning(book_factory):
    run = run_book(read_workbook(book_factory()), ["validate", "no-such-stage"])
    assert [(f.rule_id, f.severity) for f in run.findings] == [("pipeline.stage-missing", Severity.WARNING)]
    assert isinstance(run.results["validate"], StageResult)
