"""Demo benchmark: time and peak memory to generate and write the synthetic clinic.

Each size runs in its own process so its peak resident memory (ru_maxrss) is its own. Generation
and writing stream a visit at a time (rows go straight into each sheet's XML), so memory should stay
flat as the encounters grow; ``--stages`` also runs every pipeline stage (validate, code, check) and
writes the result workbook, which holds the whole workbook in memory.

    .venv/bin/python bench/bench_demo.py                      # 1,500 and 100,000 encounters
    .venv/bin/python bench/bench_demo.py --sizes 1000000      # the million-encounter run
    .venv/bin/python bench/bench_demo.py --sizes 1500 --stages
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


def one(size: int, stages: bool) -> dict:
    """Generate + write ``size`` encounters (and run the stages when asked) in this process."""
    import io
    import warnings

    from infusion_billing.demo.clinic import Clinic, run_demo, write_clinic

    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.xlsx"
        t0 = time.perf_counter()
        if stages:
            run_demo(path, encounters=size, out=io.StringIO())
            admins = None
        else:
            clinic = Clinic(encounters=size)
            write_clinic(clinic, path)
            admins = clinic.administration_count
        seconds = time.perf_counter() - t0
        size_mb = sum(p.stat().st_size for p in Path(tmp).glob("*.xlsx")) / 1e6
    return {"encounters": size, "administrations": admins, "seconds": round(seconds, 1),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, "file_mb": round(size_mb, 1)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1500, 100_000])
    parser.add_argument("--stages", action="store_true", help="also run every stage and write the results")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(one(args.one, args.stages)))
        return 0
    what = "generate + write + stages" if args.stages else "generate + write"
    for size in args.sizes:
        cmd = [sys.executable, __file__, "--one", str(size)] + (["--stages"] if args.stages else [])
        result = json.loads(subprocess.check_output(cmd).decode().strip().splitlines()[-1])
        admins = f"{result['administrations']:,} administrations, " if result["administrations"] else ""
        rate = size / result["seconds"] if result["seconds"] else float("inf")
        print(f"{what}: {size:,} encounters ({admins}{result['file_mb']} MB on disk) in {result['seconds']} s "
              f"({rate:,.0f} encounters/s), peak memory {result['peak_mb']} MB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
