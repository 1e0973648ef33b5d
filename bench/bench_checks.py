"""Pre-bill checks benchmark: 20,000 encounters through every rule, basic and strict.

Target (issue 4): 20,000 encounters checked in under 10 s on this 2-core machine. The clinic is
synthetic and seeded: 2,000 patients on Medicare, commercial and Medicaid plans, three administrations
per visit (a chemo or biologic infusion, a premedication push and a hydration bag), prior
authorizations for the commercial and Medicaid patients, and a few planted gaps so the rules have
something to report.

Prints the time to build the typed tables (not part of the target: the reader has its own benchmark),
the first-use load of the ICD-10-CM code set, and three measured figures, each on a fresh read so no
memo carries over from one to the next:

* the whole check stage as a run meets it (coding engine included: the authorization burn-down and
  Encounter Status need its claim lines and findings), against the target;
* the coding engine alone (``code_book``);
* the rules' own time: every rule run on its own over a context whose coding result is already
  computed, slowest rules listed (a rule that first builds a shared answer, such as the claim lines or
  the authorization ledger, carries that cost), and the status sheets after them.

Two cores are shared with other work here: run it on a quiet machine.

    .venv/bin/python bench/bench_checks.py [--encounters 20000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import sys
import time

from infusion_billing.checks import icd10
from infusion_billing.checks.authorization import ledger, usage_table
from infusion_billing.checks.context import CheckContext
from infusion_billing.checks.registry import run_rules, select_rules
from infusion_billing.checks.stage import encounter_status, run
from infusion_billing.coding.engine import code_book
from infusion_billing.pipeline import RunOptions
from infusion_billing.reference.catalog import builtin_drugs
from infusion_billing.workbook.reader import Grid, read_grids

TARGET_SECONDS = 10.0
DRUGS = [("infliximab", "J1745", 400), ("rituximab", "J9312", 700), ("pembrolizumab", "J9271", 200),
         ("IVIG Gammagard", "J1569", 30000), ("zoledronic acid", "J3489", 4)]
PAYERS = [("MCR", "Medicare Part B", "Medicare", 365), ("AET", "Synthetic Commercial", "Commercial", 180),
          ("MCD", "Synthetic Medicaid", "Medicaid", 365), ("MAP", "Synthetic Advantage", "Medicare Advantage", 365)]
DIAGNOSES = ["K50.90", "M05.79", "C83.30", "D80.1", "C34.90", "M81.0"]


def clinic(n_encounters: int, seed: int = 4) -> dict[str, list[list]]:
    """The workbook's tables as rows (header first)."""
    rng = random.Random(seed)
    n_patients = max(1, n_encounters // 10)
    patients = [["Patient ID", "Last Name", "First Name", "Date of Birth"]]
    coverage = [["Patient ID", "Payer ID", "Member ID", "Priority", "Effective From", "Effective To"]]
    auths = [["Auth ID", "Patient ID", "Payer ID", "Code", "Units Authorized", "Visits Authorized", "Start Date",
              "End Date"]]
    plan = {}
    for p in range(n_patients):
        pid = f"P{p:06d}"
        payer = PAYERS[p % len(PAYERS)][0]
        drug = DRUGS[p % len(DRUGS)]
        plan[pid] = (payer, drug)
        patients.append([pid, "Synthetic", "Patient", dt.date(1940 + p % 50, 1 + p % 12, 1 + p % 28)])
        coverage.append([pid, payer, f"M{p:08d}", "Primary", dt.date(2024, 1, 1), None])
        if payer == "MCR":
            coverage.append([pid, "AET", f"S{p:08d}", "Secondary", dt.date(2024, 1, 1), None])
        if payer != "MCR":
            # Ten visits' worth of units; one patient in ten was authorized for only eight.
            qty = builtin_drugs()[drug[1]].billing_unit_quantity
            units = math.ceil(drug[2] / qty) * (8 if p % 10 == 3 else 10)
            auths.append([f"AU{p:06d}", pid, payer, drug[1], units, 12, dt.date(2026, 1, 1), dt.date(2026, 12, 31)])

    encounters = [["Encounter ID", "Patient ID", "Payer ID", "Date of Service", "Setting", "Place of Service",
                   "Rendering NPI", "Ordering NPI", "Diagnosis Codes", "Second Site Necessary", "Order On File",
                   "Billed Date"]]
    admins = [["Encounter ID", "Admin ID", "Drug", "HCPCS", "Dose", "Dose Unit", "Wasted", "Route", "Start", "Stop",
               "IV Site", "Bag", "Purpose", "Necessity Documented", "NDC"]]
    start_day = dt.date(2026, 1, 5)
    for e in range(n_encounters):
        eid = f"E{e:07d}"
        pid = f"P{e % n_patients:06d}"
        payer, (drug, hcpcs, dose) = plan[pid]
        day = start_day + dt.timedelta(days=(e * 7) % 300)
        encounters.append([eid, pid, payer, day, "Facility", "22", "1234567893", "1987654328",
                           rng.choice(DIAGNOSES), "N", "N" if rng.random() < 0.01 else "Y",
                           day + dt.timedelta(days=3) if rng.random() < 0.5 else None])
        begin = 9 * 60 + rng.randrange(0, 120)
        stop = None if rng.random() < 0.01 else _clock(begin + 95)
        ndc = "50242-051-21" if payer == "MCD" else None
        admins.append([eid, f"{eid}-1", drug, hcpcs, dose, "mg", 0, "IV infusion", _clock(begin), stop, "L forearm",
                       "B1", "Primary", None, ndc])
        admins.append([eid, f"{eid}-2", "diphenhydramine", "J1200", 25, "mg", None, "IV push", _clock(begin - 10),
                       _clock(begin - 8), "L forearm", None, "Premedication", None, ndc])
        admins.append([eid, f"{eid}-3", "normal saline", "J7030", 1000, "mL", None, "IV infusion", _clock(begin + 100),
                       _clock(begin + 165), "L forearm", "B2", "Hydration", "Y", ndc])
    return {
        "Settings": [["Setting", "Value"], ["As-Of Date", dt.date(2026, 11, 27)]],
        "Payers": [["Payer ID", "Payer Name", "Payer Type", "Timely Filing Days"], *map(list, PAYERS)],
        "Patients": patients, "Coverage": coverage, "Authorizations": auths, "Encounters": encounters,
        "Administrations": admins,
    }


def _clock(minutes: int) -> dt.time:
    return dt.time(minutes // 60, minutes % 60)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encounters", type=int, default=20_000)
    parser.add_argument("--slowest", type=int, default=5, help="how many of the slowest rules to list")
    args = parser.parse_args(argv)

    sheets = clinic(args.encounters)

    def fresh_book():
        return read_grids({name: Grid(name, rows) for name, rows in sheets.items()})

    t0 = time.perf_counter()
    book = fresh_book()
    t_read = time.perf_counter() - t0

    t0 = time.perf_counter()
    icd10.problem("K50.90")  # first use loads the ICD-10-CM code set
    t_icd = time.perf_counter() - t0

    # 1. The stage as a run meets it: nothing computed before.
    t0, c0 = time.perf_counter(), time.process_time()
    result = run(book, RunOptions(strict=True))
    t_check, cpu_check = time.perf_counter() - t0, time.process_time() - c0

    # 2. The coding engine alone, on another fresh read (code_book remembers its result on the read).
    book = fresh_book()
    t0 = time.perf_counter()
    coding = code_book(book)
    t_coding = time.perf_counter() - t0

    # 3. The rules one by one over a context that already has the coding result, then the status sheets.
    rules, _ = select_rules(strict=True)
    ctx = CheckContext(book)
    ctx.coding  # noqa: B018 - computed above; the context only picks it up
    per_rule = []
    findings = []
    for r in rules:
        t0 = time.perf_counter()
        findings += run_rules(ctx, [r])
        per_rule.append((time.perf_counter() - t0, r.id))
    t_rules = sum(s for s, _ in per_rule)
    t0 = time.perf_counter()
    encounter_status(book, ctx, [*book.findings, *findings, *coding.findings])
    if book.has("Authorizations"):
        usage_table(ledger(ctx))
    t_status = time.perf_counter() - t0

    s = result.summary
    print(f"{args.encounters:,} encounters, {len(sheets['Administrations']) - 1:,} administrations, "
          f"{s['rules run']} rules (basic + strict)")
    print(f"  typed tables (read_grids, not timed against the target) {t_read:6.2f} s")
    print(f"  ICD-10-CM code set, first use (once per process)         {t_icd:6.2f} s")
    print(f"  check stage, cold (coding included)                    {t_check:6.2f} s   "
          f"{args.encounters / t_check:,.0f} encounters/s  (CPU {cpu_check:.2f} s)")
    print(f"  coding engine alone (code_book, fresh read)            {t_coding:6.2f} s")
    label = f"the {len(rules)} rules, each run alone, coding already done"
    print(f"  {label:<55}{t_rules:6.2f} s")
    for secs, rule_id in sorted(per_rule, reverse=True)[:args.slowest]:
        print(f"      {rule_id:<34} {secs:6.2f} s")
    print(f"  Encounter Status and Authorization Usage sheets         {t_status:6.2f} s")
    print(f"  Ready {s['Ready']:,}, Hold {s['Hold']:,}, Review {s['Review']:,}; {len(result.findings):,} findings")
    total = t_icd + t_check
    verdict = "OK" if total < TARGET_SECONDS * args.encounters / 20_000 else "SLOW"
    print(f"checks incl. code-set load: {total:.2f} s (target < {TARGET_SECONDS:.0f} s per 20,000): {verdict}")
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
