"""What each administration is, before any code is chosen (docs/coding-rules.md sections 3, 6 and 8).

For every Administrations row this decides, in a biller's terms:

* **which drug and class**: the row's own Drug Class wins, else the Drugs table by HCPCS (the
  workbook's Drugs rows override the built-in table). A Chemo/Complex *biologic* (monoclonal
  antibodies and other biologic response modifiers, ``tables/drug_groups.csv``) is coded with
  therapeutic administration codes when the payer's Biologics As Chemo Admin = N (section 12 item 1,
  [S5][S6][S41]). A HCPCS that neither table knows is an error at the HCPCS cell
  (``coding.unknown-hcpcs``). No HCPCS but a Drug Class means the drug came from a specialty pharmacy
  or the patient (white or brown bagging): the administration is coded, there is no drug line
  (``coding.white-bagged``, info).
* **push or infusion**: an IV push is a push whatever its minutes (slow hand push [S33b]); an IV
  infusion of 15 minutes or less is a push too [S3][S4][S26]; 16 minutes is an infusion.
* **how many minutes**: stop - start, across midnight with a Stop Date [S50], less Interrupted
  Minutes [S20]. An infusion without a start or stop time is coded as a push with a warning
  (``coding.stop-time-fallback``) when Missing Stop Time Fallback = Push code (the default, section 12
  item 5), or holds the encounter (``coding.times-missing``) when it is Hold.
* **whether fluid is incidental**: fluid to keep the vein open, to carry a drug or to flush the line
  is never billed, neither as hydration nor as a fluid line [S8][S10] (hydration itself is decided
  per bag in :mod:`.services`).
"""

from __future__ import annotations

from datetime import time

from ..schema import Administration, Payer, Route
from . import rules as R
from .context import Context
from .druginfo import DrugInfo
from .kinds import INCIDENTAL_PURPOSES
from .minutes import MINUTES_PER_DAY, TimeProblem, counted, span, start_day_offset
from .model import Admin, Outcome

CHEMO = "Chemo/Complex"
THERAPEUTIC = "Therapeutic"
HYDRATION = "Hydration fluid"
INFUSION = "infusion"
PUSH = "push"

# Enum members bound once: looking them up (and their .value) in the hot loop costs more than the rule.
IV_INFUSION, IV_PUSH, SC_INFUSION = Route.IV_INFUSION, Route.IV_PUSH, Route.SC_INFUSION
PORT_FLUSH, ORAL = Route.PORT_FLUSH, Route.ORAL


def classify(row: Administration, ctx: Context, out: Outcome) -> Admin | None:
    """Classify one administration; None when it yields nothing (an error was raised, or it is oral).

    Every problem on the row is reported, not just the first, so a biller fixes them in one pass.
    """
    route = row.route
    if route is ORAL:  # never billed, so it needs neither a HCPCS nor a Drug Class (section 6 item 1)
        out.at_admin(row, R.ORAL_NOT_BILLED, "is an oral medication; it has no administration code "
                     "and no drug line.", "Route", route._value_)
        return None
    incidental = route is not PORT_FLUSH and row.purpose in INCIDENTAL_PURPOSES
    hcpcs = row.hcpcs
    drug_class = row.drug_class
    if incidental and not hcpcs and drug_class is None:
        return None  # a KVO, carrier or flush bag with nothing to bill
    info = None
    ok = True
    if hcpcs:
        info = ctx.info[hcpcs]
        if info is None:
            out.at_admin(row, R.UNKNOWN_HCPCS,
                         f"HCPCS {hcpcs} is not in the built-in drug table or the workbook's Drugs table.",
                         "HCPCS", hcpcs,
                         "Correct the HCPCS, or add the drug with its billing unit to the Drugs table.")
            ok = False
        elif info.deleted is not None and out.date_of_service >= info.deleted[0]:
            out.at_admin(row, R.DELETED_HCPCS,
                         f"HCPCS {hcpcs} was deleted on {info.deleted[0].isoformat()}; bill {info.deleted[1]} "
                         "(its billing unit differs).", "HCPCS", hcpcs, f"Use {info.deleted[1]}.")

    category = None
    moved = False
    if drug_class is not None:
        category = drug_class._value_
    elif info is not None:
        category = info.category
        payer = out.payer
        if payer is not None and (category == CHEMO or ctx.payer_classes):
            wanted = payer_class(row, info, payer, ctx, out)
            moved = wanted == THERAPEUTIC and category == CHEMO
            category = wanted
    if category is None and ok:  # no HCPCS and no Drug Class (and not incidental fluid: returned above)
        out.at_admin(row, R.DRUG_UNIDENTIFIED,
                     "has neither a HCPCS nor a Drug Class, so it cannot be coded.", "HCPCS",
                     fix="Fill in the HCPCS, or the Drug Class when the drug was supplied by a pharmacy or "
                         "the patient.")
        ok = False

    if route is None:
        out.at_admin(row, R.ROUTE_MISSING, "has no Route; a push, an infusion and an injection are "
                     "coded differently.", "Route", fix="Fill in the Route.")
        return None
    if not ok or category is None:  # a row without a class was reported above
        return None

    drug_text = row.drug
    name = ctx.display[drug_text] if drug_text else (info.name if info is not None else category)
    iv_site = row.iv_site
    admin = Admin(row, info, category, route._value_, name, hcpcs or ctx.key[drug_text or category],
                  ctx.key[iv_site] if iv_site else "")
    if moved:
        admin.biologic_moved = True
    if incidental:
        admin.reportable = False
        admin.incidental = category == HYDRATION
    if not hcpcs and category != HYDRATION and not incidental:
        out.at_admin(row, R.WHITE_BAGGED,
                     f"{name} has no HCPCS: the drug was supplied by a pharmacy or the patient, so only its "
                     "administration is coded.", "HCPCS")

    start = row.start
    if (start is not None or route is IV_INFUSION or route is SC_INFUSION or row.start_date is not None) and \
            not _clock(admin, row, route, start, ctx, out):
        return None
    if route is IV_PUSH:
        admin.method = PUSH
    elif route is IV_INFUSION:
        minutes = admin.minutes
        admin.method = PUSH if admin.fallback or minutes is None or minutes <= ctx.push_max else INFUSION
    return admin


def payer_class(row: Administration, info: DrugInfo, payer: Payer, ctx: Context, out: Outcome) -> str:
    """The administration class the payer wants for a drug (section 8, [S61][S80][S41]).

    CPT codes antineoplastic drugs and "certain monoclonal antibody agents and other biologic response
    modifiers" with the chemotherapy administration codes. A payer may move *non-cancer* drugs to the
    therapeutic codes: those it lists in the Payer Drug Classes table for the date of service, or,
    when it lists none for the drug and its Biologics As Chemo Admin = N, the biologics of
    ``tables/drug_groups.csv``. It never moves an antineoplastic drug given for cancer (rituximab for
    lymphoma stays 96413; rituximab for rheumatoid arthritis may move): CPT's chemotherapy
    administration guidelines, quoted by CMS article A58527.
    """
    listed = None
    rules = ctx.payer_classes.get((payer.payer_id, info.hcpcs)) if ctx.payer_classes else None
    if rules:
        listed = next((r for r in rules if r.applies(out.date_of_service)), None)
    if listed is not None:
        wanted = listed.administration_class._value_
    elif info.category == CHEMO and info.biologic and not payer.biologics_as_chemo:
        wanted = THERAPEUTIC
    else:
        return info.category
    if wanted == THERAPEUTIC and info.category == CHEMO and info.antineoplastic and out.for_cancer:
        if listed is not None:
            out.at_admin(row, R.ANTINEOPLASTIC_STAYS_CHEMO,
                         f"{payer.payer_id} lists {info.hcpcs} for therapeutic administration codes, but "
                         f"{info.name} is an antineoplastic given for cancer, so it keeps the chemotherapy "
                         "administration codes.",
                         "HCPCS", info.hcpcs, "Check the payer's list: it may move only non-cancer uses.")
        return CHEMO
    return wanted


def _clock(admin: Admin, row: Administration, route: Route, start: time | None, ctx: Context,
           out: Outcome) -> bool:
    """Minutes and clock interval of the row; False when its times are unusable (error raised)."""
    stop = row.stop
    start_date = row.start_date
    if start is not None and stop is not None:
        try:
            begin, end = span(out.date_of_service, start, stop, row.stop_date, start_date)
            admin.minutes = counted(begin, end, row.interrupted_minutes, R.INTERRUPTION_INVALID)
        except TimeProblem as problem:
            value = {"Stop": stop, "Stop Date": row.stop_date, "Start Date": start_date}.get(
                problem.column, row.interrupted_minutes)
            out.at_admin(row, problem.rule_id, problem.message, problem.column, value,
                         "Correct the clock times (and the Stop Date for an infusion past midnight).")
            return False
        admin.interval = (begin, end)
        admin.day = begin // MINUTES_PER_DAY
        return True
    try:
        offset = start_day_offset(out.date_of_service, start_date)
    except TimeProblem as problem:
        out.at_admin(row, problem.rule_id, problem.message, problem.column, start_date,
                     "Correct the Start Date (blank = the date of service).")
        return False
    admin.day = offset // MINUTES_PER_DAY
    if start is not None:
        begin = start.hour * 60 + start.minute + offset
        admin.interval = (begin, begin)
    if (route is not IV_INFUSION and route is not SC_INFUSION) or not admin.reportable:
        return True
    missing = "Stop" if start is not None else "Start"
    if ctx.settings.missing_stop_fallback == "Hold":
        out.at_admin(row, R.TIMES_MISSING,
                     f"has no {missing} time; the encounter is held (Missing Stop Time Fallback = Hold).",
                     missing, fix=f"Fill in the {missing} time from the infusion record.")
        return False
    admin.fallback = True
    if admin.category == HYDRATION:
        what = "is not coded as hydration"
    elif route is SC_INFUSION:
        what = "is coded for its first hour only"
    else:
        what = "is coded as a push (the conservative fallback)"
    out.at_admin(row, R.STOP_TIME_FALLBACK, f"has no {missing} time, so it {what}.", missing,
                 fix=f"Fill in the {missing} time to code the infusion by its minutes.")
    return True
