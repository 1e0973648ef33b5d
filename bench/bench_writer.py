"""Writer benchmark: time and peak memory to write a big Charges sheet into a copy of a big workbook.

The input is the synthetic clinic (100,000 encounters is a 30 MB .xlsx with 360,000 administrations);
the result is 500,000 Charges rows written with ``write_outputs(..., out=..., stage="code")``. The
write runs in its own process so its peak resident memory (ru_maxrss) is its own; "rows" is that
process's memory after building the rows (the caller's list), before the writer starts.

Measured 2026-11-27 on the shared 2-core box (30.5 MB input, 500,000 rows; the rows list alone is 197 MB):
  openpyxl writer (load the whole book, replace sheets, save): 467 s, peak 4,665 MB
  package writer (copy every part, stream the new sheets):      9.5-12.6 s, peak 188-202 MB (+5 MB over the rows)

    .venv/bin/python bench/bench_writer.py                         # 100,000 encounters, 500,000 rows
    .venv/bin/python bench/bench_writer.py --encounters 20000 --rows 100000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def charges(n: int) -> list[list]:
    """``n`` Charges rows shaped like the coding stage's (values shared, as the engine's are)."""
    from datetime import date
    from decimal import Decimal

    codes = ["96413", "96415", "J1745", "96365", "96366", "J1200", "96374"]
    prices = [Decimal("420.10"), Decimal("98.00"), Decimal("1234.05"), Decimal("210.55")]
    days = [date(2026, 9, d) for d in range(1, 29)]
    return [[f"E{i // 5:07d}", i % 5 + 1, days[i % 28], codes[i % 7], "JZ" if i % 7 == 2 else None, 1 + i % 40,
             prices[i % 4], "57894003001" if i % 7 == 2 else None, "UN" if i % 7 == 2 else None,
             1 if i % 7 == 2 else None, f"A{i:08d}", "coding.initial-infusion", "first hour of the primary infusion"]
            for i in range(n)]


def write(source: str, rows: int, out: str) -> dict:
    """Write ``rows`` Charges rows into a copy of ``source`` (in this process)."""
    import warnings

    from infusion_billing.coding.lines import CHARGE_COLUMNS
    from infusion_billing.workbook.writer import OutputTable, write_outputs

    warnings.simplefilter("ignore")
    table = OutputTable("Charges", list(CHARGE_COLUMNS), charges(rows))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    written = write_outputs(source, [table], [], out=out, stage="code")
    return {"rows": rows, "seconds": round(time.perf_counter() - t0, 1), "cpu_seconds": round(time.process_time() - cpu0, 1),
            "rss_with_rows_mb": before, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            "input_mb": round(Path(source).stat().st_size / 1e6, 1), "output_mb": round(written.stat().st_size / 1e6, 1)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encounters", type=int, default=100_000, help="size of the synthetic input workbook")
    parser.add_argument("--rows", type=int, default=500_000, help="Charges rows to write")
    parser.add_argument("--input", help="use this workbook instead of generating one")
    parser.add_argument("--one", nargs=3, metavar=("SOURCE", "ROWS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(write(args.one[0], int(args.one[1]), args.one[2])))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        source = args.input
        if source is None:
            from infusion_billing.demo.clinic import Clinic, write_clinic

            source = str(Path(tmp) / "input.xlsx")
            write_clinic(Clinic(encounters=args.encounters), source)
        out = str(Path(tmp) / "output.xlsx")
        result = subprocess.run([sys.executable, __file__, "--one", source, str(args.rows), out],
                                capture_output=True, text=True, check=True)
        print(result.stdout.strip())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
