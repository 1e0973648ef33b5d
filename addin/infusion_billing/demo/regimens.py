"""The treatments the synthetic clinic gives, charted the way an infusion nurse charts them.

Each :class:`Regimen` says who gets it (ages, conditions, how common it is), when the patient comes
in over the three months (``schedule``), the doses (``doses``, fixed per patient: weight- or
body-surface-based doses are computed once) and what happens in the chair on each visit
(``visit``): premedication pushes, the infusion with its start and stop clock times, the IV site,
the bag label, hydration with its documented necessity, the waste left in the last single-dose vial.

Doses and vial sizes follow the usual labels: infliximab 5 mg/kg from 100 mg vials, rituximab
375 mg/m2 (or 1,000 mg for rheumatoid arthritis), immune globulin 0.4-1 g/kg, iron sucrose 200 mg,
ferric carboxymaltose 750 mg, ocrelizumab 600 mg (300 mg twice to start), mFOLFOX6 (oxaliplatin
85 mg/m2 with leucovorin 400 mg/m2 over two hours, fluorouracil 400 mg/m2 push and 2,400 mg/m2 over
46 hours by pump), ceftriaxone, vancomycin 15 mg/kg and ertapenem as outpatient antibiotics,
denosumab 60 mg, pegfilgrastim 6 mg and cyanocobalamin 1,000 mcg injections.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .catalog import STOCK_BY_KEY, Stock

D = Decimal
PERIPHERAL_SITES = ("L forearm", "R forearm", "L hand", "R hand", "L antecubital", "R antecubital")


# ----------------------------------------------------------------------------- the calendar


class Calendar:
    """The clinic's business days in the demo window (weekdays, Labor Day closed)."""

    def __init__(self, first: date, last: date, holidays: frozenset[date] = frozenset()):
        self.first, self.last, self.holidays = first, last, holidays
        self.days: list[date] = []
        d = first
        while d <= last:
            if d.weekday() < 5 and d not in holidays:
                self.days.append(d)
            d += timedelta(days=1)

    def open_on_or_after(self, d: date) -> date | None:
        """The first business day on or after ``d`` inside the window, or None past its end."""
        while d <= self.last:
            if d.weekday() < 5 and d not in self.holidays:
                return d if d >= self.first else self.open_on_or_after(self.first)
            d += timedelta(days=1)
        return None

    def every(self, start: date, days: int, count: int) -> list[date]:
        """``count`` visits ``days`` apart from ``start``, each moved to the next business day; those
        falling after the window are dropped."""
        out: list[date] = []
        for i in range(count):
            d = self.open_on_or_after(start + timedelta(days=i * days))
            if d is not None and (not out or d > out[-1]):
                out.append(d)
        return out

    def random_day(self, rng: random.Random, latest_offset: int = 0) -> date:
        """A business day in the window, at least ``latest_offset`` business days before its end."""
        return self.days[rng.randrange(max(1, len(self.days) - latest_offset))]


# ----------------------------------------------------------------------------- the chair


def _round_to(value: float, step: int) -> Decimal:
    return D(int(step * round(value / step)))


def _clock(minute: int) -> time:
    return time(minute // 60 % 24, minute % 60)


class Chair:
    """One visit in the infusion chair: the nurse's chart of what was given, when and how.

    Times are minutes after midnight of the date of service; every method appends one
    Administrations row (a dict keyed by the row model's field names) and moves the clock on.
    Internal keys start with ``_`` (the stock item, whether it is the visit's key drug).
    """

    def __init__(self, rng: random.Random, day: date, start_minute: int, site: str):
        self.rng, self.day, self.t, self.site = rng, day, start_minute, site
        self.admins: list[dict[str, Any]] = []
        self.primary: dict[str, Any] | None = None
        self._bags = 0

    def wait(self, minutes: int) -> None:
        self.t += minutes

    def _bag(self) -> str:
        self._bags += 1
        return str(self._bags)

    def _row(self, stock: Stock | None, dose: Decimal, route: str, start: int, stop: int | None, purpose: str,
             **extra: Any) -> dict[str, Any]:
        row: dict[str, Any] = {
            "drug": extra.pop("drug", stock.charted if stock else None), "hcpcs": stock.hcpcs if stock else None,
            "dose": plain(dose),
            "dose_unit": extra.pop("dose_unit", stock.dose_unit if stock else None),
            "wasted": waste(stock, dose) if stock else None, "route": route, "start": _clock(start),
            "stop": _clock(stop) if stop is not None else None, "interrupted_minutes": 0,
            "purpose": purpose, "_stock": stock,
        }
        if stop is not None and stop >= 24 * 60:
            row["stop_date"] = self.day + timedelta(days=stop // (24 * 60))
        if route in ("IV infusion", "IV push", "Prolonged pump"):
            row["iv_site"] = self.site
        row.update(extra)
        self.admins.append(row)
        return row

    def flush(self, minute: int) -> dict:
        """A 10 mL saline flush after an IV drug: charted, never billed (bundled into the administration)."""
        return self._row(None, D(10), "IV push", minute, minute + 1, "Flush", drug="normal saline flush",
                         dose_unit="mL")

    def lock(self) -> dict:
        """Heparin lock of a port or PICC at the end of the visit: charted, never billed."""
        return self._row(None, D(5), "IV push", self.t, self.t + 1, "Flush", drug="heparin lock flush 10 units/mL",
                         dose_unit="mL")

    def push(self, key: str, dose: Decimal | int | str, purpose: str = "Premedication", minutes: int = 2) -> dict:
        """An IV push over ``minutes`` (the nurse stays with the patient), then a saline flush."""
        row = self._row(STOCK_BY_KEY[key], D(dose), "IV push", self.t, self.t + minutes, purpose)
        self.flush(self.t + minutes)
        self.t += minutes + self.rng.choice((3, 5, 5, 8))
        return row

    def oral(self, name: str, dose_mg: int) -> dict:
        """An oral premedication (charted, never billed): no HCPCS, Drug Class Therapeutic."""
        return self._row(None, D(dose_mg), "Oral", self.t, None, "Premedication", drug=name, dose_unit="mg",
                         drug_class="Therapeutic")

    def infuse(self, key: str, dose: Decimal | int | str, minutes: int, purpose: str = "Primary", *,
               advance: bool = True, interrupted: int = 0) -> dict:
        """An IV infusion from its own bag, ``minutes`` long (plus any interruption)."""
        stop = self.t + minutes + interrupted
        row = self._row(STOCK_BY_KEY[key], D(dose), "IV infusion", self.t, stop, purpose, bag=self._bag(),
                        interrupted_minutes=interrupted)
        if advance:  # a bag running alongside the next one is flushed with it
            self.flush(stop)
            self.t = stop + self.rng.choice((2, 3, 5))
        return row

    def hydrate(self, key: str, minutes: int, purpose: str = "Hydration") -> dict:
        """A bag of normal saline given for hydration, with its medical necessity documented."""
        stock = STOCK_BY_KEY[key]
        row = self._row(stock, stock.vial, "IV infusion", self.t, self.t + minutes, purpose, bag=self._bag(),
                        necessity_documented="Y")
        self.t += minutes + self.rng.choice((1, 2, 5))
        return row

    def kvo(self, minutes: int) -> dict:
        """Saline to keep the vein open while a long infusion runs: charted, never billed."""
        return self._row(None, D(250), "IV infusion", self.t, self.t + minutes, "KVO",
                         drug="normal saline 250 mL (KVO)", dose_unit="mL", bag=self._bag())

    def inject(self, key: str, dose: Decimal | int | str, route: str = "SC injection") -> dict:
        row = self._row(STOCK_BY_KEY[key], D(dose), route, self.t, None, "Primary")
        self.t += 5
        return row

    def pump(self, key: str, dose: Decimal | int | str, hours: int) -> dict:
        """A prolonged infusion by portable pump, disconnected ``hours`` later (the Stop Date says when)."""
        return self._row(STOCK_BY_KEY[key], D(dose), "Prolonged pump", self.t, self.t + hours * 60, "Primary",
                         bag=self._bag())

    def key_drug(self, row: dict) -> dict:
        """Mark the visit's key reason (the encounter's Primary Admin ID)."""
        self.primary = row
        return row


def waste(stock: Stock, dose: Decimal) -> Decimal | None:
    """What is left in the last single-dose vial: the smallest number of vials covering the dose,
    less the dose (None for multi-dose containers, where waste is never charted for billing)."""
    if not stock.single_dose:
        return None
    vials = math.ceil(dose / stock.vial)
    return plain(vials * stock.vial - dose)


def share_vials(admins: list[dict[str, Any]]) -> None:
    """Doses of one drug in one visit come out of the same vials (the bolus and the pump of
    fluorouracil): the waste is what the smallest vial combination for the total leaves, charted on
    the last of them, 0 on the others."""
    by_code: dict[str, list[dict[str, Any]]] = {}
    for a in admins:
        if a.get("wasted") is not None:
            by_code.setdefault(a["hcpcs"], []).append(a)
    for rows in by_code.values():
        if len(rows) > 1:
            stock = rows[0]["_stock"]
            left = waste(stock, sum((r["dose"] for r in rows), D(0)))
            for r in rows:
                r["wasted"] = D(0)
            rows[-1]["wasted"] = left


def plain(d: Decimal) -> Decimal:
    """A Decimal without trailing zeros or exponent: 1000, 12.5, 0.25 (never 1E+3)."""
    return d.quantize(D(1)) if d == d.to_integral_value() else d.normalize()


# ----------------------------------------------------------------------------- the regimens


@dataclass(slots=True)
class Patient:
    """What a regimen needs to know about its patient (set once when the patient is made)."""

    weight: Decimal  # kg
    bsa: Decimal  # m2 (Mosteller)
    variant: str = ""
    doses: dict[str, Decimal] = field(default_factory=dict)
    site: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Regimen:
    """One treatment: who gets it, when they come, the doses, and the chart of each visit.

    ``schedule(rng, calendar, patient)`` returns [(date, kind)]; ``doses(rng, patient)`` fills
    ``patient.doses`` (and ``variant``); ``visit(chair, patient, kind)`` charts one visit.
    ``diagnoses`` maps a visit kind to condition names (see ``catalog.DIAGNOSES``; ``*`` = any kind).
    """

    key: str
    weight: float
    ages: tuple[int, int]
    female: float
    specialty: str
    diagnoses: Callable[[random.Random, Patient], dict[str, tuple[str, ...]]]
    schedule: Callable[[random.Random, Calendar, Patient], list[tuple[date, str]]]
    doses: Callable[[random.Random, Patient], None]
    visit: Callable[[Chair, Patient, str], None]
    # a fixed access (port, PICC); None = a new peripheral IV each visit
    site: Callable[[random.Random], str] | None = None


def _port(rng: random.Random) -> str:
    return rng.choice(("port", "port", "R chest port"))


def _picc(rng: random.Random) -> str:
    return rng.choice(("PICC R arm", "PICC L arm"))


def _one(*conditions: str) -> Callable[[random.Random, Patient], dict[str, tuple[str, ...]]]:
    def pick(rng: random.Random, p: Patient) -> dict[str, tuple[str, ...]]:
        return {"*": (rng.choice(conditions),)}

    return pick


# -- infliximab (Crohn's disease, ulcerative colitis, rheumatoid arthritis)

def _ifx_schedule(rng, cal, p):
    if rng.random() < 0.3:  # induction at weeks 0, 2 and 6
        start = cal.random_day(rng, 35)
        return [(d, "dose") for d in (cal.every(start, 14, 2) + cal.every(start + timedelta(days=42), 1, 1))]
    start = cal.days[rng.randrange(0, 40)]  # maintenance every 8 weeks
    return [(d, "dose") for d in cal.every(start, 56, 2)]


def _ifx_doses(rng, p):
    p.doses["infliximab"] = _round_to(float(p.weight) * 5, 10)
    p.variant = rng.choice(("diphenhydramine", "diphenhydramine", "none"))


def _ifx_visit(chair, p, kind):
    chair.oral("acetaminophen", 650)
    if p.variant == "diphenhydramine":
        chair.push("diphenhydramine", 25)
    chair.wait(20)
    chair.key_drug(chair.infuse("infliximab", p.doses["infliximab"], chair.rng.choice((120, 125, 130, 135))))


# -- rituximab (lymphoma 375 mg/m2 weekly x4; rheumatoid arthritis / vasculitis 1,000 mg twice)

def _rtx_schedule(rng, cal, p):
    start = cal.random_day(rng, 25)
    days = cal.every(start, 7, 4) if p.variant == "lymphoma" else cal.every(start, 14, 2)
    return [(d, "first" if i == 0 else "dose") for i, d in enumerate(days)]


def _rtx_doses(rng, p):
    p.variant = rng.choice(("lymphoma", "lymphoma", "rheumatoid"))
    p.doses["rituximab"] = _round_to(float(p.bsa) * 375, 10) if p.variant == "lymphoma" else D(1000)


def _rtx_dx(rng, p):
    if p.variant == "lymphoma":
        return {"*": (rng.choice(("lymphoma", "lymphoma", "cll")),)}
    return {"*": (rng.choice(("rheumatoid", "rheumatoid", "vasculitis")),)}


def _rtx_visit(chair, p, kind):
    rng = chair.rng
    chair.oral("acetaminophen", 650)
    chair.push("diphenhydramine", 50)
    chair.push("methylprednisolone", 100)
    chair.wait(25)
    first = kind == "first"  # the first infusion runs slowly, titrated up; later ones are faster
    minutes = rng.choice((255, 270, 300)) if first else rng.choice((90, 180, 210))
    interrupted = rng.choice((15, 20, 30)) if first and rng.random() < 0.15 else 0
    kvo_start = chair.t
    chair.key_drug(chair.infuse("rituximab", p.doses["rituximab"], minutes, interrupted=interrupted))
    if rng.random() < 0.3:
        saved, chair.t = chair.t, kvo_start
        chair.kvo(minutes + interrupted)
        chair.t = saved


# -- immune globulin (CIDP 1 g/kg over two days every 3 weeks; immunodeficiency 0.4-0.6 g/kg every 4 weeks; ITP)

def _ivig_schedule(rng, cal, p):
    if p.variant == "cidp":
        start = cal.days[rng.randrange(0, 15)]
        out = []
        for d in cal.every(start, 21, 5):
            nxt = cal.open_on_or_after(d + timedelta(days=1))
            out += [(d, "dose")] + ([(nxt, "dose")] if nxt else [])
        return out
    if p.variant == "itp":
        d = cal.random_day(rng, 3)
        nxt = cal.open_on_or_after(d + timedelta(days=1))
        return [(d, "dose")] + ([(nxt, "dose")] if nxt else [])
    return [(d, "dose") for d in cal.every(cal.days[rng.randrange(0, 20)], 28, 4)]


def _ivig_doses(rng, p):
    p.variant = rng.choice(("cidp", "immunodeficiency", "immunodeficiency", "itp"))
    per_kg = {"cidp": 0.5, "itp": 0.5, "immunodeficiency": rng.choice((0.4, 0.5, 0.6))}[p.variant]
    p.doses["ivig"] = D(max(10, int(float(p.weight) * per_kg)))  # grams a day, rounded down to whole grams
    p.extra["prehydrate"] = rng.random() < 0.4


def _ivig_dx(rng, p):
    return {"*": ({"cidp": "cidp", "itp": "itp", "immunodeficiency": "immunodeficiency"}[p.variant],)}


def _ivig_visit(chair, p, kind):
    chair.oral("acetaminophen", 650)
    chair.push("diphenhydramine", 25)
    if p.extra["prehydrate"]:  # renal protection before a large immune globulin dose
        chair.hydrate("ns500", chair.rng.choice((45, 60)))
    chair.key_drug(chair.infuse("ivig", p.doses["ivig"], chair.rng.choice((150, 180, 210, 240))))


# -- IV iron

def _iron_schedule(rng, cal, p):
    start = cal.random_day(rng, 15)
    if p.variant == "fcm":
        return [(d, "dose") for d in cal.every(start, 7, 2)]
    days = cal.every(start, 2, 5) if rng.random() < 0.5 else cal.every(start, 3, 5)
    if rng.random() < 0.3:  # a second course six weeks later
        days += [d for d in cal.every(start + timedelta(days=42), 3, 5) if d > days[-1]]
    return [(d, "dose") for d in days]


def _iron_doses(rng, p):
    p.variant = rng.choice(("sucrose", "sucrose", "fcm"))
    if p.variant == "fcm":
        p.doses["fcm"] = D(750)
    else:
        p.doses["iron_sucrose"] = D(200)
        p.extra["push"] = rng.random() < 0.6


def _iron_dx(rng, p):
    if rng.random() < 0.35:
        return {"*": ("ckd_anemia", "ckd")}
    return {"*": ("iron_deficiency",)}


def _iron_visit(chair, p, kind):
    if p.variant == "fcm":
        chair.key_drug(chair.infuse("fcm", p.doses["fcm"], chair.rng.choice((18, 20, 25))))
    elif p.extra["push"]:
        chair.key_drug(chair.push("iron_sucrose", p.doses["iron_sucrose"], purpose="Primary",
                                  minutes=chair.rng.choice((3, 5))))
    else:
        chair.key_drug(chair.infuse("iron_sucrose", p.doses["iron_sucrose"], chair.rng.choice((20, 30))))


# -- ocrelizumab (multiple sclerosis)

def _ocr_schedule(rng, cal, p):
    start = cal.random_day(rng, 20)
    if p.variant == "start":
        return [(d, "dose") for d in cal.every(start, 14, 2)]
    return [(start, "dose")]


def _ocr_doses(rng, p):
    p.variant = rng.choice(("start", "maintenance", "maintenance"))
    p.doses["ocrelizumab"] = D(300 if p.variant == "start" else 600)


def _ocr_visit(chair, p, kind):
    chair.oral("acetaminophen", 650)
    chair.push("methylprednisolone", 100)
    chair.push("diphenhydramine", 50)
    chair.wait(25)
    minutes = 150 if p.doses["ocrelizumab"] == 300 else chair.rng.choice((210, 215, 220))
    chair.key_drug(chair.infuse("ocrelizumab", p.doses["ocrelizumab"], minutes))


# -- mFOLFOX6 every 2 weeks (colorectal cancer), with hydration visits for dehydration after a cycle

def _folfox_schedule(rng, cal, p):
    start = cal.days[rng.randrange(0, 15)]
    out = []
    for d in cal.every(start, 14, 7):
        out.append((d, "chemo"))
        if rng.random() < 0.35:
            h = cal.open_on_or_after(d + timedelta(days=3))
            if h is not None:
                out.append((h, "hydration"))
    return sorted(set(out))


def _folfox_doses(rng, p):
    bsa = float(p.bsa)
    p.doses.update(oxaliplatin=D(int(round(85 * bsa))), leucovorin=_round_to(400 * bsa, 10),
                   fu_bolus=_round_to(400 * bsa, 10), fu_pump=_round_to(2400 * bsa, 10))
    p.variant = rng.choice(("palonosetron", "ondansetron"))


def _folfox_dx(rng, p):
    cancer = rng.choice(("colon_cancer",))
    return {"chemo": ("chemo_encounter", cancer), "hydration": ("dehydration", "nausea", cancer)}


def _folfox_visit(chair, p, kind):
    rng = chair.rng
    if kind == "hydration":
        chair.key_drug(chair.hydrate("ns1000", rng.choice((90, 120, 125))))
        chair.push("ondansetron", 8, purpose="Primary")
        return
    if p.variant == "palonosetron":
        chair.push("palonosetron", "0.25")
    else:
        chair.push("ondansetron", 8)
    chair.push("dexamethasone", 12)
    chair.wait(10)
    minutes = rng.choice((120, 120, 125))
    leuco_start = chair.t
    chair.key_drug(chair.infuse("oxaliplatin", p.doses["oxaliplatin"], minutes, advance=False))
    chair.infuse("leucovorin", p.doses["leucovorin"], minutes)  # separate bag, same line, same time
    chair.t = max(chair.t, leuco_start + minutes + 2)
    chair.push("fluorouracil", p.doses["fu_bolus"], purpose="Primary", minutes=rng.choice((3, 4, 5)))
    chair.pump("fluorouracil", p.doses["fu_pump"], 46)


# -- outpatient parenteral antibiotics (daily on clinic days, through a PICC)

def _opat_schedule(rng, cal, p):
    start = cal.random_day(rng, 10)
    count = rng.randint(14, 32)
    i = cal.days.index(start)
    return [(d, "dose") for d in cal.days[i:i + count]]


def _opat_doses(rng, p):
    p.variant = rng.choice(("ceftriaxone", "ceftriaxone", "vancomycin", "ertapenem"))
    if p.variant == "ceftriaxone":
        p.doses["ceftriaxone"] = D(rng.choice((1, 2, 2)))
    elif p.variant == "ertapenem":
        p.doses["ertapenem"] = D(1)
    else:
        p.doses["vancomycin"] = _round_to(float(p.weight) * 15, 250)


def _opat_dx(rng, p):
    if p.variant == "vancomycin":
        return {"*": (rng.choice(("osteomyelitis", "cellulitis", "septic_arthritis")), "mrsa")}
    return {"*": (rng.choice(("cellulitis", "osteomyelitis", "pyelonephritis", "pneumonia")),)}


def _opat_visit(chair, p, kind):
    rng = chair.rng
    if p.variant == "vancomycin":
        minutes = max(60, int(p.doses["vancomycin"]) * 60 // 1000) + rng.choice((0, 5, 10))
        chair.key_drug(chair.infuse("vancomycin", p.doses["vancomycin"], minutes))
    else:
        chair.key_drug(chair.infuse(p.variant, p.doses[p.variant], rng.choice((30, 30, 35))))


# -- injections

def _denosumab_schedule(rng, cal, p):
    return [(cal.random_day(rng), "dose")]


def _peg_schedule(rng, cal, p):
    return [(d, "dose") for d in cal.every(cal.days[rng.randrange(0, 15)], 21, 5)]


def _b12_schedule(rng, cal, p):
    start = cal.days[rng.randrange(0, 20)]
    if rng.random() < 0.3:  # weekly loading doses, then monthly
        days = cal.every(start, 7, 4)
        return [(d, "dose") for d in days + cal.every(days[-1] + timedelta(days=28), 28, 2)] if days else []
    return [(d, "dose") for d in cal.every(start, 28, 4)]


def _fixed(key: str, amount: int) -> Callable[[random.Random, Patient], None]:
    def doses(rng, p):
        p.doses[key] = D(amount)

    return doses


def _injection(key: str, route: str = "SC injection") -> Callable[[Chair, Patient, str], None]:
    def visit(chair, p, kind):
        chair.key_drug(chair.inject(key, p.doses[key], route))

    return visit


# -- hydration (dehydration from gastroenteritis or hyperemesis; necessity documented)

def _hyd_schedule(rng, cal, p):
    start = cal.random_day(rng, 10)
    weeks = rng.randint(3, 8)
    out = []
    for d in cal.every(start, 7, weeks):
        out.append((d, "dose"))
        extra = cal.open_on_or_after(d + timedelta(days=rng.choice((2, 3))))
        if extra is not None:
            out.append((extra, "dose"))
    return sorted(set(out))


def _hyd_doses(rng, p):
    p.extra["antiemetic"] = rng.random() < 0.6


def _hyd_visit(chair, p, kind):
    chair.key_drug(chair.hydrate("ns1000", chair.rng.choice((60, 90, 120, 125))))
    if p.extra["antiemetic"]:
        chair.push("ondansetron", 4, purpose="Primary")


REGIMENS: tuple[Regimen, ...] = (
    Regimen("antibiotics", 0.28, (20, 85), 0.45, "infectious disease", _opat_dx, _opat_schedule, _opat_doses,
            _opat_visit, _picc),
    Regimen("hydration", 0.10, (20, 80), 0.6, "internal medicine", _one("dehydration"), _hyd_schedule, _hyd_doses,
            _hyd_visit),
    Regimen("folfox", 0.13, (40, 84), 0.45, "oncology", _folfox_dx, _folfox_schedule, _folfox_doses, _folfox_visit,
            _port),
    Regimen("iron", 0.09, (22, 85), 0.7, "hematology", _iron_dx, _iron_schedule, _iron_doses, _iron_visit),
    Regimen("infliximab", 0.07, (18, 70), 0.5, "gastroenterology",
            _one("crohns", "crohns", "ulcerative_colitis", "rheumatoid"), _ifx_schedule, _ifx_doses, _ifx_visit),
    Regimen("rituximab", 0.06, (30, 82), 0.5, "oncology", _rtx_dx, _rtx_schedule, _rtx_doses, _rtx_visit),
    Regimen("ivig", 0.08, (20, 80), 0.5, "neurology", _ivig_dx, _ivig_schedule, _ivig_doses, _ivig_visit),
    Regimen("ocrelizumab", 0.03, (22, 60), 0.7, "neurology", _one("ms"), _ocr_schedule, _ocr_doses, _ocr_visit),
    Regimen("denosumab", 0.03, (62, 88), 0.85, "endocrinology", _one("osteoporosis"), _denosumab_schedule,
            _fixed("denosumab", 60), _injection("denosumab")),
    Regimen("pegfilgrastim", 0.05, (35, 78), 0.95, "oncology", lambda rng, p: {"*": ("breast_cancer", "aftercare")},
            _peg_schedule, _fixed("pegfilgrastim", 6), _injection("pegfilgrastim")),
    Regimen("b12", 0.08, (40, 88), 0.6, "internal medicine", _one("b12_deficiency"), _b12_schedule,
            _fixed("b12", 1000), _injection("b12", "IM injection")),
)
REGIMENS_BY_KEY = {r.key: r for r in REGIMENS}


def bsa(weight_kg: float, height_cm: float) -> Decimal:
    """Body-surface area (Mosteller): sqrt(height x weight / 3600), to 0.01 m2."""
    return D(str(math.sqrt(height_cm * weight_kg / 3600))).quantize(D("0.01"), rounding=ROUND_HALF_UP)
