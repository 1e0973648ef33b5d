"""Claims benchmark, end to end: build, scrub and write 100,000 claims from a clinic workbook, read them back.

The clinic is the demo's (seeded, synthetic) with ``--encounters`` visits (default 100,000), written
as an input workbook; then, in one process, as ``infusion-billing claims`` and ``export-837`` run:

* read: the workbook read and typed;
* code + check: the coding engine and the pre-bill checks (the claims stage starts from their verdict);
* claims: ledger rows built for every Ready encounter, split where needed, and scrubbed (NCCI PTP and
  MUE, coverage rules, payer rules, the 837 writer's data checks);
* export-837: the Ready claims written as one 837 per payer and claim type;
* read_837: the files read back, checked against the ledger (same claim IDs, sum of CLM02 equal to
  the ledger's Total Charge to the cent).

Targets (issue 8): 10 s each for writing and for reading the 837s of 100,000 claims; the end-to-end
time and the peak resident memory (ru_maxrss) are reported.

Measured 2026-12-07 on the shared 2-core box while other jobs ran (load average 8-9: wall time was
7-8 times the process's CPU time), 100,000 encounters of the demo clinic: 96,585 claims built, 0 held,
96,585 written (325,223 lines, 55 MB, 5 files), every claim read back, sum of CLM02 = the ledger's
Total Charge = 139,822,361.94:

  read workbook 193.9 s wall / 25.4 s CPU; code + check 105.6 / 13.7; claims build + scrub 113.5 / 15.0;
  export-837 (ledger read, claims assembled, 837s written) 127.2 / 17.5; read_837 65.3 / 8.7;
  end to end 614.8 s wall, peak memory 2,230 MB (the typed workbook: see STAGE_LIMIT in demo/clinic.py).

So reading the 837s is within the 10 s target in CPU time, and export-837 is not (17.5 s CPU, of which
the 837 writer itself is about 6 s, bench_837.py); neither is in wall time on this loaded machine.

Export-837 made faster (profiled at 10,000 encounters: the ledger read was a third of it, the claims'
payer/insured loops and the writer's value check most of the rest): the ledger is read straight from
the sheets' grids (claims.ledger.read_ledger, no record dict per row; 0.31 -> 0.20 s per 10,000
claims), each patient's payer/insured/patient loops are built once per coverage row (to_claim) and
their segments once per person (the writer), the writer's one-pass check of a claim's coded values
no longer fails on its own separator (it joined them with NUL, a forbidden character, so every claim
took the slow per-value path), and the rendering provider's NPI is validated once per NPI. Before
and after, measured in one session, both processes running side by side on the shared 2-core box
(load average about 11), 30,000 encounters (29,332 claims written, 95,804 lines, 18 MB, 6 files):

  before: claims build + scrub 3.7 s CPU; export-837 53.2 s wall / 4.4 s CPU; read_837 2.3 s CPU
  after:  claims build + scrub 3.2 s CPU; export-837 37.6 s wall / 3.1 s CPU; read_837 2.4 s CPU

that is export-837 30 % less CPU, about 10.3 s CPU per 100,000 claims instead of 14.7 (the 837
writing alone, bench_837.py, stays within 10 s per 100,000 in CPU time).

    .venv/bin/python bench/bench_claims.py                    # 100,000 encounters
    .venv/bin/python bench/bench_claims.py --encounters 20000
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

TARGET_SECONDS = 10.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encounters", type=int, default=100_000)
    args = parser.parse_args(argv)

    from infusion_billing.checks import stage as check_stage
    from infusion_billing.claims.reader import read_837
    from infusion_billing.claims.ledger import SUBMITTED
    from infusion_billing.claims.stage import ledger_of, run_claims, run_export
    from infusion_billing.coding.engine import code_book
    from infusion_billing.demo.clinic import AS_OF, Clinic, write_clinic
    from infusion_billing.gcpause import paused_cycle_collector
    from infusion_billing.pipeline import RunOptions, tables_needed
    from infusion_billing.workbook.reader import Grid, read_workbook

    def share(result) -> None:  # what the pipeline does between stages: later stages read these tables
        for table in result.tables:
            book.extra_grids[table.name] = Grid(table.name, [list(table.columns), *table.rows])

    times: dict[str, float] = {}
    cpu: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        clinic = Clinic(encounters=args.encounters)
        source = write_clinic(clinic, folder / "clinic.xlsx")
        times["generate + write workbook"] = time.perf_counter() - t0
        start = time.perf_counter()

        t0, c0 = time.perf_counter(), time.process_time()
        book = read_workbook(source, tables_needed(["claims"]))
        times["read"], cpu["read"] = time.perf_counter() - t0, time.process_time() - c0
        options = RunOptions(out_dir=folder / "837", as_of=AS_OF)
        with paused_cycle_collector():
            t0, c0 = time.perf_counter(), time.process_time()
            code_book(book)
            check_stage.run(book, options)
            times["code + check"], cpu["code + check"] = time.perf_counter() - t0, time.process_time() - c0

            t0, c0 = time.perf_counter(), time.process_time()
            claims = run_claims(book, options)
            times["claims: build + scrub"] = time.perf_counter() - t0
            cpu["claims: build + scrub"] = time.process_time() - c0
            share(claims)

            t0, c0 = time.perf_counter(), time.process_time()
            export = run_export(book, options)
            times["export-837 (write)"] = time.perf_counter() - t0
            cpu["export-837 (write)"] = time.process_time() - c0
            share(export)

        t0, c0 = time.perf_counter(), time.process_time()
        files = sorted((folder / "837").glob("*.837"))
        reads = [read_837(p) for p in files]
        times["read_837"], cpu["read_837"] = time.perf_counter() - t0, time.process_time() - c0
        end_to_end = time.perf_counter() - start

        ledger = [c for c in ledger_of(book) if c.status == SUBMITTED]
        read_ids = [i for r in reads for i in r.claims["claim_id"]]
        total_read = sum((r.claims["total_charge"].sum() for r in reads), Decimal("0.00"))
        total_ledger = sum((c.total_charge for c in ledger), Decimal("0.00"))
        size = sum(p.stat().st_size for p in files)
        lines = sum(len(r.lines) for r in reads)

    print(f"{args.encounters:,} encounters: {claims.summary['claims built']:,} claims built, "
          f"{claims.summary['claims held by the scrubber']:,} held by the scrubber, "
          f"{export.summary['claims written']:,} written ({lines:,} lines) to {len(files)} files, "
          f"{size / 1e6:.0f} MB")
    for name, seconds in times.items():
        print(f"  {name}: {seconds:.1f} s" + (f" wall, {cpu[name]:.1f} s CPU" if name in cpu else ""))
    print(f"  end to end (read workbook to 837s read back): {end_to_end:.1f} s; peak memory {_peak_mb():,.0f} MB")
    ok = sorted(read_ids) == sorted(c.claim_id for c in ledger) and total_read == total_ledger
    print(f"  round trip: {'every claim back, sum of CLM02 = ledger Total Charge' if ok else 'MISMATCH'} "
          f"({total_read:,})")
    for name in ("export-837 (write)", "read_837"):
        verdict = "within" if times[name] <= TARGET_SECONDS else "over"
        print(f"  {name}: {verdict} the {TARGET_SECONDS:.0f} s target in wall time "
              f"({'within' if cpu[name] <= TARGET_SECONDS else 'over'} in CPU time)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
