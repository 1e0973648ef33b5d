"""The Dashboard: native charts in the saved file, through a LibreOffice round trip, and on re-runs."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from infusion_billing.pipeline import RunOptions, run_workbook

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
CHART_TITLES = ("Denied dollars by category (Pareto)", "AR by payer and age bucket",
                "Charges, payments and initial denial rate by month of service",
                "Underpayments by payer (found at the first remit)")


def dashboard_charts(path: Path) -> list[str]:
    """The chart XML of every chart drawn on the Dashboard sheet, following the file's relationships."""
    wb = openpyxl.load_workbook(path)
    index = wb.sheetnames.index("Dashboard")
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        workbook = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.findall(r'<sheet [^>]*name="Dashboard"[^>]*r:id="([^"]+)"', workbook) or re.findall(
            r'<sheet [^>]*r:id="([^"]+)"[^>]*name="Dashboard"', workbook)
        assert rid, workbook[:500]
        target = re.search(rf'Id="{rid[0]}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid[0]}"', rels)
        assert target is not None and index >= 0
        sheet = "xl/" + (target.group(1) or target.group(2)).lstrip("/").removeprefix("xl/")
        sheet_rels = sheet.replace("worksheets/", "worksheets/_rels/") + ".rels"
        drawing = re.search(r'Target="([^"]*drawing[^"]*)"', z.read(sheet_rels).decode())
        if drawing is None:
            return []
        drawing_part = "xl/drawings/" + drawing.group(1).rsplit("/", 1)[-1]
        drawing_rels = z.read(drawing_part.replace("drawings/", "drawings/_rels/") + ".rels").decode()
        charts = ["xl/charts/" + t.rsplit("/", 1)[-1] for t in re.findall(r'Target="([^"]+)"', drawing_rels)]
        assert all(c in names for c in charts)
        return [z.read(c).decode() for c in charts]


def titles(charts: list[str]) -> list[str]:
    return [" ".join(re.findall(r"<(?:\w+:)?t>([^<]*)</(?:\w+:)?t>", c)[:1]) for c in charts]


def test_the_saved_dashboard_has_its_four_charts_over_its_own_cells(demo_book):
    path, _, _ = demo_book
    charts = dashboard_charts(path)
    assert titles(charts) == list(CHART_TITLES)
    assert all("'Dashboard'!$" in c for c in charts)
    assert '<c:grouping val="stacked"/>' in charts[1] or 'grouping val="stacked"' in charts[1]
    ws = openpyxl.load_workbook(path)["Dashboard"]
    header = [c.value for c in ws[1]]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    cards = {r[1]: r for r in rows if r[0] == "KPI"}
    card = next(r for label, r in cards.items() if label.startswith("Initial denial rate (count)"))
    assert card[header.index("Target")] == "<= 5.0 %" and card[header.index("Status")] in ("Green", "Amber", "Red")
    fill = ws.cell(rows.index(card) + 2, header.index("Status") + 1).fill.fgColor.rgb
    assert fill == {"Green": "FFC6EFCE", "Amber": "FFFFEB9C", "Red": "FFFFC7CE"}[card[header.index("Status")]]
    pareto = [r for r in rows if r[0] == "Denials by category"]
    amounts = [r[header.index("Value")] for r in pareto]
    assert amounts == sorted(amounts, reverse=True) and pareto[-1][header.index("Cumulative Share")] == 1


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed; .ci/run installs it")
def test_the_charts_survive_a_libreoffice_round_trip(demo_book, tmp_path):
    path, _, _ = demo_book
    out, profile = tmp_path / "lo", tmp_path / "profile"
    out.mkdir()
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=300)
    charts = dashboard_charts(out / path.name)
    assert len(charts) == 4
    assert all("Dashboard" in c for c in charts)
    assert "Denied dollars by category" in charts[0]


def test_running_the_dashboard_twice_gives_the_same_sheets_and_no_stray_chart_parts(demo_book, tmp_path):
    path, _, _ = demo_book
    copy = tmp_path / "again.xlsx"
    shutil.copy(path, copy)
    # As the demo's close counted them: to its last remit (the Settings As-Of Date is the day claims went out).
    again_as_closed = RunOptions(month_close=True)
    run_workbook(copy, ["kpis", "dashboard"], in_place=True, options=again_as_closed)
    first = openpyxl.load_workbook(copy)
    first_rows = {s: [[c.value for c in r] for r in first[s].iter_rows()] for s in ("KPIs", "Dashboard")}
    run_workbook(copy, ["kpis", "dashboard"], in_place=True, options=again_as_closed)
    again = openpyxl.load_workbook(copy)
    assert {s: [[c.value for c in r] for r in again[s].iter_rows()] for s in ("KPIs", "Dashboard")} == first_rows
    with zipfile.ZipFile(copy) as z:
        assert len([n for n in z.namelist() if n.startswith("xl/charts/chart")]) == 4
        assert len([n for n in z.namelist() if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n)]) == 1
    assert titles(dashboard_charts(copy)) == list(CHART_TITLES)


def test_every_kpi_status_is_a_traffic_light_word_whatever_the_patients_are_called(demo_book):
    """Status cells are the tool's own words: a patient named Green never blanks them (the redactor)."""
    wb = openpyxl.load_workbook(demo_book[0], read_only=True)
    for sheet in ("KPIs", "Dashboard"):
        rows = wb[sheet].iter_rows(values_only=True)
        header = next(row for row in rows if row and "Status" in row)
        statuses = {row[header.index("Status")] for row in rows}
        assert statuses - {None, "", "Green", "Amber", "Red"} == set(), sheet
        assert "Green" in statuses, sheet
