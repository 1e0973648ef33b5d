"""The KPI definitions and their benchmark targets: two versioned tables shipped in the package.

``definitions.csv`` says, for every KPI the SQL returns, its name, unit, formula, numerator,
denominator, look-back window and date basis, which the KPIs sheet prints on every row.
``targets.csv`` holds the benchmark each KPI is coloured against on the Dashboard (green, amber or
red), with its source: common targets for practices, which a practice may set for itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from ..reference.tables import filled, read_versioned_csv

PACKAGE = "infusion_billing.kpis"
GREEN, AMBER, RED = "Green", "Amber", "Red"
#: The Dashboard's sections (its Section column), each drawn by one chart except the KPI cards.
KPI_CARD, DENIALS, AR, MONTHS, UNDERPAID = (
    "KPI", "Denials by category", "AR by payer", "Month of service", "Underpayments by payer")
UNITS = ("rate", "days", "money")


@dataclass(frozen=True, slots=True)
class Definition:
    kpi: str
    name: str
    unit: str
    formula: str
    numerator: str
    denominator: str
    window: str
    basis: str


@dataclass(frozen=True, slots=True)
class Target:
    kpi: str
    lower_is_better: bool
    green: Decimal
    amber: Decimal
    source: str

    def status(self, value: Decimal) -> str:
        """Green at or better than the green mark, amber at or better than the amber mark, else red."""
        if self.lower_is_better:
            return GREEN if value <= self.green else AMBER if value <= self.amber else RED
        return GREEN if value >= self.green else AMBER if value >= self.amber else RED

    def text(self, unit: str) -> str:
        """``<= 5.0 %`` or ``>= 95.0 %`` or ``<= 40 days``: the green mark as a biller reads it."""
        sign = "<=" if self.lower_is_better else ">="
        mark = f"{self.green * 100:.1f} %" if unit == "rate" else f"{self.green.normalize():f} days"
        return f"{sign} {mark}"


@cache
def definitions() -> dict[str, Definition]:
    """KPI -> its definition, in the order the KPIs sheet lists them."""
    _, rows = read_versioned_csv(PACKAGE, "definitions.csv")
    out = {}
    for r in rows:
        d = Definition(filled(r, "KPI"), filled(r, "Name"), filled(r, "Unit"), filled(r, "Formula"),
                       filled(r, "Numerator"), filled(r, "Denominator"), filled(r, "Look-back Window"),
                       filled(r, "Date Basis"))
        if d.unit not in UNITS:
            raise ValueError(f"definitions.csv: {d.kpi} has unit {d.unit!r}, not one of {UNITS}")
        out[d.kpi] = d
    return out


@cache
def targets() -> dict[str, Target]:
    """KPI -> its benchmark target (KPIs without one, such as the gross collection rate, are not coloured)."""
    _, rows = read_versioned_csv(PACKAGE, "targets.csv")
    out = {}
    for r in rows:
        direction = filled(r, "Direction")
        if direction not in ("lower", "higher"):
            raise ValueError(f"targets.csv: {r['KPI']} has direction {direction!r}")
        out[filled(r, "KPI")] = Target(filled(r, "KPI"), direction == "lower", Decimal(filled(r, "Green")),
                                       Decimal(filled(r, "Amber")), filled(r, "Source"))
    return out
