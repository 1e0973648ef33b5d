"""Choosing the initial service, and the second IV site (docs/coding-rules.md section 5).

**Facility** claims (OPPS, UB-04/837I) follow the CPT facility hierarchy [S3][S14]:
chemo/complex infusion > chemo/complex push > therapeutic infusion > therapeutic push > hydration of
31 minutes or more (``tables/hierarchy.csv``). Category beats method, and the hierarchy overrides the
add-on parentheticals: 96374 is never an add-on to 96360. Among equals the longer, then the earlier
service is the initial.

**Professional** claims use the "key or primary reason for the encounter" [S9][S59][S14][S15]: the
encounter's Primary Admin ID. When it is blank or names nothing that can be an initial service and
there is a real choice to make, the facility hierarchy is used with a warning
(``coding.primary-admin-fallback``).

**One initial per encounter** unless a second IV site was medically required [S2][S7][S63]: with
Second Site Necessary = Y each site gets its own initial and the second site's initial carries the
payer's Separate Site Modifier (59, XS or XU) [S7][S48]. IV services charted at a second site without
that flag do not hold the encounter: one initial service is coded for the whole encounter and every
other service is sequenced after it (IOM 100-04 ch. 4 section 230.2), with a warning at the second
site's IV Site cell (``coding.second-site-undocumented``) saying a second initial was not billed.
"""

from __future__ import annotations

from . import rules as R
from .context import Context
from .model import Outcome, Service


def can_be_initial(service: Service, ctx: Context) -> bool:
    """True when the service meets its initial code's minimum minutes (16 for infusions, 31 for hydration)."""
    return service.minutes >= service.kind.minimum_minutes


def _precedence(s: Service) -> tuple:
    return s.rank, -s.minutes, s.start if s.start is not None else 1 << 20, s.admins[0].admin_id


def by_precedence(candidates: list[Service]) -> list[Service]:
    """The candidates in facility-hierarchy order: the one :func:`facility_choice` picks first."""
    return sorted(candidates, key=_precedence)


def facility_choice(candidates: list[Service]) -> Service:
    """Highest in the hierarchy; then the longer; then the earlier."""
    return candidates[0] if len(candidates) == 1 else min(candidates, key=_precedence)


def primary_service(services: list[Service], candidates: list[Service], ctx: Context,
                    out: Outcome) -> Service | None:
    """The professional claim's initial: the service holding the Primary Admin ID, or None (hierarchy)."""
    encounter = out.encounter
    wanted = encounter.primary_admin_id
    if wanted:
        for s in candidates:
            if wanted in s.admin_ids:
                return s
        if any(wanted == a.admin_id for s in services for a in s.admins):
            why = f"Primary Admin ID {wanted} cannot be the initial service (too short, or hydration under 31 min)"
        elif wanted in ctx.admin_ids_of(encounter.encounter_id):
            return None  # an injection or other non-IV service: the IV initial still follows the hierarchy
        else:
            why = f"Primary Admin ID {wanted} is not an administration of this encounter"
    elif len(candidates) > 1:
        why = "Primary Admin ID is blank"
    else:
        return None
    out.at_encounter(R.PRIMARY_ADMIN_FALLBACK,
                     f"{why}; the initial service was chosen by the facility hierarchy instead.",
                     "Primary Admin ID", wanted or "",
                     "Enter the Admin ID of the administration that was the main reason for the visit.")
    return None


def site_groups(services: list[Service], ctx: Context, out: Outcome,
                professional: bool) -> list[tuple[list[Service], Service | None]]:
    """The IV services split by required site, each with its initial; the primary site first.

    Services at two sites without Second Site Necessary = Y are one group with one initial (after a
    warning). Services with a blank IV Site belong to the first charted site.
    """
    candidates = [s for s in services if can_be_initial(s, ctx)]
    primary = primary_service(services, candidates, ctx, out) if professional and services else None

    sites: list[str] = []
    first_site = services[0].site
    if len(services) > 1 and any(s.site != first_site for s in services):
        for s in sorted(services, key=lambda s: s.start if s.start is not None else 1 << 20):
            if s.site and s.site not in sites:
                sites.append(s.site)
    if len(sites) > 1 and not out.encounter.second_site_necessary:
        second = next(s for s in services if s.site == sites[1])
        row = second.admins[0].row
        out.at_admin(row, R.SECOND_SITE_UNDOCUMENTED,
                     f"is at a second IV site ({row.iv_site}) but Second Site Necessary is not Y, so a second initial "
                     "service was not billed: one initial for the encounter, everything else sequenced after it.",
                     "IV Site", row.iv_site,
                     "Set Second Site Necessary = Y on the encounter when the protocol required a second site.")
        sites = sites[:1]

    if len(sites) <= 1:
        return [(services, facility_choice(candidates) if primary is None and candidates else primary)]
    else:
        by_site: dict[str, list[Service]] = {site: [] for site in sites}
        for s in services:
            by_site[s.site or sites[0]].append(s)
        groups = list(by_site.values())

    result: list[tuple[list[Service], Service | None]] = []
    for group in groups:
        pool = [s for s in group if s in candidates]
        initial: Service | None
        if primary is not None and primary in group:
            initial = primary
        else:
            initial = facility_choice(pool) if pool else None
        result.append((group, initial))
    # The site holding the primary reason (professional) or the best initial (facility) comes first.
    result.sort(key=lambda gi: (0 if primary is not None and gi[1] is primary else 1,
                                gi[1].rank if gi[1] else 99, -(gi[1].minutes if gi[1] else 0)))
    return result
