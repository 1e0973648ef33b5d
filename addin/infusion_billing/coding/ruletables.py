"""The coding rule tables: the versioned CSV files in ``coding/tables/`` as typed, cached lookups.

Everything a payer or a new CPT year could change lives in those files, not in code: the minute
thresholds (section 4 of docs/coding-rules.md), the facility hierarchy and the code each kind of service
takes (section 5), the injection and pump codes (section 2), code labels and which codes a
professional claim in a facility drops, the add-on/primary pairs, the biologics a payer may move to
therapeutic administration (section 8), deleted HCPCS codes (section 12 item 10) and the facility
places of service. Each file opens with ``# source:`` and ``# effective:`` lines
(:func:`infusion_billing.reference.tables.read_versioned_csv`).

The tables are read once per process; :func:`coding_tables` returns the same frozen object every time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from ..reference.tables import filled, read_versioned_csv

PACKAGE = "infusion_billing.coding"
TABLE_FILES = (
    "time_thresholds.csv", "hierarchy.csv", "route_codes.csv", "code_families.csv", "addon_pairs.csv",
    "drug_groups.csv", "deleted_codes.csv", "place_of_service.csv", "options.csv", "esa_indications.csv",
    "clinic_visits.csv",
)


@dataclass(frozen=True, slots=True)
class ServiceKind:
    """One row of ``hierarchy.csv``: the codes an IV service of one category and method takes."""

    category: str
    method: str
    rank: int
    initial: str
    minimum_minutes: int
    addon_hour: str
    subsequent: str
    subsequent_addon_hour: str
    concurrent: str
    same_drug_repeat: str


@dataclass(frozen=True, slots=True)
class RouteCode:
    """One row of ``route_codes.csv``: the code for an injection, SC infusion, pump or port flush."""

    route: str
    category: str  # "" = any class
    hormonal: bool | None  # None = either
    code: str
    addon_hour: str
    additional_site: str
    per_injection: bool


@dataclass(frozen=True, slots=True)
class CodeFamily:
    """One row of ``code_families.csv``: our short label and the claim-type flags of a code."""

    code: str
    family: str
    role: str
    label: str
    pro_facility_drop: bool
    facility_only: bool


@dataclass(frozen=True, slots=True)
class DatedCode:
    """A row of a dated code table: ``key`` maps to ``code`` for dates of service in [start, end]."""

    key: str
    code: str
    start: date
    end: date | None

    def applies(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class CodingTables:
    """Every coding table, loaded and indexed for the engine's hot loop."""

    thresholds: dict[str, int]
    kinds: dict[tuple[str, str], ServiceKind]
    route_codes: tuple[RouteCode, ...]
    families: dict[str, CodeFamily]
    addon_primaries: dict[str, frozenset[str]]
    biologics: frozenset[str]
    unclassified: frozenset[str]
    deleted: dict[str, tuple[date, str]]
    facility_pos: frozenset[str]
    options: tuple[dict[str, str | None], ...]
    versions: dict[str, str]
    #: ``esa_indications.csv``: ICD-10-CM code or prefix (no dot) -> EA/EB/EC, dated.
    esa_indications: tuple[DatedCode, ...] = ()
    #: ``clinic_visits.csv``: office/outpatient E/M -> the facility clinic visit code (G0463), dated.
    clinic_visits: dict[str, DatedCode] = field(default_factory=dict)

    def esa_modifiers(self, diagnoses: list[str], day: date) -> list[str]:
        """The EA/EB/EC modifiers the encounter's diagnoses point at, in diagnosis order, without repeats."""
        found: dict[str, None] = {}
        for dx in diagnoses:
            for row in self.esa_indications:
                if dx.startswith(row.key) and row.applies(day):
                    found[row.code] = None
                    break
        return list(found)

    def clinic_visit_code(self, em_code: str, day: date) -> str | None:
        """G0463 for an office/outpatient E/M on a facility claim from its effective date, else None."""
        row = self.clinic_visits.get(em_code)
        return row.code if row is not None and row.applies(day) else None

    @property
    def push_max(self) -> int:
        return self.thresholds["push_max"]

    @property
    def hour(self) -> int:
        return self.thresholds["hour"]

    @property
    def addon_over(self) -> int:
        return self.thresholds["addon_over"]

    @property
    def same_drug_push_gap(self) -> int:
        return self.thresholds["same_drug_push_gap"]

    def route_code(self, route: str, category: str, hormonal: bool) -> RouteCode | None:
        """The code row for a non-IV route and drug class, or None when the tables have none."""
        for rc in self.route_codes:
            if rc.route == route and rc.category in ("", category) and rc.hormonal in (None, hormonal):
                return rc
        return None

    def label(self, code: str) -> str:
        family = self.families.get(code)
        return family.label if family else code


def _yes(text: str | None) -> bool:
    return (text or "").strip().upper() in ("Y", "YES")


@lru_cache(maxsize=1)
def coding_tables() -> CodingTables:
    """Load every table in ``coding/tables/`` (once per process)."""
    versions: dict[str, str] = {}

    def read(name: str) -> list[dict[str, str | None]]:
        meta, rows = read_versioned_csv(PACKAGE, f"tables/{name}")
        versions[name] = meta.get("version") or meta["effective"]
        return rows

    thresholds = {filled(r, "Name"): int(filled(r, "Minutes")) for r in read("time_thresholds.csv")}
    kinds = {}
    for r in read("hierarchy.csv"):
        kind = ServiceKind(
            category=filled(r, "Category"), method=filled(r, "Method"), rank=int(filled(r, "Rank")),
            initial=r["Initial"] or "", minimum_minutes=int(r["Minimum Minutes"] or 0),
            addon_hour=r["Add-on Hour"] or "", subsequent=r["Subsequent"] or "",
            subsequent_addon_hour=r["Subsequent Add-on Hour"] or "", concurrent=r["Concurrent"] or "",
            same_drug_repeat=r["Same Drug Repeat"] or "")
        kinds[(kind.category, kind.method)] = kind
    route_codes = tuple(
        RouteCode(route=filled(r, "Route"), category=r["Category"] or "",
                  hormonal=None if r["Hormonal"] is None else _yes(r["Hormonal"]), code=filled(r, "Code"),
                  addon_hour=r["Add-on Hour"] or "", additional_site=r["Additional Site"] or "",
                  per_injection=r["Per"] == "injection")
        for r in read("route_codes.csv"))
    families = {
        filled(r, "Code"): CodeFamily(filled(r, "Code"), filled(r, "Family"), filled(r, "Role"), filled(r, "Label"),
                                      _yes(r["Pro Facility Drop"]), _yes(r["Facility Only"]))
        for r in read("code_families.csv")}
    addon_primaries = {filled(r, "Add-on"): frozenset((r["Primary Codes"] or "").split())
                       for r in read("addon_pairs.csv")}
    groups = read("drug_groups.csv")
    deleted = {filled(r, "HCPCS"): (date.fromisoformat(filled(r, "Deleted From")), r["Replacement"] or "")
               for r in read("deleted_codes.csv")}
    facility_pos = frozenset(filled(r, "POS") for r in read("place_of_service.csv") if _yes(r["Facility"]))
    options = tuple(read("options.csv"))
    esa = tuple(DatedCode(filled(r, "Diagnosis"), filled(r, "Modifier"),
                          date.fromisoformat(filled(r, "Effective From")),
                          date.fromisoformat(r["Effective To"]) if r["Effective To"] else None)
                for r in read("esa_indications.csv"))
    visits = {filled(r, "E/M Code"): DatedCode(filled(r, "E/M Code"), filled(r, "Facility Code"),
                                               date.fromisoformat(filled(r, "Effective From")), None)
              for r in read("clinic_visits.csv")}
    return CodingTables(
        thresholds=thresholds, kinds=kinds, route_codes=route_codes, families=families,
        addon_primaries=addon_primaries,
        biologics=frozenset(filled(r, "HCPCS") for r in groups if r["Group"] == "Biologic"),
        unclassified=frozenset(filled(r, "HCPCS") for r in groups if r["Group"] == "Unclassified"),
        deleted=deleted, facility_pos=facility_pos, options=options, versions=versions, esa_indications=esa,
        clinic_visits=visits)
