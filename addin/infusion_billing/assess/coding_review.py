"""The coding review: what the client's infusion log supports, against what the client billed.

The coding engine codes the client's log exactly as it codes a practice's own month. Each encounter is
then matched to the claim the client billed for it: by patient control number when it equals the
Encounter ID (a split claim's ``-1``, ``-2`` included), else by the patient's member ID and the date of
service, else by the patient's name and date of birth and the date of service. Code by code, the
billed units are compared with the units the log supports, and every difference is a row of one kind:

* **missed add-on hours**: an add-on hour code (96361, 96366, 96415 ...) billed short (CPT time rules,
  docs/coding-rules.md section 4);
* **wrong initial service**: the initial service the hierarchy chooses (chemo > therapeutic > hydration)
  not billed, another initial billed instead (section 5);
* **hydration without necessity or over another initial**: hydration billed that the log does not support;
* **drug units below / above the dose**: drug units that differ from the dose given (units above the
  dose are a refund risk, shown as a negative impact);
* **missing JW line** / **missing JZ**: the waste line or the no-waste modifier CMS requires on
  single-dose drugs (section 7);
* **missing NDC**: a drug line billed without the NDC a payer needs to pay it (the line's value at risk);
* **charge below contract**: a charge below the contracted rate x units for a payer that pays the
  lesser of the two (the Payers table's ``Lesser Of Charge``, Y unless it says otherwise): the payer
  pays the charge, leaving the difference on the table.

Each difference is priced per unit with the client's contracted rates, else the FeeSchedule of the
infusion-log book, else the client's own charge for the code. A contract is read as reconciliation
reads it (:class:`~infusion_billing.posting.contract.Contract`): the payer's rate for the code and
modifiers in force on the date of service.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

import pandas as pd

from ..coding.engine import code_book
from ..posting.contract import Contract, cents
from ..privacy import patient_key
from .sources import modifiers_of

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
HYDRATION = frozenset({"96360", "96361"})


def _hierarchy() -> tuple[frozenset[str], frozenset[str]]:
    text = resources.files("infusion_billing.coding").joinpath("tables/hierarchy.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    initials = frozenset(r["Initial"] for r in rows if r["Initial"])
    addons = frozenset(c for r in rows for c in (r["Add-on Hour"], r["Subsequent Add-on Hour"]) if c)
    return initials, addons


INITIALS, ADDON_HOURS = _hierarchy()


def is_drug(code: str) -> bool:
    """HCPCS Level II drug codes (J, Q, and the few S/A drug codes infusion practices bill)."""
    return bool(code) and code[0] in "JQ"


@dataclass(frozen=True)
class Billed:
    units: Decimal
    charge: Decimal
    modifiers: frozenset[str]
    ndc: bool


CLIENT_RATES, BOOK_RATES = "Contracted rate", "FeeSchedule (log book)"


class Pricer:
    """Price per unit: contracted rate, else the log book's FeeSchedule, else the client's own charge."""

    def __init__(self, client: Contract | None, book: Contract | None, lines: pd.DataFrame) -> None:
        self.contracts = [(label, c) for label, c in ((CLIENT_RATES, client), (BOOK_RATES, book)) if c is not None]
        per_unit: dict[str, list[Decimal]] = defaultdict(list)
        for code, units, charge in lines[["code", "units", "charge"]].itertuples(index=False, name=None):
            if charge and units:
                per_unit[code].append(Decimal(charge) / Decimal(units))
        self.own = {c: sorted(v)[len(v) // 2] for c, v in per_unit.items()}

    def contract(self, code: str, payer_id: str, day, modifiers: Iterable[str] = ()) -> tuple[
            Decimal, str, Contract] | None:
        """The first contract with a rate for the line: (rate, where it came from, its terms)."""
        for label, terms in self.contracts:
            rate = terms.rate(payer_id, code, modifiers, day)
            if rate is not None:
                return rate, label, terms
        return None

    def __call__(self, code: str, payer_id: str, day, modifiers: Iterable[str] = ()) -> tuple[Decimal | None, str]:
        found = self.contract(code, payer_id, day, modifiers)
        if found is not None:
            return found[0], found[1]
        own = self.own.get(code)
        return (own, "Client's own charge") if own is not None else (None, "Not priced")


@dataclass
class Review:
    """The Coding Review rows, how each compared encounter found its claim, and the encounters with none."""

    rows: list[dict[str, Any]]
    routes: Counter[str]
    unbilled: int

    @property
    def compared(self) -> int:
        return sum(self.routes.values())


#: How an encounter of the log found the claim billed for it, in the order tried.
BY_CONTROL_NUMBER, BY_MEMBER_ID, BY_NAME_AND_BIRTH = ("patient control number", "member ID and date of service",
                                                      "name, birth date and date of service")


def review(book, claims: pd.DataFrame, lines: pd.DataFrame, pricer: Pricer) -> Review:
    """Code the log and compare each encounter with the claim(s) the client billed for it.

    An encounter finds its claim by patient control number equal to its Encounter ID (a split claim's
    ``-1``, ``-2`` too); else by the patient's member ID (Coverage) and the date of service; else by
    the patient's name and birth date (as a one-way key, :func:`~infusion_billing.privacy.patient_key`)
    and the date of service.
    """
    coded = code_book(book)
    expected: dict[str, list] = defaultdict(list)
    for line in coded.lines:
        expected[line.encounter_id].append(line)
    member_of: dict[str, set[str]] = defaultdict(set)
    for cov in book.rows("Coverage"):
        if cov.member_id:
            member_of[cov.patient_id].add(str(cov.member_id).strip())
    person_of = {p.patient_id: patient_key(p.last_name, p.first_name, p.date_of_birth) for p in book.rows("Patients")}
    claim_by_id = {str(c): c for c in claims["claim_id"]}
    claim_by_member: dict[tuple[str, Any], list[str]] = defaultdict(list)
    claim_by_person: dict[tuple[str, Any], list[str]] = defaultdict(list)
    for cid, member, person, dos in claims[["claim_id", "member_id", "patient_key", "statement_from"]].itertuples(
            index=False, name=None):
        if member:
            claim_by_member[(str(member).strip(), dos)].append(cid)
        if person:
            claim_by_person[(person, dos)].append(cid)
    split: dict[str, list[str]] = defaultdict(list)
    for cid in claim_by_id:
        base, _, tail = cid.rpartition("-")
        if base and tail.isdigit():
            split[base].append(cid)
    billed_lines: dict[str, list[tuple]] = defaultdict(list)
    for row in lines[["claim_id", "code", "modifiers", "units", "charge", "ndc"]].itertuples(index=False, name=None):
        billed_lines[row[0]].append(row[1:])
    payer_of = dict(zip(claims["claim_id"], claims["payer_name"], strict=True))

    rows: list[dict[str, Any]] = []
    routes: Counter[str] = Counter()
    unbilled = 0
    for enc in book.rows("Encounters"):
        eid = enc.encounter_id
        want = expected.get(eid)
        if not want:
            continue
        route, ids = BY_CONTROL_NUMBER, [eid] if eid in claim_by_id else split.get(eid, [])
        if not ids:
            route, ids = BY_MEMBER_ID, [c for m in sorted(member_of.get(enc.patient_id, ()))
                                        for c in claim_by_member.get((m, enc.date_of_service), ())]
        person = person_of.get(enc.patient_id)
        if not ids and person:
            route, ids = BY_NAME_AND_BIRTH, list(claim_by_person.get((person, enc.date_of_service), ()))
        if not ids:
            unbilled += 1
            continue
        routes[route] += 1
        payer = str(enc.payer_id or payer_of.get(ids[0]) or "")
        got: dict[str, list[Billed]] = defaultdict(list)
        for cid in ids:
            for code, mods, units, charge, ndc in billed_lines.get(cid, ()):
                got[code].append(Billed(Decimal(units or 0), Decimal(charge or 0), frozenset(modifiers_of(mods)),
                                        bool(ndc)))
        rows += compare(eid, enc.date_of_service, payer, want, got, pricer)
    return Review(rows, routes, unbilled)


def compare(eid: str, dos, payer: str, want: list, got: dict[str, list[Billed]], pricer: Pricer) -> list[dict]:
    out: list[dict[str, Any]] = []

    def add(code, mods, billed_units, expected_units, kind, impact, priced_by, why):
        out.append({"encounter": eid, "dos": dos, "code": code, "modifiers": mods, "billed": billed_units,
                    "expected": expected_units, "kind": kind, "impact": impact.quantize(CENT), "priced_by": priced_by,
                    "explanation": why})

    want_units: dict[tuple[str, bool], int] = defaultdict(int)
    want_mods: dict[str, set[str]] = defaultdict(set)
    want_ndc: set[tuple[str, bool]] = set()  # (code, waste line) the log's coding puts an NDC on
    for line in want:
        want_units[(line.code, "JW" in line.modifiers)] += line.units
        want_mods[line.code].update(line.modifiers)
        if line.ndc:
            want_ndc.add((line.code, "JW" in line.modifiers))
    got_units: dict[tuple[str, bool], Decimal] = defaultdict(lambda: Decimal(0))
    for code, billed in got.items():
        for one in billed:
            got_units[(code, "JW" in one.modifiers)] += one.units
    initial_billed = sorted(c for (c, _), u in got_units.items() if c in INITIALS and u > 0)
    for key in sorted(set(want_units) | set(got_units)):
        code, waste = key
        e, b = Decimal(want_units.get(key, 0)), got_units.get(key, Decimal(0))
        if e == b:
            continue
        # Priced as the log codes the line: the waste line with JW, else with the log's modifiers for the code.
        rate, priced_by = pricer(code, payer, dos, ("JW",) if waste else sorted(want_mods.get(code, set()) - {"JW"}))
        impact = (e - b) * (rate or ZERO)
        mods = "JW" if waste else ""
        if waste and e > b:
            kind, why = "Missing JW line", (f"{e - b} units of waste charted on a single-dose vial were not billed "
                                            "on a JW line.")
        elif code in ADDON_HOURS and e > b:
            kind, why = "Missed add-on hours", f"The charted times support {e} unit(s) of {code}; {b} billed."
        elif code in INITIALS and e > b:
            others = ", ".join(c for c in initial_billed if c != code) or "none"
            kind, why = "Wrong initial service", (f"The hierarchy makes {code} the initial service; billed "
                                                  f"initial: {others}.")
        elif code in HYDRATION and b > e:
            kind, why = "Hydration without necessity or over another initial", (
                f"{code} billed {b} unit(s); the log supports {e} (hydration needs its own necessity and is "
                "not initial when a drug infusion was given).")
        elif is_drug(code) and e > b:
            kind, why = "Drug units below the dose", f"The dose given is {e} billing unit(s) of {code}; {b} billed."
        elif is_drug(code):
            kind, why = "Drug units above the dose", (f"{b} unit(s) of {code} billed; the dose given is {e} "
                                                      "(refund risk).")
        elif e > b:
            kind, why = "Service not billed", f"The log supports {e} unit(s) of {code}; {b} billed."
        else:
            kind, why = "Billed beyond the log", f"{b} unit(s) of {code} billed; the log supports {e}."
        add(code, mods, b, e, kind, impact, priced_by, why)
    for code, billed in sorted(got.items()):
        for one in billed:
            if "JZ" in want_mods.get(code, ()) and "JZ" not in one.modifiers and "JW" not in one.modifiers:
                rate, priced_by = pricer(code, payer, dos, one.modifiers | {"JZ"})
                add(code, "JZ", one.units, one.units, "Missing JZ", one.units * (rate or ZERO), priced_by,
                    "A single-dose drug with no waste needs JZ; Medicare returns the line without it (value at risk).")
            # The JW line is a drug line of its own: a payer that needs the NDC denies it without one too.
            waste = "JW" in one.modifiers
            if (code, waste) in want_ndc and not one.ndc:
                rate, priced_by = pricer(code, payer, dos, one.modifiers)
                add(code, "JW" if waste else "", one.units, one.units, "Missing NDC", one.units * (rate or ZERO),
                    priced_by, f"A {'waste (JW) ' if waste else ''}drug line without its NDC; Medicaid and many "
                    "plans deny it (value at risk).")
            found = pricer.contract(code, payer, dos, one.modifiers)
            if found is not None and one.units:
                contract, priced_by, terms = found
                # What the contract is worth against what the payer allows, the lesser of it and the charge.
                short = cents(contract * one.units) - (terms.expected(payer, contract, one.units, one.charge) or ZERO)
                if short > CENT:
                    add(code, ",".join(sorted(one.modifiers)), one.units, one.units, "Charge below contract", short,
                        priced_by, f"Charged {one.charge / one.units:.2f} a unit against a contracted "
                        f"{contract:.2f}: a lesser-of payer pays the charge.")
    return out
