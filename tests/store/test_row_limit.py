"""Books past Excel's row limit: the whole table goes to the store (or a CSV), the sheet keeps the latest months.

A real overflow needs 1,048,576 rows; these tests lower the limit instead (``MAX_SHEET_ROWS``), which
is the only thing the size changes.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from decimal import Decimal

import pyarrow.parquet as pq
from claims.clinic_book import write_rows

from infusion_billing.demo.clinic import Clinic
from infusion_billing.pipeline import run_workbook
from infusion_billing.store.export import write_table
from infusion_billing.workbook import sheet_limits
from infusion_billing.workbook.sheet_limits import Overflow
from infusion_billing.workbook.writer import OutputTable, read_output_table, write_outputs


def charges(per_month: dict[str, int]) -> OutputTable:
    rows = []
    for month, n in per_month.items():
        year, mon = (int(x) for x in month.split("-"))
        rows += [[f"E{month}-{i}", date(year, mon, 1 + i % 28), "96413", Decimal("150.25")] for i in range(n)]
    return OutputTable("Charges", ["Encounter ID", "Date of Service", "Code", "Charge"], rows)


def months_on_sheet(book, sheet="Charges") -> Counter:
    return Counter(f"{r['Date of Service']:%Y-%m}" for r in read_output_table(book, sheet))


def test_without_a_store_the_whole_table_goes_to_a_csv_and_the_sheet_keeps_the_latest_months(clinic_books, tmp_path,
                                                                                              monkeypatch):
    monkeypatch.setattr(sheet_limits, "MAX_SHEET_ROWS", 11)  # ten rows under the header
    notes = []
    out = write_outputs(clinic_books["Northside"], [charges({"2026-08": 6, "2026-09": 5, "2026-10": 4})], [],
                        out=tmp_path / "book.xlsx", notes=notes)
    assert months_on_sheet(out) == {"2026-10": 4, "2026-09": 5}
    with open(tmp_path / "book.Charges.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 15 and rows[0]["Encounter ID"] == "E2026-08-0"
    [note] = notes
    assert note.rule_id == "writer.rows-to-csv"
    assert "15 rows" in note.message and "all of them are in book.Charges.csv" in note.message
    assert "keeps the latest months (2026-09 to 2026-10, 9 rows)" in note.message


def test_with_a_store_the_whole_table_goes_to_the_store(clinic_books, tmp_path, monkeypatch):
    monkeypatch.setattr(sheet_limits, "MAX_SHEET_ROWS", 11)
    notes = []
    store = tmp_path / "store"
    out = write_outputs(clinic_books["Northside"], [charges({"2026-08": 6, "2026-09": 5, "2026-10": 4})], [],
                        out=tmp_path / "book.xlsx", notes=notes, overflow=Overflow(store, "Northside", write_table))
    assert months_on_sheet(out) == {"2026-10": 4, "2026-09": 5}
    stored = pq.read_table(store / "charges", partitioning="hive")
    assert stored.num_rows == 15 and sum(stored.column("charge").to_pylist()) == Decimal("2253.75")
    assert Counter(stored.column("month").to_pylist()) == {"2026-08": 6, "2026-09": 5, "2026-10": 4}
    [note] = notes
    assert note.rule_id == "store.rows-to-store" and "in the store at store/charges/clinic=Northside" in note.message
    assert not (tmp_path / "book.Charges.csv").exists()
    findings = read_output_table(out, "Findings")
    assert findings[0]["Rule ID"] == "store.rows-to-store" and findings[0]["Sheet"] == "Charges"


def test_a_month_longer_than_a_sheet_keeps_its_latest_days(tmp_path):
    table = charges({"2026-10": 20})
    kept, months = sheet_limits.latest_rows(table, 5)
    assert months == ["2026-10"] and sorted(r[1].day for r in kept) == [16, 17, 18, 19, 20]


def test_the_month_run_sends_a_long_charges_sheet_to_the_store_in_the_settings(tmp_path, monkeypatch):
    clinic = Clinic(seed=11, encounters=60, hospital=False)
    rows = clinic.rows_by_table()
    settings = {row[0]: row for row in rows["Settings"]}
    settings["Store Folder"][1] = "store"  # beside the book
    settings["Practice Name"][1] = "Northside"
    book = write_rows(tmp_path / "Northside.xlsx", rows)
    monkeypatch.setattr(sheet_limits, "MAX_SHEET_ROWS", 101)  # a hundred rows under the header
    run = run_workbook(book, ["validate", "code"], out=tmp_path / "Northside.billing.xlsx")
    coded = next(t for t in run.tables if t.name == "Charges")
    per_month = Counter(f"{r[coded.columns.index('Date of Service')]:%Y-%m}" for r in coded.rows)
    assert len(coded.rows) > 100
    kept = Counter()
    for month in sorted(per_month, reverse=True):  # the latest whole months that fit in a hundred rows
        if sum(kept.values()) + per_month[month] > 100:
            break
        kept[month] = per_month[month]
    assert months_on_sheet(run.output) == kept
    stored = pq.read_table(tmp_path / "store" / "charges", partitioning="hive")
    assert stored.num_rows == len(coded.rows)
    assert set(stored.column("clinic").to_pylist()) == {"Northside"}
    assert [f.rule_id for f in run.findings if f.rule_id.startswith(("store.", "writer."))] == ["store.rows-to-store"]


def test_a_store_that_cannot_be_written_sends_the_table_to_a_csv_and_says_why(clinic_books, tmp_path, monkeypatch):
    monkeypatch.setattr(sheet_limits, "MAX_SHEET_ROWS", 11)
    notes = []
    write_outputs(clinic_books["Northside"], [charges({"2026-09": 8, "2026-10": 7})], [], out=tmp_path / "book.xlsx",
                  notes=notes, overflow=Overflow(tmp_path / "store", "Northside"))  # pyarrow missing: no writer
    assert [n.rule_id for n in notes] == ["store.unavailable", "writer.rows-to-csv"]
    assert (tmp_path / "book.Charges.csv").exists() and not (tmp_path / "store").exists()
