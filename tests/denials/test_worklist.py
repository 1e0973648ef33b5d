"""The denial worklist on hand-built 835s: every planted denial once, nothing contractual or the
patient's, exact appeal deadlines, the biller's columns kept across re-runs, and located findings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.worksheet.table import TableColumn

from infusion_billing.derived import carry_over
from infusion_billing.pipeline import RunOptions, run_workbook

from .practice_book import FIRST, PAID_LATER, records

AS_OF = date(2026, 12, 1)


@pytest.fixture
def worked(practice, tmp_path):
    """The practice after importing the first two remits and building the worklist."""
    out = tmp_path / "worked.xlsx"
    run = run_workbook(practice, ["import-era", "denials"], out=out,
                       options=RunOptions(remit_sources=FIRST, as_of=AS_OF))
    return out, run


def _by_key(path):
    return {(r["Claim ID"], r["Line Control Number"], r["CARC"]): r for r in records(path, "Denials")}


def test_every_planted_denial_once_with_its_category_and_nothing_else(worked):
    out, _ = worked
    rows = _by_key(out)
    assert set(rows) == {("C1001", "C1001-1", "16"), ("C1002", None, "197"), ("C1003", "C1003-1", "999")}
    assert [(r["Category"], r["Group"], Decimal(str(r["Denied Amount"]))) for r in rows.values()] == [
        ("Documentation", "CO", Decimal("1000")), ("Prior Authorization", "CO", Decimal("500")),
        ("Other", "CO", Decimal("50"))]
    carcs = {r["CARC"] for r in records(out, "Denials")}
    assert not carcs & {"45", "253", "2", "23"}  # contractual, coinsurance, prior payer: never denials


def test_the_appeal_deadline_is_the_payers_window_from_the_payment_date(worked):
    out, _ = worked
    ndc = _by_key(out)[("C1001", "C1001-1", "16")]
    # Medicare without Appeal Days: 120 days (redetermination) from BPR16 2026-11-20.
    assert (ndc["Remit Date"], ndc["Appeal Deadline"], ndc["Days Left"]) == (
        date(2026, 11, 20), date(2027, 3, 20), 109)
    assert (ndc["Encounter ID"], ndc["Payer ID"], ndc["Date of Service"], ndc["Code"], ndc["RARCs"]) == (
        "E1001", "MCR", date(2026, 11, 2), "J1745", "M119")


def test_preventable_by_names_the_rule_that_would_have_held_the_claim(worked):
    rows = _by_key(worked[0])
    assert rows[("C1001", "C1001-1", "16")]["Preventable By"] == "scrub.ndc-required"
    assert rows[("C1002", None, "197")]["Preventable By"] == "scrub.auth-missing"
    assert rows[("C1003", "C1003-1", "999")]["Preventable By"] is None


def test_priority_puts_the_most_dollars_first_when_deadlines_tie(worked):
    rows = records(worked[0], "Denials")
    assert [(r["Priority"], r["Claim ID"]) for r in rows] == [(1, "C1001"), (2, "C1002"), (3, "C1003")]
    assert {r["Work Status"] for r in rows} == {"Open"}


def test_bad_input_gives_located_findings_not_a_traceback(worked):
    _, run = worked
    found = {f.rule_id: f for f in run.findings if f.rule_id.startswith("denial.")}
    unknown = found["denial.unknown-carc"]
    assert (unknown.sheet, unknown.column, unknown.value) == ("EraAdjustments", "CARC", "999") and unknown.row
    no_cover = found["denial.no-coverage"]
    assert (no_cover.sheet, no_cover.value) == ("EraClaims", "C1004") and no_cover.row
    default = found["denial.appeal-days-default"]
    assert (default.sheet, default.cell) == ("Payers", "E2")
    assert "Testperson" not in " ".join(f.message for f in run.findings)  # no patient names in findings


def test_the_summary_gives_the_initial_denial_rate_by_count_and_dollars(worked):
    rows = {r["Section"]: r for r in records(worked[0], "Denials Summary")}
    claims = rows["Initial denial rate: claims"]
    # First remits: C1001 (1,100.00), C1002 (500.00), C1003 (200.00) denied; C1004 (300.00) not.
    assert (claims["Count"], claims["Of Count"], claims["Rate by Count"]) == (3, 4, 0.75)
    assert (claims["Amount"], claims["Of Amount"], claims["Rate by Dollars"]) == (1800, 2100, 0.8571)
    lines = rows["Initial denial rate: lines"]
    assert (lines["Count"], lines["Of Count"], lines["Amount"], lines["Of Amount"]) == (2, 4, 1200, 1600)
    assert rows["Zero-pay claim denials (first remit)"]["Count"] == 1


def _type_into(path, edits: dict[str, dict[str, object]], added: str, added_values: dict[str, object]):
    """What a biller does in Excel: type into work columns and add a column right of the table."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Denials"]
    header = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(header) if h}
    new_col = len(header) + 1
    ws.cell(1, new_col, added)
    for r in range(2, ws.max_row + 1):
        claim = ws.cell(r, col["Claim ID"]).value
        for name, value in edits.get(claim, {}).items():
            ws.cell(r, col[name], value)
        if claim in added_values:
            ws.cell(r, new_col, added_values[claim])
    table = next(iter(ws.tables.values()))
    start, end = table.ref.split(":")
    table.ref = f"{start}:{openpyxl.utils.get_column_letter(new_col)}{end.lstrip('ABCDEFGHIJKLMNOPQRSTUVWXYZ')}"
    table.tableColumns.append(TableColumn(id=new_col, name=added))
    wb.save(path)


def test_the_billers_words_survive_a_re_run_and_a_paid_denial_becomes_resolved(worked, tmp_path):
    out, _ = worked
    _type_into(out, {
        "C1001": {"Work Status": "Corrected claim sent", "Assigned To": "RJ", "Notes": "NDC added, sent freq 7"},
        "C1002": {"Work Status": "Appealed", "Assigned To": "MK", "Notes": "retro-auth requested",
                  "Follow-up Date": date(2026, 12, 15)},
    }, "Call Ref", {"C1002": "REF-88"})
    again = tmp_path / "again.xlsx"
    run_workbook(out, ["import-era", "denials"], out=again,
                 options=RunOptions(remit_sources=(PAID_LATER,), as_of=AS_OF))
    rows = _by_key(again)
    ndc, auth, other = rows[("C1001", "C1001-1", "16")], rows[("C1002", None, "197")], rows[("C1003", "C1003-1", "999")]
    assert (ndc["Work Status"], ndc["Assigned To"], ndc["Notes"]) == ("Resolved", "RJ", "NDC added, sent freq 7")
    assert (auth["Work Status"], auth["Assigned To"], auth["Notes"], auth["Call Ref"]) == (
        "Appealed", "MK", "retro-auth requested", "REF-88")
    assert auth["Follow-up Date"] == date(2026, 12, 15)
    assert other["Work Status"] == "Open" and other["Call Ref"] is None
    assert len(records(again, "Denials")) == 3  # the later remit paid, it added no denial
    # Resolved rows sort to the bottom; open ones keep dollars-first order.
    assert [r["Claim ID"] for r in records(again, "Denials")] == ["C1002", "C1003", "C1001"]
    # A third run with nothing new changes nothing the biller typed.
    third = tmp_path / "third.xlsx"
    run_workbook(again, ["denials"], out=third, options=RunOptions(as_of=AS_OF))
    assert records(third, "Denials") == records(again, "Denials")


def test_carry_over_keeps_words_by_key_and_keeps_gone_rows_only_when_asked():
    columns = ["ID", "Amount", "Status", "Notes"]
    previous = [{"ID": "A", "Amount": 1.0, "Status": "Appealed", "Notes": "called", "Mine": "x"},
                {"ID": "B", "Amount": 2.0, "Status": None, "Notes": "gone now", "Mine": None}]
    cols, rows = carry_over(previous, columns, [["A", Decimal("1.00"), "Open", None], ["C", Decimal("3"), None, None]],
                            key=["ID"], editable=["Status", "Notes"])
    assert cols == ["ID", "Amount", "Status", "Notes", "Mine"]
    assert rows == [["A", Decimal("1.00"), "Appealed", "called", "x"], ["C", Decimal("3"), None, None, None]]
    _, rows = carry_over(previous, columns, [], key=["ID"], editable=["Status", "Notes"],
                         keep_gone=lambda old: [old["ID"], old["Amount"], "Resolved", old["Notes"]])
    assert rows == [["A", 1.0, "Resolved", "called", "x"], ["B", 2.0, "Resolved", "gone now", None]]
