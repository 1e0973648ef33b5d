"""``make demo`` ends the month: denials by category, AR by bucket, and the patients' statements written."""

from __future__ import annotations

import io
import re
from decimal import Decimal

from claims.clinic_book import records

from infusion_billing.demo.clinic import run_demo


def test_the_demo_prints_denials_aging_and_the_statements_it_wrote(tmp_path):
    printed = io.StringIO()
    assert run_demo(tmp_path / "demo.xlsx", encounters=120, out=printed) == 0
    text = printed.getvalue()
    line = re.search(r"^Statements written: (\d+) \(as of (\S+), ([\d,.]+) billed", text, re.M)
    assert line
    written, billed = int(line.group(1)), Decimal(line.group(3).replace(",", ""))
    pdfs = sorted(p.name for p in (tmp_path / "statements").glob("ST-*.pdf"))
    ledger = records(tmp_path / "demo.xlsx", "Statements")
    assert written > 0 and len(pdfs) == written == len(ledger)
    assert sorted(r["File Name"] for r in ledger) == pdfs
    assert sum(Decimal(str(r["Balance"])) for r in ledger).quantize(Decimal("0.01")) == billed
    patient = re.search(r"^Patient AR as of \S+ by bucket: .*\(total ([\d,.]+)\)$", text, re.M)
    assert patient and Decimal(patient.group(1).replace(",", "")) == billed  # no payments, no credits in the demo
    assert re.search(r"^Insurance AR as of \S+ by bucket: 0-30 [\d,.]+, 31-60 ", text, re.M)
    planted = re.search(r"^Planted denials on the worklist: (\d+) of (\d+)$", text, re.M)
    assert planted and planted.group(1) == planted.group(2) != "0"
    assert re.search(r"^Denied dollars by category: .*\(total [\d,.]+ on \d+ denials\)$", text, re.M)
    names = {p["Last Name"] for p in records(tmp_path / "demo-input.xlsx", "Patients")}
    assert not [n for n in names if n in text]  # the printout names no patient
