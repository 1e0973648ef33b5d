"""Month close from the command line: every stage in order, a one-screen summary, the same sheets twice."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal

import openpyxl

from infusion_billing.cli import main
from infusion_billing.close import month_summary
from infusion_billing.stages import StageResult

from .ledger import day, sheets


def kpi_rows(path):
    return [tuple(r.values()) for r in sheets(path, ("KPIs",))["KPIs"]]


def test_closing_the_demo_month_gives_the_demo_kpis_and_a_summary_without_patients(demo_book, tmp_path, capsys):
    result, source, remits = demo_book
    out = tmp_path / "closed.xlsx"
    code = main(["close", str(source), "--month", "2026-10", "--remits", str(remits), "--out-dir",
                 str(tmp_path / "837"), "-o", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    # The same stages as the demo, through the same pipeline: the same KPIs to the cent.
    assert kpi_rows(out) == kpi_rows(result)
    lines = printed.splitlines()
    assert lines[0] == "Month close 2026-10"
    assert any(line.startswith("  Claims: ") and "sent in" in line for line in lines)
    assert any("Initial denial rate (count)" in line for line in lines)
    # Claims went out on the Settings As-Of Date (2026-11-15); the close counts to the last remit, as the demo.
    payments = sheets(result, ("EraPayments",))["EraPayments"]
    last = max(day(p["Payment Date"]) or day(p["Production Date"]) for p in payments)
    assert any(line.startswith(f"  AR as of {last.isoformat()}: insurance ") for line in lines)
    assert {r["Submitted Date"].date() for r in sheets(out, ("Claims",))["Claims"] if r["Submitted Date"]} == {
        date(2026, 11, 15)}
    patients = openpyxl.load_workbook(source, read_only=True)["Patients"]
    header = [c.value for c in next(patients.iter_rows(max_row=1))]
    names = {r[header.index("Last Name")] for r in patients.iter_rows(min_row=2, values_only=True)}
    assert names and not [n for n in names if n and n in printed]
    assert len(lines) <= 24


def test_closing_twice_gives_the_same_sheets(demo_book, tmp_path, capsys):
    """The demo's month closed again, twice: nothing new arrived, so nothing changes the second time.

    (The first close of the demo's book does change it: the remits it posted turn the secondary
    payers' share into secondary claims, which a close builds once the primary has paid.)
    """
    result, _, remits = demo_book
    book = tmp_path / "book.xlsx"
    shutil.copy(result, book)
    args = ["close", str(book), "--month", "2026-10", "--remits", str(remits), "--in-place"]
    assert main(args) == 0
    names = ("KPIs", "Dashboard", "Reconciliation", "Denials", "AR Aging", "Claims", "EraClaims")
    first = sheets(book, names)
    assert main(args) == 0
    assert sheets(book, names) == first
    assert "  Remits: 19 files read, 0 new payments" in capsys.readouterr().out.splitlines()


def test_a_month_without_services_and_a_close_without_remits_say_so(demo_book, tmp_path, capsys):
    _, source, _ = demo_book
    out = tmp_path / "closed.xlsx"
    assert main(["close", str(source), "--month", "2026-01", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Remits:" not in printed and "none sent (no --out-dir)" in printed
    notes = sheets(out, ("Findings", "Notes"))
    rules = {r["Rule ID"] for rows in notes.values() for r in rows}
    assert {"close.month-empty", "close.no-remits"} <= rules


def test_a_remit_folder_that_does_not_exist_is_one_sentence(demo_book, tmp_path, capsys):
    _, source, _ = demo_book
    assert main(["close", str(source), "--month", "2026-10", "--remits", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert "nowhere" in err and "does not exist" in err and "Traceback" not in err


def test_max_lines_lists_the_worst_findings_after_the_summary(demo_book, tmp_path, capsys):
    # A month typed wrong closes "nothing": --max-lines shows why on the terminal, not only on Findings.
    _, source, _ = demo_book
    args = ["close", str(source), "--month", "2026-01", "-o", str(tmp_path / "closed.xlsx")]
    assert main(args) == 0
    figures_only = capsys.readouterr().out.splitlines()
    assert not [line for line in figures_only if "(close.month-empty)" in line or "more on the Findings" in line]
    assert main([*args, "--force", "--max-lines", "100"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:len(figures_only) - 1] == figures_only[:-1]  # the same summary, then the findings
    assert any("No claim on the Claims ledger has a date of service in 2026-01" in line for line in lines)
    assert lines[-1].startswith("Written: ")


def test_the_summary_prints_every_dollar_figure_the_same_way():
    """Stages hand the summary a Decimal (denied dollars 135062.04), plain or grouped text (charges
    2,353,029.66) or 0 (an empty book): the summary shows each as 1,234.56."""
    results = {
        "code": StageResult(summary={"encounters coded": 1515, "claim lines": 4892, "total charges": "2,353,029.66"}),
        "reconcile": StageResult(summary={"billed": "2167771.34", "allowed": "1,056,094.29", "paid": "829865.08",
                                          "underpaid": "2178.93"}),
        "denials": StageResult(summary={"denials": 205, "denied dollars": Decimal("135062.04")}),
        "aging": StageResult(summary={"as of": "2026-12-23", "insurance AR": Decimal("292546.6"),
                                      "patient AR": Decimal("0")}),
    }
    lines = month_summary(results, [])
    assert lines[1:5] == [
        "  Coded: 1,515 encounters, 4,892 claim lines, charges 2,353,029.66",
        "  Posted: billed 2,167,771.34, allowed 1,056,094.29, paid 829,865.08, underpaid 2,178.93",
        "  Denials: 205 on the worklist, 135,062.04 denied",
        "  AR as of 2026-12-23: insurance 292,546.60, patient 0.00",
    ]
    # The empty template: reconcile reports no dollars at all, and the summary still prints 0.00.
    empty = month_summary({"reconcile": StageResult(summary={"claim lines reconciled": 0})}, [])
    assert empty[1] == "  Posted: billed 0.00, allowed 0.00, paid 0.00, underpaid 0.00"


def test_the_claims_line_counts_primary_and_secondary_claims_ready_and_held():
    """A book closed before: 5 held primaries rebuilt, 329 secondaries (the primary paid) of which 42 the
    scrubber holds; 287 ready to send."""
    results = {"claims": StageResult(summary={"claims built": 5, "claims held by the scrubber": 47,
                                              "claims ready to send": 287, "secondary claims": 329})}
    assert month_summary(results, [])[1] == (
        "  Claims: built 5 primary and 329 secondary; 287 ready to send, 47 held by the scrubber; "
        "none sent (no --out-dir)")


def test_a_close_without_837s_names_the_dashboard_charts_it_could_not_draw(demo_book, tmp_path, capsys):
    """Without --out-dir no claim is sent, so there is no AR, no charges by month and no underpayment:
    only the denials Pareto (from the remits) is drawn, and the summary and Notes say why the others are not."""
    _, source, remits = demo_book
    out = tmp_path / "closed.xlsx"
    assert main(["close", str(source), "--month", "2026-10", "--remits", str(remits), "-o", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert ("  Dashboard: 1 of 4 charts drawn; not drawn: AR by payer and bucket (no open claim balance on AR "
            "Aging); Monthly (no charges on sent claims by month of service yet); Underpayments by payer (no "
            "underpayment found at a first remit)") in lines
    notes = [r for rows in sheets(out, ("Findings", "Notes")).values() for r in rows
             if r["Rule ID"] == "kpi.chart-not-drawn"]
    assert len(notes) == 1 and notes[0]["Sheet"] == "Dashboard"
    assert notes[0]["Message"].startswith("The Dashboard draws 1 of its 4 charts; not drawn, for want of figures: "
                                          "AR by payer and bucket (")
