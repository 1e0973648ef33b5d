"""``infusion-billing run`` codes and checks a month without loading the libraries of the later stages.

pandas, pyarrow and fpdf serve the 835 import, the KPIs, the store and the PDF statements; a plain run
(validate, code, check) needs none of them, and loading them costs about 140 MiB of the 800 MiB a
100,000-encounter run may peak at (issue 16; bench/bench_run.py). Each case runs the command line in
a fresh Python, as a biller's terminal does, and asks that process which of them it loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys

from infusion_billing.workbook.writer import read_output_table

LATER_LIBRARIES = ("pandas", "pyarrow", "numpy", "fpdf", "duckdb", "docx")

#: The command line's own entry point, then the later-stage libraries this process holds, as JSON.
PROBE = """
import json, sys
from infusion_billing.cli import main
code = main(sys.argv[1:])
print(json.dumps([code, sorted(m for m in {libraries!r} if m in sys.modules)]))
"""


def run_and_list_libraries(*argv: str) -> tuple[int, list[str]]:
    done = subprocess.run([sys.executable, "-c", PROBE.format(libraries=LATER_LIBRARIES), *argv],
                          capture_output=True, text=True, check=True)
    code, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    return code, loaded


def test_run_codes_the_infliximab_visit_without_pandas_pyarrow_or_fpdf(book_factory, tmp_path):
    out = tmp_path / "clinic.billing.xlsx"
    code, loaded = run_and_list_libraries("run", str(book_factory()), "-o", str(out))
    assert code == 0
    assert loaded == []
    charges = read_output_table(out, "Charges")
    assert [(row["Encounter ID"], row["Code"], row["Units"]) for row in charges] == [
        ("E001", "96413", 1), ("E001", "96415", 1), ("E001", "96375", 1), ("E001", "J1745", 40), ("E001", "J1200", 1)]


def test_the_month_close_still_loads_what_its_later_stages_need(book_factory, tmp_path):
    # The probe itself: the same process does load them when a stage after checking runs.
    code, loaded = run_and_list_libraries("close", str(book_factory()), "--month", "2026-09",
                                          "-o", str(tmp_path / "closed.xlsx"))
    assert code == 0
    assert {"pandas", "pyarrow", "fpdf"} <= set(loaded)
