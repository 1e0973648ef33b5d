"""The assessment's answer key: a client's files with billing mistakes planted, and what each one costs.

From a practice's book after its claims went out (the demo's, with its ``Claims`` and ``ClaimLines``
ledger) this writes what a client would hand a consultant:

* a charge export of the billed lines (CSV, as billing systems export it, the patient's name and birth
  date included) with mistakes planted on chosen claims: an add-on hour short, drug units below the
  dose, an NDC left off, a charge below the contracted rate;
* the payers' 835s for exactly those claims *as billed, mistakes included*, from the one payer
  simulator (:mod:`infusion_billing.posting.simulator`, the same seed as the demo's own remits): the
  contract rate (lesser of charge), cost share, denials, underpayments, unit cuts, code changes,
  reversals, split claims and claims not paid yet, as ``simulate-payer`` plays them.

The infusion log is the book the claims were billed from: it is the truth the billed lines are compared
with. Mistakes are planted only on claims the simulator pays as contracted line by line, so what a leak
costs is not mixed with a payer's own outcome. The answer key lists every planted leak with its claim,
code, kind and dollars at the contracted rate, and every underpayment the simulator planted with its
shortfall, so the assessment can be scored: "Planted leaks found: N of N, $X of $X".
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from ..assess.coding_review import ADDON_HOURS, is_drug
from ..claims.ledger import LedgerClaim, LedgerLine
from ..posting.contract import Contract
from ..posting.simulator import KEY_FILE, simulate, submitted_primaries, write_simulation
from ..posting.status import PAID_AS_EXPECTED, UNDERPAID
from ..workbook.reader import BookData

CENT = Decimal("0.01")
EXPORT_COLUMNS = ("Claim ID", "Patient Name", "Date of Birth", "Member ID", "Payer", "Date of Service", "CPT/HCPCS",
                  "Modifiers", "Units", "Charge", "NDC")


@dataclass(frozen=True)
class Leak:
    """One planted mistake: the claim (= Encounter ID), code, kind and the dollars it moves."""

    claim_id: str
    code: str
    kind: str
    dollars: Decimal


@dataclass
class ClientKit:
    remits: Path
    claims: Path
    leaks: list[Leak]
    key: Path


def client_kit(book: BookData, out: Path, *, plant: bool = True, seed: int = 11, per_kind: int = 2,
               payer_seed: int = 1) -> ClientKit:
    """Write ``out/charges.csv``, ``out/835/*.835`` and ``out/simulation-key.csv`` for the submitted
    primary claims of ``book``; ``payer_seed`` seeds the payer simulator (the demo passes its own)."""
    claims = submitted_primaries(book)
    contract = Contract.of_book(book)

    def rate(claim: LedgerClaim, line: LedgerLine) -> Decimal:
        """The line's contracted rate per unit, as reconciliation and the assessment look it up (0: none)."""
        return contract.rate(claim.payer_id, line.code, line.modifiers, line.service_date) or Decimal(0)

    leaks: list[Leak] = []
    if plant:
        # Only claims the payers pay as contracted on every line carry a plant (see the module docstring).
        clean = {c for c, statuses in _statuses(simulate(book, payer_seed, claims=claims)).items()
                 if statuses == {PAID_AS_EXPECTED}}
        claims = _plant(claims, clean, rate, lambda c: contract.pays_lesser_of(c.payer_id), leaks,
                        random.Random(seed), per_kind)

    out.mkdir(parents=True, exist_ok=True)
    export = out / "charges.csv"
    _write_export(book, claims, export)
    remits = out / "835"
    remits.mkdir(exist_ok=True)
    for stale in remits.glob("*.835"):
        stale.unlink()
    sim = write_simulation(book, remits, payer_seed, claims=claims, key=out / KEY_FILE)
    code_of = {ln.control_number: ln.code for c in claims for ln in c.lines}
    leaks += [Leak(k.claim_id, code_of[k.line_control_number], "Underpayment", k.shortfall)
              for k in sim.key if k.status == UNDERPAID]
    return ClientKit(remits, export, leaks, out / KEY_FILE)


def _statuses(sim) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for k in sim.key:
        if k.claim_id:
            out.setdefault(k.claim_id, set()).add(k.status)
    return out


def _plant(claims: list[LedgerClaim], clean: set[str], rate: Callable[[LedgerClaim, LedgerLine], Decimal],
           lesser_of: Callable[[LedgerClaim], bool], leaks: list[Leak], rng: random.Random,
           per_kind: int) -> list[LedgerClaim]:
    """The claims with ``per_kind`` mistakes of each kind planted, one per claim, on lines with a rate."""
    spots = [(c, n) for c in claims if c.claim_id in clean for n in range(len(c.lines))]
    rng.shuffle(spots)
    changed: dict[str, list[LedgerLine]] = {}
    used: set[str] = set()

    def pick(test: Callable[[LedgerClaim, LedgerLine], bool]) -> list[tuple[LedgerClaim, int]]:
        chosen = []
        for claim, n in spots:
            line = claim.lines[n]
            if claim.claim_id not in used and rate(claim, line) and test(claim, line):
                chosen.append((claim, n))
                used.add(claim.claim_id)
                if len(chosen) == per_kind:
                    break
        return chosen

    def put(claim: LedgerClaim, n: int, line: LedgerLine) -> None:
        changed.setdefault(claim.claim_id, list(claim.lines))[n] = line

    def shorten(claim: LedgerClaim, n: int, by: Decimal, kind: str) -> None:
        line = claim.lines[n]
        units = line.units - by
        put(claim, n, replace(line, units=units, charge=(line.charge / line.units * units).quantize(CENT)))
        leaks.append(Leak(claim.claim_id, line.code, kind, rate(claim, line) * by))

    for claim, n in pick(lambda c, ln: ln.code in ADDON_HOURS and ln.units >= 2):
        shorten(claim, n, Decimal(1), "Missed add-on hours")
    for claim, n in pick(lambda c, ln: is_drug(ln.code) and ln.units >= 10 and "JW" not in ln.modifiers):
        shorten(claim, n, Decimal(int(claim.lines[n].units) // 5), "Drug units below the dose")
    for claim, n in pick(lambda c, ln: is_drug(ln.code) and bool(ln.ndc)):
        line = claim.lines[n]
        put(claim, n, replace(line, ndc="", ndc_unit="", ndc_quantity=None))
        leaks.append(Leak(claim.claim_id, line.code, "Missing NDC", line.units * rate(claim, line)))
    # A charge below the contract leaks money only with a payer that pays the lesser of the two.
    for claim, n in pick(lambda c, ln: not is_drug(ln.code) and lesser_of(c) and ln.charge > rate(c, ln) * ln.units):
        line = claim.lines[n]
        contract = rate(claim, line) * line.units
        below = (contract * Decimal("0.8")).quantize(CENT)
        put(claim, n, replace(line, charge=below))
        leaks.append(Leak(claim.claim_id, line.code, "Charge below contract", contract - below))
    out = []
    for claim in claims:
        lines = changed.get(claim.claim_id)
        if lines is not None:
            claim = replace(claim, lines=tuple(lines), total_charge=sum((ln.charge for ln in lines), Decimal("0.00")))
        out.append(claim)
    return out


def _write_export(book: BookData, claims: list[LedgerClaim], path: Path) -> None:
    """The billed lines as a billing system exports them: one row per line, the patient named."""
    patients = {p.patient_id: p for p in book.rows("Patients")}
    payers = {p.payer_id: p.payer_name for p in book.rows("Payers")}
    coverage: dict[tuple[str, str], list] = {}
    for c in book.rows("Coverage"):
        coverage.setdefault((c.patient_id, c.payer_id), []).append(c)

    def member(claim: LedgerClaim) -> str:
        day = claim.statement_from
        for c in coverage.get((claim.patient_id, claim.payer_id), ()):
            if day is None or (c.effective_from <= day and (c.effective_to is None or day <= c.effective_to)):
                return str(c.member_id or "")
        return ""

    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(EXPORT_COLUMNS)
        for claim in claims:
            p = patients.get(claim.patient_id)
            name = f"{p.last_name}, {p.first_name}" if p else ""
            born = f"{p.date_of_birth:%m/%d/%Y}" if p else ""
            for ln in claim.lines:
                w.writerow([claim.claim_id, name, born, member(claim), payers.get(claim.payer_id, claim.payer_id),
                            f"{ln.service_date:%m/%d/%Y}", ln.code, ",".join(ln.modifiers), f"{ln.units:f}", ln.charge,
                            ln.ndc])


def score(leaks: list[Leak], rows: list[dict], underpayments: list[dict]) -> tuple[int, Decimal, Decimal]:
    """How many planted leaks the assessment found (same claim, code and kind) and their dollars."""
    found_keys: dict[tuple[str, str, str], Decimal] = {}
    for r in rows:
        key = (r["encounter"], r["code"], r["kind"])
        found_keys[key] = found_keys.get(key, Decimal("0.00")) + abs(r["impact"])
    for u in underpayments:
        key = (u["pcn"], u["code"], "Underpayment")
        found_keys[key] = found_keys.get(key, Decimal("0.00")) + u["short"]
    hit = {(lk.claim_id, lk.code, lk.kind) for lk in leaks} & set(found_keys)
    return (sum(1 for lk in leaks if (lk.claim_id, lk.code, lk.kind) in hit),
            sum((found_keys[k] for k in hit), Decimal("0.00")), sum((lk.dollars for lk in leaks), Decimal("0.00")))
