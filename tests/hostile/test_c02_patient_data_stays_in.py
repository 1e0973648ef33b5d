"""Class 2: no value of a patient-data column (nor of an 835 NM1 segment) leaves the book in a finding,
a message, the terminal, --json or a log line, whatever rule raised it.

Unique markers are planted in every PHI column of the schema (as formulas with cached values, as
plain values, on rows the reader keeps and on rows it leaves out), then every route to output is
searched: each part of the output workbook the tool wrote, stdout, --json and the log.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import zipfile

import openpyxl
import pytest
from hostile_kit import cache_formula_values, minimal_sheets, run_cli, run_cli_process, write_book, written_parts

from infusion_billing import pipeline
from infusion_billing.findings import Finding, Severity
from infusion_billing.rules.runs import RULE_FAILED
from infusion_billing.schema import INPUT_TABLES
from infusion_billing.stages import StageResult, StageSpec
from infusion_billing.workbook.writer import OutputTable

DOB_1 = dt.date(1911, 11, 11)
DOB_2 = dt.date(1922, 2, 22)
#: Every text form a planted value could take in output.
MARKERS = ["ZQLASTONE", "ZQFIRSTONE", "ZQMEMBERONE", "ZQLASTTWO", "ZQFIRSTTWO", "ZQMEMBERTWO",
           "1911-11-11", "11/11/1911", "1922-02-22", "02/22/1922", "2/22/1922",
           "ZQSTREETONE", "ZQSUITEONE", "ZQCITYONE", "ZQZIPONE", "ZQINSUREDLAST", "ZQINSUREDFIRST", "1933-03-03"]


def test_every_phi_column_is_planted():
    planted = {("Patients", "Last Name"), ("Patients", "First Name"), ("Patients", "Date of Birth"),
               ("Coverage", "Member ID"), ("Patients", "Address Line 1"), ("Patients", "Address Line 2"),
               ("Patients", "City"), ("Patients", "ZIP"), ("Coverage", "Subscriber Last Name"),
               ("Coverage", "Subscriber First Name"), ("Coverage", "Subscriber Date of Birth")}
    assert {(t.name, c.header) for t in INPUT_TABLES for c in t.columns if c.phi} == planted


def phi_book(tmp_path):
    sheets = minimal_sheets()
    sheets["Patients"] = [
        ["Patient ID", "Last Name", "First Name", "Date of Birth", "Sex", "Address Line 1", "Address Line 2",
         "City", "ZIP"],
        ["P001", '="ZQLAST"&"ONE"', '="ZQFIRST"&"ONE"', "=DATE(1911,11,11)", "F", "ZQSTREETONE", "ZQSUITEONE",
         "ZQCITYONE", "ZQZIPONE"],
        ["P002", "ZQLASTTWO", "ZQFIRSTTWO", DOB_2, "Q"],  # a bad Sex: the row is left out with a finding
    ]
    sheets["Coverage"] = [
        ["Patient ID", "Payer ID", "Member ID", "Priority", "Effective From", "Relationship", "Subscriber Last Name",
         "Subscriber First Name", "Subscriber Date of Birth"],
        ["P001", "MCR", '="ZQMEMBER"&"ONE"', "Primary", dt.date(2020, 1, 1), "Spouse", "ZQINSUREDLAST",
         "ZQINSUREDFIRST", dt.date(1933, 3, 3)],
        ["P002", "MCR", "ZQMEMBERTWO", "Primray", dt.date(2020, 1, 1)],  # misspelt: left out, quoted
    ]
    sheets["Encounters"].append(["E002", "P002", "MCR", dt.date(2026, 9, 15), "Facility", "22"])
    book = write_book(tmp_path / "clinic.xlsx", sheets)
    wb = openpyxl.load_workbook(book)
    wb["Patients"]["D2"].number_format = "yyyy-mm-dd"
    wb.save(book)
    serial = (DOB_1 - dt.date(1899, 12, 30)).days
    cache_formula_values(book, "Patients", {"B2": "ZQLASTONE", "C2": "ZQFIRSTONE", "D2": float(serial)})
    cache_formula_values(book, "Coverage", {"C2": "ZQMEMBERONE"})
    return book


def leaks(text: str) -> list[str]:
    return [m for m in MARKERS if m.lower() in text.lower()]


@pytest.fixture
def leaky_rule(monkeypatch):
    """A check that quotes every patient's data in every field and logs it: the chokepoint must hold
    whatever a rule does."""
    real = pipeline.STAGES["check"].run
    log = logging.getLogger("infusion_billing.checks")

    def leaky(book, options):
        result = real(book, options)
        extra = []
        for p in book.rows("Patients"):
            cov = [c.member_id for c in book.rows("Coverage") if c.patient_id == p.patient_id]
            text = f"{p.first_name} {p.last_name} born {p.date_of_birth} ({p.date_of_birth:%m/%d/%Y}) member {cov}"
            log.warning("checking %s", text)
            # A catalogued ID (the session checks every emitted ID), misused on purpose.
            extra.append(Finding("check.rule-failed", Severity.ERROR, f"Leaky: patient {text}.", sheet="Encounters",
                                 column="Patient ID", value=p.last_name, fix=f"Call {p.first_name}."))
            extra.append(book.finding(RULE_FAILED, f"Leaky: about {text}.", table="Patients", row=p,
                                      column="Last Name", value=p.last_name, fix=f"Call {p.first_name} back."))
        notes = OutputTable("Leaky Notes", ["Note"], [[f.message] for f in extra])
        return StageResult(tables=[*result.tables, notes], findings=[*result.findings, *extra],
                           summary=result.summary)

    monkeypatch.setitem(pipeline.STAGES, "check", StageSpec("check", leaky))


def test_no_marker_reaches_any_output_whatever_rule_raised_it(tmp_path, capsys, caplog, leaky_rule):
    book = phi_book(tmp_path)
    caplog.set_level(logging.DEBUG)
    code, out, err = run_cli("run", book, "-o", tmp_path / "out.xlsx", "--max-lines", "500", capsys=capsys)
    assert code == 0, err
    code, as_json, err2 = run_cli("run", book, "-o", tmp_path / "out2.xlsx", "--json", capsys=capsys)
    assert code == 0
    rows = json.loads(as_json)
    assert "reader.formula-value-used" in {r["rule_id"] for r in rows}
    # The leaky rule's findings arrived, with the patient data taken out.
    leaky = [r for r in rows if r["message"].startswith("Leaky:")]
    assert len(leaky) == 2 and all("[patient data]" in r["message"] for r in leaky)
    assert leaks(out) == [] and leaks(err) == [] and leaks(as_json) == [] and leaks(err2) == []
    assert leaks(caplog.text) == [], caplog.text
    for name, data in written_parts(book, tmp_path / "out.xlsx").items():
        assert leaks(data.decode("utf-8", "replace")) == [], name


def test_the_command_line_prints_and_logs_no_marker(tmp_path):
    book = phi_book(tmp_path)
    done = run_cli_process("--debug", "run", book, "--max-lines", "500", "-o", "out.xlsx", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert b"reader.unknown-value" in done.stdout  # the rows left out are reported ...
    assert leaks(done.stdout.decode()) == [] and leaks(done.stderr.decode()) == []
    json_run = run_cli_process("check", book, "--json", "-o", "out2.xlsx", cwd=tmp_path)
    assert b"reader.formula-value-used" in json_run.stdout  # ... and the formula cells read
    assert leaks(json_run.stdout.decode()) == []
    for name, data in written_parts(book, tmp_path / "out.xlsx").items():
        assert leaks(data.decode("utf-8", "replace")) == [], name


def test_a_damaged_nm1_segment_is_not_quoted_with_its_name(tmp_path, capsys):
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    remit = tmp_path / "remit.835"
    remit.write_text(
        "ISA*00*          *00*          *ZZ*SYNTHMAC       *ZZ*SYNTHINFUSION  *261120*0930*^*00501*000000101*0*T*:~"
        "GS*HP*SYNTHMAC*SYNTHINFUSION*20261120*0930*101*X*005010X221A1~ST*835*0001*005010X221A1~"
        "BPR*I*100.00*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20261120~"
        "TRN*1*EFT1*1512345678~N1*PR*SYNTHETIC PAYER~N1*PE*SYNTHETIC CENTER*XX*1234567893~LX*1~"
        "CLP*E001*1*100.00*100.00**MB*C1*11*1~\x1aNM1*QC*ZQXWSURNAME*ZQXWFIRST****MI*ZQXWMEMBER~"
        "SVC*HC:96413*100.00*100.00**1~SE*12*0001~GE*1*101~IEA*1*000000101~")
    code, out, err = run_cli("import-era", book, remit, "-o", tmp_path / "out.xlsx", "--json", capsys=capsys)
    assert code == 0, err
    rows = json.loads(out)
    garbled = [r for r in rows if r["rule_id"] == "era.garbled-segment"]
    assert garbled and "NM1*..." in garbled[0]["message"]
    assert "ZQXW" not in out and "ZQXW" not in err
    for name, data in written_parts(book, tmp_path / "out.xlsx").items():
        assert b"ZQXW" not in data, name


def test_the_phi_values_are_known_even_for_rows_left_out(tmp_path):
    from infusion_billing.workbook.reader import read_workbook

    book = read_workbook(phi_book(tmp_path))
    assert {"ZQLASTTWO", "ZQMEMBERTWO", "1922-02-22", "ZQLASTONE", "1911-11-11"} <= book.phi_values
    with zipfile.ZipFile(tmp_path / "clinic.xlsx") as z:
        assert b"ZQLASTONE" in z.read("xl/worksheets/sheet2.xml")  # the cached value really is in the file


@pytest.mark.parametrize("column, letter", [("Last Name", "B"), ("Date of Birth", "D"), ("Patient ID", "A")])
def test_a_required_patient_cell_whose_formula_has_no_stored_value_says_so_and_quotes_nothing(
        tmp_path, capsys, column, letter):
    # Saved by a program that does not calculate (openpyxl, a script): the formula has no value in the file.
    sheets = minimal_sheets()
    formula = {"Last Name": '="Zed"&"phimarker"', "Date of Birth": "=DATE(1951,3,4)+0*LEN(\"phimarker\")",
               "Patient ID": '="P00"&"1"&LEFT("phimarker",0)'}[column]
    sheets["Patients"][1][sheets["Patients"][0].index(column)] = formula
    book = write_book(tmp_path / "clinic.xlsx", sheets)
    code, out, err = run_cli("check", book, "--json", capsys=capsys)
    assert code == 0, err
    found = [f for f in json.loads(out) if f["sheet"] == "Patients"]
    assert [(f["rule_id"], f["severity"], f["cell"]) for f in found] == [
        ("reader.formula-no-value", "error", f"{letter}2")]
    assert "no stored value" in found[0]["message"] and "recalculate" in found[0]["fix"]
    assert "phimarker" not in out + err and "Zed" not in out and found[0]["value"] == ""


def test_a_required_patient_cell_whose_formula_shows_an_error_says_so_and_quotes_nothing(tmp_path):
    import re

    from hostile_kit import rewrite_part, sheet_part

    from infusion_billing.workbook.reader import read_workbook

    sheets = minimal_sheets()
    sheets["Patients"][1][1] = '=VLOOKUP("phimarker",A1:A2,2,FALSE)'  # Last Name: Excel saved #N/A for it
    book = write_book(tmp_path / "clinic.xlsx", sheets)
    rewrite_part(book, sheet_part(book, "Patients"), lambda xml: re.sub(
        rb'<c r="B2"([^>]*?)(?: t="\w+")?><f>(.*?)</f>(?:<v\s*/>|<v>.*?</v>)?</c>',
        rb'<c r="B2"\1 t="e"><f>\2</f><v>#N/A</v></c>', xml))
    found = [f for f in read_workbook(book).findings if f.sheet == "Patients"]
    assert [(f.rule_id, f.severity.value, f.cell, f.value) for f in found] == [
        ("reader.formula-no-value", "error", "B2", "")]
    assert "an error such as #N/A" in found[0].message and "phimarker" not in found[0].message + found[0].fix


def test_a_patient_called_green_leaves_the_kpi_status_green():
    """A surname or first name that is also one of the tool's own words (a KPI status) redacts text
    quoting it, never the status cell the tool wrote from its own vocabulary."""
    from infusion_billing.privacy import REDACTED, Redactor

    redactor = Redactor(["Green", "Olivia"])
    kpis = OutputTable("KPIs", ["KPI", "Status", "Note"],
                       [["Net collection rate", "Green", "Green is on track"],
                        ["Clean claim rate", "Red", "call Olivia"]],
                       fills={"Status": {"Green": "C6EFCE", "Amber": "FFEB9C", "Red": "FFC7CE"}})
    cleaned = redactor.table(kpis)
    assert [row[1] for row in cleaned.rows] == ["Green", "Red"]
    assert cleaned.rows[0][2] == f"{REDACTED} is on track"
    assert cleaned.rows[1][2] == f"call {REDACTED}"
