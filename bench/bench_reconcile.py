"""Reconciliation benchmark: post and reconcile 100,000 claim lines against their remits.

Target (issue 9): 10 s for 100,000 claim lines. The ledger is synthetic (``--lines`` lines, three per
claim: an administration, a drug and an add-on, four payers, one rate change in the month), and so
are its remits, built as the ERA sheets hold them after ``import-era`` (money back from Excel as
float): every line paid once, one in twenty denied, one in forty underpaid, one in a hundred reversed
and corrected, with CO-45, PR-2 and (Medicare) CO-253 adjustments. The timed call is what the
``reconcile`` stage does after reading the book: read the ERA rows into events, match them to the
ledger, net every line's events against the contract and build the four sheets' rows. The run is
checked: every remit line matched, every line's status as planted, the additivity identities.

Measured 2026-12-07 on the shared 2-core box while the whole test suite ran beside it (niced, so the
wall time says little; the process's CPU time is the figure to compare with the target):
  99,999 claim lines against 102,003 remit lines (227,341 adjustments): 5.6 s CPU, 102.6 s wall;
  memory 290 MB before (ledger and ERA rows built), peak 694 MB; every line as planted, none unmatched,
  every adjudicated line additive.

    .venv/bin/python bench/bench_reconcile.py                 # 100,000 lines
    .venv/bin/python bench/bench_reconcile.py --lines 20000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

TARGET_SECONDS = 10.0

RUN = r"""
import json, resource, sys, time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from infusion_billing.claims.ledger import LedgerClaim, LedgerLine
from infusion_billing.posting.contract import Contract, FeeSchedule, Rate, Tolerance, cents
from infusion_billing.gcpause import paused_cycle_collector
from infusion_billing.posting.reconcile import Reconciler, reconcile_rows, sheet_rows

lines_wanted = int(sys.argv[1])
payers = ("MCR", "BCB", "AET", "MCD")
codes = (("96413", Decimal("410.00"), Decimal("142.35"), 1), ("J9312", Decimal("95.00"), Decimal("33.10"), 70),
         ("96415", Decimal("95.00"), Decimal("30.12"), 3))
rates = []
for p in payers:
    for code, _, rate, _ in codes:
        rates.append(Rate(p, code, "", rate, date(2026, 1, 1), date(2026, 6, 30)))
        rates.append(Rate(p, code, "", cents(rate * Decimal("1.02")), date(2026, 7, 1), None))
fees = FeeSchedule(rates)
claims, era = [], {"EraPayments": [], "EraClaims": [], "EraLines": [], "EraAdjustments": []}
planted = Counter()
n_claims = lines_wanted // 3
for p_no, payer in enumerate(payers, start=1):
    era["EraPayments"].append({"File": f"{payer}.835", "Payment No": 1, "Trace Number": f"T{payer}",
                               "Payment Date": date(2026, 9, 1)})
claim_no = Counter()
for i in range(n_claims):
    payer = payers[i % 4]
    dos = date(2026, 6, 1) + timedelta(days=i % 60)
    cid = f"E{i:07d}"
    lines = tuple(LedgerLine(cid, n, f"{cid}-{n}", cid, dos, code, (), Decimal(units), charge * units)
                  for n, (code, charge, _, units) in enumerate(codes, start=1))
    claims.append(LedgerClaim(cid, cid, f"P{i % 5000}", payer, "Primary", "837P", "1", "", "", dos, dos,
                              sum(ln.charge for ln in lines), "Submitted", "b.837", date(2026, 8, 1), lines))
    outcomes = ["paid"]
    if i % 100 == 7:
        outcomes = ["short", "reversal", "paid"]
    for outcome in outcomes:
        claim_no[payer] += 1
        c_no = claim_no[payer]
        era["EraClaims"].append({"File": f"{payer}.835", "Payment No": 1, "Claim No": c_no,
                                 "Patient Control Number": cid, "Claim Status": "22" if outcome == "reversal" else "1",
                                 "Payer Claim Number": f"ICN{i}"})
        for ln in lines:
            rate = fees.rate(payer, ln.code, (), dos)
            expected = min(cents(rate * ln.units), ln.charge)
            sign = -1 if outcome == "reversal" else 1
            denied = outcome == "paid" and i % 20 == 3 and ln.line == 2
            allowed = Decimal("0.00") if denied else expected
            short = outcome in ("short", "reversal") and ln.line == 1
            if short or (outcome == "paid" and i % 40 == 11 and ln.line == 3):
                allowed = cents(expected * Decimal("0.9"))
            status = "Denied" if denied else "Underpaid" if allowed < expected else "Paid as expected"
            if outcome == "paid":
                planted[status] += 1
            pr = cents(allowed * Decimal("0.2"))
            seq = cents((allowed - pr) * Decimal("0.02")) if payer == "MCR" else Decimal("0.00")
            paid = allowed - pr - seq
            place = {"File": f"{payer}.835", "Payment No": 1, "Claim No": c_no, "Line No": ln.line}
            era["EraLines"].append({**place, "Patient Control Number": cid, "Procedure Code": ln.code,
                                    "Modifiers": None,
                                    "Charge": float(sign * ln.charge), "Paid": float(sign * paid),
                                    "Allowed": float(sign * allowed), "Units Paid": float(sign * ln.units),
                                    "Service From": dos, "Line Control Number": ln.control_number})
            adjustments = [("CO", "16", ln.charge, "Y")] if denied else [
                ("CO", "45", ln.charge - allowed, "N"), ("PR", "2", pr, "N"), ("CO", "253", seq, "N")]
            for group, carc, value, denial in adjustments:
                if value:
                    era["EraAdjustments"].append({**place, "Level": "line", "Group": group, "CARC": carc,
                                                  "Amount": float(sign * value), "Denial": denial,
                                                  "RARCs": "M119" if denial == "Y" else None})
reconciler = Reconciler(Contract(fees, {p: True for p in payers}, Tolerance()))
import pandas  # the stage's other imports, loaded before the baseline
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t0, c0 = time.perf_counter(), time.process_time()
with paused_cycle_collector():  # as the pipeline runs every stage
    r = reconcile_rows(claims, era, reconciler)
    rows = sheet_rows(r)
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
found = Counter(s.status for s in r.states)
additive = all(s.line.charge == s.total("allowed") + s.total("contractual") + s.total("denied") + s.total("other")
               and s.total("allowed") == s.total("paid") + s.total("patient_responsibility") + s.total("sequestration")
               for s in r.states if s.adjudicated)
print(json.dumps({"seconds": seconds, "cpu": cpu, "before": before, "peak": peak, "lines": len(r.states),
                  "era_lines": len(era["EraLines"]), "adjustments": len(era["EraAdjustments"]),
                  "unmatched": len(r.posting.unmatched), "statuses": dict(found), "planted": dict(planted),
                  "additive": additive, "rows": {k: len(v) for k, v in rows.items()}}))
"""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args(argv)
    out = subprocess.run([sys.executable, "-c", RUN, str(args.lines)], capture_output=True, text=True)
    if out.returncode:
        print(out.stderr, file=sys.stderr)
        return 1
    r = json.loads(out.stdout)
    ok = r["unmatched"] == 0 and r["additive"] and r["statuses"] == r["planted"]
    print(f"reconcile {r['lines']:,} claim lines against {r['era_lines']:,} remit lines "
          f"({r['adjustments']:,} adjustments): {r['seconds']:.1f} s wall, {r['cpu']:.1f} s CPU "
          f"(target {TARGET_SECONDS:.0f} s); memory {r['before']:.0f} MB before, peak {r['peak']:.0f} MB")
    print(f"  statuses {r['statuses']}; unmatched {r['unmatched']}; additive {r['additive']}; sheets {r['rows']}")
    print("  check: " + ("every line as planted, every remit line matched" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
