"""From administrations to IV services: what the administration codes are counted on (sections 3, 4, 6).

* **One bag is one administration**: drugs mixed in one bag (same Bag label) are one infusion; each
  drug still gets its own drug line [S19][S53]. The bag takes the highest class of its drugs, so
  saline carrying a drug is a drug infusion, not hydration.
* **Same drug, several bags, same site**: their minutes are summed before units are counted [S26].
* **Hydration** is billed only for fluid given for hydration with documented medical necessity [S8].
  Its minutes are the minutes *not* running alongside another infusion or taken by a documented
  push [S1][S24]. Segments before and after a drug are summed into one time when Hydration Sum
  Segments = Y (CPT Assistant June 2007 via [S51], the default); with N each bag stands alone
  (section 12 item 2).
"""

from __future__ import annotations

from . import rules as R
from .classify import CHEMO, HYDRATION, INFUSION, PUSH, THERAPEUTIC
from .context import Context
from .minutes import clock_text, minutes_outside
from .model import Admin, Outcome, Service
from .ruletables import ServiceKind

#: (category, method) -> its row of ``tables/hierarchy.csv``.
Kinds = dict[tuple[str, str], ServiceKind]

_CLASS_ORDER = {CHEMO: 0, THERAPEUTIC: 1, HYDRATION: 2}
_HYDRATION_KEY = frozenset(("hydration",))


def timing_text(admins: list[Admin], minutes: int | None, method: str) -> str:
    """How the minutes were counted, in the words of the Explanation column.

    ``11:20-16:40 less 75 min interruption = 245 min``; ``09:00-10:00 + 13:00-13:45 = 105 min``;
    ``IV push at 10:05``.
    """
    a = admins[0]
    if method == PUSH:
        if a.fallback:
            missing = "stop" if a.row.start is not None else "start"
            return f"IV infusion with no {missing} time, coded as a push"
        if a.interval is None:
            return "IV push"
        if a.route == "IV infusion":
            begin, end = a.interval
            return f"{clock_text(begin)}-{clock_text(end)} = {a.minutes} min (15 min or less is a push)"
        return f"IV push at {clock_text(a.interval[0])}"
    if len(admins) == 1:
        assert a.interval is not None, "only a push is coded without both clock times"
        begin, end = a.interval
        text = f"{clock_text(begin)}-{clock_text(end)}{' (next day)' if end >= 1440 else ''}"
        interrupted = a.row.interrupted_minutes
    else:
        spans: list[str] = []
        interrupted = 0
        for a in admins:
            if a.interval:
                text = f"{clock_text(a.interval[0])}-{clock_text(a.interval[1])}"
                if a.interval[1] >= 1440:
                    text += " (next day)"
                if text not in spans:
                    spans.append(text)
            interrupted += a.row.interrupted_minutes
        text = " + ".join(spans)
    if interrupted:
        return f"{text} less {interrupted} min interruption = {minutes} min"
    return f"{text} = {minutes} min"


def build_services(admins: list[Admin], ctx: Context, out: Outcome) -> list[Service]:
    """The IV services of one encounter: bags merged, repeated bags of a drug summed, hydration counted."""
    kinds = ctx.tables.kinds
    if len(admins) == 1:  # the usual visit: one IV administration, nothing to merge
        a = admins[0]
        if not a.reportable:
            return []
        if a.category == HYDRATION:
            return _hydration_services([[a]], [], ctx, out)
        return [_drug_service([a], kinds)]
    drug_services: list[Service] = []
    hydration: list[list[Admin]] = []
    bags: dict[str, list[Admin]] | None = None
    for a in admins:
        if not a.reportable:
            continue
        bag = a.row.bag
        if bag:  # drugs sharing a bag are merged below, once every row is seen
            if bags is None:
                bags = {}
            bags.setdefault(ctx.key[bag], []).append(a)
        elif a.category == HYDRATION:
            hydration.append([a])
        else:
            drug_services.append(_drug_service([a], kinds))
    if bags:
        for members in bags.values():
            if len(members) == 1:  # the usual bag: one drug
                if members[0].category == HYDRATION:
                    hydration.append(members)
                else:
                    drug_services.append(_drug_service(members, kinds))
                continue
            category = min((a.category for a in members), key=_CLASS_ORDER.__getitem__)
            if category == HYDRATION:
                hydration.append(members)
            else:
                drug_services.append(_bag_service(members, category, kinds, ctx.push_max))

    if len(drug_services) > 1:
        drug_services = _sum_same_drug(drug_services)
    if hydration:
        return drug_services + _hydration_services(hydration, drug_services, ctx, out)
    return drug_services


def _drug_service(members: list[Admin], kinds: Kinds) -> Service:
    """One drug given on its own (a push, or an infusion with or without a bag label)."""
    a = members[0]
    return Service(members, kinds[(a.category, a.method)], a.minutes or 0, [a.interval] if a.interval else [], a.site,
                   frozenset((a.drug_key,)), timing_text(members, a.minutes, a.method), a.ids)


def _bag_service(members: list[Admin], category: str, kinds: Kinds, push_max: int) -> Service:
    """Several drugs in one bag: one administration over the bag's clock span."""
    spans = [a.interval for a in members if a.interval]
    interval = (min(s[0] for s in spans), max(s[1] for s in spans)) if spans else None
    fallback = any(a.fallback for a in members)
    if interval and not fallback:
        minutes = interval[1] - interval[0] - max(a.row.interrupted_minutes for a in members)
        method = INFUSION if minutes > push_max and any(a.method == INFUSION for a in members) else PUSH
    else:
        minutes, method = 0, PUSH
    site = next((a.site for a in members if a.site), "")
    lead = [a for a in members if a.category == category] + [a for a in members if a.category != category]
    return Service(lead, kinds[(category, method)], minutes, [interval] if interval else [], site,
                   frozenset(a.drug_key for a in members), timing_text(lead[:1], minutes, method))


def _sum_same_drug(services: list[Service]) -> list[Service]:
    """Infusions of the same drug or mix at the same site on one date: one service, minutes summed [S26]."""
    out: list[Service] = []
    seen: dict[tuple, Service] = {}
    for s in services:
        if s.method != INFUSION:
            out.append(s)
            continue
        key = (s.drug_keys, s.site)
        first = seen.get(key)
        if first is None:
            seen[key] = s
            out.append(s)
            continue
        first.admins.extend(s.admins)
        first.admin_ids += s.admin_ids
        first.intervals.extend(s.intervals)
        first.minutes += s.minutes
        first.timing = timing_text(first.admins, first.minutes, INFUSION)
    return out


def _hydration_services(groups: list[list[Admin]], drug_services: list[Service], ctx: Context,
                        out: Outcome) -> list[Service]:
    """Hydration bags with documented necessity, counted only where nothing else ran [S1][S8][S24]."""
    eligible: list[tuple[tuple[int, int], list[Admin]]] = []
    for members in groups:
        lead = members[0]
        if lead.fallback or (len(members) > 1 and any(a.fallback for a in members)):
            continue  # already reported by coding.stop-time-fallback
        if lead.row.necessity_documented is not True:
            out.at_admin(lead.row, R.HYDRATION_NECESSITY,
                         f"{lead.name} has no documented medical necessity for hydration, so it is not billed "
                         "as hydration.", "Necessity Documented",
                         fix="Set Necessity Documented = Y when the record documents why the patient needed fluids.")
            continue
        timed = [a.interval for a in members if a.interval]
        if timed:
            hull = timed[0] if len(timed) == 1 else (min(i[0] for i in timed), max(i[1] for i in timed))
            eligible.append((hull, members))
    if not eligible:
        return []
    eligible.sort(key=lambda e: e[0][0])

    # Time taken by other infusions and by documented pushes is not hydration time.
    others = [iv for s in drug_services for iv in s.intervals if iv[1] > iv[0]]
    segments: list[tuple[list[Admin], int, tuple[int, int], int]] = []
    for hull, members in eligible:
        interrupted = members[0].row.interrupted_minutes if len(members) == 1 else \
            max(a.row.interrupted_minutes for a in members)
        minutes = minutes_outside(hull, others) - interrupted
        others.append(hull)  # overlapping hydration bags count once
        segments.append((members, max(minutes, 0), hull, interrupted))

    kind = ctx.tables.kinds[(HYDRATION, INFUSION)]
    if ctx.settings.hydration_sum_segments:
        return [_hydration_service(segments, kind)]
    return [_hydration_service([seg], kind) for seg in segments]


def _hydration_service(parts: list[tuple[list[Admin], int, tuple[int, int], int]], kind: ServiceKind) -> Service:
    """One hydration service over ``parts`` (bag, counted minutes, clock span, interruption)."""
    admins = [a for members, _, _, _ in parts for a in members]
    minutes = sum(p[1] for p in parts)
    interrupted = sum(p[3] for p in parts)
    gross = sum(h[1] - h[0] for _, _, h, _ in parts) - interrupted
    timing = " + ".join(f"{clock_text(h[0])}-{clock_text(h[1])}" for _, _, h, _ in parts)
    if interrupted:
        timing += f" less {interrupted} min interruption"
    if gross != minutes:
        timing += f" less {gross - minutes} min alongside other infusions or pushes"
    timing += f" = {minutes} min"
    site = next((a.site for a in admins if a.site), "")
    return Service(admins, kind, minutes, [p[2] for p in parts], site, _HYDRATION_KEY, timing)
