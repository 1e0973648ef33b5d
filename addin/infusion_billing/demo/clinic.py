"""The synthetic clinic: a seeded, fully made-up infusion practice to run every stage on.

``infusion-billing demo`` builds three months of a small infusion clinic (five payers: Medicare,
a Medicaid plan that wants NDCs, three commercial plans; about 150 patients with coverage and prior
authorizations; about 1,500 encounters of real regimens, see :mod:`.regimens`), writes it as an
input workbook with the same code that writes the template, runs every pipeline stage that exists
and writes the result workbook with a ``Demo Answer Key`` sheet.

Like a real month, the data has mistakes, planted deliberately at realistic rates and recorded as
:class:`PlantedDefect` (rule, sheet, column, Excel row, cell):

* ``coding.stop-time-fallback``: an infusion or hydration bag charted without its stop time;
* ``doc.ndc-missing``: a Medicaid drug line without the NDC of the vial used;
* ``elig.coverage-inactive``: a visit after the patient's primary coverage ended;
* ``auth.units-exceeded``: the dose that takes a prior authorization past its units;
* ``coding.unknown-hcpcs``: a premedication charted with a mistyped HCPCS;
* ``scrub.coverage-diagnosis``: a drug with a coverage policy billed with a diagnosis the policy does
  not list (found by the claim scrubber, which holds that claim).

On the last day of the quarter the hospital's outpatient department also sees a few of the clinic's
Medicare patients (one visit per 125 clinic encounters): an anemia clinic giving epoetin (EA or EC
from the diagnoses, with the hemoglobin), iron and rituximab infusions, each with a clinic visit.
Each visit is two encounters, the hospital's facility claim (the E/M becomes G0463, packaged drugs
carry no JZ) and the hospital-based physician's claim at place of service 22 (the E/M only: the
hospital bills the drugs and their administration).

The demo then counts how many planted defects the engine reported by that rule at that exact cell
("planted defects found: 62 of 62"), and nothing else in the data is wrong enough to be an error.

The same seed always gives the same clinic. Rows are generated lazily, a visit at a time, and
streamed into the workbook, so ``--encounters 1000000`` runs in bounded memory.
"""

from __future__ import annotations

import math
import random
import sys
import time as timer
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from .. import asof
from .. import values as v
from ..claims.scrub import shipped_coverage_rules
from ..display import summary_value
from ..pipeline import ALL_STAGES, RunOptions, RunResult, available_stages, run_book, run_workbook
from ..posting.answer_key import read_key, score
from ..posting.simulator import KEY_FILE
from ..reference.catalog import builtin_drugs
from ..schema import TABLES_BY_NAME
from ..settings import SETTING_SPECS, Settings
from ..workbook.output_file import check_new_output
from ..workbook.ownership import DEMO, mark_generated
from ..workbook.template import WorkbookBuilder
from ..workbook.writer import OutputTable, write_outputs
from . import catalog, people
from .assessment import run_assessment_demo
from .regimens import REGIMENS, Calendar, Chair, Patient, Regimen, bsa, share_vials

DEFAULT_SEED = 20261127
DEFAULT_ENCOUNTERS = 1500
#: The three months of visits, the clinic's holiday, and the date the run is measured from.
FIRST_DAY, LAST_DAY = date(2026, 8, 3), date(2026, 10, 30)
HOLIDAYS = frozenset({date(2026, 9, 7)})  # Labor Day
AS_OF = LAST_DAY + timedelta(days=16)
AS_OF_NOTE = ("Demo: the day the claims go out and timely filing is measured from. The demo closes its month as "
              "'close' does, as of the last remit; a single command (reconcile, aging, kpis) counts to this date.")
FEES_FROM = date(2026, 1, 1)
PRACTICE = "Synthetic Infusion Clinic (demo data)"

#: Planting rates. Per eligible encounter: a timed bag without its stop time; a Medicaid drug line
#: without its NDC; a premedication with a mistyped HCPCS. Per patient with two or more visits:
#: coverage that ended before the last visit. Per authorization of a key drug used twice or more:
#: too few units for the last dose. About 1% of the encounters each.
RATE_STOP_MISSING = 0.012
RATE_NDC_MISSING = 0.04
RATE_UNKNOWN_HCPCS = 0.045
RATE_COVERAGE_ENDED = 0.08
RATE_AUTH_SHORT = 0.15
#: Per encounter with a drug that has a coverage policy (Coverage Rules): charted with a diagnosis the
#: policy does not list, which only the claim scrubber catches.
RATE_DX_UNCOVERED = 0.05
UNCOVERED_DX = "R53.83"  # other fatigue: a valid, billable code no drug policy here covers
#: Above this many encounters the stages are skipped: the reader and the stages hold every typed row
#: in memory (measured: 433 MB peak at 20,000 encounters, 1.9 GB at 100,000, about 19 MB per 1,000),
#: while generating and writing the clinic stream (228 MB at 1,000,000) and so does the result writer.
STAGE_LIMIT = 100_000

#: One hospital outpatient visit (two encounters: facility and physician) per this many clinic encounters.
HOSPITAL_RATE = 125
#: The hospital visits in turn: (kind, diagnoses, E/M code).
HOSPITAL_VISITS = (
    ("epoetin", "C50.911, D64.81", "99213"),
    ("iron", "D50.9", "99214"),
    ("epoetin_ckd", "N18.4, D63.1", "99213"),
    ("rituximab", "C83.30", "99215"),
)

ANSWER_KEY = "Demo Answer Key"
ANSWER_COLUMNS = ["Rule ID", "Sheet", "Column", "Row", "Cell", "Description", "Found"]


class Quota:
    """Plants about ``rate`` of the eligible cases, spread out with some jitter.

    A coin flip per case would make the count swing widely in a small demo (two authorization
    defects one seed, twelve the next); a running credit keeps it near ``rate`` x cases. A case
    that is due but taken by another defect leaves the credit for the next eligible case.
    """

    def __init__(self, rate: float, rng: random.Random):
        self.rate, self.rng = rate, rng
        self.credit = rng.random()

    def due(self) -> bool:
        """Count one more eligible case; True (and the credit spent) when a defect is due on it."""
        self.credit += self.rate
        if self.credit < 1:
            return False
        self.credit -= 1 + self.rng.uniform(-0.4, 0.4)
        return True


@dataclass(frozen=True)
class PlantedDefect:
    """One deliberate mistake in the demo data and where a biller would find it."""

    rule_id: str
    sheet: str
    header: str
    excel_row: int
    cell: str
    description: str


@dataclass(eq=False)
class AuthPlan:
    """A prior authorization for one HCPCS, sized from the patient's schedule."""

    auth_id: str
    hcpcs: str
    units: int
    visits: int
    start: date
    end: date
    short: bool = False  # planted: too few units for the last dose
    used: int = 0


@dataclass(eq=False, slots=True)
class PatientPlan:
    """Everything decided about one patient before any visit is charted.

    Kept small because a million-encounter clinic holds about 100,000 of them: the visit dates are
    one byte each (the business day's index in the calendar), and names and member IDs are not
    stored but re-derived from the seed when the Patients and Coverage rows are written.
    """

    index: int
    dob: date
    sex: str
    regimen: Regimen
    patient: Patient
    diagnoses: dict[str, str]  # visit kind ("*" = any) -> "Z51.11, C18.7"
    ordering_npi: str
    primary: str
    secondary: str | None
    coverage_from: date
    coverage_to: date | None = None
    days: bytes = b""  # business-day index of each visit, in date order
    kinds: tuple[str, ...] = ()  # the kind of each visit ("dose", "chemo", "hydration" ...)
    auths: dict[str, AuthPlan] = field(default_factory=dict)
    cursor: int = 0

    @property
    def patient_id(self) -> str:
        return f"P{self.index:06d}"

    def dx(self, kind: str) -> str:
        return self.diagnoses.get(kind) or self.diagnoses["*"]


@dataclass
class Visit:
    """One encounter row and its administration rows, each a list in the table's column order."""

    encounter: list[Any]
    administrations: list[list[Any]]


# ----------------------------------------------------------------------------- table layout helpers

def _fields(table: str) -> tuple[str, ...]:
    return tuple(c.field for c in TABLES_BY_NAME[table].columns)


def _row(fields: tuple[str, ...], values: dict[str, Any]) -> list[Any]:
    return [values.get(f) for f in fields]


def _cell(table: str, field_name: str, excel_row: int) -> tuple[str, str]:
    """(header, A1 cell) of a field on an Excel row of a demo table."""
    for i, c in enumerate(TABLES_BY_NAME[table].columns, start=1):
        if c.field == field_name:
            return c.header, f"{v.excel_column_letter(i)}{excel_row}"
    raise KeyError(field_name)


def _yn(flag: bool) -> str:
    return "Y" if flag else "N"


_MASS = {"g": Decimal(1_000_000), "mg": Decimal(1000), "mcg": Decimal(1)}


def _in_billing_unit(dose: Decimal, unit: str, hcpcs: str) -> Decimal:
    billing = builtin_drugs()[hcpcs].billing_unit.value
    return dose if unit == billing else dose * _MASS[unit] / _MASS[billing]


def units_by_hcpcs(admins: Iterable[dict]) -> dict[str, int]:
    """HCPCS units of each drug line of a visit: the doses of one code summed, then rounded up."""
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    for a in admins:
        if a.get("hcpcs") in builtin_drugs() and a["purpose"] not in ("KVO", "Carrier", "Flush"):
            amounts[a["hcpcs"]] += _in_billing_unit(a["dose"], a["dose_unit"], a["hcpcs"])
    return {code: math.ceil(amount / builtin_drugs()[code].billing_unit_quantity) for code, amount in amounts.items()}


# ----------------------------------------------------------------------------- the clinic


class Clinic:
    """The generated clinic. Small tables are lists of rows; visits are generated on demand.

    ``rows(table)`` yields the rows of one input table (lists in header order); ``visits()`` yields
    the encounters in date order with their administrations and, as it goes, fills ``planted``.
    ``rows_by_table()`` materializes everything (for tests and small demos).
    """

    def __init__(self, seed: int = DEFAULT_SEED, encounters: int = DEFAULT_ENCOUNTERS, hospital: bool = True):
        if encounters < 1:
            raise ValueError("encounters must be at least 1")
        self.seed = seed
        self.encounter_count = encounters
        #: Whether the hospital outpatient department's visits follow the clinic's (see the module doc).
        self.hospital = hospital
        self.calendar = Calendar(FIRST_DAY, LAST_DAY, HOLIDAYS)
        self.as_of = AS_OF
        self.planted: list[PlantedDefect] = []
        self.administration_count = 0
        rng = random.Random(seed)
        self.rendering_npis = [people.synthetic_npi(rng) for _ in range(3)]
        self._ordering: dict[str, list[str]] = {}
        self.plans: list[PatientPlan] = []
        self._auth_serial = 0
        self._auth_quota, self._coverage_quota = Quota(RATE_AUTH_SHORT, rng), Quota(RATE_COVERAGE_ENDED, rng)
        total = 0
        day_index = {d: i for i, d in enumerate(self.calendar.days)}
        while total < encounters:
            made = self._plan(rng, len(self.plans) + 1)
            if made is None:
                continue
            plan, visits = made
            visits = visits[: encounters - total]
            total += len(visits)
            self._authorize(rng, plan, visits)
            plan.days = bytes(day_index[d] for d, _ in visits)
            plan.kinds = tuple(kind for _, kind in visits)
            self.plans.append(plan)

    # -- patients

    def _ordering_npi(self, rng: random.Random, specialty: str) -> str:
        pool = self._ordering.setdefault(specialty, [people.synthetic_npi(rng) for _ in range(2)])
        return rng.choice(pool)

    def _plan(self, rng: random.Random, index: int) -> tuple[PatientPlan, list[tuple[date, str]]] | None:
        regimen = rng.choices(REGIMENS, weights=[r.weight for r in REGIMENS])[0]
        age = rng.randint(*regimen.ages)
        sex = "F" if rng.random() < regimen.female else "M"
        dob = date(AS_OF.year - age - 1, 1, 1) + timedelta(days=rng.randrange(365))
        weight = min(150.0, max(45.0, rng.gauss(72 if sex == "F" else 86, 15)))
        height = rng.gauss(162 if sex == "F" else 176, 7)
        patient = Patient(weight=Decimal(str(round(weight, 1))), bsa=bsa(weight, height))
        regimen.doses(rng, patient)
        conditions = regimen.diagnoses(rng, patient)
        codes: dict[str, str] = {}
        diagnoses = {kind: ", ".join(codes.setdefault(c, rng.choice(catalog.DIAGNOSES[c])) for c in names)
                     for kind, names in conditions.items()}
        diagnoses.setdefault("*", next(iter(diagnoses.values())))
        visits = regimen.schedule(rng, self.calendar, patient)
        if not visits:
            return None
        patient.site = regimen.site(rng) if regimen.site else ""
        primary, secondary = self._choose_payers(rng, age)
        start = date(rng.choice((2023, 2024, 2025, 2026)), rng.choice((1, 1, 4, 7)), 1)
        plan = PatientPlan(index=index, dob=dob, sex=sex, regimen=regimen, patient=patient, diagnoses=diagnoses,
                           ordering_npi=self._ordering_npi(rng, regimen.specialty), primary=primary,
                           secondary=secondary, coverage_from=min(start, FIRST_DAY - timedelta(days=30)))
        return plan, visits

    def identity(self, plan: PatientPlan) -> tuple[str, str, str, str | None]:
        """(last name, first name, primary member ID, secondary member ID), re-derived from the seed."""
        rng = random.Random(f"{self.seed}:{plan.index}")
        member = {catalog.MEDICARE: people.medicare_id, catalog.MEDICAID: people.medicaid_id}

        def member_id(payer: str) -> str:
            return member[payer](rng) if payer in member else people.commercial_id(rng, payer)

        primary = member_id(plan.primary)  # drawn before the secondary's and the names, as always
        secondary = member_id(plan.secondary) if plan.secondary else None
        return people.last_name(rng), people.first_name(rng), primary, secondary

    def visit_days(self, plan: PatientPlan) -> list[date]:
        return [self.calendar.days[i] for i in plan.days]

    @staticmethod
    def _choose_payers(rng: random.Random, age: int) -> tuple[str, str | None]:
        """Primary and secondary payer: Medicare from 65 (often with a Medigap or Medicaid plan behind
        it); under 65 mostly commercial, a quarter Medicaid, a few Medicare by disability."""
        if age >= 65:
            r = rng.random()
            secondary = rng.choice(catalog.COMMERCIAL) if r < 0.55 else catalog.MEDICAID if r < 0.7 else None
            return catalog.MEDICARE, secondary
        r = rng.random()
        if r < 0.72:
            return rng.choice(catalog.COMMERCIAL), None
        return (catalog.MEDICAID, None) if r < 0.97 else (catalog.MEDICARE, None)

    def _authorize(self, rng: random.Random, plan: PatientPlan, visits: list[tuple[date, str]]) -> None:
        """Prior authorizations for the patient's drugs that need one, with units for every planned
        dose plus a few to spare; now and then one planted short by part of its last dose. Also
        decides whether the patient's coverage ends before the last visit (planted)."""
        kinds = {kind for _, kind in visits}
        charts = {kind: _chart(random.Random(0), plan, visits[0][0], kind) for kind in kinds}
        per_kind = {kind: units_by_hcpcs(chart.admins) for kind, chart in charts.items()}
        primary_codes = {chart.primary.get("hcpcs") for chart in charts.values() if chart.primary}
        planted_patient = False
        for code in sorted({c for units in per_kind.values() for c in units}):
            if not catalog.needs_auth(plan.primary, code):
                continue
            doses = [per_kind[kind][code] for _, kind in visits if code in per_kind[kind]]
            first = next(d for d, kind in visits if code in per_kind[kind])
            self._auth_serial += 1
            begin = first - timedelta(days=rng.randint(3, 28))
            auth = AuthPlan(f"PA{self.seed % 1000:03d}{self._auth_serial:06d}", code, 0, len(doses) + rng.randint(2, 4),
                            begin, begin + timedelta(days=179))
            if len(doses) >= 2 and code in primary_codes and not planted_patient and self._auth_quota.due():
                auth.short = planted_patient = True
                auth.units = sum(doses[:-1]) + doses[-1] // 2
            else:
                auth.units = sum(doses) + max(doses) * rng.randint(2, 4)
            plan.auths[code] = auth
        if not planted_patient and len(visits) >= 2 and self._coverage_quota.due():
            plan.coverage_to = visits[-1][0] - timedelta(days=1)

    # -- the small tables

    def rows(self, table: str) -> Iterator[list[Any]]:
        """The rows of one input table, in header order (Encounters/Administrations: use visits())."""
        fields = _fields(table)
        makers = {"Settings": self._settings, "Payers": self._payer_rows, "FeeSchedule": self._fee_rows,
                  "Drugs": catalog.drugs_rows, "ChargeMaster": catalog.charge_master_rows,
                  "Payer Rules": self._payer_rule_rows, "Patients": self._patient_rows,
                  "Coverage": self._coverage_rows, "Authorizations": self._authorization_rows,
                  "Practice": self._practice_rows, "Coverage Rules": self._coverage_rule_rows,
                  "Providers": self._provider_rows}
        for values in makers[table]():
            yield _row(fields, values)

    def _settings(self):
        explicit = {"practice_name": PRACTICE, "as_of_date": self.as_of}
        for s in SETTING_SPECS:
            value = explicit.get(s.attr, s.default)
            yield {"setting": s.name, "value": _yn(value) if isinstance(value, bool) else value,
                   "notes": AS_OF_NOTE if s.attr == "as_of_date" else None}

    def _payer_rows(self):
        for p in catalog.PAYERS:
            yield {"payer_id": p.payer_id, "payer_name": p.name, "payer_type": p.payer_type,
                   "timely_filing_days": p.timely_filing_days, "appeal_days": p.appeal_days,
                   "requires_jw_jz": _yn(p.requires_jw_jz), "requires_ndc": _yn(p.requires_ndc),
                   "biologics_as_chemo": _yn(p.biologics_as_chemo), "separate_site_modifier": p.separate_site_modifier,
                   "secondary_hydration_59": _yn(p.secondary_hydration_59)}

    def _fee_rows(self):
        return catalog.fee_schedule_rows(FEES_FROM)

    def _payer_rule_rows(self):
        for payer_id, code, requires, notes in catalog.PAYER_RULES:
            yield {"payer_id": payer_id, "code": code, "requires_auth": _yn(requires), "effective_from": FEES_FROM,
                   "notes": notes}

    def _practice_rows(self):
        rng = random.Random(f"{self.seed}:practice")
        yield {"name": PRACTICE, "npi": people.synthetic_npi(rng, "2"), "ein": f"{rng.randrange(10, 99)}-"
               f"{rng.randrange(1_000_000, 9_999_999)}", "taxonomy": "261QI0500X",
               "address_line_1": "1200 Synthetic Parkway", "address_line_2": "Suite 300", "city": "Springfield",
               "state": "IL", "zip_code": "627040001", "submitter_id": "SYNCLINIC01",
               "submitter_name": PRACTICE, "contact_name": "Billing Office", "contact_phone": "217-555-0100",
               "receiver_id": "SYNCLEARHOUSE", "receiver_name": "Synthetic Clearinghouse (demo)", "test_files": "Y"}

    def _provider_rows(self):
        """The clinic's three oncologists (synthetic names), each the Rendering NPI of some visits."""
        rng = random.Random(f"{self.seed}:providers")
        for npi in self.rendering_npis:
            last, first = people.last_name(rng), people.first_name(rng)
            yield {"npi": npi, "last_name": last, "first_name": first, "taxonomy": "207RH0003X"}

    def _coverage_rule_rows(self):
        for r in shipped_coverage_rules():
            yield {"hcpcs": r.hcpcs, "diagnoses": r.diagnoses, "payer_id": r.payer_id,
                   "payer_type": r.payer_type.value if r.payer_type else None, "effective_from": r.effective_from,
                   "effective_to": r.effective_to, "source": r.source}

    def _patient_rows(self):
        for p in self.plans:
            last, first, _, _ = self.identity(p)
            street, city, state, zip_code = people.address(random.Random(f"{self.seed}:{p.index}:address"))
            yield {"patient_id": p.patient_id, "last_name": last, "first_name": first, "date_of_birth": p.dob,
                   "sex": p.sex, "address_line_1": street, "city": city, "state": state, "zip_code": zip_code}

    def _insured(self, p: PatientPlan, payer_id: str) -> dict[str, Any]:
        """Group number and the insured: one commercial patient in nine is covered as a spouse."""
        if catalog.PAYERS_BY_ID[payer_id].payer_type != "Commercial":
            return {"relationship": "Self"}
        rng = random.Random(f"{self.seed}:{p.index}:{payer_id}:insured")
        out: dict[str, Any] = {"group_number": f"G{rng.randrange(10_000, 99_999)}", "relationship": "Self"}
        if p.index % 9 == 0:
            last, _, _, _ = self.identity(p)
            out.update(relationship="Spouse", subscriber_last_name=last, subscriber_first_name=people.first_name(rng),
                       subscriber_date_of_birth=p.dob - timedelta(days=rng.randrange(-1500, 1500)),
                       subscriber_sex="M" if p.sex == "F" else "F")
        return out

    def _coverage_rows(self):
        for p in self.plans:
            payer = catalog.PAYERS_BY_ID[p.primary]
            commercial = payer.payer_type == "Commercial"
            _, _, primary_member, secondary_member = self.identity(p)
            yield {"patient_id": p.patient_id, "payer_id": p.primary, "member_id": primary_member,
                   "priority": "Primary", "effective_from": p.coverage_from, "effective_to": p.coverage_to,
                   "copay": Decimal("25.00") if commercial else None,
                   "coinsurance": Decimal("0.2") if payer.payer_type != "Medicaid" else Decimal(0),
                   "deductible_remaining": Decimal("0.00") if p.index % 3 else Decimal("250.00"),
                   **self._insured(p, p.primary)}
            if p.secondary:
                yield {"patient_id": p.patient_id, "payer_id": p.secondary, "member_id": secondary_member,
                       "priority": "Secondary", "effective_from": p.coverage_from, "effective_to": None,
                       **self._insured(p, p.secondary)}

    def _authorization_rows(self):
        for p in self.plans:
            for a in p.auths.values():
                yield {"auth_id": a.auth_id, "patient_id": p.patient_id, "payer_id": p.primary, "code": a.hcpcs,
                       "units_authorized": a.units, "visits_authorized": a.visits, "start_date": a.start,
                       "end_date": a.end}

    # -- the visits

    def visits(self) -> Iterator[Visit]:
        """Every encounter in date order with its administrations; fills ``planted`` as it goes."""
        rng = random.Random(self.seed * 31 + 7)
        self._quotas = [Quota(rate, rng) for rate in (RATE_STOP_MISSING, RATE_NDC_MISSING, RATE_UNKNOWN_HCPCS)]
        # its own random stream, so planting it leaves every other planted defect where it was
        self._dx_quota = Quota(RATE_DX_UNCOVERED, random.Random(f"{self.seed}:coverage-plant"))
        self._policies = {r.hcpcs for r in shipped_coverage_rules()}
        self.planted = []
        self.administration_count = 0
        by_day: list[list[PatientPlan]] = [[] for _ in self.calendar.days]
        for plan in self.plans:
            plan.cursor = 0
            for auth in plan.auths.values():
                auth.used = 0
            for i in plan.days:
                by_day[i].append(plan)
        enc_fields, adm_fields = _fields("Encounters"), _fields("Administrations")
        n = 0
        for i, day in enumerate(self.calendar.days):
            plans, by_day[i] = by_day[i], []
            for plan in plans:
                n += 1
                kind = plan.kinds[plan.cursor]
                plan.cursor += 1
                yield self._visit(rng, plan, day, kind, n, enc_fields, adm_fields)
        yield from self._hospital_visits(n, enc_fields, adm_fields)

    # -- the hospital outpatient department

    def _hospital_patients(self) -> list[PatientPlan]:
        """Medicare patients with active coverage and no clinic visit on the last day, one per HOSPITAL_RATE."""
        last = len(self.calendar.days) - 1
        eligible = [p for p in self.plans if p.primary == catalog.MEDICARE and p.coverage_to is None
                    and last not in p.days]
        count = min(len(eligible), self.encounter_count // HOSPITAL_RATE) if self.hospital else 0
        return random.Random(self.seed * 53 + 11).sample(eligible, count) if count else []

    @property
    def hospital_encounter_count(self) -> int:
        """Encounters of the hospital department: two (facility and physician) per visit."""
        return 2 * len(self._hospital_patients())

    def _hospital_visits(self, n: int, enc_fields, adm_fields) -> Iterator[Visit]:
        """The hospital department's visits on the last day, after the clinic's (so dates stay in order).

        Drawn from their own random stream, so the clinic's encounters are the same with or without them.
        """
        rng = random.Random(self.seed * 59 + 13)
        day = self.calendar.days[-1]
        for i, plan in enumerate(self._hospital_patients()):
            kind, diagnoses, em = HOSPITAL_VISITS[i % len(HOSPITAL_VISITS)]
            chair = Chair(rng, day, 480 + 15 * rng.randrange(24), rng.choice(("L forearm", "R forearm", "L hand")))
            if kind.startswith("epoetin"):
                chair.key_drug(chair.inject("epoetin", 40000 if kind == "epoetin" else 20000))
                chair.admins[-1]["hemoglobin"] = Decimal(rng.choice(("8.9", "9.2", "9.6", "9.8")))
            elif kind == "iron":
                chair.key_drug(chair.infuse("iron_sucrose", 200, 30))
            else:
                chair.push("diphenhydramine", 50)
                chair.wait(20)
                chair.key_drug(chair.infuse("rituximab", _round_to_ten(plan.patient.bsa * 375), 240))
            share_vials(chair.admins)
            for setting in ("Facility", "Professional"):
                n += 1
                yield self._hospital_encounter(rng, plan, day, chair, setting, diagnoses, em, n, enc_fields,
                                               adm_fields)

    def _hospital_encounter(self, rng, plan, day, chair, setting, diagnoses, em, n, enc_fields,
                            adm_fields) -> Visit:
        eid = f"E{n:07d}"
        admins = [{k: val for k, val in a.items() if not k.startswith("_")} for a in chair.admins]
        primary = None
        for i, (a, charted) in enumerate(zip(admins, chair.admins, strict=True)):
            a["encounter_id"], a["admin_id"] = eid, f"A{self.administration_count + i + 1:08d}"
            if charted is chair.primary:
                primary = a["admin_id"]
            if charted["_stock"] is not None and charted["_stock"].drug.drug_class.value == "Chemo/Complex":
                a["lot"] = people.lot_number(rng)
        self.administration_count += len(admins)
        encounter = {
            "encounter_id": eid, "patient_id": plan.patient_id, "payer_id": plan.primary, "date_of_service": day,
            "setting": setting, "place_of_service": "22", "rendering_npi": rng.choice(self.rendering_npis),
            "ordering_npi": plan.ordering_npi, "diagnosis_codes": diagnoses, "primary_admin_id": primary,
            "em_code": em, "em_separately_identifiable": "Y", "order_on_file": "Y",
        }
        return Visit(_row(enc_fields, encounter), [_row(adm_fields, a) for a in admins])

    def _visit(self, rng: random.Random, plan: PatientPlan, day: date, kind: str, n: int, enc_fields,
               adm_fields) -> Visit:
        chair = _chart(rng, plan, day, kind)
        admins = chair.admins
        first_row = self.administration_count + 2
        for i, a in enumerate(admins):
            a["encounter_id"] = f"E{n:07d}"
            a["admin_id"] = f"A{self.administration_count + i + 1:08d}"
        self.administration_count += len(admins)
        payer = catalog.PAYERS_BY_ID[plan.primary]
        for a in admins:
            stock = a.get("_stock")
            if stock is None or a["purpose"] == "KVO":
                continue
            if payer.requires_ndc:
                a["ndc"] = stock.ndc
            if stock.drug.drug_class.value == "Chemo/Complex" or stock.hcpcs in catalog.IMMUNE_GLOBULIN:
                a["lot"] = people.lot_number(rng)
        em = rng.random() < 0.04
        encounter = {
            "encounter_id": f"E{n:07d}", "patient_id": plan.patient_id, "payer_id": plan.primary,
            "date_of_service": day, "setting": "Professional", "place_of_service": "11",
            "rendering_npi": rng.choice(self.rendering_npis), "ordering_npi": plan.ordering_npi,
            "diagnosis_codes": plan.dx(kind),
            "primary_admin_id": chair.primary["admin_id"] if chair.primary else None,
            "em_code": rng.choice(("99213", "99214")) if em else None,
            "em_separately_identifiable": "Y" if em else None,
            "order_on_file": "Y",
        }
        self._plant(rng, plan, day, n, encounter, admins, first_row, payer)
        return Visit(_row(enc_fields, encounter),
                     [_row(adm_fields, {k: val for k, val in a.items() if not k.startswith("_")}) for a in admins])

    # -- planting

    def _record(self, rule_id: str, table: str, field_name: str, excel_row: int, description: str) -> None:
        header, cell = _cell(table, field_name, excel_row)
        self.planted.append(PlantedDefect(rule_id, table, header, excel_row, cell, description))

    def _plant(self, rng, plan, day, n, encounter, admins, first_row, payer) -> None:
        """At most one planted defect per encounter; authorization and coverage defects follow the plan."""
        if plan.coverage_to is not None and day > plan.coverage_to:
            self._record("elig.coverage-inactive", "Encounters", "date_of_service", n + 1,
                         f"{encounter['encounter_id']} on {day.isoformat()} is after the patient's {plan.primary} "
                         f"coverage ended on {plan.coverage_to.isoformat()}.")
            self._burn_auths(plan, admins, first_row)
            return
        if self._burn_auths(plan, admins, first_row) or any(a.short for a in plan.auths.values()):
            return
        rows = list(enumerate(admins, start=first_row))
        timed = [(r, a) for r, a in rows if a["purpose"] != "KVO" and a["route"] in ("IV infusion", "Prolonged pump")
                 and a.get("stop") is not None]
        billed = [(r, a) for r, a in rows if a.get("hcpcs") and a["purpose"] != "KVO"]
        premeds = [(r, a) for r, a in rows if a.get("hcpcs") and a["purpose"] == "Premedication"]
        covered = {a["hcpcs"] for a in admins if a.get("hcpcs") in self._policies}
        stop_due, ndc_due, hcpcs_due = (q.due() if eligible else False for q, eligible in
                                        zip(self._quotas, (timed, payer.requires_ndc and billed, premeds), strict=True))
        if stop_due:
            r, a = rng.choice(timed)
            a["stop"] = None
            a.pop("stop_date", None)
            self._record("coding.stop-time-fallback", "Administrations", "stop", r,
                         f"{a['admin_id']} ({a['drug']}) was charted without its stop time.")
        elif ndc_due:
            r, a = rng.choice(billed)
            a["ndc"] = None
            self._record("doc.ndc-missing", "Administrations", "ndc", r,
                         f"{a['admin_id']} ({a['drug']}, {a['hcpcs']}) billed to {payer.payer_id} has no NDC.")
        elif hcpcs_due:
            r, a = rng.choice(premeds)
            wrong = mistyped_hcpcs(rng, a["hcpcs"])
            self._record("coding.unknown-hcpcs", "Administrations", "hcpcs", r,
                         f"{a['admin_id']} ({a['drug']}) charted as {wrong} instead of {a['hcpcs']}.")
            a["hcpcs"] = wrong
        elif covered and self._dx_quota.due():
            drug = sorted(covered)[0]
            self._record("scrub.coverage-diagnosis", "Encounters", "diagnosis_codes", n + 1,
                         f"{encounter['encounter_id']} bills {drug} with {UNCOVERED_DX} only, a diagnosis its "
                         "coverage policy does not list (the claim scrubber holds it).")
            encounter["diagnosis_codes"] = UNCOVERED_DX

    def _burn_auths(self, plan: PatientPlan, admins: list[dict], first_row: int) -> bool:
        """Use up the patient's authorizations the way the checks do; True when a dose went past one.

        The dose that exceeds is the first administration (in start-time order) at which the running
        total of the line's units passes what was left, as the authorization check reports it.
        """
        exceeded = False
        for code, units in units_by_hcpcs(admins).items():
            auth = plan.auths.get(code)
            if auth is None:
                continue
            remaining = auth.units - auth.used
            auth.used += units
            if units <= remaining:
                continue
            exceeded = True
            rows = sorted(((r, a) for r, a in enumerate(admins, start=first_row) if a.get("hcpcs") == code),
                          key=lambda ra: (ra[1]["start"], ra[0]))
            total = Decimal(0)
            q = builtin_drugs()[code].billing_unit_quantity
            for r, a in rows:
                total += _in_billing_unit(a["dose"], a["dose_unit"], code)
                if remaining <= 0 or math.ceil(total / q) > remaining:
                    self._record("auth.units-exceeded", "Administrations", "dose", r,
                                 f"{a['admin_id']} ({a['drug']}) needs {units} units of {code}; authorization "
                                 f"{auth.auth_id} has {max(remaining, 0)} of {auth.units} left.")
                    break
        return exceeded

    # -- everything at once

    def rows_by_table(self) -> dict[str, list[list[Any]]]:
        """Every input table's rows (visits generated once; ``planted`` filled)."""
        out = {name: list(self.rows(name)) for name in STATIC_TABLES if name in TABLES_BY_NAME}
        out["Encounters"], out["Administrations"] = [], []
        for visit in self.visits():
            out["Encounters"].append(visit.encounter)
            out["Administrations"].extend(visit.administrations)
        return out


#: The tables written before the visits, in the template's order.
STATIC_TABLES = ("Settings", "Practice", "Providers", "Payers", "FeeSchedule", "Drugs", "ChargeMaster", "Patients",
                 "Coverage", "Authorizations", "Payer Rules", "Coverage Rules")


def _chart(rng: random.Random, plan: PatientPlan, day: date, kind: str) -> Chair:
    """Chart one visit: the chair opens between 07:30 and 14:30 at the patient's access site."""
    site = plan.patient.site or rng.choice(("L forearm", "R forearm", "L hand", "R hand", "L antecubital"))
    chair = Chair(rng, day, 450 + 5 * rng.randrange(85), site)
    plan.regimen.visit(chair, plan.patient, kind)
    share_vials(chair.admins)
    if plan.patient.site and not any(a["route"] == "Prolonged pump" for a in chair.admins):
        chair.lock()  # a port or PICC is locked with heparin before the patient leaves (unless a pump runs)
    return chair


def _round_to_ten(dose: Decimal) -> Decimal:
    return Decimal(int(dose / 10 + Decimal("0.5")) * 10)


def mistyped_hcpcs(rng: random.Random, code: str) -> str:
    """``code`` with two neighbouring digits swapped, chosen so that no drug table knows it."""
    known = set(builtin_drugs())
    candidates = set()
    for i in range(1, len(code) - 1):
        swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
        if swapped != code and swapped not in known:
            candidates.add(swapped)
    return rng.choice(sorted(candidates)) if candidates else code[0] + "9" + code[2:]


# ----------------------------------------------------------------------------- workbook and demo run


def write_clinic(clinic: Clinic, path: str | Path, *, progress: Callable[..., Iterable] | None = None,
                 answer_key: bool = False) -> Path:
    """Write the clinic as an input workbook (the template's mechanism), streaming the visits.

    With ``answer_key`` the ``Demo Answer Key`` sheet is added to the same file (used when the
    stages are not run, so the key still travels with the data).
    """
    with WorkbookBuilder(path) as book:
        mark_generated(book.wb)  # the demo may replace it next time (output_file.check_new_output)
        for name in STATIC_TABLES:
            if name in book.sheets:
                book.extend(name, clinic.rows(name))
        visits: Iterable[Visit] = clinic.visits()
        if progress is not None:
            visits = progress(visits, total=clinic.encounter_count + clinic.hospital_encounter_count,
                              desc="writing encounters")
        for visit in visits:
            book.append("Encounters", visit.encounter)
            for row in visit.administrations:
                book.append("Administrations", row)
        if answer_key:
            book.add_table(answer_key_table(clinic.planted, None))
    return Path(path)


def _found_keys(findings) -> set[tuple[str, str, str]]:
    return {(f.rule_id, f.sheet, f.cell) for f in findings}


def answer_key_table(planted: list[PlantedDefect], findings) -> OutputTable:
    """The ``Demo Answer Key`` sheet: every planted defect and whether the run reported it at its cell."""
    found = _found_keys(findings) if findings is not None else None
    rows = [[p.rule_id, p.sheet, p.header, p.excel_row, p.cell, p.description,
             "" if found is None else _yn((p.rule_id, p.sheet, p.cell) in found)] for p in planted]
    return OutputTable(ANSWER_KEY, ANSWER_COLUMNS, rows, widths={"Rule ID": 26, "Description": 80, "Column": 14},
                       description="The defects the demo planted on purpose, and whether the run found each one "
                                   "by its rule at its cell.")


def run_demo(path: str | Path, *, seed: int = DEFAULT_SEED, encounters: int = DEFAULT_ENCOUNTERS,
             progress: Callable[..., Iterable] | None = None, out: TextIO | None = None, force: bool = False) -> int:
    """Build the clinic, write its workbook, run every available stage and write the results to ``path``.

    The input workbook is kept beside the result as ``<name>-input.xlsx`` so the commands can be
    tried on it. Above :data:`STAGE_LIMIT` encounters only the workbook (with the answer key) is
    written: generating and writing stream in bounded memory, the stages do not. Returns 0 (2 when
    ``encounters`` is less than 1). Neither file replaces one the tool did not write, unless ``force``
    (then after a backup copy).
    """
    out = out or sys.stdout
    if encounters < 1:
        print("infusion-billing: --encounters must be 1 or more.", file=sys.stderr)
        return 2
    path = Path(path)
    source = path.with_name(f"{path.stem}-input{path.suffix or '.xlsx'}")
    # Refused before the clinic is generated; with force each replaced file gets its backup once.
    if encounters > STAGE_LIMIT:
        check_new_output(path, DEMO, force=force)
    else:
        if not force:
            check_new_output(path, DEMO)
        check_new_output(source, DEMO, force=force)
    started = timer.perf_counter()
    clinic = Clinic(seed=seed, encounters=encounters)
    stages = available_stages((*ALL_STAGES, "claims", "export-837", "simulate-payer", "import-era", "reconcile",
                                 "denials", "aging", "kpis", "dashboard"))
    if encounters > STAGE_LIMIT:
        write_clinic(clinic, path, progress=progress, answer_key=True)
        _print_counts(clinic, out, timer.perf_counter() - started)
        print(f"Stages not run above {STAGE_LIMIT:,} encounters (the reader and the stages hold every row "
              f"in memory); run them on a smaller demo. Planted defects: {len(clinic.planted):,} "
              f"(sheet {ANSWER_KEY}).", file=out)
        print(f"Written: {path}", file=out)
        return 0
    write_clinic(clinic, source, progress=progress)
    _print_counts(clinic, out, timer.perf_counter() - started)
    # The claims go out on the Settings As-Of Date, into out/837/ beside the result workbook; the simulated
    # payers answer them into out/835/ (with the answer key), which import-era reads back. The rest runs as
    # a month close does (infusion_billing.asof): as of the latest remit, once every payer has answered.
    remits = path.parent / "835"
    options = RunOptions(out_dir=path.parent / "837", remit_dir=remits, remit_sources=(remits,), seed=seed,
                         month_close=True)
    if progress is not None:
        options = replace(options, progress=progress)
    for stale in remits.glob("835_*.835"):  # an earlier demo's remits: this run's payers answer afresh
        stale.unlink()
    run = run_workbook(source, stages, options=options, write=False)
    month_end = run_month_end(run, path.parent / "statements")
    key = answer_key_table(clinic.planted, run.findings)
    settings = run.book.settings if run.book is not None else Settings()
    run.output = write_outputs(source, [*run.sheets(), key], run.findings, out=path,
                               stage="+".join([*stages, *(["statements"] if month_end else [])]),
                               force=force, date_format=settings.date_format, kind=DEMO)
    print_run_summary(run, clinic.planted, out)
    print_reconciliation(run, remits, out)
    print_kpis(run, out)
    print_denials_aging_statements(run, month_end, remits, path.parent / "statements", out)
    print(f"Input workbook: {source}", file=out)
    print(f"Written: {run.output} ({timer.perf_counter() - started:.1f} s)", file=out)
    # The consultant's view of the same month: the billing assessment, with leaks planted and scored.
    if run.book is not None:
        run_assessment_demo(path.parent, run.book, source, out, seed=seed, force=force)
    return 0


def run_month_end(run: RunResult, folder: Path) -> RunResult | None:
    """Month end, once the payers have answered: the patients' statements as of the close's as-of date
    (the day the last remit arrived), the date AR Aging, the KPIs and Reconciliation count to.

    The statements go into ``folder`` and their ledger joins the run's results. None when no remit was
    imported.
    """
    if run.book is None or "aging" not in run.results or asof.latest_remit(run.book.extra_rows("EraPayments")) is None:
        return None
    as_of = date.fromisoformat(run.results["aging"].summary["as of"])
    for stale in folder.glob("ST-*.pdf"):  # an earlier demo's statements: this month's are written afresh
        stale.unlink()
    later = run_book(run.book, ["statements"], RunOptions(as_of=as_of, statement_dir=folder))
    run.results["statements"] = later.results["statements"]
    run.findings = list(dict.fromkeys([*run.findings, *later.results["statements"].findings]))
    return later


def print_denials_aging_statements(run: RunResult, month_end: RunResult | None, remits: Path, folder: Path,
                                   out: TextIO) -> None:
    """Denied dollars by category (and the planted denials found), insurance and patient AR by bucket at
    month end, and the statements written."""
    denials = run.results.get("denials")
    if denials is not None and "denied dollars" in denials.summary:
        s = denials.summary
        by_category = {k.split(": ", 1)[1]: Decimal(val) for k, val in s.items() if k.startswith("denied dollars: ")}
        print(f"Denied dollars by category: {', '.join(f'{c} {a:,.2f}' for c, a in by_category.items())} "
              f"(total {Decimal(s['denied dollars']):,.2f} on {s['denials']} denials)", file=out)
        table = {t.name: t for t in run.tables}.get("Denials")
        if table is not None and (remits / KEY_FILE).exists():
            at = {c: i for i, c in enumerate(table.columns)}
            listed = Counter((r[at["Claim ID"]], r[at["Line Control Number"]], r[at["CARC"]]) for r in table.rows)
            planted = [(k["Claim ID"], k["Line Control Number"], k["CARC"]) for k in read_key(remits)
                       if k["Outcome"] in ("claim denied", "line denied")]
            print(f"Planted denials on the worklist: {sum(1 for p in planted if listed[p] == 1)} of {len(planted)}",
                  file=out)
    if month_end is None:
        return
    aging = run.results["aging"].summary
    for kind in ("insurance", "patient"):
        buckets = [(k.removeprefix(f"{kind} AR "), Decimal(val)) for k, val in aging.items()
                   if k.startswith(f"{kind} AR ")]
        print(f"{kind.capitalize()} AR as of {aging['as of']} by bucket: "
              + ", ".join(f"{label} {amount:,.2f}" for label, amount in buckets)
              + f" (total {Decimal(aging[f'{kind} AR']):,.2f})", file=out)
    s = month_end.results["statements"].summary
    print(f"Statements written: {s['statements written']} (as of {s['as of']}, {s['amount billed to patients']} "
          f"billed to patients) in {folder}", file=out)


def print_reconciliation(run, remits: Path, out: TextIO) -> None:
    """The month's money (billed, expected, allowed, paid, patient responsibility, underpaid) and the
    payer simulator's answer key scored against the Reconciliation sheet."""
    recon = run.results.get("reconcile")
    if recon is None or not (remits / KEY_FILE).exists():
        return
    s = recon.summary
    print("Reconciliation: " + ", ".join(f"{k} {s[k]}" for k in (
        "billed", "expected", "allowed", "paid", "patient responsibility", "underpaid") if k in s), file=out)
    tables = {t.name: t for t in run.tables}
    table = tables.get("Reconciliation")
    if table is None:
        return
    era = run.book.extra_rows("EraProviderAdjustments") if run.book is not None else []
    result = score(read_key(remits), table.columns, table.rows, era)
    print(f"Planted outcomes recovered: {result.recovered} of {result.planted} "
          f"(planted underpayment {result.planted_shortfall:,.2f}; every claim line's status agrees with the key: "
          f"{result.lines_agreeing} of {result.lines})", file=out)


#: The KPIs the demo prints (the KPIs sheet has them all, by month and payer).
DEMO_KPIS = ("Initial denial rate (count)", "Initial denial rate (dollars)", "Clean claim rate",
             "First-pass resolution rate", "Net collection rate", "Days in AR (gross)", "AR over 90 days",
             "Underpayment identified")


def print_kpis(run, out: TextIO) -> None:
    """A few of the month's KPIs (all payers), as the KPIs sheet has them."""
    kpis = run.results.get("kpis")
    if kpis is None or "report month" not in kpis.summary:
        return
    s = kpis.summary
    print(f"KPIs for {s['report month']} (all payers; AR as of {s['as of']}): "
          + ", ".join(f"{k} {s[k]}" for k in DEMO_KPIS if k in s), file=out)


def _print_counts(clinic: Clinic, out: TextIO, seconds: float) -> None:
    print(f"Synthetic clinic (seed {clinic.seed}): {len(clinic.plans):,} patients, {clinic.encounter_count:,} "
          f"clinic encounters and {clinic.hospital_encounter_count:,} in the hospital department, "
          f"{clinic.administration_count:,} administrations, {len(catalog.PAYERS)} payers, "
          f"{FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}, claims sent {clinic.as_of.isoformat()} "
          f"(generated and written in {seconds:.1f} s)", file=out)


def planted_score(planted: list[PlantedDefect], findings) -> tuple[int, Counter, Counter]:
    """(how many planted defects were reported by their rule at their cell, found by rule, planted by rule)."""
    found = _found_keys(findings)
    hits = Counter(p.rule_id for p in planted if (p.rule_id, p.sheet, p.cell) in found)
    return sum(hits.values()), hits, Counter(p.rule_id for p in planted)


def unplanted_errors(planted: list[PlantedDefect], findings) -> list:
    """Error findings that are not a planted defect reported at its cell (the demo wants none)."""
    keys = {(p.rule_id, p.sheet, p.cell) for p in planted}
    return [f for f in findings if f.severity.value == "error" and (f.rule_id, f.sheet, f.cell) not in keys]


def print_run_summary(run, planted: list[PlantedDefect], out: TextIO) -> None:
    """Each stage's summary, findings by severity, the planted-defect score and the encounter statuses."""
    for name, result in run.results.items():
        figures = ", ".join(f"{k}: {summary_value(val)}" for k, val in result.summary.items())
        print(f"  {name}: {figures}", file=out)
    counts = run.counts
    print(f"Findings: {counts['error']:,} errors, {counts['warning']:,} warnings, {counts['info']:,} info", file=out)
    total, hits, by_rule = planted_score(planted, run.findings)
    detail = ", ".join(f"{rule} {hits[rule]}/{n}" for rule, n in sorted(by_rule.items()))
    print(f"Planted defects found: {total} of {len(planted)} ({detail})", file=out)
    stray = unplanted_errors(planted, run.findings)
    print(f"Errors other than the planted defects: {len(stray)}", file=out)
    for f in stray[:5]:
        print("  " + f.to_text(), file=out)
    claims, export = run.results.get("claims"), run.results.get("export-837")
    if claims is not None and export is not None:
        print(f"Claims: {claims.summary.get('claims built', 0):,} built, "
              f"{claims.summary.get('claims held by the scrubber', 0):,} held by the scrubber, "
              f"{export.summary.get('claims written', 0):,} written to "
              f"{export.summary.get('837 files written', 0):,} 837 files", file=out)
    check = run.results.get("check")
    if check is not None:
        status = {k: check.summary.get(k) for k in ("Ready", "Hold", "Review") if k in check.summary}
        if status:
            print("Encounters: " + ", ".join(f"{k} {val:,}" for k, val in status.items()), file=out)
