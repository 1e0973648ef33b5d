"""Administration codes: initial, add-on hours, sequential, concurrent, pushes, hydration, injections.

After the initial service is chosen (:mod:`.hierarchy`), every other IV service on that site is
coded with the subsequent code "regardless of the subsection" [S9][S59] (section 6):

* initial infusion 96365/96413 (16 minutes or more) plus additional hours 96366/96415 when the time
  past the first hour is more than 30 minutes: ``floor(extra/60) + (extra mod 60 > 30)``
  (``coding.addon-hour``); initial hydration 96360 (31 minutes or more) plus 96361 the same way;
* a chemo infusion of a different drug: 96417 (+96415 hours); a therapeutic infusion of a new drug
  or mix: 96367 (+96366 hours), once per infusate (``coding.sequential``);
* a therapeutic infusion running at the same time as another infusion from a separate bag: 96368,
  once per encounter and never timed (``coding.concurrent``) [S19][S53]. Chemo running alongside
  another infusion has no code: flagged for manual review (``coding.concurrent-chemo``);
* each push of a new drug: 96375/96411 (``coding.push-additional``); the same drug pushed again more
  than 30 minutes after its last reported push: 96376, facility claims only, no office code exists
  (``coding.push-same-drug``) [S11][S52]; exactly 30 minutes follows the 96376 At Exactly 30
  Minutes setting and is always flagged (section 12 item 9);
* hydration after a different initial: 96361 with ``floor(T/60) + (T mod 60 > 30)`` units for
  T >= 31 (``coding.hydration-secondary``) [S24], with 59 when the payer asks (section 12 item 4);
* SC/IM injections 96372, intra-arterial 96373, chemo injections 96401 or hormonal 96402, per
  injection; SC infusion 96369 (+96370 hours; 96371 for an additional pump set-up, not for another
  site on the same pump, ``Pump`` column); chemo pump 96416;
  port irrigation 96523 only when nothing else is billed that day [S9] (``tables/route_codes.csv``).
"""

from __future__ import annotations

from ..schema import Route
from . import rules as R
from .classify import CHEMO, HYDRATION, INFUSION, PUSH
from .context import Context
from .minutes import addon_hour_units, clock_text, overlap, secondary_hydration_units
from .model import Admin, Draft, Outcome, Service

_BIOLOGIC = (R.BIOLOGIC_THERAPEUTIC,)


def _extra_rules(service: Service) -> tuple[str, ...]:
    """``coding.biologic-therapeutic`` on every line of a service the payer moved to therapeutic codes."""
    for a in service.admins:
        if a.biologic_moved:
            return _BIOLOGIC
    return ()


def code_site(group: list[Service], initial: Service | None, site_modifier: str, ctx: Context,
              out: Outcome, professional: bool) -> list[Draft]:
    """The administration lines of one IV site: its initial, add-on hours and every subsequent service."""
    drafts: list[Draft] = []
    if initial is None:
        for s in group:
            if s.category == HYDRATION:
                _hydration_short(s, out)
        return drafts

    kind = initial.kind
    ids = initial.admin_ids
    extra = _extra_rules(initial)
    hours = addon_hour_units(initial.minutes, ctx.hour, ctx.addon_over) \
        if initial.method == INFUSION and kind.addon_hour else 0
    sentence = f"{initial.name} {initial.timing}: {kind.initial}"
    if hours:
        sentence += f" + {hours} x {kind.addon_hour}"
    if initial.category == HYDRATION:
        first_rule = R.INITIAL_HYDRATION
    else:
        first_rule = R.INITIAL_INFUSION if initial.method == INFUSION else R.INITIAL_PUSH
    rules = (first_rule,) + extra
    day = initial.day
    if site_modifier:
        drafts.append(Draft(kind.initial, 1, ids, rules + (R.SEPARATE_SITE,),
                            f"{sentence} (second, medically required IV site: modifier {site_modifier})",
                            (site_modifier,), day=day))
    else:
        drafts.append(Draft(kind.initial, 1, ids, rules, sentence, day=day))
    if hours:
        drafts.append(Draft(kind.addon_hour, hours, ids, (R.ADDON_HOUR,) + extra, sentence, day=day))
    if len(group) == 1:
        return drafts

    pushes: dict[frozenset, int | None] = {}
    if initial.method == PUSH:
        pushes[initial.drug_keys] = initial.start
    infusions = [initial] if initial.method == INFUSION and initial.category != HYDRATION else []
    rest = [s for s in group if s is not initial]
    if len(rest) > 1:
        rest.sort(key=_time_order)
    for s in rest:
        kind = s.kind
        if s.category == HYDRATION:
            new = _secondary_hydration(s, kind.subsequent, ctx, out)
        elif s.method == INFUSION:
            new = _subsequent_infusion(s, kind, infusions, ctx, out)
        else:
            new = _subsequent_push(s, kind, pushes, infusions, ctx, out, professional)
        if new:
            if s.day:
                for d in new:
                    d.day = s.day
            drafts.extend(new)
    return drafts


def _time_order(s: Service) -> tuple:
    return s.start is None, s.start or 0, s.admins[0].admin_id


def _hydration_short(s: Service, out: Outcome) -> None:
    out.at_admin(s.admins[0].row, R.HYDRATION_SHORT,
                 f"hydration {s.timing} is 30 minutes or less, which is not reportable.", "Stop",
                 s.admins[0].row.stop)


def _secondary_hydration(s: Service, code: str, ctx: Context, out: Outcome) -> list[Draft]:
    units = secondary_hydration_units(s.minutes, ctx.hour, ctx.addon_over)
    if not units:
        _hydration_short(s, out)
        return []
    rules: tuple[str, ...] = (R.HYDRATION_SECONDARY,)
    modifiers: tuple[str, ...] = ()
    if out.payer is not None and out.payer.secondary_hydration_59:
        rules += (R.HYDRATION_59,)
        modifiers = ("59",)
    return [Draft(code, units, s.admin_ids, rules,
                  f"Hydration ({s.name}) {s.timing} after another initial service: {code} x {units}", modifiers)]


def _subsequent_infusion(s: Service, kind, infusions: list[Service], ctx: Context, out: Outcome) -> list[Draft]:
    alongside = next((o for o in infusions
                      if any(overlap(a, b) > 0 for a in s.intervals for b in o.intervals)), None)
    infusions.append(s)
    extra = _extra_rules(s)
    if alongside is not None:
        if s.category == CHEMO:
            out.at_admin(s.admins[0].row, R.CONCURRENT_CHEMO,
                         f"{s.name} ran at the same time as {alongside.name}; no concurrent chemotherapy code exists, "
                         "so it was not coded. Review the record.", "Start", s.admins[0].row.start,
                         "Check the infusion times; code by hand if the drugs were given one after the other.")
            return []
        if out.concurrent_used or not kind.concurrent:
            return []  # 96368 once per encounter, across IV sites
        out.concurrent_used = True
        return [Draft(kind.concurrent, 1, s.admin_ids, (R.CONCURRENT,) + extra,
                      f"{s.name} {s.timing} ran alongside {alongside.name} from a separate bag: "
                      f"{kind.concurrent} (once per encounter, not timed)")]
    hours = addon_hour_units(s.minutes, ctx.hour, ctx.addon_over)
    sentence = f"{s.name} {s.timing}, a new drug after the initial service: {kind.subsequent}"
    if hours:
        sentence += f" + {hours} x {kind.subsequent_addon_hour}"
    drafts = [Draft(kind.subsequent, 1, s.admin_ids, (R.SEQUENTIAL,) + extra, sentence)]
    if hours:
        drafts.append(Draft(kind.subsequent_addon_hour, hours, s.admin_ids, (R.ADDON_HOUR,) + extra, sentence))
    return drafts


def _subsequent_push(s: Service, kind, pushes: dict, infusions: list[Service], ctx: Context, out: Outcome,
                     professional: bool) -> list[Draft]:
    extra = _extra_rules(s)
    keys = s.drug_keys
    if keys not in pushes:
        infused = next((i for i in infusions if keys <= i.drug_keys and (i.start is None or s.start is None
                                                                          or i.start <= s.start)), None)
        if infused is None:
            pushes[keys] = s.start
            return [Draft(kind.subsequent, 1, s.admin_ids, (R.PUSH_ADDITIONAL,) + extra,
                          f"{s.name} {s.timing}, a new drug after the initial service: {kind.subsequent}")]
        return _push_after_infusion(s, infused, kind, pushes, extra, out, professional)
    if not kind.same_drug_repeat or professional:
        return []  # chemo has no same-drug push code; 96376 has no office equivalent [S52]
    row = s.admins[0].row
    last = pushes[keys]
    if s.start is None or last is None:
        out.at_admin(row, R.PUSH_TIME_MISSING,
                     f"{s.name} was pushed again but a push time is missing, so 96376 could not be checked.",
                     "Start", fix="Fill in the push Start times.")
        return []
    gap = abs(s.start - last)
    limit = ctx.tables.same_drug_push_gap
    if gap == limit:
        qualifies = ctx.settings.same_drug_push_at_30
        out.at_admin(row, R.PUSH_SAME_DRUG_30,
                     f"{s.name} was pushed again exactly {limit} minutes after its last reported push; "
                     f"{kind.same_drug_repeat} was {'coded' if qualifies else 'not coded'} "
                     "(setting 96376 At Exactly 30 Minutes).", "Start", row.start,
                     "Check the charted push times.")
        if not qualifies:
            return []
    elif gap < limit:
        return []
    pushes[s.drug_keys] = s.start
    return [Draft(kind.same_drug_repeat, 1, s.admin_ids, (R.PUSH_SAME_DRUG,) + extra,
                  f"{s.name} pushed again at {clock_text(s.start)}, {gap} min after its last reported push at "
                  f"{clock_text(last)}: {kind.same_drug_repeat}")]


def _push_after_infusion(s: Service, infused: Service, kind, pushes: dict, extra: tuple[str, ...], out: Outcome,
                         professional: bool) -> list[Draft]:
    """A push of a substance already given by infusion in the encounter is not "a new drug" [S61][S11].

    96375 needs a new substance. In a facility the push of the same substance is 96376, whose primaries
    include the infusion initials, when its time rule allows: no reported push of the substance in the
    30 minutes before (this is its first push, so it does). A professional claim has no same-substance
    push code [S52]: the push earns no administration code, and an info finding says so.
    """
    row = s.admins[0].row
    if professional or not kind.same_drug_repeat:
        what = "a professional claim has no code for it" if professional else "chemotherapy has no same-drug push code"
        out.at_admin(row, R.PUSH_SAME_SUBSTANCE_PRO,
                     f"{s.name} pushed after its own infusion ({infused.name}) is the same substance, not a new drug "
                     f"(96375 needs a new one); {what}, so the push has no administration code.", "Route",
                     row.route.value if row.route is not None else "")
        return []
    pushes[s.drug_keys] = s.start
    return [Draft(kind.same_drug_repeat, 1, s.admin_ids, (R.PUSH_AFTER_INFUSION,) + extra,
                  f"{s.name} {s.timing} after its infusion earlier in the encounter: the same substance, not a new "
                  f"drug, so the facility's same-drug push {kind.same_drug_repeat} instead of {kind.subsequent}")]


def code_other_routes(admins: list[Admin], ctx: Context, out: Outcome) -> tuple[list[Draft], list[Draft]]:
    """Injections, SC infusions, pumps: (lines, port-flush lines that stand only when nothing else is billed)."""
    tables = ctx.tables
    drafts: list[Draft] = []
    flushes: list[Draft] = []
    sc_first: Admin | None = None
    sc_draft: Draft | None = None
    sc_sites: set[str] = set()
    sc_pumps: set[str] = set()
    once: set[str] = set()
    for a in admins:
        route = a.route
        if route == Route.SC_INFUSION.value and a.minutes is not None and not a.fallback \
                and a.minutes <= ctx.push_max:
            route = Route.SC_INJECTION.value  # a 15-minute subcutaneous "infusion" is an injection
        hormonal = a.info is not None and a.info.hormonal
        rc = tables.route_code(route, a.category, hormonal)
        if rc is None:
            out.at_admin(a.row, R.MANUAL_REVIEW,
                         f"{a.name} ({a.category}) by {a.route} has no administration code in the rule tables; "
                         "code it by hand.", "Route", a.route)
            continue
        label = tables.label(rc.code)
        if rc.per_injection:
            drafts.append(Draft(rc.code, 1, a.ids, (R.INJECTION,),
                                f"{a.name} {a.route}: {rc.code} ({label}), one per injection"))
        elif route == Route.PORT_FLUSH.value:
            flushes.append(Draft(rc.code, 1, a.ids, (R.PORT_FLUSH,),
                                 f"{a.name} port flush with no other service that day: {rc.code}"))
        elif route == Route.SC_INFUSION.value:
            pump = _pump(a, ctx)
            if sc_first is None:
                sc_first, sc_sites, sc_pumps = a, {a.site}, {pump}
                hours = 0 if a.fallback else addon_hour_units(a.minutes or 0, ctx.hour, ctx.addon_over)
                timing = "with no stop time, first hour only" if a.fallback else _span(a)
                sentence = f"{a.name} SC infusion {timing}: {rc.code}"
                if hours:
                    sentence += f" + {hours} x {rc.addon_hour}"
                sc_draft = Draft(rc.code, 1, a.ids, (R.SC_INFUSION,), sentence)
                drafts.append(sc_draft)
                if hours:
                    drafts.append(Draft(rc.addon_hour, hours, a.ids, (R.ADDON_HOUR,), sentence))
            elif pump not in sc_pumps and rc.additional_site and rc.additional_site not in once:
                once.add(rc.additional_site)
                sc_pumps.add(pump)
                sc_sites.add(a.site)
                drafts.append(Draft(rc.additional_site, 1, a.ids, (R.SC_INFUSION,),
                                    f"{a.name} SC infusion from an additional pump ({a.row.pump or a.row.bag}) at "
                                    f"{a.row.iv_site or 'a new site'}: {rc.additional_site}"))
            elif sc_draft is not None:
                sc_draft.admin_ids += (a.admin_id,)
                if a.site and a.site not in sc_sites:
                    sc_sites.add(a.site)
                    out.at_admin(a.row, R.SC_SAME_PUMP,
                                 f"{a.name} SC infusion at another site ({a.row.iv_site}) runs from the same pump: "
                                 f"its set-up is part of {rc.code}, and {rc.additional_site} needs an additional pump.",
                                 "IV Site", a.row.iv_site)
        elif rc.code not in once:
            once.add(rc.code)
            drafts.append(Draft(rc.code, 1, a.ids, (R.PROLONGED_PUMP,),
                                f"{a.name} by {a.route[:1].lower()}{a.route[1:]}: {rc.code} ({label})"))
    if any(a.day for a in admins):  # a line is dated by the day its (first) administration was given
        days = {a.admin_id: a.day for a in admins}
        for d in drafts + flushes:
            d.day = days[d.admin_ids[0]]
    return drafts, flushes


def _pump(a: Admin, ctx: Context) -> str:
    """The pump an SC infusion runs from: its Pump label, else its Bag label; blank = the encounter's one pump.

    CPT: 96369 includes the pump set-up and the establishment of the infusion site(s); 96371 is an
    additional pump set-up with new site(s) [S61]. A second site on the same pump is not a second set-up.
    """
    row = a.row
    label = row.pump or row.bag
    return ctx.key[label] if label else ""


def _span(a: Admin) -> str:
    if a.interval is None:
        return ""
    return f"{clock_text(a.interval[0])}-{clock_text(a.interval[1])} = {a.minutes} min"
