"""837 benchmark: write 100,000 infusion claims to an 837 file, then read the file back.

Targets (issue 8): 10 s for the writing and 10 s for the reading of 100,000 claims. The claims are
``infusion_billing.claims.samples.sample_claims(n)``: 2 to 5 lines each (administration codes, the
drug with its NDC, a JW waste line now and then), one in ten for a dependant, one in eight a
secondary claim carrying the primary payer's line adjudication (2320/2430).

Each phase runs in its own process so its peak resident memory (ru_maxrss) is its own; "before" is
that process's memory just before the timed call (for the writer: with the claims built). The
read is checked against what was written: the same claim IDs, the sum of CLM02 equal to the sum of
the line charges and to the writer's total, to the cent, and every REF*6R unique.

Measured 2026-12-07 on the shared 2-core box while other jobs ran (load average 8-9, so wall time
is about 3.7x the process's CPU time), 100,000 claims, 299,815 lines, 65 MB (837P) / 71 MB (837I):
  write: 837P 22.2 s wall, 6.0 s CPU, peak 333 MB (305 MB with the claims built); 837I 25.9 s wall, 6.7 s CPU
  read:  837P 18.0 s wall, 4.8 s CPU, peak 439 MB; 837I 16.1 s wall, 5.2 s CPU
  round trip: every claim back, sum of CLM02 = sum of line charges = written total, REF*6R unique.

    .venv/bin/python bench/bench_837.py                      # 100,000 claims, 837P and 837I
    .venv/bin/python bench/bench_837.py --claims 20000 --types 837P
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

TARGET_SECONDS = 10.0

WRITE = """
import json, resource, sys, time
from infusion_billing.claims import write_837
from infusion_billing.claims.samples import sample_batch, sample_claims
path, count, claim_type = sys.argv[1], int(sys.argv[2]), sys.argv[3]
t0 = time.perf_counter()
claims = sample_claims(count, claim_type=claim_type)
built = time.perf_counter() - t0
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t0 = time.perf_counter()
c0 = time.process_time()
written = write_837(claims, sample_batch(), path, claim_type=claim_type)
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "cpu": cpu, "built": built, "before": before, "peak": peak,
                  "claims": len(written.claim_ids), "lines": written.lines, "total": str(written.total_charge),
                  "held": len(written.held), "transactions": len(written.transactions)}))
"""

READ = """
import json, resource, sys, time
from decimal import Decimal
import pandas  # imported before the baseline so the figure is the reading's own memory
from infusion_billing.claims.reader import read_837
path = sys.argv[1]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t0 = time.perf_counter()
c0 = time.process_time()
read = read_837(path)
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
clm02 = sum(read.claims.total_charge, Decimal("0.00"))
lines = sum(read.lines.charge, Decimal("0.00"))
print(json.dumps({"seconds": seconds, "cpu": cpu, "before": before, "peak": peak, "claims": len(read.claims),
                  "lines": len(read.lines), "clm02": str(clm02), "line_charges": str(lines),
                  "unique_6r": bool(read.lines.line_control_number.is_unique),
                  "unbalanced": int((read.claims.balanced != "Y").sum()), "findings": len(read.findings)}))
"""


def run(script: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--types", nargs="+", default=["837P", "837I"], choices=["837P", "837I"])
    args = parser.parse_args()
    failed = False
    with tempfile.TemporaryDirectory(prefix="bench837-") as folder:
        for claim_type in args.types:
            path = Path(folder) / f"claims_{claim_type}.txt"
            w = run(WRITE, str(path), str(args.claims), claim_type)
            r = run(READ, str(path))
            size = path.stat().st_size / 1e6
            agree = (r["claims"] == w["claims"] == args.claims and r["lines"] == w["lines"]
                     and r["clm02"] == r["line_charges"] == w["total"] and r["unique_6r"]
                     and r["unbalanced"] == 0 and r["findings"] == 0)
            print(f"{claim_type}: {args.claims:,} claims, {w['lines']:,} lines, {w['transactions']} transactions, "
                  f"{size:.1f} MB; claims built in {w['built']:.1f} s")
            for name, phase in (("write", w), ("read", r)):
                mark = "ok" if phase["seconds"] <= TARGET_SECONDS * args.claims / 100_000 else "OVER TARGET"
                print(f"  {name:5s} {phase['seconds']:6.2f} s wall ({phase['cpu']:.2f} s CPU), "
                      f"{args.claims / phase['seconds']:,.0f} claims/s; memory {phase['before']:,.0f} MB before, "
                      f"peak {phase['peak']:,.0f} MB  [{mark}; target {TARGET_SECONDS:.0f} s per 100,000]")
            print(f"  round trip: sum CLM02 {r['clm02']} = line charges {r['line_charges']} = written {w['total']}; "
                  f"REF*6R unique: {r['unique_6r']}; findings: {r['findings']}  [{'ok' if agree else 'MISMATCH'}]")
            failed |= not agree
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
