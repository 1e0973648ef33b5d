"""Reader benchmark: how fast a biller's workbook turns into typed rows.

Target (issue 2): 100,000 administration rows read in under 10 s on this 2-core machine. The book is
synthetic: four administrations per encounter, so the default 25,000 encounters hold 100,000
administrations (the demo clinic gives about 3.4 administrations per encounter, so its 100,000-encounter
book holds about 340,000). Every line names both counts.

The whole read is split into its passes over the file, each timed on its own:

* the integrity check (the zip's central directory and a CRC pass over every part);
* the cells and the formula cells, streamed from the sheets' XML (what the tool reads with);
* the cells by python-calamine alone, for comparison (what the tool read with before, and reads a
  sheet with when the streamed reader does not take it apart);
* ``load_grids``: the check and the streamed cells together, as the tool runs them;
* ``read_workbook``: the typed read (pydantic models, lenient values, keys, references), the target;
* the openpyxl fallback used where calamine is not available (``--skip-openpyxl`` to leave it out).

    .venv/bin/python bench/bench_reader.py [--encounters 25000]
"""

from __future__ import annotations

import argparse
import warnings
import datetime as dt
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from infusion_billing.workbook import reader
from infusion_billing.workbook.reader import grids


ADMINS_PER_ENCOUNTER = 4


def build(path: Path, n_enc: int) -> int:
    """A synthetic workbook of ``n_enc`` encounters, four administrations each (write-only, fast).

    Returns the number of administrations."""
    import openpyxl
    from openpyxl.worksheet.table import Table

    rng = random.Random(7)
    wb = openpyxl.Workbook(write_only=True)

    def sheet(name, header, rows):
        ws = wb.create_sheet(name)
        ws.append(header)
        count = 0
        for row in rows:
            ws.append(row)
            count += 1
        ws.add_table(_table(name, header, count))

    n_admin = n_enc * ADMINS_PER_ENCOUNTER
    sheet("Payers", ["Payer ID", "Payer Name", "Payer Type"], [["MCR", "Medicare", "Medicare"]])
    sheet("Patients", ["Patient ID", "Last Name", "First Name", "Date of Birth"],
          ([f"P{i:05d}", "Synthetic", "Patient", dt.date(1950, 1, 1)] for i in range(500)))
    sheet("Encounters", ["Encounter ID", "Patient ID", "Payer ID", "Date of Service", "Setting"],
          ([f"E{i:07d}", f"P{i % 500:05d}", "MCR", dt.date(2026, 9, 1) + dt.timedelta(days=i % 90), "Facility"]
           for i in range(n_enc)))
    header = ["Encounter ID", "Admin ID", "Drug", "HCPCS", "Drug Class", "Dose", "Dose Unit", "Wasted", "Container",
              "Route", "Start", "Stop", "Interrupted Minutes", "IV Site", "Bag", "Purpose", "Necessity Documented",
              "NDC"]

    def admins():
        for i in range(n_admin):
            start = dt.time(8 + rng.randrange(6), rng.randrange(60))
            yield [f"E{i // ADMINS_PER_ENCOUNTER:07d}", f"A{i:08d}", "infliximab", "J1745", "Chemo/Complex", 400, "mg", 0,
                   "Single-dose", "IV infusion", start, dt.time(min(start.hour + 2, 23), start.minute), 0,
                   "L forearm", f"B{i}", "Primary", "Y", "57894-030-01"]

    ws = wb.create_sheet("Administrations")
    ws.append(header)
    for row in admins():
        ws.append(row)
    ws.add_table(_table("Administrations", header, n_admin))
    wb.save(path)
    return n_admin


def _table(name, header, rows):
    """An Excel Table with its column names (write-only mode does not fill them in)."""
    from openpyxl.worksheet.table import Table

    table = Table(displayName=name, ref=f"A1:{chr(64 + len(header))}{rows + 1}")
    table._initialise_columns()
    for column, text in zip(table.tableColumns, header):
        column.name = text
    return table


def timed(label: str, n_enc: int, n_admin: int, func):
    t0 = time.perf_counter()
    result = func()
    secs = time.perf_counter() - t0
    print(f"{label:<46} {secs:7.2f} s   {n_enc / secs:>9,.0f} encounters/s  {n_admin / secs:>10,.0f} administrations/s")
    return result, secs


def calamine_cells(path: Path, names: list[str]) -> int:
    """The tables' cells by python-calamine and nothing else: no integrity pass, no formula scan."""
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_path(str(path), load_tables=True)
    cells = 0
    for table in wb.table_names:
        if reader.match_table_name(names, table):
            cells += sum(len(r) for r in wb.get_table_by_name(table).to_python())
    return cells


def streamed_cells(path: Path, names: list[str]) -> int:
    """The tables' cells streamed from their sheets' XML (what the tool reads with): no integrity pass."""
    import zipfile

    from infusion_billing.workbook.reader import sheetxml

    cells = 0
    with zipfile.ZipFile(path) as z:
        package = sheetxml.open_package(z)
        for name, table in package.tables.items():
            if reader.match_table_name(names, name):
                cells += sum(len(r) for r in sheetxml.read_grid(z, package, table.sheet, table).rows)
    return cells


def openpyxl_cells(path: Path, names: list[str]) -> dict:
    """Every table's grid through the pure-Python fallback (what Pyodide runs)."""
    tables = grids.WorkbookGrids(path, names, pure_python=True)
    return {name: tables[name] for name in tables}


def main(argv=None) -> int:
    warnings.filterwarnings("ignore", module="openpyxl")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encounters", type=int, default=25_000)
    parser.add_argument("--skip-openpyxl", action="store_true", help="skip the slow fallback reader")
    args = parser.parse_args(argv)
    n_enc = args.encounters
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.xlsx"
        t0 = time.perf_counter()
        n_admin = build(path, n_enc)
        print(f"built {n_enc:,} encounters with {n_admin:,} administrations in {time.perf_counter() - t0:.1f} s "
              f"({path.stat().st_size / 1e6:.1f} MB)")
        names = [t.name for t in reader.INPUT_TABLES]
        timed("integrity check (zip CRC pass)", n_enc, n_admin, lambda: reader.check_is_workbook(path))
        timed("cells and formulas, streamed from the XML", n_enc, n_admin, lambda: streamed_cells(path, names))
        timed("cells, python-calamine alone (for comparison)", n_enc, n_admin, lambda: calamine_cells(path, names))
        timed("load_grids (check + streamed cells)", n_enc, n_admin, lambda: reader.load_grids(path, names))
        book, typed = timed("typed read_workbook", n_enc, n_admin, lambda: reader.read_workbook(path))
        assert len(book.rows("Administrations")) == n_admin, "every row must read"
        assert len(book.rows("Encounters")) == n_enc, "every encounter must read"
        assert not [f for f in book.findings if f.severity.value == "error"], "synthetic rows are clean"
        if not args.skip_openpyxl:
            timed("raw cells (openpyxl fallback)", n_enc, n_admin, lambda: openpyxl_cells(path, names))
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        target = 10 * n_admin / 100_000
        print(f"peak RSS {peak_mb:,.0f} MB; typed read of {n_admin:,} administrations ({n_enc:,} encounters) "
              f"{typed:.2f} s vs target {target:.1f} s ({'OK' if typed < target else 'OVER TARGET'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
