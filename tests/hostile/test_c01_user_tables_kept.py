"""Class 1: a user's sheet or Table whose name a result uses is never replaced, also with --in-place."""

from __future__ import annotations

from hostile_kit import minimal_sheets, run_cli, write_book

from infusion_billing.findings import Finding
from infusion_billing.pipeline import RunOptions, run_workbook
from infusion_billing.workbook.writer import OutputTable, read_output_table, write_outputs


def _with_user_sheets(tmp_path, *names):
    sheets = minimal_sheets()
    for name in names:
        sheets[name] = [["My Notes", "Amount"], [f"kept on {name}", 123]]
    return write_book(tmp_path / "clinic.xlsx", sheets)


def test_user_sheets_named_like_every_result_survive_an_in_place_run(tmp_path, capsys):
    book = _with_user_sheets(tmp_path, "Charges", "Findings", "RunLog", "Encounter Status")
    code, out, _ = run_cli("run", book, "--in-place", capsys=capsys)
    assert code == 0
    for name in ("Charges", "Findings", "RunLog", "Encounter Status"):
        assert read_output_table(book, name) == [{"My Notes": f"kept on {name}", "Amount": 123}]
        assert read_output_table(book, f"{name} (2)"), f"the results of {name} went nowhere"
    assert "writer.sheet-renamed" in out
    charges = read_output_table(book, "Charges (2)")
    assert {r["Code"] for r in charges} >= {"96413", "J1745"}


def test_the_renamed_result_sheet_is_reused_by_the_next_run_not_multiplied(tmp_path, capsys):
    book = _with_user_sheets(tmp_path, "Findings")
    for _ in range(3):
        assert run_cli("check", book, "--in-place", capsys=capsys)[0] == 0
    from infusion_billing.workbook.xlsx.package import WorkbookPackage

    with WorkbookPackage(book) as package:
        names = [s.name for s in package.sheets]
    assert "Findings (2)" in names and "Findings (3)" not in names
    assert read_output_table(book, "Findings") == [{"My Notes": "kept on Findings", "Amount": 123}]
    assert len(read_output_table(book, "RunLog")) == 3  # the tool's own RunLog is still appended to


def test_a_user_table_called_like_a_result_on_another_sheet_is_kept(tmp_path):
    sheets = minimal_sheets()
    sheets["Charges"] = [["Month", "Total"], ["June", 5]]
    book = write_book(tmp_path / "clinic.xlsx", sheets)
    from hostile_kit import rewrite_part

    rewrite_part(book, "xl/workbook.xml", lambda x: x.replace(b'name="Charges"', b'name="Billing Summary"'))
    notes: list[Finding] = []
    out = write_outputs(book, [OutputTable("Charges", ["Code"], [["96413"]])], [], notes=notes)
    assert read_output_table(out, "Billing Summary") == [{"Month": "June", "Total": 5}]
    assert read_output_table(out, "Charges (2)") == [{"Code": "96413"}]
    assert [n.rule_id for n in notes] == ["writer.sheet-renamed"]


def test_a_tool_sheet_the_user_renamed_keeps_its_mark_and_the_users_new_sheet_is_safe(tmp_path, capsys):
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    assert run_cli("check", book, "--in-place", capsys=capsys)[0] == 0
    # The biller renames the tool's Findings (Excel moves the mark's reference along) and makes their own.
    from hostile_kit import rewrite_part
    import openpyxl

    rewrite_part(book, "xl/workbook.xml", lambda x: x.replace(b'name="Findings"', b'name="Findings March"')
                 .replace(b"'Findings'!$A$1", b"'Findings March'!$A$1"))
    wb = openpyxl.load_workbook(book)
    ws = wb.create_sheet("Findings")
    ws.append(["Question", "Answer"])
    ws.append(["ask Dr. Lee", "pending"])
    wb.save(book)
    assert run_cli("check", book, "--in-place", capsys=capsys)[0] == 0
    from infusion_billing.workbook.xlsx.package import WorkbookPackage

    with WorkbookPackage(book) as package:
        assert package.read_rows("Findings") == [["Question", "Answer"], ["ask Dr. Lee", "pending"]]
        assert package.read_rows("Findings (2)")[0][:2] == ["Severity", "Rule ID"]
        assert package.read_rows("Findings March")[0][:2] == ["Severity", "Rule ID"]  # the renamed one, as it was


def test_results_an_earlier_version_wrote_without_marks_are_still_replaced(tmp_path, capsys):
    import re

    from hostile_kit import rewrite_part

    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    assert run_cli("run", book, "--in-place", capsys=capsys)[0] == 0
    # What a workbook processed before the marks existed looks like: the same sheets, no marks.
    rewrite_part(book, "xl/workbook.xml", lambda x: re.sub(rb"<definedNames>.*?</definedNames>", b"", x))
    code, out, _ = run_cli("run", book, "--in-place", capsys=capsys)
    assert code == 0 and "writer.sheet-renamed" not in out
    from infusion_billing.workbook.xlsx.package import WorkbookPackage

    with WorkbookPackage(book) as package:
        names = [s.name for s in package.sheets]
    assert not [n for n in names if n.endswith("(2)")]
    assert len(read_output_table(book, "RunLog")) == 2  # the earlier run's row is kept


def test_earlier_findings_are_read_from_the_tools_findings_2_never_from_the_users_findings(tmp_path, capsys):
    """The clinic keeps its own 'Findings' sheet, so the tool's findings live on 'Findings (2)'. The next
    command merges its findings with the earlier stages' rows of the tool's sheet (found by its mark):
    the check's rows stay, and the clinic's notes never turn up as findings."""
    sheets = minimal_sheets()
    sheets["Administrations"][1][sheets["Administrations"][0].index("Stop")] = None  # a finding to keep
    book = write_book(tmp_path / "clinic.xlsx", {**sheets, "Findings": [["My Notes", "Amount"],
                                                                        ["kept on Findings", 123]]})
    assert run_cli("check", book, "--in-place", capsys=capsys)[0] == 0
    checked = read_output_table(book, "Findings (2)")
    assert any(r["Stage"] == "check" for r in checked)
    assert not any("kept on Findings" in str(v) for r in checked for v in r.values())  # the first run too
    pdf = tmp_path / "eob.pdf"
    pdf.write_bytes(b"%PDF-1.4 not an 835")
    run_workbook(book, ["import-era"], in_place=True, options=RunOptions(remit_sources=(pdf,)))
    after = read_output_table(book, "Findings (2)")
    assert [r for r in after if r["Stage"] == "check"] == [r for r in checked if r["Stage"] == "check"]
    assert any(r["Stage"] == "import-era" and r["Rule ID"] == "era.unreadable-file" for r in after)
    assert not any("kept on Findings" in str(v) for r in after for v in r.values())
    assert read_output_table(book, "Findings") == [{"My Notes": "kept on Findings", "Amount": 123}]


def test_the_first_run_does_not_take_a_clinics_findings_sheet_for_earlier_findings(tmp_path, capsys):
    # A clinic's own "Findings" (an audit list) on the first run: kept, and none of its rows is carried
    # into the tool's "Findings (2)" as if an earlier stage had written it.
    sheets = minimal_sheets()
    sheets["Findings"] = [["Rule ID", "Message", "Stage"], ["audit-7", "ask Dr. Lee about the waste", "review"]]
    sheets["Claims"] = [["Claim ID", "Amount"], ["C-OWN-1", 99]]  # a clinic's own claim list, not the ledger
    book = write_book(tmp_path / "clinic.xlsx", sheets)
    code, _, _ = run_cli("check", book, "--in-place", capsys=capsys)
    assert code == 0
    tool = read_output_table(book, "Findings (2)")
    assert tool and not [r for r in tool if r.get("Rule ID") == "audit-7" or "Dr. Lee" in str(r)]
    assert read_output_table(book, "Findings") == [{"Rule ID": "audit-7", "Message": "ask Dr. Lee about the waste",
                                                    "Stage": "review"}]
    from infusion_billing.workbook.reader import read_workbook

    assert read_workbook(book).extra_rows("Claims") == []  # the ledger is the tool's; the clinic has none yet
    assert read_workbook(book).extra_rows("Findings")[0]["Rule ID"] == "writer.sheet-renamed"  # Findings (2), by its mark


def test_a_user_table_called_tblfindings_never_stands_in_for_the_tools_findings(tmp_path, capsys):
    # The reader finds an input table by a lenient name (tblEncounters is Encounters); the tool's own
    # Findings sheet is read by its sheet name alone, so the check's rows survive the next command.
    import openpyxl
    from openpyxl.worksheet.table import Table

    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    assert run_cli("check", book, "--in-place", capsys=capsys)[0] == 0
    wb = openpyxl.load_workbook(book)
    audit = wb.create_sheet("Audit", 0)
    audit.append(["Severity", "Rule ID", "Message", "Stage"])
    audit.append(["error", "audit.x", "ask Dr. Lee", "check"])
    audit.add_table(Table(displayName="tblFindings", ref="A1:D2"))
    wb.save(book)
    assert run_cli("code", book, "--in-place", capsys=capsys)[0] == 0
    from infusion_billing.workbook.xlsx.package import WorkbookPackage

    with WorkbookPackage(book) as package:
        rules = {row[1] for row in package.read_rows("Findings")[1:]}
        assert package.read_rows("Audit") == [["Severity", "Rule ID", "Message", "Stage"],
                                              ["error", "audit.x", "ask Dr. Lee", "check"]]
    assert {"doc.diagnosis-missing", "coding.no-chargemaster"} <= rules  # the check's rows and the coder's
    assert "audit.x" not in rules


def test_a_lower_case_user_sheet_is_named_as_it_is_in_the_finding(tmp_path, capsys):
    sheets = minimal_sheets()
    sheets["findings"] = [["Note"], ["mine"]]
    book = write_book(tmp_path / "clinic.xlsx", sheets)
    code, out, _ = run_cli("check", book, "--in-place", capsys=capsys)
    assert code == 0
    assert "a sheet of its own called 'findings', which was left as it is; the results went to the sheet " \
           "'Findings (2)'" in out
    assert read_output_table(book, "findings") == [{"Note": "mine"}]


def test_a_result_name_at_excels_31_character_limit_is_cut_before_its_number():
    from infusion_billing.workbook.ownership import place

    long = "Underpayments By Payer And Code"  # 31 characters, as long as a sheet name can be
    placed, notes = place([long], [long, "Underpayments By Payer And (2)"], [], [])
    assert placed == {long: "Underpayments By Payer And (3)"} and len(placed[long]) == 30
    assert [n.sheet for n in notes] == ["Underpayments By Payer And (3)"]
    placed, _ = place([long], [long], [], [])
    assert placed == {long: "Underpayments By Payer And (2)"}


def test_a_clinics_sheet_named_like_a_derived_result_is_not_read_as_its_earlier_rows(tmp_path):
    # Derived sheets carry a biller's added columns over by key; a clinic's own "Denials" or
    # "Reconciliation" must not be taken for the tool's, or its words would be copied into the result.
    from infusion_billing.workbook.reader import read_workbook

    sheets = minimal_sheets()
    for name in ("Reconciliation", "Denials", "AR Aging", "Claim Status"):
        sheets[name] = [["Claim ID", "My Note"], ["E001", "call the payer Monday"]]
    # An unmarked sheet an earlier version wrote (its header is the tool's) is still read as before.
    sheets["Underpayments"] = [["By", "Payer ID", "Code"], ["Code", "MCR", "96413"]]
    book = read_workbook(write_book(tmp_path / "clinic.xlsx", sheets))
    for name in ("Reconciliation", "Denials", "AR Aging", "Claim Status"):
        assert book.extra_grid(name) is None, name
    assert book.extra_rows("Underpayments") == [{"By": "Code", "Payer ID": "MCR", "Code": "96413"}]
