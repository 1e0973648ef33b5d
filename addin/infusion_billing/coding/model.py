"""The engine's working objects for one encounter: classified administrations, merged IV services,
draft claim lines and the encounter's outcome (findings, held or coded).

These are plain slotted classes, not pydantic models: the input rows are already typed and validated
by the reader, and the engine builds tens of thousands of these per second.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..findings import Finding, Severity
from ..schema import Administration, Encounter, Payer
from .druginfo import DrugInfo
from .result import DrugDose
from .rules import RULES_BY_ID
from .ruletables import ServiceKind

ERROR = Severity.ERROR


class Admin:
    """One Administrations row as the coding rules see it.

    Attributes:
        row: the input row (for locating findings).
        admin_id: its Admin ID; ids: the same as a 1-tuple (the Admin IDs of a line it alone makes).
        info: its digested Drugs-table row, or None (no HCPCS: white/brown-bagged drug or plain fluid).
        category: ``Chemo/Complex``, ``Therapeutic`` or ``Hydration fluid`` after payer options.
        biologic_moved: True when the payer's Biologics As Chemo Admin = N made it therapeutic.
        route: the route value text (``IV infusion``, ``SC injection`` ...).
        interval: (start, end) in minutes from midnight of the date of service, or None.
        minutes: counted minutes (interval less interruptions), or None.
        method: ``infusion`` or ``push`` for IV services, else "".
        fallback: True when a missing time made an infusion a push (section 12 item 5).
        site: the IV site as a comparison key ("" when not charted).
        drug_key: what "same drug" means: the HCPCS, else the drug name.
        name: the drug name as the biller reads it.
        reportable: False when the row makes no administration code (KVO fluid, hydration without
            documented necessity ...). Its drug line may still be billed.
        incidental: True for KVO, carrier and flush fluid: no administration and no fluid line.
        day: days after the date of service it was given on (its Start Date; 0 = the date of service).
    """

    __slots__ = ("row", "admin_id", "ids", "info", "category", "biologic_moved", "route", "interval", "minutes",
                 "method", "fallback", "site", "drug_key", "name", "reportable", "incidental", "day")

    def __init__(self, row: Administration, info: DrugInfo | None, category: str, route: str, name: str,
                 drug_key: str, site: str) -> None:
        self.row = row
        self.admin_id = admin_id = row.admin_id
        self.ids = (admin_id,)
        self.info = info
        self.category = category
        self.biologic_moved = False
        self.route = route
        self.interval: tuple[int, int] | None = None
        self.minutes: int | None = None
        self.method = ""
        self.fallback = False
        self.site = site
        self.drug_key = drug_key
        self.name = name
        self.reportable = True
        self.incidental = False
        self.day = 0

    @property
    def start(self) -> int | None:
        return self.interval[0] if self.interval else None


class Service:
    """One IV service after merging: a bag (several drugs in one bag are one administration), the
    same drug over several bags at one site (times summed), or the hydration of the encounter.

    Attributes:
        admins: the administrations it is made of, in time order.
        category, method: as on :class:`Admin`; a bag takes the highest-ranked category of its drugs.
        minutes: counted minutes (summed over bags; hydration: only non-concurrent minutes).
        intervals: the clock intervals it ran.
        site: IV site key.
        drug_keys: the drug or mix (frozenset of drug keys), for "new drug" and "same drug" questions.
        timing: how the minutes were counted, in words, for the Explanation column.
        kind: its row of ``tables/hierarchy.csv`` (its category and method): initial code, add-on hour,
            subsequent code and minimum minutes; rank: that row's place in the facility hierarchy.
        start: minute it started (for time order and the same-drug push gap), or None.
        admin_ids: the Admin IDs it is made of (the Charges sheet's Admin IDs).
    """

    __slots__ = ("admins", "category", "method", "minutes", "intervals", "site", "drug_keys", "timing", "rank",
                 "kind", "start", "admin_ids")

    def __init__(self, admins: list[Admin], kind: ServiceKind, minutes: int, intervals: list[tuple[int, int]],
                 site: str, drug_keys: frozenset[str], timing: str, admin_ids: tuple[str, ...] | None = None) -> None:
        self.admins = admins
        self.category = kind.category
        self.method = kind.method
        self.minutes = minutes
        self.intervals = intervals
        self.site = site
        self.drug_keys = drug_keys
        self.timing = timing
        self.kind = kind
        self.rank = kind.rank
        self.start: int | None = intervals[0][0] if intervals else None
        self.admin_ids = admin_ids if admin_ids is not None else tuple([a.admin_id for a in admins])

    @property
    def day(self) -> int:
        """Days after the date of service the service started on (its claim lines are dated that day)."""
        return self.start // 1440 if self.start is not None else self.admins[0].day

    @property
    def name(self) -> str:
        if len(self.admins) == 1:
            return self.admins[0].name
        return " + ".join(dict.fromkeys(a.name for a in self.admins))


class Draft:
    """A claim line in the making: codes, units and explanation, before it is numbered and priced.

    It is mutable (lines combined, a modifier added) until :func:`.engine.finalize` numbers and prices
    it into a :class:`~.lines.ChargeLine`. Modifiers, Admin IDs and rule IDs are tuples, as on the
    ChargeLine. ``day`` is how many days after the date of service the service was given (a push
    after midnight): the line is dated that day.
    """

    __slots__ = ("code", "modifiers", "units", "ndc", "ndc_unit", "ndc_quantity", "admin_ids", "rule_ids",
                 "explanation", "day")

    def __init__(self, code: str, units: int, admin_ids: tuple[str, ...], rule_ids: tuple[str, ...],
                 explanation: str, modifiers: tuple[str, ...] = (), ndc: str = "", ndc_unit: str = "",
                 ndc_quantity: Decimal | None = None, day: int = 0) -> None:
        self.code = code
        self.units = units
        self.admin_ids = admin_ids
        self.rule_ids = rule_ids
        self.explanation = explanation
        self.modifiers = modifiers
        self.ndc = ndc
        self.ndc_unit = ndc_unit
        self.ndc_quantity = ndc_quantity
        self.day = day

    def __repr__(self) -> str:  # what a failing test prints
        mods = "-" + "-".join(self.modifiers) if self.modifiers else ""
        return f"Draft({self.code}{mods} x{self.units})"


class Outcome:
    """What coding one encounter produced: findings as they are raised, and whether it is held.

    It also carries what every rule asks of the encounter: its row, payer and date of service, and
    whether its one concurrent infusion code (96368, once per encounter across IV sites) is used.
    """

    __slots__ = ("book", "encounter", "payer", "date_of_service", "findings", "held", "drafts", "concurrent_used",
                 "doses", "_for_cancer")

    def __init__(self, book: Any, encounter: Encounter, payer: Payer | None, doses: dict[str, DrugDose]) -> None:
        self.book = book
        self.encounter = encounter
        self.payer = payer
        self.date_of_service = encounter.date_of_service
        self.findings: list[Finding] = []
        self.held = False
        self.drafts: list[Draft] = []
        self.concurrent_used = False
        #: Admin ID -> the drug dose counted for it (:class:`~.result.DrugDose`): the run's one table,
        #: filled as each encounter is coded (:attr:`.context.Context.doses`).
        self.doses = doses
        self._for_cancer: bool | None = None

    @property
    def for_cancer(self) -> bool:
        """True when the encounter treats cancer: a diagnosis in ICD-10-CM chapter 2 (neoplasms, C00-D49).

        An encounter without diagnosis codes counts as cancer treatment for an antineoplastic drug,
        which is CPT's own reading (chemotherapy administration); only a documented non-cancer
        diagnosis lets a payer move such a drug to therapeutic codes.
        """
        if self._for_cancer is None:
            dx = self.encounter.diagnoses
            self._for_cancer = not dx or any(d[:1] == "C" or (d[:1] == "D" and d[1:2] in "01234") for d in dx)
        return self._for_cancer

    def add(self, rule_id: str, message: str, *, severity: Severity | None = None, table: str = "Administrations",
            row: Any = None, column: str = "", value: Any = "", fix: str | None = None) -> None:
        """Raise a finding of ``rule_id`` located at ``table``/``row``/``column``; an error holds the encounter.

        Its severity and (unless given) fix are the rule catalogue's; ``severity`` names one of the rule's
        documented other severities.
        """
        finding = self.book.finding(
            RULES_BY_ID[rule_id], message, severity=severity, table=table, row=row, column=column, value=value,
            encounter_id=self.encounter.encounter_id, fix=fix)
        if finding.severity is ERROR:
            self.held = True
        self.findings.append(finding)

    def at_admin(self, admin: Administration, rule_id: str, message: str, column: str, value: Any = "",
                 fix: str | None = None) -> None:
        """A finding at one cell of an Administrations row."""
        self.add(rule_id, f"{admin.admin_id}: {message}", row=admin, column=column, value=value, fix=fix)

    def at_encounter(self, rule_id: str, message: str, column: str, value: Any = "", fix: str | None = None) -> None:
        """A finding at one cell of the encounter's Encounters row."""
        self.add(rule_id, message, table="Encounters", row=self.encounter, column=column, value=value, fix=fix)
