"""What every pre-bill rule looks at: the workbook's rows, indexed once, and a few shared answers.

A :class:`CheckContext` is built once per run from the typed workbook. It holds the valid rows of the
input tables grouped the way rules ask for them (administrations by encounter, coverage by patient,
authorizations by patient and payer), and answers the questions several families share: which payer
bills an encounter, which drug row an administration uses, whether an administration is a billed
infusion, a hydration bag, a push or only a KVO/carrier/flush fluid (as the coding engine judges it,
:mod:`infusion_billing.coding.kinds`). Expensive things (the claim lines,
the authorization burn-down) are computed on first use, so running one rule by ID costs only what
that rule needs.

The context never changes the workbook's rows; rules only read it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import TypeVar, cast

from ..coding.engine import code_book
from ..coding.kinds import AdminKind, admin_kind, is_billed
from ..coding.lines import ChargeLine
from ..coding.result import CodingResult
from ..schema import (
    Administration,
    Authorization,
    Container,
    CoverageRow,
    Drug,
    DrugClass,
    Encounter,
    Payer,
)
from ..workbook.reader import BookData

T = TypeVar("T")

@dataclass(frozen=True, slots=True)
class Interval:
    """When an administration ran, as datetimes on the encounter's calendar (stop may be the next day)."""

    start: datetime
    stop: datetime

    def overlaps(self, other: Interval) -> bool:
        # Touching ends (one bag stops at 10:00, the next starts at 10:00) are sequential, not overlapping.
        return self.start < other.stop and other.start < self.stop


class CheckContext:
    """The workbook as the rules see it. Build one per run: ``CheckContext(book)``."""

    def __init__(self, book: BookData, lines: dict[str, list[ChargeLine]] | None = None) -> None:
        self.book = book
        self.settings = book.settings
        self._lines = lines
        self._kinds: dict[str, AdminKind] = {}
        self._shared: dict[str, object] = {}

    # ------------------------------------------------------------------ rows

    @cached_property
    def encounters(self) -> list[Encounter]:
        """Valid Encounters rows in sheet order."""
        return list(self.book.rows("Encounters"))

    @cached_property
    def encounters_by_id(self) -> dict[str, Encounter]:
        return {e.encounter_id: e for e in self.encounters}

    @cached_property
    def encounters_in_date_order(self) -> list[Encounter]:
        """Encounters by date of service, then Encounter ID: the order authorizations are used up."""
        return sorted(self.encounters, key=lambda e: (e.date_of_service, e.encounter_id))

    @cached_property
    def admins_by_encounter(self) -> dict[str, list[Administration]]:
        """Valid Administrations rows of each encounter, in sheet order."""
        out: dict[str, list[Administration]] = defaultdict(list)
        for a in self.book.rows("Administrations"):
            out[a.encounter_id].append(a)
        return dict(out)

    @cached_property
    def payers(self) -> dict[str, Payer]:
        return {p.payer_id: p for p in self.book.rows("Payers")}

    @cached_property
    def coverage_by_patient(self) -> dict[str, list[CoverageRow]]:
        out: dict[str, list[CoverageRow]] = defaultdict(list)
        for c in self.book.rows("Coverage"):
            out[c.patient_id].append(c)
        return dict(out)

    @cached_property
    def authorizations(self) -> list[Authorization]:
        return list(self.book.rows("Authorizations"))

    @property
    def drugs(self) -> dict[str, Drug]:
        return self.book.drugs

    def admins(self, encounter: Encounter) -> list[Administration]:
        return self.admins_by_encounter.get(encounter.encounter_id, [])

    def encounter_admins(self) -> Iterator[tuple[Encounter, Administration]]:
        """Every (encounter, administration) pair, encounters in sheet order."""
        by_enc = self.admins_by_encounter
        for e in self.encounters:
            for a in by_enc.get(e.encounter_id, ()):
                yield e, a

    def payer(self, encounter: Encounter) -> Payer | None:
        return self.payers.get(encounter.payer_id)

    # ------------------------------------------------------------------ what an administration is

    def drug(self, admin: Administration) -> Drug | None:
        """The Drugs row (workbook, else built-in) of the administration's HCPCS."""
        return self.drugs.get(admin.hcpcs) if admin.hcpcs else None

    def drug_class(self, admin: Administration) -> DrugClass | None:
        """The class typed on the administration, else the Drugs table's."""
        if admin.drug_class is not None:
            return admin.drug_class
        drug = self.drug(admin)
        return drug.drug_class if drug else None

    def container(self, admin: Administration) -> Container | None:
        if admin.container is not None:
            return admin.container
        drug = self.drug(admin)
        return drug.container if drug else None

    @staticmethod
    def is_billed(admin: Administration) -> bool:
        """False for KVO, carrier and flush fluid and for oral medication, which are never billed."""
        return is_billed(admin)

    def is_hydration(self, admin: Administration) -> bool:
        """A billed bag of pre-packaged fluid given for hydration (96360/96361)."""
        return self._kind(admin).hydration

    def is_drug(self, admin: Administration) -> bool:
        """A billed drug (anything given that is not hydration fluid)."""
        return self._kind(admin).drug

    def is_timed(self, admin: Administration) -> bool:
        """Billed in minutes: an infusion (IV, SC, pump) or a hydration bag, so start and stop are needed."""
        return self._kind(admin).timed

    def is_iv(self, admin: Administration) -> bool:
        """A billed administration through a vein (infusion, push, pump, or hydration)."""
        return self._kind(admin).iv

    def _kind(self, admin: Administration) -> AdminKind:
        # Every family asks these questions of every row: answer once per administration, the way the
        # coding engine answers them (coding.kinds).
        kind = self._kinds.get(admin.admin_id)
        if kind is None:
            kind = self._kinds[admin.admin_id] = admin_kind(admin, self.drug_class(admin))
        return kind

    def interval(self, encounter: Encounter, admin: Administration) -> Interval | None:
        """When the administration ran; None when a time is missing or the stop is not after the start."""
        if admin.start is None or admin.stop is None:
            return None
        start = datetime.combine(encounter.date_of_service, admin.start)
        stop = datetime.combine(admin.stop_date or encounter.date_of_service, admin.stop)
        return Interval(start, stop) if stop > start else None

    # ------------------------------------------------------------------ shared answers

    @cached_property
    def coding(self) -> CodingResult:
        """The coding engine's result for the workbook (claim lines, its findings, held encounters)."""
        return code_book(self.book)

    @cached_property
    def lines(self) -> dict[str, list[ChargeLine]]:
        """Claim lines by encounter ID: the coding engine's, and for a held encounter the drug lines it
        counted (``CodingResult.held_lines``: its drugs were given and will use an authorization once the
        claim is fixed, so the held visit does not hand its units to the next one)."""
        if self._lines is not None:
            return self._lines
        out: dict[str, list[ChargeLine]] = defaultdict(list)
        for line in self.coding.lines:
            out[line.encounter_id].append(line)
        out.update(self.coding.held_lines)
        return dict(out)

    def shared(self, name: str, build: Callable[[CheckContext], T]) -> T:
        """``build(self)``, computed once per run and shared by the rules that need it."""
        if name not in self._shared:
            self._shared[name] = build(self)
        return cast(T, self._shared[name])  # one name, one builder: the value is what ``build`` returns

    def active_coverage(self, patient_id: str, on: date) -> list[CoverageRow]:
        """The patient's coverage rows in force on ``on``."""
        return [c for c in self.coverage_by_patient.get(patient_id, ())
                if c.effective_from <= on and (c.effective_to is None or on <= c.effective_to)]

