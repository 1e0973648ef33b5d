"""A payer simulator: 835 remittances for the book's submitted claims, with outcomes planted on purpose.

``infusion-billing simulate-payer BOOK --out-dir DIR [--seed N]`` plays every payer of the book:
each submitted primary claim is adjudicated the way payers do (:mod:`.adjudicate`: the FeeSchedule
rate in force on the date of service, lesser of charge and contract, Medicare 80/20 with deductible
``PR-1``, coinsurance ``PR-2`` and 2 % sequestration ``CO-253``, copays ``PR-3`` from Coverage,
``CO-45`` for the rest), and a seeded share of claims and lines gets what goes wrong in real remits:

* **denials** with the CARC/RARC pairs payers send: whole claims (``CLP02 4``: timely filing
  ``CO-29``, duplicate ``CO-18``, no authorization ``CO-197`` + ``N54``) and single lines (NDC
  ``CO-16`` + ``M119``, ``CO-50`` + ``N115``, modifier ``CO-4`` + ``N822``, bundled ``CO-97`` + ``M80``,
  diagnosis ``CO-11`` + ``M76``);
* **underpayments** (allowed below contract by more than the tolerance), **unit cuts** (``SVC05 <
  SVC07``), **code changes** (``SVC06``);
* a **reversal and correction** (``CLP02 22`` taking back an underpaid payment, then ``CLP02 1``
  paying it right, a week later), a **reversal** alone (money taken back), a **split claim** (two
  CLP loops, each with its own payer claim number, in two remits), and provider-level ``PLB`` interest
  ``L6``, recoupment ``WO`` and forwarding balance ``FB``;
* a few claims get **no remit** yet;
* **secondary claims** (once sent) are answered by the secondary payer under coordination of
  benefits (:meth:`_Simulator.secondary`), in remits of their own written after the primaries'.

One 835 per payer per weekly check date is written with the shared X12 writer
(:mod:`infusion_billing.x12.writer`), each balancing to the cent; ``simulation-key.csv`` beside them
lists what was planted on every line with the status reconciliation must find. The key never goes
into the book. Same book, same seed: the same files, byte for byte.
"""

from __future__ import annotations

import csv
import io
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from ..claims.ledger import LedgerClaim, read_ledger
from ..schema import PayerType
from ..stages import RunOptions, StageResult
from ..workbook.reader import BookData
from ..x12.writer import ControlNumbers, Interchange, Party, SegmentWriter, amount, number
from .adjudicate import Adjudicated, AdjudicatedClaim, CostShare, LineToPay, coordinate, deny, pay
from .cob import SECONDARY, primary_claim_id, secondary_expected
from .contract import ZERO, Contract, cents
from .reconcile import LineState
from .secondary import PrimaryOutcomes
from .status import (
    CODE_CHANGED,
    DENIED,
    NO_CONTRACT_RATE,
    NOT_YET_PAID,
    PAID_AS_EXPECTED,
    REVERSED,
    UNDERPAID,
    UNITS_REDUCED,
)

KEY_FILE = "simulation-key.csv"
KEY_COLUMNS = ("Claim ID", "Line Control Number", "Payer ID", "Outcome", "Expected Status", "CARC", "RARC",
               "Expected Allowed", "Allowed", "Shortfall", "Paid", "Check Date", "Trace Number", "File")


#: Claim outcomes, drawn per claim in this order (PlantRates): no remit yet, denied, reversed, reversed and
#: corrected, split over two remits; any other claim is paid line by line.
CLAIM_KINDS = ("none", "deny", "reverse", "correct", "split")
#: Whole-claim denials: CARC, RARC (zero pay, CLP02 4).
CLAIM_DENIALS = (("29", ""), ("18", ""), ("197", "N54"))
#: Line denials: CARC, RARC, and which lines they fit ("drug" J-codes with an NDC, "admin" others).
LINE_DENIALS = (("16", "M119", "drug"), ("50", "N115", "drug"), ("4", "N822", "drug"), ("97", "M80", "admin"),
                ("11", "M76", "any"))
#: Codes payers recode to (a second initial service paid as a subsequent one, and the like).
CODE_CHANGES = {"96365": "96366", "96413": "96415", "96367": "96366", "96374": "96375", "96360": "96361",
                "99214": "99213", "99213": "99212"}
#: CLP06 claim filing indicator by payer type (835 values: MB Medicare B, MC Medicaid, 16 HMO Medicare
#: risk, 12 PPO).
FILING = {PayerType.MEDICARE: "MB", PayerType.MEDICAID: "MC", PayerType.MEDICARE_ADVANTAGE: "16"}


@dataclass(frozen=True)
class PlantRates:
    """How often each outcome is planted: claim outcomes per claim, line outcomes per line."""

    no_remit: float = 0.02
    claim_denial: float = 0.02
    reversal: float = 0.01
    correction: float = 0.01
    split: float = 0.01
    line_denial: float = 0.03
    underpayment: float = 0.03
    unit_cut: float = 0.015
    code_change: float = 0.015


@dataclass
class Remit:
    """One 835 to write: one payer, one check date, its claim loops and provider-level adjustments."""

    payer_id: str
    check_date: date
    claims: list[AdjudicatedClaim] = field(default_factory=list)
    plb: list[tuple[str, str, Decimal]] = field(default_factory=list)  # (code, reference, amount)
    trace: str = ""
    file: str = ""
    coordinated: bool = False  # a secondary payer's remit (written after the primaries', file name _COB)

    @property
    def total(self) -> Decimal:
        return sum((c.paid for c in self.claims), ZERO) - sum((a for _, _, a in self.plb), ZERO)


@dataclass
class KeyRow:
    claim_id: str
    line_control_number: str
    payer_id: str
    outcome: str
    status: str
    carc: str = ""
    rarc: str = ""
    expected: Decimal | None = None
    allowed: Decimal | None = None
    shortfall: Decimal = ZERO
    paid: Decimal | None = None
    remit: Remit | None = None

    def row(self) -> list[str]:
        def m(x: Decimal | None) -> str:
            return "" if x is None else amount(x)
        r = self.remit
        return [self.claim_id, self.line_control_number, self.payer_id, self.outcome, self.status, self.carc,
                self.rarc, m(self.expected), m(self.allowed), m(self.shortfall), m(self.paid),
                r.check_date.isoformat() if r else "", r.trace if r else "", r.file if r else ""]


@dataclass
class Simulation:
    """What the simulator wrote: the remits (in file order), the answer key, the files."""

    remits: list[Remit]
    key: list[KeyRow]
    files: list[Path] = field(default_factory=list)

    @property
    def planted_underpayment(self) -> Decimal:
        return sum((k.shortfall for k in self.key if k.status == UNDERPAID), ZERO)

    def key_csv(self) -> str:
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(KEY_COLUMNS)
        w.writerows(k.row() for k in self.key)
        return out.getvalue()


class _Payers:
    """The book's payers, contract terms (:class:`.contract.Contract`) and coverage, as the simulator needs them."""

    def __init__(self, book: BookData):
        self.payers = {p.payer_id: p for p in book.rows("Payers")}
        self.contract = Contract.of_book(book)
        self.coverage: dict[tuple[str, str], list] = defaultdict(list)
        for c in book.rows("Coverage"):
            self.coverage[(c.patient_id, c.payer_id)].append(c)
        practice = list(book.rows("Practice")) if "Practice" in book.tables else []
        self.payee = (practice[0].name, practice[0].npi) if practice else ("INFUSION PRACTICE", "1234567893")
        self.shares: dict[tuple[str, str], CostShare] = {}

    def medicare(self, payer_id: str) -> bool:
        p = self.payers.get(payer_id)
        return p is not None and p.payer_type is PayerType.MEDICARE

    def share(self, claim: LedgerClaim) -> CostShare:
        """The patient's cost share with the payer: the deductible carries from claim to claim."""
        key = (claim.patient_id, claim.payer_id)
        on = claim.statement_from or date.min
        rows = [c for c in self.coverage.get(key, ()) if c.effective_from <= on
                and (c.effective_to is None or on <= c.effective_to)]
        row = max(rows, key=lambda c: c.effective_from) if rows else None
        if key not in self.shares:
            self.shares[key] = CostShare(deductible_left=(row.deductible_remaining or ZERO) if row else ZERO)
        share = self.shares[key]
        share.copay_left = (row.copay or ZERO) if row else ZERO
        medicare = self.medicare(claim.payer_id)
        default = Decimal("0.2") if medicare else ZERO
        share.coinsurance = row.coinsurance if row is not None and row.coinsurance is not None else default
        return share


def submitted_primaries(book: BookData, priority: str = "Primary") -> list[LedgerClaim]:
    """The claims a payer has received: Submitted, of this priority, original or replacement, in date order."""
    claims = read_ledger(book)
    out = [c for c in claims if c.submitted and c.priority == priority and c.frequency != "8" and c.lines]
    return sorted(out, key=lambda c: (c.statement_from or date.min, c.claim_id))


def _weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


class _Simulator:
    def __init__(self, book: BookData, seed: int, rates: PlantRates):
        self.p = _Payers(book)
        self.seed = seed
        self.rates = rates
        self.remits: dict[tuple[str, date], Remit] = {}
        self.key: list[KeyRow] = []
        self.icn = 0

    def remit(self, payer_id: str, day: date) -> Remit:
        key = (payer_id, day)
        if key not in self.remits:
            self.remits[key] = Remit(payer_id, day)
        return self.remits[key]

    def next_icn(self, claim: LedgerClaim) -> str:
        self.icn += 1
        return f"{claim.statement_from or date.min:%y%j}{self.icn:07d}"

    def check_date(self, rng: random.Random, claim: LedgerClaim) -> date:
        """Payers pay weekly, each on its own weekday, two to four weeks after they receive the claim."""
        received = max(claim.submitted_date or date.min, claim.statement_to or date.min)
        weekday = sum(map(ord, claim.payer_id)) % 5
        return _weekday_on_or_after(received + timedelta(days=14 + rng.randrange(0, 15)), weekday)

    # ------------------------------------------------------------------ one claim
    def claim(self, claim: LedgerClaim, forced: str = "") -> None:
        rng = random.Random(f"{self.seed}:{claim.claim_id}")
        r = self.rates
        lines = [LineToPay(ln.control_number, ln.code, ln.modifiers, ln.units, ln.charge) for ln in claim.lines]
        dos = {ln.control_number: ln.service_date for ln in claim.lines}
        roll = rng.random()
        cut = [r.no_remit, r.claim_denial, r.reversal, r.correction, r.split]
        bounds = [sum(cut[:i + 1]) for i in range(len(cut))]
        kind = forced or next((name for name, b in zip(CLAIM_KINDS, bounds, strict=True) if roll < b), "normal")
        if kind == "split" and len(lines) < 2:
            kind = "normal"
        if kind == "none":
            for ln in lines:
                self.key.append(KeyRow(claim.claim_id, ln.line_control_number, claim.payer_id, "no remit yet",
                                       NOT_YET_PAID, expected=self.expected(claim, ln, dos)))
            return
        when = self.check_date(rng, claim)
        icn = self.next_icn(claim)
        if kind == "deny":
            carc, rarc = rng.choice(CLAIM_DENIALS)
            loop = AdjudicatedClaim(claim.claim_id, "4", icn, [deny(ln, carc) for ln in lines], (rarc,) if rarc else ())
            remit = self.remit(claim.payer_id, when)
            remit.claims.append(loop)
            for ln in lines:
                self.key.append(KeyRow(claim.claim_id, ln.line_control_number, claim.payer_id, "claim denied", DENIED,
                                       carc, rarc, self.expected(claim, ln, dos), ZERO, paid=ZERO, remit=remit))
            return
        share = self.p.share(claim)
        if kind in ("reverse", "correct"):
            first = self.remit(claim.payer_id, when)
            later = self.remit(claim.payer_id, when + timedelta(days=7))
            if kind == "reverse":
                original = AdjudicatedClaim(claim.claim_id, "1", icn,
                                            [self.paid_right(claim, ln, dos, share) for ln in lines])
                first.claims.append(original)
                later.claims.append(original.reversal())
                for ln, adj in zip(lines, original.lines, strict=True):
                    self.key.append(KeyRow(claim.claim_id, ln.line_control_number, claim.payer_id,
                                           "paid, then reversed", REVERSED, expected=self.expected(claim, ln, dos),
                                           allowed=ZERO, paid=ZERO, remit=later))
                    del adj
                return
            # A correction: the first payment was short on one line; the payer reverses it and pays it right.
            shares = CostShare(share.deductible_left, share.copay_left, share.coinsurance)
            short = rng.randrange(len(lines))
            wrong = [self.paid_right(claim, ln, dos, shares, cut=Decimal("0.9") if i == short else None)
                     for i, ln in enumerate(lines)]
            original = AdjudicatedClaim(claim.claim_id, "1", icn, wrong)
            first.claims.append(original)
            later.claims.append(original.reversal())
            right = AdjudicatedClaim(claim.claim_id, "1", self.next_icn(claim),
                                     [self.paid_right(claim, ln, dos, share) for ln in lines])
            later.claims.append(right)
            for ln, adj in zip(lines, right.lines, strict=True):
                status = self.status_when_paid(claim, ln, dos)
                self.key.append(KeyRow(claim.claim_id, ln.line_control_number, claim.payer_id,
                                       "underpaid, reversed and corrected", status,
                                       expected=self.expected(claim, ln, dos), allowed=adj.allowed, paid=adj.paid,
                                       remit=later))
            return
        if kind == "split":
            half = len(lines) // 2
            parts = (lines[:half], lines[half:])
            for n, part in enumerate(parts):
                remit = self.remit(claim.payer_id, when + timedelta(days=7 * n))
                loop = AdjudicatedClaim(claim.claim_id, "1", icn if n == 0 else self.next_icn(claim),
                                        [self.paid_right(claim, ln, dos, share) for ln in part])
                remit.claims.append(loop)
                for ln, adj in zip(part, loop.lines, strict=True):
                    self.key.append(KeyRow(claim.claim_id, ln.line_control_number, claim.payer_id,
                                           f"split claim, part {n + 1} of 2", self.status_when_paid(claim, ln, dos),
                                           expected=self.expected(claim, ln, dos), allowed=adj.allowed, paid=adj.paid,
                                           remit=remit))
            return
        remit = self.remit(claim.payer_id, when)
        loop = AdjudicatedClaim(claim.claim_id, "1", icn)
        for ln in lines:
            adj, row = self.line(rng, claim, ln, dos, share)
            self.answer_line(remit, loop, adj, row)
        self.file_claim(remit, loop)

    # ------------------------------------------------------------------ one line
    def rate(self, claim: LedgerClaim, ln: LineToPay, dos: dict[str, date], code: str | None = None):
        return self.p.contract.rate(claim.payer_id, code or ln.code, ln.modifiers, dos[ln.line_control_number])

    def expected(self, claim: LedgerClaim, ln: LineToPay, dos: dict[str, date],
                 units: Decimal | None = None) -> Decimal | None:
        return self.p.contract.expected(claim.payer_id, self.rate(claim, ln, dos), ln.units if units is None else units,
                                        ln.charge)

    def status_when_paid(self, claim: LedgerClaim, ln: LineToPay, dos: dict[str, date]) -> str:
        return NO_CONTRACT_RATE if self.rate(claim, ln, dos) is None else PAID_AS_EXPECTED

    def paid_right(self, claim: LedgerClaim, ln: LineToPay, dos: dict[str, date], share: CostShare,
                   cut: Decimal | None = None) -> Adjudicated:
        """The line paid as the contract says (a payer's own rate, half the charge, when there is no
        contract rate); ``cut`` scales the allowed amount down (the wrong first payment of a correction)."""
        expected = self.expected(claim, ln, dos)
        allowed = expected if expected is not None else cents(ln.charge * Decimal("0.5"))
        if cut is not None:
            allowed = cents(allowed * cut)
        return pay(ln, allowed, share, medicare=self.p.medicare(claim.payer_id))

    def line(self, rng: random.Random, claim: LedgerClaim, ln: LineToPay, dos: dict[str, date],
             share: CostShare) -> tuple[Adjudicated, KeyRow]:
        r = self.rates
        medicare = self.p.medicare(claim.payer_id)
        expected = self.expected(claim, ln, dos)
        roll = rng.random()
        drug = ln.code[:1].isalpha() and ln.code[:1] in "JQ"
        if roll < r.line_denial:
            fits = [d for d in LINE_DENIALS if d[2] == "any" or (d[2] == "drug") == drug]
            carc, rarc, _ = rng.choice(fits)
            adj = deny(ln, carc, rarc)
            return adj, KeyRow(claim.claim_id, ln.line_control_number, claim.payer_id, "line denied", DENIED, carc,
                               rarc, expected, ZERO, paid=ZERO)
        roll -= r.line_denial
        if roll < r.underpayment and expected is not None and expected >= Decimal("25.00"):
            shortfall = cents(expected * Decimal(rng.randrange(5, 16)) / 100)
            if shortfall > self.p.contract.tolerance.of(expected):
                adj = pay(ln, expected - shortfall, share, medicare=medicare)
                return adj, KeyRow(claim.claim_id, ln.line_control_number, claim.payer_id, "underpaid", UNDERPAID,
                                   "45", "", expected, adj.allowed, shortfall, adj.paid)
        roll -= r.underpayment
        if roll < r.unit_cut and expected is not None and ln.units >= 2 and ln.units == ln.units.to_integral_value():
            units = ln.units - max(1, int(ln.units) // 4)
            allowed = self.expected(claim, ln, dos, units)
            if allowed is not None and allowed > ZERO:
                adj = pay(ln, allowed, share, medicare=medicare, units=units, submitted=True)
                return adj, KeyRow(claim.claim_id, ln.line_control_number, claim.payer_id,
                                   f"units cut from {number(ln.units)} to {number(units)}", UNITS_REDUCED, "45", "",
                                   allowed, adj.allowed, paid=adj.paid)
        roll -= r.unit_cut
        new_code = CODE_CHANGES.get(ln.code)
        if roll < r.code_change and new_code:
            rate = self.rate(claim, ln, dos, new_code)
            allowed = self.p.contract.expected(claim.payer_id, rate, ln.units, ln.charge)
            if allowed is not None:
                adj = pay(ln, allowed, share, medicare=medicare, code=new_code, submitted=True)
                return adj, KeyRow(claim.claim_id, ln.line_control_number, claim.payer_id,
                                   f"code changed from {ln.code} to {new_code}", CODE_CHANGED, "45", "", expected,
                                   adj.allowed, paid=adj.paid)
        adj = self.paid_right(claim, ln, dos, share)
        return adj, KeyRow(claim.claim_id, ln.line_control_number, claim.payer_id, "paid as contracted",
                           self.status_when_paid(claim, ln, dos), "", "", expected, adj.allowed, paid=adj.paid)

    # ------------------------------------------------------------------ a secondary claim
    def secondary(self, claim: LedgerClaim, primary: list[LineState], forced: dict[str, str] | None = None) -> None:
        """The secondary payer's remit under coordination of benefits (docs/posting.md section 7).

        Each line is expected to be paid what the primary left to the patient, up to the secondary's
        own allowed amount less the primary's payment (:func:`.cob.secondary_expected`); the rest of
        the charge is ``OA-23``. Planted: no remit yet, a line denied ``CO-22`` (the payer believes
        another payer is primary, the COB denial), an underpayment below the coordinated amount.
        """
        rng = random.Random(f"{self.seed}:{claim.claim_id}")
        r = self.rates
        lines = [LineToPay(ln.control_number, ln.code, ln.modifiers, ln.units, ln.charge) for ln in claim.lines]
        expected = self.coordinated(claim, primary)
        forced = forced or {}
        if rng.random() < r.no_remit and not any(ln.line_control_number in forced for ln in lines):
            for ln in lines:
                self.key.append(KeyRow(claim.claim_id, ln.line_control_number, claim.payer_id,
                                       "secondary: no remit yet", NOT_YET_PAID,
                                       expected=expected.get(ln.line_control_number)))
            return
        remit = self.remit(claim.payer_id, self.check_date(rng, claim))
        loop = AdjudicatedClaim(claim.claim_id, "2", self.next_icn(claim))
        for ln in lines:
            owed = expected.get(ln.line_control_number, ZERO)
            roll = rng.random()
            plant = forced.get(ln.line_control_number, "")
            if plant == "deny" or (not plant and roll < r.line_denial * 2):  # COB denials: the common problem
                adj = deny(ln, "22")
                row = KeyRow(claim.claim_id, ln.line_control_number, claim.payer_id, "secondary: line denied",
                             DENIED, "22", "", owed, ZERO, paid=ZERO)
            elif plant == "under" or (not plant and roll < r.line_denial * 2 + r.underpayment * 2
                                      and owed >= Decimal("10.00")):
                shortfall = cents(owed * Decimal(rng.randrange(20, 41)) / 100)
                if shortfall <= self.p.contract.tolerance.of(owed):
                    shortfall = ZERO
                adj = coordinate(ln, owed - shortfall)
                what = "paid less than the primary left" if shortfall else "paid as coordinated"
                row = KeyRow(claim.claim_id, ln.line_control_number, claim.payer_id, f"secondary: {what}",
                             UNDERPAID if shortfall else PAID_AS_EXPECTED, "23", "", owed, adj.allowed, shortfall,
                             adj.paid)
            else:
                adj = coordinate(ln, owed)
                row = KeyRow(claim.claim_id, ln.line_control_number, claim.payer_id, "secondary: paid as coordinated",
                             PAID_AS_EXPECTED, "23", "", owed, adj.allowed, paid=adj.paid)
            self.answer_line(remit, loop, adj, row)
        self.file_claim(remit, loop)

    def answer_line(self, remit: Remit, loop: AdjudicatedClaim, adj: Adjudicated, row: KeyRow) -> None:
        """One adjudicated line into its claim loop, and what was planted on it into the answer key."""
        row.remit = remit
        loop.lines.append(adj)
        self.key.append(row)

    @staticmethod
    def file_claim(remit: Remit, loop: AdjudicatedClaim) -> None:
        """The claim loop into its remit; nothing allowed or paid on any line makes it a denied claim (CLP02 4)."""
        if all(a.paid == ZERO and a.allowed == ZERO for a in loop.lines):
            loop.status = "4"
        remit.claims.append(loop)

    def coordinated(self, claim: LedgerClaim, primary: list[LineState]) -> dict[str, Decimal]:
        """What the secondary is expected to pay on each line (by Line Control Number)."""
        dos = {ln.control_number: ln.service_date for ln in claim.lines}
        out = {}
        for ln, first in zip(claim.lines, primary, strict=False):
            own = self.expected(claim, LineToPay(ln.control_number, ln.code, ln.modifiers, ln.units, ln.charge), dos)
            out[ln.control_number] = secondary_expected(own, first.total("paid"), first.total("patient_responsibility"))
        return out

    def run_secondaries(self, claims: Iterable[LedgerClaim], outcomes: PrimaryOutcomes) -> Simulation:
        """Adjudicate the submitted secondary claims against their primaries' posted outcomes."""
        claims = list(claims)
        firsts = {c.claim_id: sorted(outcomes.by_claim.get(primary_claim_id(c.claim_id), []), key=lambda s: s.line.line)
                  for c in claims}
        # A COB denial and a coordinated underpayment at least once, whatever the rates (as for primaries).
        rng = random.Random(f"{self.seed}:cob")
        forced: dict[str, str] = {}
        owed = {n: x for c in claims for n, x in self.coordinated(c, firsts[c.claim_id]).items()}
        for plant, least in (("deny", ZERO), ("under", Decimal("10.00"))):
            pool = [n for n, x in owed.items() if n not in forced and x >= least]
            if pool:
                forced[rng.choice(pool)] = plant
        for claim in claims:
            self.secondary(claim, firsts[claim.claim_id], forced)
        remits = sorted(self.remits.values(), key=lambda r: (r.check_date, r.payer_id))
        return Simulation([r for r in remits if r.claims], self.key)

    # ------------------------------------------------------------------ provider-level adjustments
    def provider_adjustments(self, rng: random.Random, remits: list[Remit]) -> None:
        """Interest (L6, adds to the check), a recoupment (WO, taken from it) and a forwarding balance
        (FB) on a few remits of each payer, planted in the key with no claim line."""
        by_payer: dict[str, list[Remit]] = defaultdict(list)
        for r in remits:
            by_payer[r.payer_id].append(r)
        for payer_id, rows in by_payer.items():
            for n, remit in enumerate(rows):
                icns = [c.payer_claim_number for c in remit.claims if c.status == "1"]
                if not icns:
                    continue
                plan = []
                if n % 3 == 0:
                    plan.append(("L6", icns[0], -cents(Decimal(rng.randrange(100, 2000)) / 100)))
                if n % 4 == 1:
                    plan.append(("WO", icns[-1], cents(Decimal(rng.randrange(500, 5000)) / 100)))
                if n % 5 == 2:
                    value = cents(Decimal(rng.randrange(100, 3000)) / 100)
                    plan.append(("FB", f"FWD{remit.check_date:%Y%m%d}", value))
                for code, ref, value in plan:
                    if remit.total - value < ZERO:
                        continue  # never a negative check
                    remit.plb.append((code, ref, value))
                    self.key.append(KeyRow("", "", payer_id, f"PLB {code} {amount(value)}", "Provider adjustment",
                                           code, "", remit=remit))

    def run(self, claims: Iterable[LedgerClaim]) -> Simulation:
        claims = list(claims)
        # Every kind of claim outcome at least once, whatever the rates, so the demo always shows each.
        rng = random.Random(f"{self.seed}:kinds")
        forced: dict[str, str] = {}
        for kind in CLAIM_KINDS:
            pool = [c for c in claims if c.claim_id not in forced and (len(c.lines) >= 2 or kind != "split")]
            if pool:
                forced[rng.choice(pool).claim_id] = kind
        for claim in claims:
            self.claim(claim, forced.get(claim.claim_id, ""))
        remits = sorted(self.remits.values(), key=lambda r: (r.check_date, r.payer_id))
        remits = [r for r in remits if r.claims]
        self.provider_adjustments(random.Random(f"{self.seed}:plb"), remits)
        return Simulation(remits, self.key)


def simulate(book: BookData, seed: int = 1, rates: PlantRates = PlantRates(),
             claims: list[LedgerClaim] | None = None) -> Simulation:
    """Adjudicate every submitted claim of ``book`` (no files written yet): the primaries, then the
    secondaries (whose remits follow, so the primaries' remits are the same with or without them).

    ``claims``: adjudicate these primary claims instead, claims as some other ledger billed them (the
    assessment demo's client, billed with mistakes planted), with the book's payers and fee schedule
    and no secondaries.
    """
    primaries = _Simulator(book, seed, rates)
    sim = primaries.run(submitted_primaries(book) if claims is None else claims)
    secondaries = submitted_primaries(book, SECONDARY) if claims is None else []
    if secondaries:
        cob = _Simulator(book, seed, rates)
        cob.icn = primaries.icn  # the payers' claim numbers continue after the primaries'
        more = cob.run_secondaries(secondaries, PrimaryOutcomes(book))
        for remit in more.remits:
            remit.coordinated = True
        sim.remits += more.remits
        sim.key += more.key
    return sim


# ---------------------------------------------------------------------------- 835 text
class _Writer:
    """835 segments for one remit, through the shared X12 segment writer."""

    def __init__(self, p: _Payers, w: SegmentWriter):
        self.p, self.w = p, w

    def cas(self, adjustments: Iterable[tuple[str, str, Decimal]]) -> list[str]:
        by_group: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
        for group, reason, value in adjustments:
            by_group[group].append((reason, value))
        out = []
        for group, items in by_group.items():
            for start in range(0, len(items), 6):
                elements: list[str] = []
                for reason, value in items[start:start + 6]:
                    elements += [reason, amount(value), ""]
                out.append(self.w.segment("CAS", group, *elements))
        return out

    def line(self, ln: Adjudicated, dos: date) -> list[str]:
        w = self.w
        out = [w.segment("SVC", ("HC", ln.code, *ln.modifiers), amount(ln.charge), amount(ln.paid), "",
                         number(ln.units), ("HC", ln.submitted_code) if ln.submitted_code else "",
                         number(ln.submitted_units) if ln.submitted_units is not None else ""),
               w.segment("DTM", "472", f"{dos:%Y%m%d}")]
        out += self.cas(ln.adjustments)
        out.append(w.segment("REF", "6R", ln.line_control_number))
        out.append(w.segment("AMT", "B6", amount(ln.allowed)))
        if ln.remarks:
            out.append(w.segment("LQ", "HE", ln.remarks[0]))
        return out

    def claim(self, c: AdjudicatedClaim, ledger: LedgerClaim, dos: dict[str, date]) -> list[str]:
        w = self.w
        payer = self.p.payers.get(ledger.payer_id)
        filing = FILING.get(payer.payer_type, "12") if payer is not None else "12"
        facility = "13" if ledger.claim_type == "837I" else "11"
        out = [w.segment("CLP", c.claim_id, c.status, amount(c.charge), amount(c.paid),
                         amount(c.patient_responsibility), filing, c.payer_claim_number, facility, "1"),
               w.segment("NM1", "QC", "1", "PATIENT", "SYNTHETIC", "", "", "", "MI", f"M{ledger.patient_id}"[:20])]
        if c.remarks:
            out.append(w.segment("MOA", "", "", *c.remarks[:5]))
        if ledger.statement_from:
            out.append(w.segment("DTM", "232", f"{ledger.statement_from:%Y%m%d}"))
        if ledger.statement_to:
            out.append(w.segment("DTM", "233", f"{ledger.statement_to:%Y%m%d}"))
        for ln in c.lines:
            out += self.line(ln, dos[ln.line_control_number])
        return out

    def body(self, remit: Remit, ledger: dict[str, LedgerClaim], dos: dict[str, date]) -> list[str]:
        w = self.w
        payer = self.p.payers.get(remit.payer_id)
        name = w.clean(payer.payer_name) if payer is not None else remit.payer_id
        payee_name, npi = self.p.payee
        total = remit.total
        day = f"{remit.check_date:%Y%m%d}"
        if total > ZERO:
            bpr = w.segment("BPR", "I", amount(total), "C", "ACH", "CCP", "01", "999999999", "DA", "123456",
                            "1512345678", "", "01", "999988880", "DA", "98765", day)
        else:
            bpr = w.segment("BPR", "H", amount(total), "C", "NON", "", "", "", "", "", "", "", "", "", "", "", day)
        out = [bpr, w.segment("TRN", "1", remit.trace, "1512345678"), w.segment("DTM", "405", day),
               w.segment("N1", "PR", name[:60]), w.segment("N3", "100 SYNTHETIC PAYER WAY"),
               w.segment("N4", "SPRINGFIELD", "IL", "627010001"), w.segment("REF", "2U", remit.payer_id),
               w.segment("PER", "BL", "PROVIDER SERVICES", "TE", "8005550100"),
               w.segment("N1", "PE", w.clean(payee_name)[:60], "XX", npi)]
        for n, c in enumerate(remit.claims, start=1):
            out.append(w.segment("LX", str(n)))
            out += self.claim(c, ledger[c.claim_id], dos)
        if remit.plb:
            year_end = f"{remit.check_date.year}1231"
            for start in range(0, len(remit.plb), 6):
                elements: list = []
                for code, ref, value in remit.plb[start:start + 6]:
                    elements += [(code, ref), amount(value)]
                out.append(w.segment("PLB", npi, year_end, *elements))
        return out


def write_simulation(book: BookData, out_dir: str | Path, seed: int = 1, rates: PlantRates = PlantRates(),
                     *, now: datetime | None = None, claims: list[LedgerClaim] | None = None,
                     key: Path | None = None) -> Simulation:
    """Simulate the payers of ``book`` and write one 835 per payer and check date to ``out_dir``, and the
    answer key to ``key`` (default ``out_dir/simulation-key.csv``). ``claims``: see :func:`simulate`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sim = simulate(book, seed, rates, claims)
    claims = submitted_primaries(book) + submitted_primaries(book, SECONDARY) if claims is None else claims
    ledger = {c.claim_id: c for c in claims}
    dos = {ln.control_number: ln.service_date for c in claims for ln in c.lines}
    writer = _Writer(_Payers(book), SegmentWriter())
    for n, remit in enumerate(sim.remits, start=1):
        remit.trace = f"SIM{seed % 100000:05d}{n:06d}"
        cob = "_COB" if remit.coordinated else ""
        remit.file = f"835_{remit.payer_id}_{remit.check_date:%Y%m%d}{cob}.835"
        stamp = now or datetime.combine(remit.check_date, datetime.min.time()).replace(hour=6)
        text = io.StringIO()
        x = Interchange(text, writer.w, Party("ZZ", f"SIM{remit.payer_id}"[:15]), Party("ZZ", "SYNCLINIC01"),
                        ControlNumbers(n, n, 1), stamp, functional_id="HP", application_sender=f"SIM{remit.payer_id}",
                        application_receiver="SYNCLINIC01", version="005010X221A1", usage="T",
                        implementation_reference="")
        x.transaction("835", writer.body(remit, ledger, dos))
        x.close()
        path = out_dir / remit.file
        path.write_text(text.getvalue(), encoding="ascii", newline="")
        sim.files.append(path)
    (key or out_dir / KEY_FILE).write_text(sim.key_csv(), encoding="utf-8", newline="")
    return sim


def run(book: BookData, options: RunOptions) -> StageResult:
    """The ``simulate-payer`` stage: 835 files for the submitted claims into ``options.remit_dir``.

    It writes files only, never sheets: what a payer does is not part of the practice's book.
    """
    if options.remit_dir is None:
        return StageResult(summary={"835 files written": 0})
    missing = book.require("simulate-payer", ("Payers", "FeeSchedule", "Coverage"))
    if missing:
        return StageResult(findings=missing, summary={"835 files written": 0})
    sim = write_simulation(book, options.remit_dir, seed=options.seed)
    paid = sum((r.total for r in sim.remits), ZERO)
    return StageResult(summary={
        "835 files written": len(sim.files), "claims remitted": len({k.claim_id for k in sim.key if k.remit}),
        "paid": f"{paid:,.2f}", "planted underpayment": f"{sim.planted_underpayment:,.2f}",
        "answer key": str(Path(options.remit_dir) / KEY_FILE)})
