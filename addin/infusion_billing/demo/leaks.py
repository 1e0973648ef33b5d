"""The assessment's answer key: a client's files with billing mistakes planted, and what each one costs.

From a practice's 837s (the demo's ``out/837``) this writes what a client would hand a consultant: a
charge export of the billed lines (CSV, as billing systems export it) with mistakes planted on chosen
claims, and the payer's 835s for exactly those claims, paying the contracted rate (a lesser-of payer
pays the charge when it is lower) except on a few lines it underpays. The infusion log is the book the
837s were billed from: it is the truth the billed lines are compared with. Each planted leak is listed
with its claim, code, kind and dollars at the contracted rate, so the assessment can be scored:
"Planted leaks found: N of N, $X of $X".
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from ..assess.coding_review import ADDON_HOURS, is_drug
from ..assess.figures import Rate, contract_rate
from ..claims.reader import read_837
from .remits import remit_835

CENT = Decimal("0.01")
EXPORT_COLUMNS = ("Claim ID", "Member ID", "Payer", "Date of Service", "CPT/HCPCS", "Modifiers", "Units", "Charge",
                  "NDC")


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


def client_kit(claim_files: Iterable[Path], rates: list[Rate], out: Path, *, plant: bool = True, seed: int = 11,
               per_kind: int = 2, paid_on: date | None = None) -> ClientKit:
    """Write ``out/charges.csv`` and ``out/835/*.835`` for the claims of ``claim_files``."""
    reads = [read_837(p) for p in claim_files]
    claims = pd.concat([r.claims for r in reads], ignore_index=True)
    lines = pd.concat([r.lines for r in reads], ignore_index=True)
    first = lines.groupby("claim_id")["service_from"].min()
    claims["statement_from"] = [s or first.get(c) for c, s in zip(claims["claim_id"], claims["statement_from"],
                                                                   strict=True)]
    lines["service_from"] = [s or first.get(c) for c, s in zip(lines["claim_id"], lines["service_from"], strict=True)]
    by_code: dict[str, list[Rate]] = {}
    for r in rates:
        by_code.setdefault(r.code, []).append(r)
    payer_of = dict(zip(claims["claim_id"], claims["payer_id"], strict=True))
    recs: list[dict[str, Any]] = [{str(k): x for k, x in r.items()} for r in lines.to_dict("records")]

    def rate(i: int) -> Decimal:
        """The contracted rate of line ``i`` (only lines with one are picked)."""
        return contract_rate(by_code, recs[i]["code"], str(payer_of[recs[i]["claim_id"]]),
                             recs[i]["service_from"]) or Decimal(0)

    leaks: list[Leak] = []
    underpaid: dict[tuple[str, int], Decimal] = {}
    if plant:
        rng = random.Random(seed)
        used: set[str] = set()
        order = list(range(len(recs)))
        rng.shuffle(order)

        def pick(test) -> list[int]:
            chosen = []
            for i in order:
                cid = recs[i]["claim_id"]
                if cid not in used and rate(i) and test(i):
                    chosen.append(i)
                    used.add(cid)
                    if len(chosen) == per_kind:
                        break
            return chosen

        def shorten(i: int, by: int, kind: str) -> None:
            unit = recs[i]["charge"] / recs[i]["units"]
            recs[i]["units"] -= by
            recs[i]["charge"] = (unit * recs[i]["units"]).quantize(CENT)
            leaks.append(Leak(recs[i]["claim_id"], recs[i]["code"], kind, rate(i) * by))

        for i in pick(lambda i: recs[i]["code"] in ADDON_HOURS and recs[i]["units"] >= 2):
            shorten(i, 1, "Missed add-on hours")
        for i in pick(lambda i: is_drug(recs[i]["code"]) and recs[i]["units"] >= 10):
            shorten(i, int(recs[i]["units"]) // 5, "Drug units below the dose")
        for i in pick(lambda i: is_drug(recs[i]["code"]) and bool(recs[i]["ndc"])):
            recs[i]["ndc"] = None
            leaks.append(Leak(recs[i]["claim_id"], recs[i]["code"], "Missing NDC",
                              recs[i]["units"] * rate(i)))
        for i in pick(lambda i: not is_drug(recs[i]["code"])
                      and recs[i]["charge"] > rate(i) * recs[i]["units"]):
            below = (rate(i) * recs[i]["units"] * Decimal("0.8")).quantize(CENT)
            leaks.append(Leak(recs[i]["claim_id"], recs[i]["code"], "Charge below contract",
                              rate(i) * recs[i]["units"] - below))
            recs[i]["charge"] = below
        for i in pick(lambda i: recs[i]["charge"] > rate(i) * recs[i]["units"] + 10):
            short = (rate(i) * recs[i]["units"] * Decimal("0.1")).quantize(CENT)
            underpaid[(recs[i]["claim_id"], int(recs[i]["line"]))] = short
            leaks.append(Leak(recs[i]["claim_id"], recs[i]["code"], "Underpayment", short))
    lines = pd.DataFrame(recs, dtype=object)
    totals = lines.groupby("claim_id")["charge"].apply(lambda s: sum(s, Decimal("0.00")))
    claims["total_charge"] = [totals[c] for c in claims["claim_id"]]

    out.mkdir(parents=True, exist_ok=True)
    member = dict(zip(claims["claim_id"], claims["member_id"], strict=True))
    payer_name = dict(zip(claims["claim_id"], claims["payer_name"], strict=True))
    export = out / "charges.csv"
    with open(export, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(EXPORT_COLUMNS)
        for row in lines.itertuples(index=False):
            w.writerow([row.claim_id, member[row.claim_id], payer_name[row.claim_id], f"{row.service_from:%m/%d/%Y}",
                        row.code, row.modifiers or "", row.units, row.charge, row.ndc or ""])
    def allowed_of(payer: str, code: str, units, charge, day) -> Decimal:
        contracted = contract_rate(by_code, code, payer, day)
        return (contracted * Decimal(units)).quantize(CENT) if contracted is not None else charge

    # The payer pays each claim 30 days after its date of service, in one 835 per week.
    remits = out / "835"
    remits.mkdir(exist_ok=True)
    claims["paid_on"] = [(paid_on or (d + timedelta(days=30))) for d in claims["statement_from"]]
    claims["week"] = [d.isocalendar()[:2] for d in claims["paid_on"]]
    for n, (_, week) in enumerate(claims.groupby("week", sort=True), start=1):
        ids = set(week["claim_id"])
        wl = lines[lines["claim_id"].isin(ids)].copy()
        text = remit_835(week, wl, allowed_of=allowed_of, paid_on=max(week["paid_on"]),
                         payee_npi=str(week["billing_npi"].iloc[0]), control=n,
                         cuts=underpaid)
        (remits / f"remit_{n:04d}.835").write_text(text, encoding="utf-8")
    return ClientKit(remits, export, leaks)


def score(leaks: list[Leak], rows: list[dict], underpayments: list[dict]) -> tuple[int, Decimal, Decimal]:
    """How many planted leaks the assessment found (same claim, code and kind) and their dollars."""
    found_keys = {(r["encounter"], r["code"], r["kind"]): r["impact"] for r in rows}
    found_keys |= {(u["pcn"], u["code"], "Underpayment"): u["short"] for u in underpayments}
    hit = [lk for lk in leaks if (lk.claim_id, lk.code, lk.kind) in found_keys]
    return len(hit), sum((abs(found_keys[(lk.claim_id, lk.code, lk.kind)]) for lk in hit), Decimal("0.00")), \
        sum((lk.dollars for lk in leaks), Decimal("0.00"))
