"""The coding engine: every encounter of a workbook into claim lines, or held with its reasons.

``code_book(book)`` is the pure core behind the ``code`` stage, the ``code_encounters`` macro, the
``IB_CODE_ENCOUNTER`` worksheet function and the pre-bill checks (authorization burn-down uses its
lines). For each encounter it follows docs/coding-rules.md section 6:

1. classify each administration (:mod:`.classify`): drug class, push or infusion, minutes;
2. merge bags and repeated bags, count hydration minutes (:mod:`.services`);
3. choose the initial service per required IV site (:mod:`.hierarchy`);
4. code administrations (:mod:`.admin_codes`), then drop what the claim type cannot carry
   (professional claims in a facility, add-ons without their primary, 96523 beside other services)
   and add the E/M with modifier 25 when it is separately identifiable [S59];
5. code drug lines (:mod:`.drug_lines`) and price every line (:mod:`.charges`).

An encounter with any error finding is **held**: it gets no lines at all (no partial claim), and its
status lists the rules that held it. The one exception is a code the ChargeMaster has no price for:
the encounter's lines are listed, that one with a blank Charge for the finding to point at, and it is
held all the same (never a 0.00 line). That includes the reader's errors on its rows (a row the reader
left out would otherwise leave a partial claim). Warnings and info findings never hold an encounter.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from sys import intern

from ..findings import Severity
from ..gcpause import paused_cycle_collector
from ..schema import Administration, Encounter, Setting
from . import rules as R
from .admin_codes import code_other_routes, code_site
from .charges import Pricer
from .classify import HYDRATION, classify
from .context import Context
from .drug_lines import code_drug_lines
from .hierarchy import by_precedence, site_groups
from .lines import ChargeLine
from .model import Admin, Draft, Outcome, Service
from .result import CODED, HELD, NOTHING_TO_CODE, CodingResult, EncounterStatus
from .services import build_services

__all__ = ["CODED", "HELD", "NOTHING_TO_CODE", "CodingResult", "Context", "EncounterStatus", "code_book",
           "code_encounter"]

HOME, PROFESSIONAL, FACILITY = Setting.HOME, Setting.PROFESSIONAL, Setting.FACILITY
log = logging.getLogger("infusion_billing.coding")


def code_book(book, progress: Callable[..., Iterable] | None = None) -> CodingResult:
    """Code every encounter of ``book`` (a :class:`~infusion_billing.workbook.reader.BookData`).

    ``progress(iterable, total=, desc=)`` wraps the loop (a progress bar on the command line).
    Never raises for bad data: every problem is a Finding located at its cell.
    """
    # One result per workbook read: the check stage counts authorization units on these lines too.
    memo = getattr(book, "memo", None)
    if memo is not None and "code_book" in memo:
        return memo["code_book"]
    # The engine builds no reference cycles; with a workbook's rows in memory every automatic
    # collection would walk them all (a quarter of the run).
    with paused_cycle_collector():
        result = _code_book(book, progress)
    if memo is not None:
        memo["code_book"] = result
    return result


def _code_book(book, progress: Callable[..., Iterable] | None) -> CodingResult:
    ctx = Context(book)
    result = CodingResult()
    # A row the reader left out (a bad cell) would leave a partial claim: its encounter is held too.
    reader_errors: dict[str, list[str]] = {}
    for f in book.findings:
        if f.severity is Severity.ERROR and f.encounter_id:
            reader_errors.setdefault(f.encounter_id, []).append(f.rule_id)
    encounters = book.rows("Encounters")
    loop = progress(encounters, total=len(encounters), desc="Coding") if progress else encounters
    lines, findings, status = result.lines, result.findings, result.status
    by_encounter = ctx.by_encounter
    for encounter in loop:
        eid = encounter.encounter_id
        try:
            out = code_encounter(encounter, by_encounter.get(eid, ()), ctx)
            new = finalize(eid, out.date_of_service, out.drafts, ctx.pricer) \
                if out.drafts and not out.held and eid not in reader_errors else []
        except Exception as exc:  # one encounter the engine cannot handle must not stop the others
            failed = encounter_failed(ctx.book, encounter, exc)
            findings.append(failed)
            status[eid] = EncounterStatus(eid, HELD, (failed.rule_id,), 0)
            continue
        findings.extend(out.findings)
        if out.held or eid in reader_errors:
            errors = tuple(dict.fromkeys([*reader_errors.get(eid, ()),
                                          *(f.rule_id for f in out.findings if f.severity is Severity.ERROR)]))
            status[eid] = EncounterStatus(eid, HELD, errors, 0)
            drugs = [d for d in out.drafts if ctx.info[d.code] is not None]
            if drugs:
                result.held_lines[eid] = unpriced(eid, out.date_of_service, drugs)
        elif not out.drafts:
            status[eid] = EncounterStatus(eid, NOTHING_TO_CODE, (), 0)
        else:
            lines.extend(new)
            status[eid] = EncounterStatus(eid, CODED, (), len(new))
    result.doses = ctx.doses
    result.findings.extend(ctx.pricer.findings())
    # A line without a price is listed with a blank Charge (the biller sees which one) and holds its encounter.
    for finding in ctx.pricer.line_findings(lines):
        findings.append(finding)
        held = status[finding.encounter_id]
        status[held.encounter_id] = EncounterStatus(held.encounter_id, HELD,
                                                    tuple(dict.fromkeys((*held.errors, finding.rule_id))), held.lines)
    return result


def encounter_failed(book, encounter: Encounter, exc: Exception):
    """The Finding for an encounter the engine stopped on: the claim is held, the others are coded."""
    log.error("coding stopped on one encounter: %s", type(exc).__name__)
    log.debug("%s", traceback.format_exc())
    return book.finding(
        R.RULES_BY_ID[R.ENCOUNTER_FAILED],
        f"Encounter {encounter.encounter_id} could not be coded ({type(exc).__name__}); it is held and the other "
        "encounters were coded.", table="Encounters", row=encounter, column="Encounter ID",
        value=encounter.encounter_id, encounter_id=encounter.encounter_id,
        fix="Check this encounter's administrations for unusual values; run infusion-billing code --debug and report "
            "it if they look right.")


def code_encounter(encounter: Encounter, rows: Sequence[Administration], ctx: Context) -> Outcome:
    """Code one encounter; the Outcome holds its draft lines (empty when held) and its findings."""
    payer = ctx.payers.get(encounter.payer_id)
    out = Outcome(ctx.book, encounter, payer, ctx.doses)
    if payer is None:
        out.at_encounter(R.PAYER_MISSING,
                         f"Payer {encounter.payer_id} is not in the Payers table, so its coding options are unknown.",
                         "Payer ID", encounter.payer_id, "Add the payer to the Payers table.")
    admins = []
    for row in rows:
        admin = classify(row, ctx, out)
        if admin is not None:
            admins.append(admin)

    setting = encounter.setting
    if setting is HOME:
        out.at_encounter(R.HOME_OUT_OF_SCOPE,
                         "Home infusion: per-diem (S-codes) and nursing-visit coding is out of scope for this "
                         "version; only the drug lines were coded.", "Setting", setting.value)
        drug_drafts = drafts = code_drug_lines(admins, ctx, out)
    else:
        professional = setting is PROFESSIONAL
        admin_drafts = _administration_lines(admins, ctx, out, professional)
        pos = encounter.place_of_service or ""
        hospital_bills = professional and pos in ctx.tables.facility_pos
        drug_drafts = code_drug_lines(admins, ctx, out, hospital_bills=hospital_bills)
        if hospital_bills and drug_drafts:
            drug_drafts = _hospital_bills_drugs(drug_drafts, admins, pos, out)
        drafts = _em_lines(encounter, bool(admin_drafts), ctx, out) + admin_drafts + drug_drafts

    if out.held:
        # The drugs were given and will be billed once the error is fixed: their lines are kept apart
        # (unpriced) for what counts units before billing, such as the authorization burn-down.
        out.drafts = drug_drafts
        return out
    if not drafts and not rows and not encounter.em_code:
        out.at_encounter(R.NO_ADMINISTRATIONS,
                         "This encounter has no administrations and no E/M code, so there is nothing to code.",
                         "Encounter ID", encounter.encounter_id)
    out.drafts = drafts
    return out


def _administration_lines(admins, ctx: Context, out: Outcome, professional: bool) -> list[Draft]:
    """The administration codes of one encounter: IV services by site, then injections and other routes."""
    iv: list[Admin] = []
    other: list[Admin] = []
    for a in admins:
        if a.method:
            iv.append(a)
        elif a.reportable:
            other.append(a)
    drafts: list[Draft] = []
    services = build_services(iv, ctx, out) if iv else []
    if services:
        groups = site_groups(services, ctx, out, professional)
        if len(groups) == 1:
            drafts = _code_site(groups[0][0], groups[0][1], "", ctx, out, professional)
        else:
            modifier = out.payer.separate_site_modifier.value if out.payer is not None else "59"
            for index, (group, initial) in enumerate(groups):
                drafts += _code_site(group, initial, modifier if index else "", ctx, out, professional)
    if other:
        more, flushes = code_other_routes(other, ctx, out)
        drafts += more
        if flushes:
            if drafts:
                flush = next(a for a in other if a.admin_id == flushes[0].admin_ids[0])
                out.at_admin(flush.row, R.PORT_FLUSH_BUNDLED,
                             "96523 (port flush) is not billed because other services were given the same day.",
                             "Route", flush.route)
            else:
                drafts.append(flushes[0])
    if not drafts:
        return drafts
    codes = {d.code for d in drafts}
    if len(codes) < len(drafts):
        drafts = combine(drafts)
    if professional:
        kept = _claim_type_filter(drafts, codes, ctx, out)
        if kept is not drafts:
            drafts = kept
            codes = {d.code for d in drafts}
    pairs = ctx.hydration_first_pairs if professional and ctx.keep_hydration_first else ctx.tables.addon_primaries
    return _drop_orphan_addons(drafts, codes, pairs, ctx, out)


def _addon_pairs(ctx: Context, professional: bool, initial: Service | None) -> dict[str, frozenset[str]]:
    """Add-on -> allowed primaries: CPT's parentheticals, widened for hydration under the named option."""
    if professional and ctx.keep_hydration_first and initial is not None and initial.category == HYDRATION:
        return ctx.hydration_first_pairs
    return ctx.tables.addon_primaries


def _orphans(drafts: list[Draft], pairs: dict[str, frozenset[str]]) -> list[Draft]:
    """The add-on lines none of whose primary codes is among ``drafts``."""
    codes = {d.code for d in drafts}
    return [d for d in drafts if d.code in pairs and pairs[d.code].isdisjoint(codes)]


def _code_site(group: list[Service], initial: Service | None, site_modifier: str, ctx: Context, out: Outcome,
               professional: bool) -> list[Draft]:
    """One IV site's lines; re-sequenced when the chosen initial cannot be the primary of an add-on after it.

    CPT's parentheticals name the primary codes of each add-on: 96367 and 96375 take only 96365, 96374,
    96409 or 96413, 96417 only 96413 [S61]. When the initial chosen (on a professional claim, the
    primary reason for the visit) leaves an add-on without one, the next initial in hierarchy order
    that gives every add-on its primary is coded instead, and the initial line says why
    (``coding.addon-resequenced``). When none does, the add-on is dropped later with a warning.
    """
    mark, concurrent_used = len(out.findings), out.concurrent_used
    drafts = code_site(group, initial, site_modifier, ctx, out, professional)
    if initial is None or len(group) == 1:
        return drafts
    orphans = _orphans(drafts, _addon_pairs(ctx, professional, initial))
    if not orphans:
        return drafts
    for other in by_precedence([s for s in group if s is not initial and s.minutes >= s.kind.minimum_minutes]):
        del out.findings[mark:]
        out.concurrent_used = concurrent_used
        retry = code_site(group, other, site_modifier, ctx, out, professional)
        if not _orphans(retry, _addon_pairs(ctx, professional, other)):
            first = retry[0]
            why = (f"{initial.name} ({initial.kind.initial}) cannot be the primary of {orphans[0].code}, so "
                   f"{other.name} is the initial service")
            first.explanation += f" (re-sequenced: {why})"
            out.at_encounter(R.ADDON_RESEQUENCED,
                             f"{why}: CPT lists {', '.join(sorted(ctx.tables.addon_primaries[orphans[0].code]))} "
                             f"as the primary codes of {orphans[0].code}.",
                             "Primary Admin ID", out.encounter.primary_admin_id or "")
            return retry
    del out.findings[mark:]
    out.concurrent_used = concurrent_used
    return code_site(group, initial, site_modifier, ctx, out, professional)


def combine(drafts: list[Draft]) -> list[Draft]:
    """Administration lines with the same code, modifiers and day become one line with summed units."""
    seen: dict[tuple, Draft] = {}
    result: list[Draft] = []
    for d in drafts:
        key = (d.code, d.modifiers, d.day)
        first = seen.get(key)
        if first is None:
            seen[key] = d
            result.append(d)
            continue
        first.units += d.units
        first.admin_ids = tuple(dict.fromkeys(first.admin_ids + d.admin_ids))
        first.rule_ids = tuple(dict.fromkeys(first.rule_ids + d.rule_ids))
        if d.explanation not in first.explanation:
            first.explanation += "; " + d.explanation
    return result


def _claim_type_filter(drafts: list[Draft], codes: set[str], ctx: Context, out: Outcome) -> list[Draft]:
    """Professional claims: no facility-only codes (96376); in a facility POS, no 963xx-965xx [S6][S57].

    ``codes`` are the codes of ``drafts``; the same list comes back when nothing is dropped.
    """
    pos = out.encounter.place_of_service
    if pos and pos in ctx.tables.facility_pos and not codes.isdisjoint(ctx.pro_facility_drop):
        drafts = [d for d in drafts if d.code not in ctx.pro_facility_drop]
        out.at_encounter(R.PROFESSIONAL_FACILITY_POS,
                         f"Professional claim at place of service {pos} (a facility): the drug administration "
                         "codes are billed by the facility, so they were left off.", "Place of Service", pos)
    if not codes.isdisjoint(ctx.facility_only):
        drafts = [d for d in drafts if d.code not in ctx.facility_only]
    return drafts


def _drop_orphan_addons(drafts: list[Draft], codes: set[str], pairs: dict[str, frozenset[str]], ctx: Context,
                        out: Outcome) -> list[Draft]:
    """An add-on code needs one of its primary codes on the claim (``tables/addon_pairs.csv``)."""
    for code in codes:
        primaries = pairs.get(code)
        if primaries is not None and primaries.isdisjoint(codes):
            break
    else:
        return drafts  # the usual claim: every add-on has its primary
    while True:
        orphan = None
        for d in drafts:
            primaries = pairs.get(d.code)
            if primaries is not None and primaries.isdisjoint(codes):
                orphan = d
                break
        if orphan is None:
            return drafts
        out.at_encounter(R.ADDON_WITHOUT_PRIMARY,
                         f"Add-on {orphan.code} ({ctx.tables.label(orphan.code)}) needs one of "
                         f"{', '.join(sorted(pairs[orphan.code]))} on the same claim; it was left off. Review the "
                         "initial service.", "Primary Admin ID", out.encounter.primary_admin_id or "")
        drafts = [d for d in drafts if d is not orphan]
        codes = {d.code for d in drafts}


def _hospital_bills_drugs(drug_drafts: list[Draft], admins: list[Admin], pos: str, out: Outcome) -> list[Draft]:
    """A physician's claim for services in a hospital outpatient department has no drug lines.

    At a facility place of service (19, 22 ...) the hospital buys the drug and bills it on its own
    claim; the physician bills only the professional services (Medicare Benefit Policy Manual ch. 15
    section 50.3 [S85]). Each dropped drug or JW line gets an info finding at its HCPCS cell.
    """
    rows = {a.admin_id: a.row for a in admins}
    for d in drug_drafts:
        row = rows[d.admin_ids[0]]
        mods = "-" + "-".join(d.modifiers) if d.modifiers else ""
        out.at_admin(row, R.PROFESSIONAL_FACILITY_DRUG,
                     f"{d.code}{mods} x {d.units} is not on this professional claim: at place of service {pos} the "
                     "hospital supplies and bills the drug.", "HCPCS", d.code)
    return []


def _em_lines(encounter: Encounter, with_administration: bool, ctx: Context, out: Outcome) -> list[Draft]:
    """The E/M: modifier 25 when separately identifiable; 99211 never with administration [S9][S59].

    On a facility claim to Medicare (and payers with Clinic Visit G0463 = Y) the office/outpatient
    E/M is reported as the hospital clinic visit G0463 (CY2014 OPPS final rule [S81]), with the same
    modifier 25 rule; the explanation keeps the charted code.
    """
    em = encounter.em_code
    if not em:
        return []
    code, why = em, f"E/M {em}"
    rules: tuple[str, ...] = ()
    payer = out.payer
    if encounter.setting is FACILITY and payer is not None and payer.clinic_visit_g0463:
        visit = ctx.tables.clinic_visit_code(em, out.date_of_service)
        if visit is not None:
            code, rules = visit, (R.CLINIC_VISIT,)
            why = f"E/M {em} reported as {visit}, the hospital outpatient clinic visit code for {payer.payer_id},"
    if not with_administration:
        return [Draft(code, 1, (), rules + (R.EM_VISIT,), f"{why} with no drug administration on the claim")]
    if em == "99211":
        out.at_encounter(R.EM_99211, "99211 is not reported with drug administration; it was left off.",
                         "E/M Code", em)
        return []
    if encounter.em_separately_identifiable:
        return [Draft(code, 1, (), rules + (R.EM_MODIFIER_25,),
                      f"{why} significant and separately identifiable from the drug administration: modifier 25",
                      ("25",))]
    out.at_encounter(R.EM_NOT_SEPARATE,
                     f"E/M {em} is billed with drug administration but is not marked separately identifiable, so it "
                     "was left off.", "E/M Separately Identifiable", "N",
                     "Set E/M Separately Identifiable = Y when the record documents a separate evaluation.")
    return []


def unpriced(eid: str, dos: date, drafts: list[Draft]) -> list[ChargeLine]:
    """The drug lines of a held encounter, numbered, with no charge (they are not billed as they stand)."""
    zero = Decimal("0.00")
    return [ChargeLine(eid, n, dos, d.code, d.modifiers, d.units, zero, d.ndc, d.ndc_unit, d.ndc_quantity,
                       d.admin_ids, d.rule_ids, d.explanation) for n, d in enumerate(drafts, start=1)]


def finalize(eid: str, dos: date, drafts: list[Draft], pricer: Pricer) -> list[ChargeLine]:
    """Number the lines of encounter ``eid`` and price them: ChargeMaster amount x units.

    The lines of a clinic-year live until its sheets are written, and most of their parts repeat: each
    explanation and rule list is kept once however many lines share it (a few thousand explanations over
    half a million lines, about 50 MiB at 100,000 encounters); equal values, so the sheets are the same.
    """
    charge, one = pricer.charge, _ONE_COPY.setdefault
    lines = []
    for n, d in enumerate(drafts, start=1):
        lines.append(ChargeLine(eid, n, dos + timedelta(days=d.day) if d.day else dos, d.code,
                                one(d.modifiers, d.modifiers), d.units, charge(d.code, d.units), d.ndc, d.ndc_unit,
                                d.ndc_quantity, d.admin_ids, one(d.rule_ids, d.rule_ids), intern(d.explanation)))
    pricer.lines += len(drafts)
    return lines


#: One copy of each modifier and rule-ID tuple the engine has put on a line (a few hundred kinds).
_ONE_COPY: dict[tuple[str, ...], tuple[str, ...]] = {}

