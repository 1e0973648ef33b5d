"""``refdata import-ncci``: CMS's PTP and MUE files read in their published layouts, stored, and used.

The files here are small synthetic extracts laid out exactly as CMS publishes them (codes and values
chosen for the test, not copied from a CMS file).
"""

from __future__ import annotations

from datetime import date

from infusion_billing.claims.ncci import HOSPITAL, PRACTITIONER, read_ncci_file, shipped
from infusion_billing.claims.refdata import import_ncci
from infusion_billing.claims.stage import ncci_in_force
from infusion_billing.cli import main
from infusion_billing.pipeline import RunOptions
from infusion_billing.workbook.reader import read_workbook

from .clinic_book import clinic_rows, records, write_rows

#: The practitioner PTP .txt file: tab separated, no header row.
PTP_TXT = "96365\t96360\t*\t20020101\t*\t1\tMisuse of column two code with column one code\n" \
          "96413\t96523\t \t20060101\t*\t0\tCPT Manual or CMS manual coding instruction\n" \
          "96413\t96367\t \t20020101\t20091231\t1\tMisuse of column two code with column one code\n"
#: The hospital PTP file as CMS's spreadsheet saves to CSV: a copyright note, then the header row.
PTP_CSV = ('"CPT codes, descriptions and other data only are copyright 2025 American Medical Association."\n'
           '\n'
           '"Column 1","Column 2","*=in existence prior to 1996","Effective Date","Deletion Date *=no data",'
           '"Modifier 0=not allowed 1=allowed 9=not applicable","PTP Edit Rationale"\n'
           '"96365","96374","","20020101","*","1","CPT Manual or CMS manual coding instruction"\n'
           '"96365","BAD","","20020101","*","1","a damaged row"\n')
MUE_CSV = ('"MUE values are published by CMS; see the NCCI web pages for their use."\n'
           '"HCPCS/CPT Code","Practitioner Services MUE Values","MUE Adjudication Indicator","MUE Rationale"\n'
           '"96365","1","3 Date of Service Edit: Clinical","Nature of Service/Procedure"\n'
           '"J1569","10","3 Date of Service Edit: Clinical","Prescribing Information"\n')


def _files(tmp_path):
    paths = {"ccipra-v324r0-f1.txt": PTP_TXT, "ccioph-v324r0-f1.csv": PTP_CSV,
             "MCR_MUE_PractitionerServices_Eff_2026q4.csv": MUE_CSV}
    for name, text in paths.items():
        (tmp_path / name).write_text(text, encoding="latin-1")
    return [tmp_path / name for name in paths]


def test_each_published_layout_is_read(tmp_path):
    ptp_txt, ptp_csv, mue = (read_ncci_file(p) for p in _files(tmp_path))
    assert (ptp_txt.kind, ptp_txt.claim_type, len(ptp_txt.ptp)) == ("PTP", PRACTITIONER, 3)
    deleted = ptp_txt.ptp[2]
    assert (deleted.column1, deleted.column2, deleted.deleted, deleted.in_force(date(2026, 9, 1))) == (
        "96413", "96367", date(2009, 12, 31), False)
    assert ptp_txt.ptp[1].modifier == "0" and ptp_txt.ptp[0].quarter == "2006Q1"
    assert (ptp_csv.claim_type, [(e.column1, e.column2) for e in ptp_csv.ptp]) == (HOSPITAL, [("96365", "96374")])
    assert [f.rule_id for f in ptp_csv.findings] == ["scrub.ncci-row"]
    assert (mue.kind, mue.claim_type, [(m.code, m.value, m.per_day, m.quarter) for m in mue.mue]) == (
        "MUE", PRACTITIONER, [("96365", 1, True, "2026Q4"), ("J1569", 10, True, "2026Q4")])


def test_a_file_that_is_not_ncci_is_one_finding(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("just,some,text\n1,2,3\n")
    read = read_ncci_file(path)
    assert [f.rule_id for f in read.findings] == ["scrub.ncci-file"] and not read.ptp and not read.mue


def test_imported_into_the_book_they_replace_the_shipped_edits(tmp_path):
    book = write_rows(tmp_path / "clinic.xlsx", clinic_rows(10))
    report = import_ncci(_files(tmp_path), book=book, out=tmp_path / "with-ncci.xlsx")
    assert (report.ptp, report.mue) == (4, 2)
    stored = records(tmp_path / "with-ncci.xlsx", "NCCI MUE")
    assert [(r["Code"], r["MUE Value"], r["Source File"]) for r in stored][1] == (
        "J1569", 10, "MCR_MUE_PractitionerServices_Eff_2026q4.csv")
    in_force = ncci_in_force(read_workbook(tmp_path / "with-ncci.xlsx"), RunOptions())
    assert in_force.mue[(PRACTITIONER, "J1569")].value == 10  # the imported value, not the shipped 300
    assert shipped().mue[(PRACTITIONER, "J1569")].value == 300
    assert in_force.pair(PRACTITIONER, "96413", "96523", date(2026, 9, 1)).source == "ccipra-v324r0-f1.txt"


def test_the_cache_folder_is_used_through_the_setting(tmp_path, capsys):
    files = _files(tmp_path)
    cache = tmp_path / "ncci"
    assert main(["refdata", "import-ncci", *map(str, files), "--cache", str(cache)]) == 0
    assert "Stored: 4 PTP edits and 2 MUEs" in capsys.readouterr().out
    book = read_workbook(write_rows(tmp_path / "clinic.xlsx", clinic_rows(10)))
    in_force = ncci_in_force(book, RunOptions(ncci_folder=cache))
    assert in_force.mue[(PRACTITIONER, "J1569")].value == 10


def test_a_file_of_the_users_is_replaced_only_with_force_and_a_backup_is_kept(tmp_path, capsys):
    # The README's promise for every command that writes a workbook: -o never silently replaces a
    # file the tool did not write, and --force replaces it after copying it aside.
    files = _files(tmp_path)
    book = write_rows(tmp_path / "clinic.xlsx", clinic_rows(10))
    mine = write_rows(tmp_path / "my-own.xlsx", clinic_rows(3))
    before = mine.read_bytes()
    args = ["refdata", "import-ncci", *map(str, files), "--book", str(book), "-o", str(mine)]
    assert main(args) == 2
    assert "--force" in capsys.readouterr().err
    assert mine.read_bytes() == before
    assert main([*args, "--force"]) == 0
    assert [(r["Code"], r["MUE Value"]) for r in records(mine, "NCCI MUE")][1] == ("J1569", 10)
    backups = list(tmp_path.glob("my-own.backup-*.xlsx"))
    assert len(backups) == 1 and backups[0].read_bytes() == before
