"""Reader benchmark: how fast a biller's workbook with 100,000 administrations turns into typed rows.

Target (issue 2): 100,000 administration rows read in under 10 s on this 2-core machine.
Prints rows per second for the raw cell read (python-calamine), the typed read (pydantic models,
lenient values, keys, references) and the openpyxl fallback used where calamine is not available.

    .venv/bin/python bench/bench_reader.py [--rows 100000]
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


def build(path: Path, n_admin: int) -> None:
    """A synthetic workbook: n_admin administrations over n_admin/4 encounters (write-only, fast)."""
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

    n_enc = max(1, n_admin // 4)
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
            yield [f"E{i // 4:07d}", f"A{i:08d}", "infliximab", "J1745", "Chemo/Complex", 400, "mg", 0,
                   "Single-dose", "IV infusion", start, dt.time(min(start.hour + 2, 23), start.minute), 0,
                   "L forearm", f"B{i}", "Primary", "Y", "57894-030-01"]

    ws = wb.create_sheet("Administrations")
    ws.append(header)
    for row in admins():
        ws.append(row)
    ws.add_table(_table("Administrations", header, n_admin))
    wb.save(path)


def _table(name, header, rows):
    """An Excel Table with its column names (write-only mode does not fill them in)."""
    from openpyxl.worksheet.table import Table

    table = Table(displayName=name, ref=f"A1:{chr(64 + len(header))}{rows + 1}")
    table._initialise_columns()
    for column, text in zip(table.tableColumns, header):
        column.name = text
    return table


def timed(label: str, rows: int, func):
    t0 = time.perf_counter()
    result = func()
    secs = time.perf_counter() - t0
    print(f"{label:<42} {secs:7.2f} s   {rows / secs:>10,.0f} rows/s")
    return result, secs


def main(argv=None) -> int:
    warnings.filterwarnings("ignore", module="openpyxl")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--skip-openpyxl", action="store_true", help="skip the slow fallback reader")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.xlsx"
        t0 = time.perf_counter()
        build(path, args.rows)
        print(f"built {args.rows:,} administrations in {time.perf_counter() - t0:.1f} s "
              f"({path.stat().st_size / 1e6:.1f} MB)")
        names = [t.name for t in reader.INPUT_TABLES]
        grids, raw = timed("raw cells (calamine)", args.rows, lambda: reader.load_grids(path, names))
        book, typed = timed("typed read_workbook (calamine)", args.rows, lambda: reader.read_workbook(path))
        assert len(book.rows("Administrations")) == args.rows, "every row must read"
        assert not [f for f in book.findings if f.severity.value == "error"], "synthetic rows are clean"
        if not args.skip_openpyxl:
            timed("raw cells (openpyxl fallback)", args.rows, lambda: reader._load_grids_openpyxl(path, names))
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS {peak_mb:,.0f} MB; typed read {typed:.2f} s vs target 10 s "
              f"({'OK' if typed < 10 else 'OVER TARGET'}), ratio to target {typed / 10:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
