"""What kind of service an administration is, as every stage asks it (docs/coding-rules.md section 3).

The coding engine and the pre-bill checks ask the same questions of each Administrations row: is it
billed at all (fluid that only keeps the vein open, carries a drug or flushes the line never is, nor
is oral medication), is it
hydration or a drug, is it counted in minutes, does it go into a vein. They are answered here once, so
a check never judges a row differently from the engine that codes it.
"""

from __future__ import annotations

from typing import NamedTuple

from ..schema import Administration, DrugClass, Purpose, Route

#: Fluid that only keeps the line open, carries a drug or flushes it: never billed [S8][S10].
INCIDENTAL_PURPOSES = frozenset({Purpose.KVO, Purpose.CARRIER, Purpose.FLUSH})
#: Routes whose codes are counted in minutes (section 4), so they need a start and a stop time.
TIMED_ROUTES = frozenset({Route.IV_INFUSION, Route.SC_INFUSION})
#: Routes through a vascular access site (one initial service per site, section 5).
IV_ROUTES = frozenset({Route.IV_INFUSION, Route.IV_PUSH, Route.PROLONGED_PUMP})


class AdminKind(NamedTuple):
    """What a billed administration is: hydration fluid or a drug, timed or not, through a vein or not."""

    hydration: bool
    drug: bool
    timed: bool
    iv: bool


NOT_BILLED = AdminKind(False, False, False, False)
#: Every kind a billed row can be, made once: a clinic-year asks of 360,000 rows, and one AdminKind
#: each held 30 MiB while the checks ran.
_KINDS = {(hydration, timed, iv): AdminKind(hydration, not hydration, timed, iv)
          for hydration in (False, True) for timed in (False, True) for iv in (False, True)}


def is_incidental(row: Administration) -> bool:
    """KVO, carrier or flush fluid (a port flush is its own service, 96523)."""
    return row.route is not Route.PORT_FLUSH and row.purpose in INCIDENTAL_PURPOSES


def is_billed(row: Administration) -> bool:
    """False for incidental fluid and for oral medication: neither has an administration code or a drug
    line, so neither needs a HCPCS, a drug class, a dose unit, a site or clock times (section 6 item 1)."""
    return row.route is not Route.ORAL and not is_incidental(row)


def admin_kind(row: Administration, drug_class: DrugClass | None) -> AdminKind:
    """The kind of ``row``, whose class is ``drug_class`` (the row's own, else the Drugs table's)."""
    if not is_billed(row):
        return NOT_BILLED
    return _KINDS[(drug_class is DrugClass.HYDRATION, row.route in TIMED_ROUTES, row.route in IV_ROUTES)]
