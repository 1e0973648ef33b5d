"""The billing assessment on a small demo clinic: planted leaks found to the cent, a clean client gives no
coding findings, no patient identifier in any byte of the report, the same files give the same report,
and bad inputs are a finding or one sentence."""

from __future__ import annotations

import csv
import re
from collections import Counter
from decimal import Decimal

import openpyxl
import pytest

from infusion_billing import cli
from infusion_billing.assess import assess, write_assessment
from infusion_billing.demo.leaks import score
from infusion_billing.workbook.reader import WorkbookError
from infusion_billing.workbook.writer import read_output_table


def test_the_demo_writes_its_assessment_and_scores_the_planted_leaks(clinic):
    printed = (clinic / "demo-output.txt").read_text()
    assert (clinic / "assessment-demo.xlsx").exists()
    # 8 billing mistakes planted in the charge export + 4 underpayments the payer simulator planted.
    assert "Planted leaks found: 12 of 12, $675.09 of $675.09" in printed.splitlines()
    assert {r["Kind"] for r in read_output_table(clinic / "assessment-demo.xlsx", "Coding Review")} == {
        "Missed add-on hours", "Drug units below the dose", "Missing NDC", "Charge below contract"}


def _key_underpayments(kit) -> dict[tuple[str, str], Decimal]:
    """(claim, line control number) -> shortfall of every underpayment the payer simulator planted."""
    with open(kit.key, newline="") as fh:
        return {(r["Claim ID"], r["Line Control Number"]): Decimal(r["Shortfall"]) for r in csv.DictReader(fh)
                if r["Expected Status"] == "Underpaid"}


def test_every_planted_leak_is_found_with_its_dollars(clinic, kits):
    kit = kits[True]
    result = assess([kit.remits], [kit.claims], encounters=clinic / "demo-input.xlsx", salt="s")
    found, dollars, planted = score(kit.leaks, result.coding_rows, result.figures.underpayments)
    assert Counter(leak.kind for leak in kit.leaks) == {
        "Missed add-on hours": 2, "Drug units below the dose": 2, "Missing NDC": 2, "Charge below contract": 2,
        "Underpayment": 4}
    assert (found, dollars, planted) == (12, Decimal("758.45"), Decimal("758.45"))
    # Each leak at its own dollars, and nothing beyond the plants.
    rows = {(r["encounter"], r["code"], r["kind"]): abs(r["impact"]) for r in result.coding_rows}
    rows |= {(u["pcn"], u["code"], "Underpayment"): u["short"] for u in result.figures.underpayments}
    assert rows == {(leak.claim_id, leak.code, leak.kind): leak.dollars for leak in kit.leaks}
    assert rows[("E0000014", "96416", "Charge below contract")] == Decimal("63.78")
    # The underpayments are exactly the simulator's, as reconciliation of the practice's own book finds them.
    assert sum(_key_underpayments(kit).values()) == result.totals["underpayments"] == Decimal("553.10")


def test_a_clean_client_has_no_coding_findings_and_only_the_payers_underpayments(clinic, kits):
    kit = kits[False]
    result = assess([kit.remits], [kit.claims], encounters=clinic / "demo-input.xlsx", salt="s")
    assert result.coding_rows == []
    assert sorted((u["pcn"], u["short"]) for u in result.figures.underpayments) == sorted(
        (claim, short) for (claim, _), short in _key_underpayments(kit).items())
    assert result.figures.kpis["claims_adjudicated"] == 73
    assert result.routes == {"patient control number": 75}


def test_same_files_same_report(clinic, kits, tmp_path):
    kit = kits[True]
    sheets = []
    for n in (1, 2):
        result = assess([kit.remits], [kit.claims], encounters=clinic / "demo-input.xlsx", salt="same")
        path = write_assessment(result, tmp_path / f"a{n}.xlsx")
        sheets.append({name: read_output_table(path, name) for name in
                       ("Summary", "Findings", "Denials", "Underpayments", "Coding Review", "AR and Filing Risk")})
    assert sheets[0] == sheets[1]
    review = sheets[0]["Coding Review"]
    assert {r["Kind"] for r in review} >= {"Missed add-on hours", "Missing NDC"}
    assert all(r["Encounter"].startswith("C-") and len(r["Encounter"]) == 14 for r in review)


def test_the_command_writes_the_workbook_and_keeps_the_salt(clinic, kits, tmp_path, capsys):
    kit = kits[True]
    out = tmp_path / "assessment.xlsx"
    code = cli.main(["assess", "--remits", str(kit.remits), "--claims", str(kit.claims), "--encounters",
                     str(clinic / "demo-input.xlsx"), "--client", "Example Infusion", "-o", str(out)])
    assert code == 0
    assert (tmp_path / "assessment.xlsx.salt").exists()
    printed = capsys.readouterr().out
    assert "Recoverable now: $" in printed and "coding review: 8 differences" in printed
    method = read_output_table(out, "Method and Data")
    assert {r["Item"] for r in method if r["Kind"] == "File"} == {"835 remittance", "charge export", "infusion log"}
    assert all(len(r["SHA-256"]) == 64 for r in method if r["Kind"] == "File")


def test_an_835_paid_to_another_payee_is_left_out_with_a_finding(kits, tmp_path):
    kit = kits[False]
    other = tmp_path / "other.835"
    first = next(kit.remits.iterdir()).read_text()
    # Another practice's remit (another payee NPI, its own claim numbers), handed over by mistake.
    other.write_text(re.sub(r"N1\*PE\*([^*]*)\*XX\*\d+", r"N1*PE*\1*XX*1999999999", first).replace("CLP*E", "CLP*Z"))
    clean = assess([kit.remits], [kit.claims], salt="s")
    mixed = assess([kit.remits, other], [kit.claims], salt="s")
    assert [f.rule_id for f in mixed.findings] == ["assess.other-payee"] * len(
        [1 for line in first.split("~") if line.strip().startswith("ST*835")])
    assert mixed.figures.kpis == clean.figures.kpis
    method = {row[1]: row[2] for row in mixed.tables[-1].rows}
    assert method["Client (payee)"] == "payee 2101382705, paid for the billed claims"  # a charge export names no NPI


def test_only_another_payees_835s_are_refused_in_one_sentence(clinic, kits, tmp_path, capsys):
    other = tmp_path / "other"
    other.mkdir()
    first = next(kits[False].remits.iterdir()).read_text()
    (other / "other.835").write_text(re.sub(r"N1\*PE\*([^*]*)\*XX\*\d+", r"N1*PE*\1*XX*1999999999", first))
    code = cli.main(["assess", "--remits", str(other), "--claims", str(clinic / "837"), "-o", str(tmp_path / "a.xlsx")])
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "None of the 835s pays this client (payee 2101382705, the billing provider of " \
        "the 837s)" in err
    assert not (tmp_path / "a.xlsx").exists()


def test_a_charge_export_with_unknown_headers_is_a_finding(kits, tmp_path):
    bad = tmp_path / "export.csv"
    bad.write_text("Foo,Bar,Baz\n1,2,3\n")
    result = assess([kits[False].remits], [bad], salt="s")
    assert [f.rule_id for f in result.findings] == ["assess.unknown-headers"]
    assert "no column for claim id, code, charge" in result.findings[0].message


def test_an_empty_folder_of_remits_is_one_sentence_and_exit_2(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    with pytest.raises(WorkbookError, match="No readable 835"):
        assess([tmp_path / "empty"], salt="s")
    assert cli.main(["assess", "--remits", str(tmp_path / "empty"), "-o", str(tmp_path / "a.xlsx")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No readable 835 remittance was found" in err


def test_a_charge_export_that_is_not_a_workbook_is_one_sentence_and_exit_2(kits, tmp_path, capsys):
    fake = tmp_path / "charges.xlsx"
    fake.write_text("this is a note, not a workbook\nsecond line\n")
    code = cli.main(["assess", "--remits", str(kits[False].remits), "--claims", str(fake), "-o",
                     str(tmp_path / "a.xlsx")])
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "charges.xlsx is not an Excel workbook (.xlsx or .xlsm)." in err
    assert "internal error" not in err and not (tmp_path / "a.xlsx").exists()


def test_an_infusion_log_without_encounters_is_a_finding_and_no_coding_review(kits, tmp_path):
    blank = tmp_path / "blank-log.xlsx"
    openpyxl.Workbook().save(blank)
    result = assess([kits[True].remits], [kits[True].claims], encounters=blank, salt="s")
    empty = [f for f in result.findings if f.rule_id == "assess.log-empty"]
    assert len(empty) == 1 and empty[0].source == "blank-log.xlsx" and empty[0].sheet == "Encounters"
    assert "no encounters" in empty[0].message and "no coding review was done" in empty[0].message
    assert result.coding_rows == []
    method = [r for r in result.tables[-1].rows]
    assert ["Missing", "Infusion log", "no encounters in blank-log.xlsx", "", "no coding review"] in method
    assert ["Finding", "assess.log-empty", empty[0].message, "", "blank-log.xlsx"] in method


def test_contracted_rates_without_a_fee_schedule_are_a_finding(kits, tmp_path):
    blank = tmp_path / "rates.xlsx"
    openpyxl.Workbook().save(blank)
    result = assess([kits[False].remits], [kits[False].claims], fee_schedule=blank, salt="s")
    empty = [f for f in result.findings if f.rule_id == "assess.rates-empty"]
    assert len(empty) == 1 and empty[0].source == "rates.xlsx" and empty[0].sheet == "FeeSchedule"
    assert "no contracted rates" in empty[0].message
    assert ["Missing", "Contracted rates", "none given", "", "no underpayment review; coding priced at charges"] in \
        result.tables[-1].rows


def test_a_damaged_835_carries_the_readers_findings_as_import_era_does(kits, tmp_path):
    damaged = tmp_path / "damaged.835"
    damaged.write_text("ISA*00*bad~GS*HP~ST*835*0001~BPR*I*abc~SE*2*0001~")
    result = assess([kits[False].remits, damaged], [kits[False].claims], salt="s")
    era = sorted({f.rule_id for f in result.findings if f.rule_id.startswith("era.")})
    assert {"era.bad-amount", "era.isa-malformed", "era.envelope-missing", "era.trace-missing"} <= set(era)
    assert all(f.source == "damaged.835" for f in result.findings if f.rule_id.startswith("era."))
    noted = {r[1] for r in result.tables[-1].rows if r[0] == "Finding"}
    assert set(era) <= noted
    # A clean client's 835s carry no reader findings at all.
    assert not [f for f in assess([kits[False].remits], [kits[False].claims], salt="s").findings
                if f.rule_id.startswith("era.")]


def test_a_remits_path_that_does_not_exist_says_so(tmp_path, capsys):
    missing = tmp_path / "nonexist"
    assert cli.main(["assess", "--remits", str(missing), "-o", str(tmp_path / "a.xlsx")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nonexist: no such file or folder." in err and "No readable 835" not in err
