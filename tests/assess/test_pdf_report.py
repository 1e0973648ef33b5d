"""The assessment's printable report: the workbook's figures on a few pages, charts drawn, same files same bytes."""

from __future__ import annotations

import io
import re
import zlib

import pypdf

from infusion_billing import cli
from infusion_billing.assess import assess
from infusion_billing.assess.pdf_report import build_pdf
from infusion_billing.assess.report import SCORECARD
from infusion_billing.workbook.writer import read_output_table


def _text(data: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def _drawn_bars(data: bytes) -> int:
    """Rectangles filled in the bar colour (Excel's first series blue, 68 114 196) in the page content."""
    streams = [zlib.decompress(m.group(1)) for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S)
               if m.group(1)[:1] == b"x"]
    bars = 0
    for content in streams:
        colour: tuple[int, ...] = ()
        for m in re.finditer(rb"([\d.]+) ([\d.]+) ([\d.]+) rg|re f\b", content):
            if m.group(1):
                colour = tuple(round(float(c) * 255) for c in m.groups())
            elif colour == (68, 114, 196):
                bars += 1
    return bars


def test_the_report_holds_the_scorecard_the_opportunity_and_the_ranked_findings(clinic, kits):
    kit = kits[True]
    result = assess([kit.remits], [kit.claims], encounters=clinic / "demo-input.xlsx", salt="s")
    data = build_pdf(result, client="Example Infusion").bytes()
    pages, text = _text(data)
    assert pages == 3
    assert "Billing assessment: Example Infusion" in text and "Page 3 of 3" in text
    assert "Initial denial rate (claims) 6.8% under 5% (HFMA/MGMA practice target) Red" in text
    assert "Net collection rate 78.3% 95% or more (MGMA) Red" in text
    assert "Recoverable now $805.32" in text and "Annualized uplift $3,419.33" in text
    assert "Underpayments (allowed below contract) $553.10" in text
    assert "Under-coding found in the log $205.35" in text
    assert "Top findings, ranked by dollars" in text and "Coding review" in text
    assert "Missed add-on hours 2 $111.44" in text
    # The findings are the Findings sheet's, in its order.
    first = result.tables[1].rows[0]
    assert f"1 {first[1]} {first[2]}" in text
    # The charts: one bar per opportunity with money in it, per denial category and per underpaid payer.
    categories = {r[4] for r in result.tables[2].rows}
    payers = {r[1] for r in result.tables[3].rows}
    assert _drawn_bars(data) == 4 + len(categories) + len(payers)


def test_every_label_benchmark_and_assumption_is_printed_in_full(clinic, kits):
    result = assess([kits[True].remits], [kits[True].claims], encounters=clinic / "demo-input.xlsx", salt="s")
    text = " ".join(_text(build_pdf(result).bytes())[1].split())  # a wrapped cell reads with a space
    assert "..." not in text
    for _, label, benchmark, _, _ in SCORECARD:
        assert label in text and benchmark in text
    sheet = next(t for t in result.tables if t.name == "Method and Data")
    method = [dict(zip(sheet.columns, row, strict=True)) for row in sheet.rows]
    notes = [m["Note"] for m in method if m["Kind"] != "File" and m["Note"]]
    assert "the strictest common commercial limit; contracts may allow more" in notes
    for m in method:
        assert m["Detail"] in text and (m["Kind"] == "File" or (m["Note"] or "") in text), m
    assert " Rank Area Finding " in text  # the rank column is wide enough for its header


def test_same_files_give_the_same_pdf_dated_by_the_latest_remit(clinic, kits):
    kit = kits[True]
    one = build_pdf(assess([kit.remits], [kit.claims], encounters=clinic / "demo-input.xlsx", salt="s")).bytes()
    two = build_pdf(assess([kit.remits], [kit.claims], encounters=clinic / "demo-input.xlsx", salt="s")).bytes()
    assert one == two
    meta = pypdf.PdfReader(io.BytesIO(one)).metadata
    assert meta is not None and meta["/CreationDate"] == "D:20261223120000Z"  # 2026-12-23, the latest check date


def test_the_command_writes_the_pdf_beside_the_workbook_and_replaces_only_its_own(clinic, kits, tmp_path, capsys):
    kit = kits[True]
    out, pdf = tmp_path / "a.xlsx", tmp_path / "a.pdf"
    args = ["assess", "--remits", str(kit.remits), "--claims", str(kit.claims), "-o", str(out), "--pdf", str(pdf)]
    assert cli.main(args) == 0
    assert capsys.readouterr().out.rstrip().endswith(f"Written: {out} and {pdf}")
    summary = {r["Measure"]: r["Value"] for r in read_output_table(out, "Summary")}
    assert f"Recoverable now ${summary['Recoverable now']:,.2f}" in _text(pdf.read_bytes())[1]
    assert cli.main(args) == 0  # an earlier report of the tool is replaced without asking
    foreign = tmp_path / "notes.pdf"
    foreign.write_bytes(b"%PDF-1.4 someone else's file")
    assert cli.main([*args[:-1], str(foreign)]) == 2
    assert "already exists and was not written by infusion-billing" in capsys.readouterr().err
    assert cli.main([*args[:-1], str(tmp_path / "a.txt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "The assessment report is a PDF; name it" in err
