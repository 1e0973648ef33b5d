"""Importing 835s into the workbook: every sample imports, nothing imports twice, runs append."""

from __future__ import annotations

import shutil
from types import SimpleNamespace
from decimal import Decimal as D

import pytest

from infusion_billing.cli import main
from infusion_billing.remits.categories import CODE_COLUMNS
from infusion_billing.pipeline import RunOptions, run_workbook
from infusion_billing.remits.importer import ERA_TABLES
from infusion_billing.workbook.writer import read_output_table


def import_remits(book, sources, *, out=None, in_place=False) -> SimpleNamespace:
    """The ``import-era`` stage through the pipeline, as the command line runs it: its figures and findings."""
    run = run_workbook(book, ["import-era"], out=out, in_place=in_place,
                       options=RunOptions(remit_sources=tuple(sources)))
    summary = run.results["import-era"].summary
    return SimpleNamespace(
        findings=run.findings, output=run.output, files_read=summary["files read"],
        payments_added=summary["payments added"], files_skipped=summary["files imported before"],
        rows_added={name: summary[f"{name} rows added"] for name in ERA_TABLES})


def era(book):
    return {name: read_output_table(book, name) for name in ERA_TABLES}


def payment(rows, trace, file=None):
    return next(r for r in rows if r["Trace Number"] == trace and (file is None or r["File"] == file))


@pytest.fixture
def imported(book_factory, sample, data, tmp_path):
    """The clinic book after importing every public sample and synthetic remit."""
    result = import_remits(book_factory(), [sample(), data()], out=tmp_path / "after.xlsx")
    return result, tmp_path / "after.xlsx"


def test_every_sample_imports_with_its_totals(imported):
    result, book = imported
    assert result.files_read == 12 and result.payments_added == 13
    payments = era(book)["EraPayments"]
    assert [r["File"] for r in payments][:2] == ["lfh_cob-contractural-adjustment.835", "lfh_managed-care.835"]
    part_a = payment(payments, "12345")
    assert (part_a["Payment Amount"], part_a["Claim Payments"], part_a["PLB Total"], part_a["Balanced"],
            part_a["Variance"]) == (150000.0, 149998.73, -1.27, "Y", 0.0)
    reversal = payment(payments, "0004926")
    assert (reversal["Balanced"], D(str(reversal["Variance"]))) == ("N", D("5482.52"))
    first_st = payment(payments, "1QG11111111")  # both TigerShark files carry this payment: imported once
    assert (first_st["File"], D(str(first_st["Variance"]))) == ("tigershark_835-example-2.txt", D("12145.65"))
    partb = payment(payments, "EFT20261120A")
    assert (partb["Payer ID"], partb["Payment Method"], partb["Payment Date"].isoformat(), partb["Claims"]) == (
        "SYNMAC01", "ACH", "2026-11-20", 3)
    # balanced: 5 LFH/pyx12 samples, the second TigerShark payment and the 4 synthetic payments
    assert sum(1 for r in payments if r["Balanced"] == "Y") == 10


def test_duplicate_payment_across_files_is_one_info_finding(imported):
    result, _ = imported
    [dup] = [f for f in result.findings if f.rule_id == "era.duplicate-payment"]
    assert dup.severity.value == "info"
    assert dup.message == ("Payment 1QG11111111 of 12,345.67 from payer 87726 in tigershark_835-example.txt was "
                           "already imported from tigershark_835-example-2.txt; nothing was added for it.")
    # the skipped copy's own problems are not reported again
    assert not [f for f in result.findings if f.source == "tigershark_835-example.txt" and f.rule_id != dup.rule_id]


def test_unbalanced_files_show_a_finding_naming_the_segment(imported):
    result, _ = imported
    unbalanced = {f.source: f.message for f in result.findings if f.rule_id.endswith("-unbalanced")}
    assert "segment 4 (BPR)" in unbalanced["pyx12_x12testdata_835id_4010.835"]
    assert "segment 20 (SVC)" in unbalanced["lfh_tertiary-payment.835"]
    assert "segment 4 (BPR)" in unbalanced["tigershark_835-example-2.txt"]


def test_adjustments_carry_category_and_links_to_their_claim(imported):
    _, book = imported
    adjustments = era(book)["EraAdjustments"]
    rituximab = [r for r in adjustments if r["Patient Control Number"] == "INF1001" and r["Line No"] == 1]
    assert [(r["Group"], r["CARC"], D(str(r["Amount"])), r["Category"], r["Denial"]) for r in rituximab] == [
        ("CO", "45", D("1050.00"), "Contractual", "N"), ("CO", "253", D("85.49"), "Contractual", "N"),
        ("PR", "1", D("257.00"), "Patient Responsibility", "N"), ("PR", "2", D("1068.60"), "Patient Responsibility", "N")]
    ndc = [r for r in adjustments if r["CARC"] == "16"]
    assert [(r["RARCs"], r["Category"]) for r in ndc] == [("N14", "Documentation")]
    assert list(adjustments[0])[-4:] == ["RARCs", "Category", "Denial", "Next Action"]


def test_reimporting_the_same_folders_changes_nothing(imported, sample, data, tmp_path):
    _, book = imported
    before = era(book)
    again = import_remits(book, [sample(), data()], out=tmp_path / "again.xlsx")
    assert era(tmp_path / "again.xlsx") == before
    assert (again.payments_added, again.files_skipped) == (0, 11)
    # data/README.md is skipped every time; everything else is a duplicate
    assert {f.rule_id for f in again.findings} == {"era.duplicate-file", "era.duplicate-payment", "era.not-x12-skipped"}
    assert all(f.severity.value == "info" for f in again.findings)


def test_same_file_under_another_name_adds_nothing(imported, data, tmp_path):
    _, book = imported
    copy = tmp_path / "renamed.txt"
    shutil.copy(data("infusion_medicare_partb.835"), copy)
    result = import_remits(book, [copy], out=tmp_path / "again.xlsx")
    [finding] = result.findings
    assert finding.message == "renamed.txt was imported before (same file contents); nothing was added."


def test_new_files_append_across_runs(book_factory, data, tmp_path):
    first = tmp_path / "first.xlsx"
    import_remits(book_factory(), [data("infusion_medicare_partb.835")], out=first)
    second = tmp_path / "second.xlsx"
    result = import_remits(first, [data("infusion_two_payments_split.835")], out=second)
    assert result.rows_added["EraPayments"] == 2 and result.rows_added["EraClaims"] == 4
    payments = era(second)["EraPayments"]
    assert [r["Trace Number"] for r in payments] == ["EFT20261120A", "EFT20261121B", "CHK0049177"]
    claims = era(second)["EraClaims"]
    assert len(claims) == 7 and claims[0]["Patient Control Number"] == "INF1001"


def test_a_bad_file_does_not_stop_the_others(book_factory, data, tmp_path):
    pdf = tmp_path / "eob.pdf"
    pdf.write_bytes(b"%PDF-1.4 scanned EOB")
    result = import_remits(book_factory(), [pdf, data("infusion_reversal_correction.835")], out=tmp_path / "o.xlsx")
    assert result.payments_added == 1
    [bad] = result.findings
    assert (bad.rule_id, bad.source) == ("era.unreadable-file", "eob.pdf")
    findings_sheet = read_output_table(tmp_path / "o.xlsx", "Findings")
    assert [r["Rule ID"] for r in findings_sheet] == ["era.unreadable-file"]


def test_folders_skip_files_that_are_not_835s(book_factory, data, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(data("infusion_medicare_partb.835"), inbox / "a.835")
    (inbox / "notes.md").write_text("# remits for November\n")
    result = import_remits(book_factory(), [inbox], out=tmp_path / "o.xlsx")
    assert result.payments_added == 1
    [skipped] = result.findings
    assert skipped.message == "1 file(s) in folder inbox do not look like 835 files and were skipped: notes.md."


def test_workbook_adjustment_codes_override_the_shipped_ones(book_factory, sheets, data, tmp_path):
    sheets["Adjustment Codes"] = [list(CODE_COLUMNS),
                                  ["CO", "253", None, "Contractual", "N", "Sequestration", "Expected; no action."]]
    import_remits(book_factory(sheets), [data("infusion_medicare_partb.835")], out=tmp_path / "o.xlsx")
    actions = {r["Next Action"] for r in era(tmp_path / "o.xlsx")["EraAdjustments"] if r["CARC"] == "253"}
    assert actions == {"Expected; no action."}


def test_in_place_keeps_a_backup(book_factory, data):
    book = book_factory()
    result = import_remits(book, [data("infusion_two_payments_split.835")], in_place=True)
    assert result.output == book
    assert len(era(book)["EraPayments"]) == 2
    assert len(list(book.parent.glob(f"{book.stem}.backup-*{book.suffix}"))) == 1


def test_command_line_import_era(book_factory, data, tmp_path, capsys):
    out = tmp_path / "cli.xlsx"
    code = main(["import-era", str(book_factory()), str(data()), "-o", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "import-era: files read: 3\n" in printed and "import-era: payments added: 4\n" in printed
    assert f"Written: {out}" in printed
    assert len(era(out)["EraPayments"]) == 4
