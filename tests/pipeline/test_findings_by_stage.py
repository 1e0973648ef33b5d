"""The Findings sheet accumulates by stage: a command replaces only its own findings.

A biller runs Pre-bill Checks in the morning and imports the payer's 835 after lunch; the import
must not wipe the morning's holds. Each row says which stage found it and when.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from infusion_billing.findings import Finding, Severity
from infusion_billing.pipeline import RunOptions, run_workbook
from infusion_billing.workbook.findings_sheet import SHEET_COLUMNS, finding_sheets, merge_findings
from infusion_billing.workbook.writer import read_output_table

REMITS = Path(__file__).resolve().parents[1] / "remits" / "data"
ORDER = ["validate", "code", "check", "import-era"]


def check(book):
    return run_workbook(book, ["validate", "check"], in_place=True)


def import_era(book, *sources):
    return run_workbook(book, ["import-era"], in_place=True, options=RunOptions(remit_sources=tuple(sources)))


def rows(book, sheet="Findings"):
    return [(r["Stage"], r["Rule ID"], r["Cell"] or r["Source File"]) for r in read_output_table(book, sheet)]


def unknown_drug(book_factory, sheets):
    sheets["Administrations"][1][3] = "J9999"  # Administrations!D2: a code no drug table knows
    return book_factory(sheets)


def pdf(tmp_path):
    path = tmp_path / "eob.pdf"
    path.write_bytes(b"%PDF-1.4 scanned EOB")
    return path


def test_import_era_after_check_keeps_the_checks_findings(book_factory, sheets):
    book = unknown_drug(book_factory, sheets)
    check(book)
    assert ("check", "coding.unknown-hcpcs", "D2") in rows(book)
    import_era(book, REMITS / "infusion_medicare_partb.835")
    assert ("check", "coding.unknown-hcpcs", "D2") in rows(book)
    assert read_output_table(book, "EraPayments")  # and the import itself happened


def test_two_imports_keep_the_first_imports_errors(book_factory, tmp_path):
    book = book_factory()
    import_era(book, pdf(tmp_path))
    assert rows(book) == [("import-era", "era.unreadable-file", "eob.pdf")]
    import_era(book, REMITS / "infusion_reversal_correction.835")
    assert rows(book) == [("import-era", "era.unreadable-file", "eob.pdf")]
    (first,) = read_output_table(book, "Findings")
    assert first["Severity"] == "error" and isinstance(first["Run Time"], dt.datetime)


def test_the_same_file_imported_twice_is_one_note(book_factory):
    book = book_factory()
    for _ in range(3):
        import_era(book, REMITS / "infusion_medicare_partb.835")
    assert rows(book, "Notes") == [("import-era", "era.duplicate-file", "infusion_medicare_partb.835")]


def test_blocks_follow_the_workflow_and_running_a_stage_again_adds_no_duplicates(book_factory, sheets, tmp_path):
    book = unknown_drug(book_factory, sheets)
    import_era(book, pdf(tmp_path))
    check(book)
    once = rows(book)
    assert [stage for stage, _, _ in once] == sorted((s for s, _, _ in once), key=ORDER.index)  # check block first
    assert once[-1] == ("import-era", "era.unreadable-file", "eob.pdf")
    check(book)
    import_era(book)  # no files this time: the earlier import's error stays
    assert rows(book) == once


def test_a_problem_two_commands_report_is_one_row_with_the_newer_stage(book_factory, sheets):
    book = unknown_drug(book_factory, sheets)
    check(book)  # check lists the coding problem that holds the claim
    run_workbook(book, ["validate", "code"], in_place=True)  # code finds it again
    assert [r for r in rows(book) if r[1] == "coding.unknown-hcpcs"] == [("code", "coding.unknown-hcpcs", "D2")]


def test_info_rows_go_to_notes_unless_the_setting_says_otherwise(book_factory, sheets):
    book = book_factory()
    import_era(book, REMITS / "infusion_medicare_partb.835", REMITS / "infusion_medicare_partb.835")
    assert rows(book) == [] and [r[1] for r in rows(book, "Notes")] == ["era.duplicate-file"]

    sheets["Settings"] = [["Setting", "Value"], ["Info Findings", "Findings sheet"]]
    together = book_factory(sheets, name="together.xlsx")
    import_era(together, REMITS / "infusion_medicare_partb.835", REMITS / "infusion_medicare_partb.835")
    assert [r[1] for r in rows(together)] == ["era.duplicate-file"]
    assert read_output_table(together, "Notes") == []

    sheets["Settings"] = [["Setting", "Value"], ["Info Findings", "Hide"]]
    hidden = book_factory(sheets, name="hidden.xlsx")
    import_era(hidden, REMITS / "infusion_medicare_partb.835", REMITS / "infusion_medicare_partb.835")
    assert rows(hidden) == [] and read_output_table(hidden, "Notes") == []


# ----------------------------------------------------------------------------- the merge itself


RUN1 = dt.datetime(2026, 11, 20, 9, 0)
RUN2 = dt.datetime(2026, 11, 21, 14, 30)
STOP = Finding("coding.stop-before-start", Severity.ERROR, "Stop time is before the start time.",
               sheet="Administrations", row=7, column="Stop", cell="J7", encounter_id="E004")
UNBALANCED = Finding("era.payment-unbalanced", Severity.ERROR, "Payment does not balance.", source="oct.835")


def test_a_stage_replaces_its_own_rows_and_keeps_the_others():
    first = merge_findings([], {"check": [STOP], "import-era": [UNBALANCED]}, run_time=RUN1, stage_order=ORDER)
    second = merge_findings(first, {"check": []}, run_time=RUN2, stage_order=ORDER)
    assert [(r["Stage"], r["Rule ID"], r["Run Time"]) for r in second] == [
        ("import-era", "era.payment-unbalanced", RUN1)]


def test_a_ledger_stage_adds_to_its_earlier_rows():
    first = merge_findings([], {"import-era": [UNBALANCED]}, run_time=RUN1, ledger_stages=["import-era"])
    other = UNBALANCED.with_(source="nov.835")
    second = merge_findings(first, {"import-era": [other]}, run_time=RUN2, ledger_stages=["import-era"])
    assert [(r["Source File"], r["Run Time"]) for r in second] == [("oct.835", RUN1), ("nov.835", RUN2)]


def test_within_one_run_the_first_stage_keeps_a_finding_both_report():
    merged = merge_findings([], {"code": [STOP], "check": [STOP]}, run_time=RUN1, stage_order=ORDER)
    assert [(r["Stage"], r["Cell"]) for r in merged] == [("code", "J7")]


def test_the_same_cell_and_rule_is_one_row_even_when_the_wording_changed():
    reworded = STOP.with_(message="Stop 08:10 is before start 09:00.")
    merged = merge_findings([], {"check": [reworded, STOP]}, run_time=RUN1)
    assert [(r["Rule ID"], r["Cell"]) for r in merged] == [("coding.stop-before-start", "J7")]


def test_the_billers_own_column_follows_the_problem_when_it_is_found_again():
    first = merge_findings([], {"check": [STOP]}, run_time=RUN1)
    first[0]["Worked By"] = "JS, called the nurse 11/20"
    second = merge_findings(first, {"check": [STOP]}, run_time=RUN2)
    assert [(r["Run Time"], r["Worked By"]) for r in second] == [(RUN2, "JS, called the nurse 11/20")]
    (sheet,) = finding_sheets(second)  # no info rows: no Notes sheet
    assert sheet.columns == [*SHEET_COLUMNS, "Worked By"] and sheet.rows[0][-1] == "JS, called the nurse 11/20"


def test_rows_written_before_findings_had_stages_are_replaced_by_any_run():
    legacy = [{"Severity": "error", "Rule ID": "stale.finding", "Sheet": "Encounters", "Cell": "B2"}]
    merged = merge_findings(legacy, {"validate": []}, run_time=RUN1)
    assert merged == []


def test_blocks_follow_the_workflow_and_worst_first_within_a_block():
    note = Finding("era.duplicate-file", Severity.INFO, "Imported before.", source="oct.835")
    warn = STOP.with_(rule_id="doc.waste-mismatch", severity=Severity.WARNING, cell="G7", column="Wasted")
    merged = merge_findings([], {"import-era": [note, UNBALANCED], "check": [warn, STOP]}, run_time=RUN1,
                            stage_order=ORDER)
    assert [(r["Stage"], r["Severity"]) for r in merged] == [
        ("check", "error"), ("check", "warning"), ("import-era", "error"), ("import-era", "info")]
    findings, notes = finding_sheets(merged)
    assert [r[1] for r in findings.rows] == ["coding.stop-before-start", "doc.waste-mismatch", "era.payment-unbalanced"]
    assert [r[1] for r in notes.rows] == ["era.duplicate-file"]


def test_a_column_the_biller_adds_to_the_findings_table_survives_the_next_run(book_factory, sheets):
    import openpyxl

    book = unknown_drug(book_factory, sheets)
    check(book)
    wb = openpyxl.load_workbook(book)
    ws = wb["Findings"]
    table = ws.tables["Findings"]
    last = ws.max_column + 1
    ws.cell(1, last, "Worked By")
    hcpcs_row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 2).value == "coding.unknown-hcpcs")
    ws.cell(hcpcs_row, last, "JS: asked pharmacy for the J-code")
    table.ref = f"A1:{openpyxl.utils.get_column_letter(last)}{ws.max_row}"  # as Excel grows a Table
    table._initialise_columns()
    wb.save(book)
    check(book)
    worked = {r["Rule ID"]: r.get("Worked By") for r in read_output_table(book, "Findings")}
    assert worked["coding.unknown-hcpcs"] == "JS: asked pharmacy for the J-code"
