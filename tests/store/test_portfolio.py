"""The portfolio report: three clinics' months in one store, their KPIs by the KPIs sheet's own SQL.

Acceptance of issue 16: three demo clinics (different seeds) through their month, ``export-store``
into one store, then ``portfolio``; a clinic's portfolio figures equal its own KPIs sheet to the cent,
and the same SQL on Spark gives the same figures as on DuckDB.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from infusion_billing import values as v
from infusion_billing.cli import main
from infusion_billing.store import spark_submit
from infusion_billing.store.engines import DuckDBEngine, SparkEngine
from infusion_billing.store.export import export_store
from infusion_billing.store.portfolio import COLUMNS, build, clinics
from infusion_billing.workbook.reader import read_workbook
from infusion_billing.workbook.writer import read_output_table

CLINICS = ("Lakeview", "Northside", "Riverbend")


@pytest.fixture(scope="module")
def store(clinic_books, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("portfolio") / "store"
    for name in CLINICS:
        export_store(clinic_books[name], folder, clinic=name)
    return folder


@pytest.fixture(scope="module")
def on_duckdb(store):
    engine = DuckDBEngine(store)
    try:
        yield build(engine, clinics(engine))
    finally:
        engine.close()


def kpis_sheet(book: Path) -> dict[tuple[str, str], dict[str, object]]:
    """(month, KPI ID) -> the all-payers row of the clinic's own KPIs sheet."""
    return {(r["Month"], r["KPI ID"]): r for r in read_output_table(book, "KPIs") if r["Payer ID"] == "All payers"}


def cents(x) -> Decimal:
    return v.to_money(x)


def test_each_clinics_portfolio_figures_are_its_kpis_sheet_to_the_cent(clinic_books, on_duckdb):
    compared = 0
    for clinic in CLINICS:
        sheet = kpis_sheet(clinic_books[clinic])
        months = sorted({m for m, k in sheet if k == "net_collection_rate"})
        assert months, clinic
        for month in months:
            row = on_duckdb.row(clinic, month)
            ncr = sheet[(month, "net_collection_rate")]
            gross = sheet[(month, "gross_collection_rate")]
            assert row["Payments"] == cents(ncr["Numerator"])
            assert row["Billed"] == cents(gross["Denominator"])
            assert row["Contractual"] == cents(gross["Denominator"]) - cents(ncr["Denominator"])
            # A rate on the sheet is a fraction to four places: 0.9731 is 97.31 %.
            assert row["Net collection rate"] == Decimal(str(ncr["Rate"])).quantize(Decimal("0.0001"))
            idr = sheet.get((month, "initial_denial_rate_count"))
            if idr is not None and idr["Rate"] is not None:
                assert row["Initial denial rate (count)"] == Decimal(str(idr["Rate"])).quantize(Decimal("0.0001"))
            under = sheet.get((month, "underpayment_identified"))
            if under is not None:
                assert row["Underpayment identified"] == cents(under["Amount"])
            days = sheet.get((month, "days_in_ar_gross"))
            if days is not None and days["Days"] is not None:
                assert row["Days in AR (gross)"] == Decimal(str(days["Days"])).quantize(Decimal("0.1"))
                compared += 1
            compared += 1
    assert compared >= 9  # three clinics, three months of service each, and their days in AR


def test_the_counts_and_sums_beside_the_kpis_are_the_books(clinic_books, on_duckdb):
    for clinic in CLINICS:
        book = clinic_books[clinic]
        encounters = Counter(f"{e.date_of_service:%Y-%m}" for e in read_workbook(book).rows("Encounters"))
        charges: dict[str, Decimal] = {}
        for r in read_output_table(book, "Charges"):
            month = f"{r['Date of Service']:%Y-%m}"
            charges[month] = charges.get(month, Decimal("0.00")) + cents(r["Charge"])
        claims = Counter(f"{r['Statement From']:%Y-%m}" for r in read_output_table(book, "Claims")
                         if str(r["Frequency"]) == "1")
        for month, n in encounters.items():
            row = on_duckdb.row(clinic, month)
            assert row["Encounters"] == n and row["Charges"] == charges.get(month, Decimal("0.00"))
            assert row["Claims"] == claims[month]
        aging = read_output_table(book, "AR Aging")
        insurance = sum((cents(r["Balance"]) for r in aging if r["Responsible Type"] == "Insurance"
                         and cents(r["Balance"]) > 0), Decimal("0.00"))
        assert sum((r[COLUMNS.index("Insurance AR")] or Decimal("0.00") for r in on_duckdb.rows if r[0] == clinic),
                   Decimal("0.00")) == insurance


def test_the_breakdowns_add_up_to_each_clinics_sheets(clinic_books, on_duckdb):
    denials = on_duckdb.denials
    assert denials.columns == ["Category", *CLINICS, "Total"]
    for i, clinic in enumerate(CLINICS, start=1):
        on_sheet = sum((cents(r["Denied Amount"]) for r in read_output_table(clinic_books[clinic], "Denials")),
                       Decimal("0.00"))
        assert sum((r[i] for r in denials.rows), Decimal("0.00")) == on_sheet
    aging = on_duckdb.aging
    # Every bucket of the AR Aging sheet, youngest first, even one no clinic has AR in (as of the last remit
    # the demo clinics owe nothing under 31 days): the columns stay put from one month's report to the next.
    assert aging.columns == ["Clinic", "AR As Of", "Months of Service", "0-30", "31-60", "61-90", "91-120",
                             "Over 120", "Total"]
    for row, clinic in zip(aging.rows, CLINICS, strict=True):
        on_sheet = sum((cents(r["Balance"]) for r in read_output_table(clinic_books[clinic], "AR Aging")),
                       Decimal("0.00"))
        assert row[0] == clinic and row[-1] == on_sheet == sum(row[3:-1], Decimal("0.00"))
        assert row[2] == "all months, 2026-08 to 2026-12"


def test_the_command_writes_the_portfolio_workbook_with_its_charts(store, tmp_path, capsys):
    out = tmp_path / "portfolio.xlsx"
    assert main(["portfolio", "--store", str(store), "-o", str(out), "--months", "2026-09", "2026-10"]) == 0
    rows = read_output_table(out, "Portfolio")
    # The months chosen, and each clinic's as-of month (December), kept for its AR.
    assert {(r["Clinic"], r["Month"]) for r in rows} == {(c, m) for c in CLINICS
                                                        for m in ("2026-09", "2026-10", "2026-12")}
    assert [r["Clinic"] for r in read_output_table(out, "Portfolio Aging")] == list(CLINICS)
    assert read_output_table(out, "Portfolio Denials")
    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2
    assert capsys.readouterr().out.startswith("Portfolio on DuckDB: 3 clinics, 6 clinic-months (2026-09, 2026-10); ")


@pytest.mark.skipif(shutil.which("java") is None and not os.environ.get("CI"),
                    reason="Spark needs a Java runtime (.ci/run installs it in CI)")
def test_spark_runs_the_same_sql_and_gives_the_same_figures(store, on_duckdb, capfd):
    """Every clinic on Spark in one pass of the same SQL: the same rows, to the cent; and the session the tool
    starts prints no warnings of Spark's own on the user's terminal (it printed WARN Utils, NativeCodeLoader ...)."""
    capfd.readouterr()
    engine = SparkEngine(store)
    try:
        on_spark = build(engine, clinics(engine))
    finally:
        engine.close()
    printed = capfd.readouterr()
    assert not [line for line in (printed.out + printed.err).splitlines()
                if " WARN " in line or "log level" in line or "log4j" in line], printed.err
    assert on_spark.rows == on_duckdb.rows and {r[0] for r in on_spark.rows} == set(CLINICS)
    assert on_spark.denials.rows == on_duckdb.denials.rows
    assert on_spark.aging.rows == on_duckdb.aging.rows


SCRIPT = Path(spark_submit.__file__)


def run_script(*args: str, spark: bool = False) -> subprocess.CompletedProcess:
    """The cluster command of the README: ``spark-submit .../spark_submit.py ...`` (or the file run by Python)."""
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "PYSPARK_PYTHON": sys.executable,
           "PYSPARK_DRIVER_PYTHON": sys.executable}
    command = [str(bin_dir / "spark-submit"), "--master", "local[1]", str(SCRIPT)] if spark else \
        [sys.executable, str(SCRIPT)]
    return subprocess.run([*command, *args], capture_output=True, text=True, env=env, timeout=900, check=False)


def test_the_cluster_script_runs_as_a_file_and_checks_months_as_the_command_does(store, tmp_path):
    """spark-submit runs the file as a script: it imported its package relatively and failed (ImportError)."""
    shown = run_script("--help")
    assert shown.returncode == 0 and "--store" in shown.stdout
    bad = run_script("--store", str(store), "-o", str(tmp_path / "p.xlsx"), "--months", "2026-13")
    assert (bad.returncode, bad.stderr) == (2, "infusion-billing: '2026-13' is not a month like 2026-10.\n")
    assert main(["portfolio", "--store", str(store), "-o", str(tmp_path / "p.xlsx"), "--months", "2026-13"]) == 2


@pytest.mark.skipif(shutil.which("java") is None and not os.environ.get("CI"),
                    reason="Spark needs a Java runtime (.ci/run installs it in CI)")
def test_spark_submit_writes_the_same_portfolio_as_duckdb(store, on_duckdb, tmp_path):
    out = tmp_path / "portfolio.xlsx"
    done = run_script("--store", str(store), "-o", str(out), "--months", "2026-10", spark=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[-1] == f"Written: {out}"
    rows = [r for r in read_output_table(out, "Portfolio") if r["Month"] == "2026-10"]  # not the as-of rows
    assert [(r["Clinic"], r["Month"], cents(r["Billed"]), cents(r["Payments"])) for r in rows] == \
        [(r[0], r[1], r[5], r[6]) for r in on_duckdb.rows if r[1] == "2026-10"]


@pytest.fixture(scope="module")
def october(store, tmp_path_factory) -> Path:
    """``portfolio --months 2026-10``: the workbook."""
    out = tmp_path_factory.mktemp("october") / "portfolio.xlsx"
    assert main(["portfolio", "--store", str(store), "-o", str(out), "--months", "2026-10"]) == 0
    return out


def test_months_apply_to_the_denials_and_the_aging_too(clinic_books, october):
    """--months 2026-10: the denials by category are October's (they were every month's: 21,000.84 against a
    Denied column of 6,129.24), and the open AR by bucket is that of October's services."""
    portfolio = {r["Clinic"]: r for r in read_output_table(october, "Portfolio") if r["Month"] == "2026-10"}
    denials = read_output_table(october, "Portfolio Denials")
    for clinic, denied in (("Lakeview", "446.94"), ("Northside", "972.36"), ("Riverbend", "458.46")):
        assert cents(portfolio[clinic]["Denied"]) == Decimal(denied)
        assert sum((cents(r[clinic]) for r in denials), Decimal("0.00")) == Decimal(denied)
    aging = {r["Clinic"]: r for r in read_output_table(october, "Portfolio Aging")}
    for clinic, total in (("Lakeview", "1384.15"), ("Northside", "3036.31"), ("Riverbend", "1373.40")):
        on_sheet = sum((cents(r["Balance"]) for r in read_output_table(clinic_books[clinic], "AR Aging")
                        if f"{r['Date of Service']:%Y-%m}" == "2026-10"), Decimal("0.00"))
        assert cents(aging[clinic]["Total"]) == on_sheet == Decimal(total)
        assert aging[clinic]["Months of Service"] == "2026-10"
        assert cents(aging[clinic]["0-30"]) == Decimal("0.00")  # empty, and still a column
    assert {r["Clinic"]: f"{r['AR As Of']:%Y-%m-%d}" for r in aging.values()} == \
        {"Lakeview": "2026-12-23", "Northside": "2026-12-16", "Riverbend": "2026-12-22"}


def test_each_clinics_ar_stays_on_its_as_of_row_and_is_blank_on_service_months(october):
    """--months 2026-10 dropped the as-of row (December) that carries the AR: AR showed 0.00 everywhere."""
    rows = {(r["Clinic"], r["Month"]): r for r in read_output_table(october, "Portfolio")}
    lakeview = rows[("Lakeview", "2026-12")]
    assert f"{lakeview['AR As Of']:%Y-%m-%d}" == "2026-12-23"
    assert (cents(lakeview["Insurance AR"]), cents(lakeview["Patient AR"])) == (Decimal("6258.26"), Decimal("3500.24"))
    assert Decimal(str(lakeview["Days in AR (gross)"])) == Decimal("70.0")
    october_row = rows[("Lakeview", "2026-10")]
    assert (october_row["Insurance AR"], october_row["Patient AR"], october_row["AR As Of"]) == (None, None, None)
    assert cents(october_row["Billed"]) == Decimal("9190.24")


def test_months_the_store_does_not_hold_are_one_sentence(store, tmp_path, capsys):
    capsys.readouterr()
    assert main(["portfolio", "--store", str(store), "-o", str(tmp_path / "p.xlsx"), "--months", "2025-01"]) == 2
    assert capsys.readouterr().err == (
        "infusion-billing: The store has no month of service 2025-01 for any clinic (it holds 2026-08 to 2026-12); "
        "choose months it holds with --months, or leave --months out for all.\n")
    assert not (tmp_path / "p.xlsx").exists()


def test_the_about_sheet_says_what_the_report_covers(october):
    about = [[c for c in row if c is not None] for row in openpyxl.load_workbook(october)["About"].iter_rows(
        values_only=True)]
    assert about[1] == ["Built by infusion-billing on DuckDB from the store store: 3 clinics."]
    assert about[2] == ["Months of service: 2026-10 (every sheet: Portfolio, Portfolio Denials, Portfolio Aging)."]
    assert about[3][0].startswith("AR as of: 2026-12-16 to 2026-12-23, each clinic its own (below).")
    assert about[4] == ["De-identified: no (the store holds patient identifiers)."]
    assert about[6:] == [[], ["Clinic", "AR As Of", "De-identified"], ["Lakeview", "2026-12-23", "no"],
                         ["Northside", "2026-12-16", "no"], ["Riverbend", "2026-12-22", "no"]]


def test_the_headers_are_the_kpis_sheets_names_and_the_dashboard_shows_its_figures(october):
    wb = openpyxl.load_workbook(october)
    header = [c.value for c in wb["Portfolio"][1]]
    assert header[9:12] == ["Initial denial rate (count)", "Net collection rate", "Days in AR (gross)"]
    assert header[14:] == ["Underpayment identified", "AR As Of"]
    dashboard = wb["Portfolio Dashboard"]
    assert [dashboard.column_dimensions[c].width for c in "ABCD"] == [22, 16, 16, 16]  # 1,234,567.89 fits
    # October's figures only: the as-of rows kept for AR add nothing billed.
    first = [c.value for c in dashboard[2]][:4]
    assert first[0] == "Lakeview" and [cents(x) for x in first[1:]] == [Decimal("9190.24"), Decimal("2950.35"),
                                                                       Decimal("446.94")]
