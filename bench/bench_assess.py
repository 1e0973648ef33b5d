"""Assessment benchmark: a client with N encounters over their months (835s + 837s + infusion log).

Target (issue 11): a 100,000-encounter client assessed in under 2 minutes on one core.

The client's files are made the way the demo makes its own: the synthetic clinic (``demo.clinic``) is
written as the infusion log, coded, checked and billed (claims, export-837: the 837s), and
``demo.leaks.client_kit`` has the payer simulator answer those claims (the 835s, one per payer and
weekly check date). The assessment (read, figures, coding review, workbook) then runs in its own
process, so its wall time, CPU time and peak resident memory (ru_maxrss) are its own.

    .venv/bin/python bench/bench_assess.py                     # 100,000 encounters
    .venv/bin/python bench/bench_assess.py --encounters 5000
    .venv/bin/python bench/bench_assess.py --encounters 20000 --keep /tmp/client20k   # files kept, reused

Measured 2026-12-07 on the shared 2-core box under a load average of 14-15 (other helpers' test suites),
so wall time is 10-20x the process's CPU time; CPU time is the one-core figure. The demo clinic's
calendar is three months, so N encounters stand for a client of N/12 visits a month over a year (20
weekly 835s instead of about 260: file count is not what costs time).
  20,000 encounters (19,160 claims, 20 835s, 837s + log): assess 11.1 s CPU (231.8 s wall), write 7.9 s
  wall, peak 597 MB; in-process breakdown after the figures fix (adjustments read as tuples, not
  to_dict records): reading the log workbook 4.2 s, 835s 1.2 s, 837s 1.1 s, figures 0.9 s, coding
  review 2.0 s (coding the log 0.9 s), 9.7 s in all.
  100,000 encounters (95,861 claims adjudicated, 20 835s, 837s + log; making the files took 1,676 s wall):
  assess 57.4 s CPU (360.4 s wall under that load), write 4.6 s wall, peak 2,501 MB: inside the 2-minute
  target on one core.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ASSESS = """
import json, resource, sys, time
from pathlib import Path
from infusion_billing.assess import assess, write_assessment
folder = Path(sys.argv[1])
t0, c0 = time.perf_counter(), time.process_time()
result = assess([folder / "kit" / "835"], [folder / "837"], encounters=folder / "clinic.xlsx", salt="bench")
t1 = time.perf_counter()
write_assessment(result, folder / "assessment.xlsx")
print(json.dumps({"assess_s": round(t1 - t0, 1), "write_s": round(time.perf_counter() - t1, 1),
                  "cpu_s": round(time.process_time() - c0, 1),
                  "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                  "coding_rows": len(result.coding_rows), "claims": result.figures.kpis["claims_adjudicated"]}))
"""


def make_client(folder: Path, encounters: int) -> int:
    """Write the client's files into ``folder``: clinic.xlsx (the log), 837/ and kit/835/; the 835 file count."""
    from infusion_billing.demo.clinic import Clinic, write_clinic
    from infusion_billing.demo.leaks import client_kit
    from infusion_billing.pipeline import RunOptions, run_workbook

    clinic = Clinic(encounters=encounters)
    source = write_clinic(clinic, folder / "clinic.xlsx")
    run = run_workbook(source, ["code", "check", "claims", "export-837"],
                       options=RunOptions(out_dir=folder / "837", as_of=clinic.as_of), write=False)
    assert run.book is not None
    return len(list(client_kit(run.book, folder / "kit", plant=False).remits.iterdir()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encounters", type=int, default=100_000)
    parser.add_argument("--keep", metavar="DIR", type=Path,
                        help="make the client's files in DIR and keep them; a DIR that has them is reused")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        if (folder / "kit" / "835").is_dir():
            remit_files = len(list((folder / "kit" / "835").iterdir()))
        else:
            remit_files = make_client(folder, args.encounters)
        made = time.perf_counter() - t0
        run = subprocess.run([sys.executable, "-c", ASSESS, str(folder)], capture_output=True, text=True, check=True)
        figures = json.loads(run.stdout)
        figures |= {"encounters": args.encounters, "client_files_s": round(made, 1), "remit_files": remit_files,
                    "target_s": 120}
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
