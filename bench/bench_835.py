"""835 reader benchmark: ours, x12sdk and pyx12 on one 5,000-claim file; then 100 MB streamed.

Targets (issue 5): at least 10x faster than x12sdk and 25x faster than pyx12 on the same file, and a
100 MB file read in bounded memory. The file is x12sdk's own ``generate_835(seed=7, claims=5000)``
(the file docs/remits.md section 3.3 measured), or our synthetic infusion generator when x12sdk
is unavailable.

The peers are benchmark-only: they are pip-installed into a throwaway venv under /tmp, never into
the project's venv, and each runs in its own process. A peer that cannot be installed or imported
(no network, wrong Python) is skipped with the reason printed.

What each one does, best of ``--repeat`` runs, timed inside its process (no interpreter start-up):

* ours: ``read_835(path)``: all six tables as DataFrames with Decimal money, every balancing and
  control check as Findings; also the tokenizer alone (segments split, no tables);
* x12sdk: ``X12ModelReader(path).models()`` and ``claims()`` on each transaction (pydantic models);
* pyx12: ``X12ContextReader(...).iter_segments("2100")`` reading CLP04 of every claim.

The 100 MB file is read with ``iter_835(path, batch_claims=5000)`` in a fresh process that prints
its peak resident memory before and after; a 10 MB file is read the same way to show the peak does
not grow with the file.

    .venv/bin/python bench/bench_835.py [--claims 5000] [--repeat 3] [--big-mb 100] [--no-peers]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from infusion_billing.remits import read_835
from infusion_billing.remits.synthetic import synthetic_835
from infusion_billing.x12.tokenizer import SegmentStream

WORK = Path("/tmp/infusion-billing-bench-835")
PEER_VENV = Path("/tmp/infusion-billing-835-peers")
PEERS = ("x12sdk", "pyx12")
TARGETS = {"x12sdk": 10.0, "pyx12": 25.0}

PEER_SCRIPTS = {
    "x12sdk": """
        from x12sdk.io import X12ModelReader
        def run(path):
            with X12ModelReader(path) as reader:
                payments = list(reader.models())
            return sum(1 for p in payments for _claim in p.claims())
    """,
    "pyx12": """
        import pyx12.error_handler, pyx12.params, pyx12.x12context
        def run(path):
            claims = 0
            with open(path) as fd:
                reader = pyx12.x12context.X12ContextReader(pyx12.params.params(), pyx12.error_handler.errh_null(), fd)
                for tree in reader.iter_segments("2100"):
                    if tree.id == "2100":
                        tree.get_value("CLP04")
                        claims += 1
            return claims
    """,
}
TIMER = """
import json, sys, time
path, repeat = sys.argv[1], int(sys.argv[2])
best, claims = None, None
for _ in range(repeat):
    t0 = time.perf_counter()
    claims = run(path)
    elapsed = time.perf_counter() - t0
    best = elapsed if best is None else min(best, elapsed)
print(json.dumps({"seconds": best, "claims": claims}))
"""


# ----------------------------------------------------------------------------- peers


def peer_python() -> tuple[Path | None, dict[str, str]]:
    """The throwaway venv's python and, per peer, why it is unavailable (empty when it works)."""
    python = PEER_VENV / "bin" / "python"
    reasons: dict[str, str] = {}
    if not python.exists():
        print(f"installing {', '.join(PEERS)} into {PEER_VENV} (benchmark only) ...", flush=True)
        made = subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], capture_output=True, text=True)
        if made.returncode != 0:
            return None, {p: f"could not create a venv: {made.stderr.strip()[:200]}" for p in PEERS}
    for peer in PEERS:
        if _imports(python, peer):
            continue
        installed = subprocess.run([str(python), "-m", "pip", "install", "--quiet", peer],
                                   capture_output=True, text=True, timeout=900)
        if installed.returncode != 0 or not _imports(python, peer):
            reasons[peer] = "pip install failed: " + (installed.stderr.strip().splitlines() or ["?"])[-1][:200]
    return python, reasons


def _imports(python: Path, module: str) -> bool:
    return subprocess.run([str(python), "-c", f"import {module}"], capture_output=True).returncode == 0


def time_peer(python: Path, peer: str, path: Path, repeat: int) -> dict:
    script = textwrap.dedent(PEER_SCRIPTS[peer]) + TIMER
    done = subprocess.run([str(python), "-c", script, str(path), str(repeat)], capture_output=True, text=True,
                          timeout=3600)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1][:200]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_file(python: Path | None, reasons: dict[str, str], claims: int) -> tuple[Path, str]:
    WORK.mkdir(parents=True, exist_ok=True)
    if python is not None and "x12sdk" not in reasons:
        path = WORK / f"x12sdk_generate_835_seed7_{claims}.835"
        if not path.exists():
            code = ("from x12sdk.generate import generate_835; import sys; "
                    f"open(sys.argv[1], 'w').write(generate_835(seed=7, claims={claims}))")
            subprocess.run([str(python), "-c", code, str(path)], check=True, timeout=600)
        return path, f"x12sdk generate_835(seed=7, claims={claims})"
    path = WORK / f"synthetic_infusion_{claims}.835"
    path.write_text(synthetic_835(claims, seed=7))
    return path, f"infusion_billing synthetic_835({claims}, seed=7)"


# ----------------------------------------------------------------------------- ours


def time_ours(path: Path, repeat: int) -> tuple[float, float, object]:
    best_read = best_tokens = float("inf")
    remit = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        remit = read_835(path)
        best_read = min(best_read, time.perf_counter() - t0)
        t0 = time.perf_counter()
        with open(path, encoding="utf-8", errors="replace") as fh:
            for _delims, segments in SegmentStream(iter(lambda: fh.read(1 << 20), "")):
                for segment in segments:
                    segment.split("*")
        best_tokens = min(best_tokens, time.perf_counter() - t0)
    return best_read, best_tokens, remit


# ----------------------------------------------------------------------------- 100 MB streamed


def big_file(megabytes: int) -> Path:
    """``megabytes`` of 835: copies of a 2,000-claim interchange with their own control and trace numbers."""
    path = WORK / f"big_{megabytes}mb.835"
    target = megabytes * 1_000_000
    if path.exists() and path.stat().st_size >= target:
        return path
    block = synthetic_835(2000, payments=4, seed=99)
    with open(path, "w") as out:
        written, copy = 0, 0
        while written < target:
            copy += 1
            text = (block.replace("*000000001*0*T*", f"*{copy:09d}*0*T*")
                         .replace("IEA*1*000000001", f"IEA*1*{copy:09d}")
                         .replace("TRN*1*SYNEFT00001", f"TRN*1*SYNEFT{copy:05d}"))
            out.write(text)
            written += len(text)
    return path


STREAM = """
import resource, sys, time
from decimal import Decimal
import pandas  # imported before the baseline so the figure is the reading's own memory
from infusion_billing.remits import iter_835

def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

path = sys.argv[1]
before = rss_mb()
t0 = time.perf_counter()
claims = payments = unbalanced = findings = 0
paid = Decimal("0.00")
for batch in iter_835(path, batch_claims=5000):
    claims += len(batch.claims)
    payments += len(batch.payments)
    unbalanced += int((batch.payments["balanced"] != "Y").sum())
    paid += sum(batch.payments["payment_amount"], Decimal("0.00"))
    findings += len(batch.findings)
elapsed = time.perf_counter() - t0
print(f"{elapsed:.2f} {before:.0f} {rss_mb():.0f} {claims} {payments} {unbalanced} {findings} {paid}")
"""


def stream(path: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", STREAM, str(path)], capture_output=True, text=True, check=True)
    seconds, before, peak, claims, payments, unbalanced, findings, paid = done.stdout.split()
    return {"seconds": float(seconds), "rss_before": int(before), "rss_peak": int(peak), "claims": int(claims),
            "payments": int(payments), "unbalanced": int(unbalanced), "findings": int(findings), "paid": paid}


# ----------------------------------------------------------------------------- report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--big-mb", type=int, default=100)
    parser.add_argument("--no-peers", action="store_true", help="time ours only")
    args = parser.parse_args(argv)

    python, reasons = (None, {p: "skipped (--no-peers)" for p in PEERS}) if args.no_peers else peer_python()
    path, origin = test_file(python, reasons, args.claims)
    size_kb = path.stat().st_size / 1024
    ours, tokens, remit = time_ours(path, args.repeat)
    print(f"file: {path.name} ({origin}), {size_kb:,.0f} KB: {len(remit.claims):,} claims, {len(remit.lines):,} "
          f"lines, {len(remit.adjustments):,} adjustments; balanced: {remit.balanced}; findings: {len(remit.findings)}")
    print(f"best of {args.repeat} runs, seconds (lower is better):")
    print(f"  {'infusion_billing read_835 (tables + checks)':46s} {ours:8.3f}")
    print(f"  {'infusion_billing tokenizer only':46s} {tokens:8.3f}")
    failed = False
    for peer in PEERS:
        if peer in reasons:
            print(f"  {peer:46s}  skipped: {reasons[peer]}")
            continue
        timing = time_peer(python, peer, path, args.repeat)
        if "error" in timing:
            print(f"  {peer:46s}  failed: {timing['error']}")
            continue
        ratio = timing["seconds"] / ours
        verdict = "meets" if ratio >= TARGETS[peer] else "MISSES"
        failed |= ratio < TARGETS[peer]
        print(f"  {peer:46s} {timing['seconds']:8.3f}  = {ratio:5.1f}x ours ({verdict} the {TARGETS[peer]:.0f}x "
              f"target; {timing['claims']:,} claims)")

    small = big_file(max(1, args.big_mb // 10))
    big = big_file(args.big_mb)
    for label, file in ((f"{args.big_mb // 10} MB", small), (f"{args.big_mb} MB", big)):
        s = stream(file)
        mb = file.stat().st_size / 1e6
        print(f"streamed {label} ({mb:,.0f} MB): {s['seconds']:.1f} s ({mb / s['seconds']:.1f} MB/s), "
              f"{s['claims']:,} claims in {s['payments']:,} payments, {s['unbalanced']} unbalanced, "
              f"{s['findings']} findings; peak RSS {s['rss_peak']} MB (after imports {s['rss_before']} MB, "
              f"reading added {s['rss_peak'] - s['rss_before']} MB)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
