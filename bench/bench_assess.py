"""Assessment benchmark: a client with N encounters over their months (835s + 837s + infusion log).

Target (issue 11): a 100,000-encounter client assessed in under 2 minutes on one core.

The client's files are made the way the demo makes its own: the synthetic clinic (``demo.clinic``) is
written as the infusion log, coded, checked and billed (claims, export-837: the 837s), and
``demo.leaks.client_kit`` has the payer simulator answer those claims (the 835s, one per payer and
weekly check date). The assessment (read, figures, coding review, workbook) then runs in its own
process, so its wall time, CPU time and peak resident memory (ru_maxrss) are its own.

    .venv/bin/python bench/bench_assess.py                     # 100,000 encounters
    .venv/bin/python bench/bench_assess.py --encounters 5000

Measured 2026-12-07 on the shared 2-core box while the full test suite and other helpers' jobs ran
(wall time 5-6x the process's CPU time):
  5,000 encounters (4,816 claims, 13 weekly 835s): assess 17.1 s wall, 2.7 s CPU, write 0.6 s, peak 202 MB
  20,000 encounters (19,626 claims): assess 69.2 s wall, 11.0 s CPU, write 0.7 s, peak 493 MB
  100,000 encounters: not measured yet (making the client files alone takes about 10 minutes here);
  CPU and memory grow linearly above, which projects about 55 s CPU and 2 GB peak.
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encounters", type=int, default=100_000)
    args = parser.parse_args(argv)

    from infusion_billing.demo.clinic import Clinic, write_clinic
    from infusion_billing.demo.leaks import client_kit
    from infusion_billing.pipeline import RunOptions, run_workbook

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        clinic = Clinic(encounters=args.encounters)
        source = write_clinic(clinic, folder / "clinic.xlsx")
        run = run_workbook(source, ["code", "check", "claims", "export-837"],
                           options=RunOptions(out_dir=folder / "837", as_of=clinic.as_of), write=False)
        assert run.book is not None
        kit = client_kit(run.book, folder / "kit", plant=False)
        made = time.perf_counter() - t0
        run = subprocess.run([sys.executable, "-c", ASSESS, str(folder)], capture_output=True, text=True, check=True)
        figures = json.loads(run.stdout)
        figures |= {"encounters": args.encounters, "client_files_s": round(made, 1),
                    "remit_files": len(list(kit.remits.iterdir())), "target_s": 120}
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
