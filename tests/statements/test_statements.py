"""Patient statements on a month the simulated payers answered.

The demo clinic's month (seeded, synthetic) is billed, the payers' 835s imported and reconciled; a
few patient payments are then entered (one in part, one naming a claim for more than the patient
owes on anything). ``statements`` on 2026-12-31 must bill exactly what the Reconciliation sheet left
to each patient without secondary coverage, in PDFs whose text holds the amounts, log each on the
Statements ledger, and not bill anyone again inside the cycle.
"""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pypdf
import pytest
from claims.clinic_book import records, rows_xml, sheet_xml
from posting.remit_month import billed_book, remit_month

from infusion_billing.aging.stage import posted_visits
from infusion_billing.pdf import money
from infusion_billing.pipeline import RunOptions, run_workbook
from infusion_billing.statements.build import visit_line
from infusion_billing.statements.notices import notice_for, shipped_notices
from infusion_billing.values import to_money
from infusion_billing.workbook.reader import read_workbook

DEC31, LATER = date(2026, 12, 31), date(2027, 2, 1)
ZERO = Decimal("0.00")


def add_rows(path: Path, sheet: str, rows: list[list]) -> None:
    """Type rows into an input table the way a biller does: below it, the Table grown to hold them."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    (table,) = ws.tables.values()
    last = ws.max_row if any(c.value is not None for c in ws[ws.max_row]) else ws.max_row - 1
    for n, row in enumerate(rows, start=last + 1):
        for col, value in enumerate(row, start=1):
            ws.cell(n, col, value)
    table.ref = f"{table.ref.split(':')[0]}:{table.ref.split(':')[1].rstrip('0123456789')}{last + len(rows)}"
    wb.save(path)


def set_setting(path: Path, name: str, value) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Settings"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == name:
            row[1].value = value
    wb.save(path)


def shares(book: Path) -> dict[str, dict[str, Decimal]]:
    """Claim ID -> the Reconciliation sheet's sums over its lines."""
    out: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for r in records(book, "Reconciliation"):
        s = out[r["Claim ID"]]
        s["charge"] += to_money(r["Charge"])
        for key, column in (("paid", "Paid"), ("share", "Patient Responsibility")):
            s[key] += to_money(r[column]) if r[column] is not None else ZERO
        for column in ("Sequestration", "Contractual Adjustment", "Denied Amount", "Other Adjustment"):
            s["adjusted"] += to_money(r[column]) if r[column] is not None else ZERO
        s["patient"] = r["Claim ID"]
    return out


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    folder = tmp_path_factory.mktemp("statements")
    reconciled = remit_month(billed_book(folder), folder, 1).result
    claims = {c["Claim ID"]: c for c in records(reconciled, "Claims")}
    secondary = {c["Patient ID"] for c in records(reconciled, "Coverage") if c["Priority"] == "Secondary"}
    by_patient: dict[str, list[str]] = defaultdict(list)
    for claim_id, s in sorted(shares(reconciled).items()):
        patient = claims[claim_id]["Patient ID"]
        if s["share"] > ZERO and patient not in secondary:
            by_patient[patient].append(claim_id)
    partial, credit, *_ = sorted(by_patient)
    first_claim = by_patient[credit][0]
    owed_by_credit = sum(shares(reconciled)[c]["share"] for c in by_patient[credit])
    add_rows(reconciled, "PatientPayments", [
        ["PP1", partial, datetime(2026, 12, 20), 40.0, "Card", None],
        ["PP2", credit, datetime(2026, 12, 21), float(owed_by_credit + Decimal("75.00")), "Check", first_claim]])
    out_dir = folder / "statements"
    out = folder / "stated.xlsx"
    run = run_workbook(reconciled, ["reconcile", "statements"], out=out,
                       options=RunOptions(statement_dir=out_dir, as_of=DEC31))
    return {"book": reconciled, "out": out, "dir": out_dir, "run": run, "by_patient": by_patient,
            "partial": partial, "credit": credit, "secondary": secondary, "folder": folder}


def test_each_statement_bills_what_reconciliation_left_to_the_patient(month):
    """Every patient without secondary coverage who owes, less their payments, gets one statement whose
    amount due and visits equal the Reconciliation rows of their claims, to the cent."""
    recon = shares(month["out"])
    ledger = {r["Patient ID"]: r for r in records(month["out"], "Statements")}
    expected_patients = set(month["by_patient"]) - {month["credit"]}
    assert set(ledger) == expected_patients and len(ledger) >= 5
    for patient, claim_ids in month["by_patient"].items():
        if patient == month["credit"]:
            continue
        owed = sum(recon[c]["share"] for c in claim_ids) - (Decimal("40.00") if patient == month["partial"] else ZERO)
        row = ledger[patient]
        assert to_money(row["Balance"]) == owed
        assert (row["Statement Date"], row["Notice Level"]) == (DEC31, "First notice")
        assert row["File Name"] == row["Statement ID"] + ".pdf" == f"ST-20261231-{patient}.pdf"
        text = pdf_text(month["dir"] / row["File Name"])
        assert f"Amount due {money(owed)}" in text
        for claim_id in claim_ids:
            s = recon[claim_id]
            for amount in (s["charge"], s["paid"], s["share"]):
                assert money(amount) in text, (patient, claim_id, amount)
            assert claim_id in text  # the demo's Claim ID is the visit's Encounter ID


def test_a_statements_visit_figures_add_up_like_the_reconciliation(month):
    """On the statement, charges = insurance paid + adjustments + insurance pending + your share, and
    adjustments + pending are the Reconciliation's sequestration, contractual, denied and other."""
    recon = shares(month["out"])
    book = read_workbook(month["out"])
    lines = [visit_line(v) for v in posted_visits(book, DEC31).visits.values()]
    checked = 0
    for line in lines:
        if line.claim_id not in recon or line.your_share == ZERO:
            continue
        s = recon[line.claim_id]
        assert line.charge == s["charge"] == line.insurance_paid + line.adjustments + line.insurance_pending + \
            line.your_share
        if line.claim_id in {c for cs in month["by_patient"].values() for c in cs}:
            assert (line.insurance_paid, line.your_share, line.adjustments + line.insurance_pending) == (
                s["paid"], s["share"], s["adjusted"])
            checked += 1
    assert checked >= 10


def test_a_partial_payment_shows_and_lowers_the_amount_due(month):
    text = pdf_text(month["dir"] / f"ST-20261231-{month['partial']}.pdf")
    assert "$40.00" in text and "First notice" in text


def test_a_patient_who_paid_more_than_their_share_gets_a_located_credit_finding_not_a_statement(month):
    run = month["run"]
    (credit,) = [f for f in run.findings if f.rule_id == "stmt.credit-balance"]
    assert credit.sheet == "Patients" and credit.column == "Patient ID" and credit.cell.startswith("A")
    assert "75.00 more than their share" in credit.message and month["credit"] in credit.message
    assert not (month["dir"] / f"ST-20261231-{month['credit']}.pdf").exists()


def test_patients_with_secondary_coverage_owe_nothing_until_the_secondary_pays(month):
    """Their coinsurance waits with the secondary payer (AR Aging) and is not billed to them."""
    ledger = {r["Patient ID"] for r in records(month["out"], "Statements")}
    assert not ledger & month["secondary"]
    run = run_workbook(month["out"], ["aging"], out=month["folder"] / "aged.xlsx", options=RunOptions(as_of=DEC31))
    aged = records(month["folder"] / "aged.xlsx", "AR Aging")
    coverage = {(c["Patient ID"], c["Priority"]): c["Payer ID"] for c in records(month["out"], "Coverage")}
    claims = {c["Claim ID"]: c for c in records(month["out"], "Claims")}
    with_secondary = [r for r in aged if claims[r["Claim ID"]]["Patient ID"] in month["secondary"]
                      and r["Responsible Party"] == coverage[(claims[r["Claim ID"]]["Patient ID"], "Secondary")]]
    assert with_secondary and all(r["Responsible Type"] == "Insurance" for r in with_secondary)
    # Patient AR (a credit listed apart) is what the statements billed, less the credit patient's 75.00.
    patient_rows = [r for r in aged if r["Responsible Type"] == "Patient"]
    credits = sum((to_money(r["Balance"]) for r in patient_rows if r["Bucket"] == "Credit balance"), ZERO)
    assert Decimal(run.results["aging"].summary["patient AR"]) + credits == sum(
        (to_money(r["Balance"]) for r in records(month["out"], "Statements")), ZERO) - Decimal("75.00")


def test_the_ledger_row_survives_another_command_byte_for_byte(month, tmp_path):
    other = tmp_path / "denied.xlsx"
    run_workbook(month["out"], ["denials"], out=other, options=RunOptions(as_of=DEC31))
    assert rows_xml(sheet_xml(other, "Statements")) == rows_xml(sheet_xml(month["out"], "Statements"))


def test_running_again_inside_the_cycle_sends_nothing_and_keeps_the_ledger(month, tmp_path):
    again_dir = tmp_path / "again"
    again = run_workbook(month["out"], ["statements"], out=tmp_path / "again.xlsx",
                         options=RunOptions(statement_dir=again_dir, as_of=date(2027, 1, 15)))
    summary = again.results["statements"].summary
    assert summary["statements written"] == 0
    assert summary["within the cycle"] == len(records(month["out"], "Statements"))
    assert not again_dir.exists() or list(again_dir.iterdir()) == []
    assert rows_xml(sheet_xml(tmp_path / "again.xlsx", "Statements")) == rows_xml(
        sheet_xml(month["out"], "Statements"))
    (not_due,) = [f for f in again.findings if f.rule_id == "stmt.not-due"]
    assert not_due.severity.value == "info"


def test_the_next_cycle_reminds_and_prints_the_previous_balance(month, tmp_path):
    out = tmp_path / "february.xlsx"
    run = run_workbook(month["out"], ["statements"], out=out,
                       options=RunOptions(statement_dir=tmp_path / "feb", as_of=LATER))
    ledger = records(out, "Statements")
    first = [r for r in ledger if r["Statement Date"] == DEC31]
    second = [r for r in ledger if r["Statement Date"] == LATER]
    assert len(first) == len(second) == run.results["statements"].summary["statements written"]
    assert {r["Notice Level"] for r in second} == {"Reminder"}
    row = next(r for r in second if r["Patient ID"] == month["partial"])
    text = pdf_text(tmp_path / "feb" / row["File Name"])
    before = next(r for r in first if r["Patient ID"] == month["partial"])
    assert f"Previous balance (statement of 12/31/2026) {money(to_money(before['Balance']))}" in text
    assert "Reminder" in text


def test_no_patient_name_leaves_the_pdfs(month):
    """Findings, the run summary and the ledger name patients by ID only."""
    names = {p["Last Name"] for p in records(month["out"], "Patients")}
    said = " ".join(f.message + f.value for f in month["run"].findings)
    said += repr(month["run"].results["statements"].summary)
    said += repr(records(month["out"], "Statements"))
    assert not [n for n in names if n in said]
    row = records(month["out"], "Statements")[0]
    patient = next(p for p in records(month["out"], "Patients") if p["Patient ID"] == row["Patient ID"])
    text = pdf_text(month["dir"] / row["File Name"])
    assert f"{patient['First Name']} {patient['Last Name']}" in text  # the statement itself is addressed
    meta = pypdf.PdfReader(month["dir"] / row["File Name"]).metadata
    assert meta is not None and patient["Last Name"] not in repr(dict(meta))


def test_without_a_folder_nothing_is_sent_or_logged(month, tmp_path):
    run = run_workbook(month["out"], ["statements"], out=tmp_path / "none.xlsx", options=RunOptions(as_of=LATER))
    assert [f.rule_id for f in run.results["statements"].findings] == ["stmt.no-folder"]
    assert run.results["statements"].tables == []


def test_a_minimum_above_every_balance_sends_nothing(month, tmp_path):
    book = tmp_path / "minimum.xlsx"
    book.write_bytes(month["book"].read_bytes())
    set_setting(book, "Statement Minimum Balance", 100000)
    run = run_workbook(book, ["statements"], out=tmp_path / "m.xlsx",
                       options=RunOptions(statement_dir=tmp_path / "m", as_of=DEC31))
    summary = run.results["statements"].summary
    assert summary["statements written"] == 0 and summary["below the minimum"] == len(month["by_patient"]) - 1


def test_the_practices_own_notice_texts_are_printed(month, tmp_path):
    book = tmp_path / "own-notices.xlsx"
    book.write_bytes(month["book"].read_bytes())
    add_rows(book, "Statement Notices", [
        ["Friendly hello", 0, 0, "Thank you for choosing our clinic; here is your bill."],
        ["Second letter", 1, 30, "We wrote before about this balance."]])
    run = run_workbook(book, ["statements"], out=tmp_path / "n.xlsx",
                       options=RunOptions(statement_dir=tmp_path / "n", as_of=DEC31))
    assert run.results["statements"].summary["notices: Friendly hello"] == len(month["by_patient"]) - 1
    text = pdf_text(tmp_path / "n" / f"ST-20261231-{month['partial']}.pdf")
    assert "Friendly hello" in text and "Thank you for choosing our clinic" in text


def test_the_notice_needs_both_earlier_statements_and_age():
    """A final notice is never a patient's first statement, however old the balance."""
    notices = list(shipped_notices())
    assert [notice_for(notices, earlier, days).name for earlier, days in (
        (0, 0), (0, 200), (1, 29), (1, 30), (2, 59), (2, 60), (7, 400))] == [
        "First notice", "First notice", "First notice", "Reminder", "Reminder", "Final notice", "Final notice"]

