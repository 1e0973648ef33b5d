"""Documentation completeness: what the chart must show before an infusion claim can go out.

Medical review (MAC and RAC audits) denies infusion claims whose record does not support them, and a
coder cannot code what is not charted. docs/coding-rules.md section 3 lists what the validator must demand
(missing -> flag, never silently code): an order with drug, dose, route and reason [S33d]; a diagnosis
supporting each administration [S10-FAQ6]; the IV site of each administration; start and stop clock
times for every infusion and hydration bag (section 12 item 5); documented medical necessity for
hydration, not just KVO/NPO fluid [S8]; bag or mix identity where infusions overlap [S19]; the amount
given and the amount discarded from single-dose containers billed with JW [S28][S60]; the NDC of the
container used [S35]; and why a second IV site was needed when two initial services are billed [S7].

Worked encounter: E0107, infliximab 350 mg IV 09:00-11:05 in the left forearm, payer Medicare. The
claim is complete when the encounter row has Order On File = Y, a valid rendering and ordering NPI and
a billable diagnosis (K50.90); the administration row has dose 350, unit mg, route IV infusion, start
09:00, stop 11:05, IV site "L forearm"; and, 100 mg vials leaving 50 mg in the last vial, Wasted = 50.
Each item left blank is one finding at its cell.

What the coding engine has to decide while coding is reported by the coding engine alone, one rule
per fact, and listed by the check stage with its own findings: a missing or reversed start or stop time
(``coding.stop-time-fallback``, ``coding.times-missing``, ``coding.stop-before-start``), a missing
dose, dose unit or route (``coding.dose-missing``, ``coding.dose-unit``, ``coding.route-missing``), an
NDC that cannot be read (``coding.ndc-invalid``), hydration without documented necessity
(``coding.hydration-necessity``), a second IV site without documented necessity
(``coding.second-site-undocumented``) and an encounter with nothing given (``coding.no-administrations``).
The rules here cover what coding does not look at.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from ..coding.quantities import number, vial_leftover
from ..findings import Severity
from ..identifiers import ValidationError
from ..identifiers import npi as npi_id
from ..schema import Administration, Container, Drug, Encounter
from ..values import is_blank, norm_key
from . import icd10
from .rule import STRICT, hit, rule

ENC = ("Encounters",)
ADM = ("Encounters", "Administrations")
DOC_SOURCE = "docs/coding-rules.md section 3, documentation the validator should demand"


# ----------------------------------------------------------------------------- the encounter row


@rule("doc.order-missing", "No order on file", Severity.ERROR,
      message="No signed order is on file for this encounter (Order On File is {answer}).",
      fix="Get the signed order (drug, dose, route and reason) into the chart, then set Order On File to Y.",
      source=f"{DOC_SOURCE}: order with drug, dose, route and reason [S33d]", tables=ENC,
      location="Encounters / Order On File")
def order_missing(ctx):
    """Every drug administered needs a signed order naming drug, dose, route and reason."""
    for enc in ctx.encounters:
        if enc.order_on_file is not True:
            yield hit("Encounters", enc, "Order On File", enc.encounter_id,
                      answer="N" if enc.order_on_file is False else "blank")


_NPI_COLUMNS = (("Rendering NPI", "rendering_npi", "rendering"), ("Ordering NPI", "ordering_npi", "ordering"))


@rule("doc.npi-missing", "Provider NPI missing", Severity.ERROR,
      message="{header} is blank; the claim needs the {role} provider's NPI.",
      fix="Enter the {role} provider's 10-digit NPI.",
      source="837 provider loops: rendering and ordering NPI required [S70]; the NPI standard, 45 CFR 162.410 [S71]",
      tables=ENC, location="Encounters / Rendering NPI, Ordering NPI")
def npi_missing(ctx):
    """The rendering and the ordering provider must each be named by NPI on the claim."""
    for enc in ctx.encounters:
        for column, attr, role in _NPI_COLUMNS:
            if is_blank(getattr(enc, attr)):
                yield hit("Encounters", enc, column, enc.encounter_id, header=column, role=role)


@rule("doc.npi-invalid", "Provider NPI invalid", Severity.ERROR,
      message="{header} is not a valid NPI: {reason}",
      fix="Look the {role} provider up in the NPPES registry and correct the NPI.",
      source="CMS NPI check digit: Luhn over 80840 + the first nine digits [S71]; infusion_billing.identifiers.npi",
      tables=ENC, location="Encounters / Rendering NPI, Ordering NPI")
def npi_invalid(ctx):
    """An NPI that fails the CMS check digit (10 digits, starting with 1 or 2, Luhn with the 80840 prefix)
    is rejected by the clearinghouse before anyone reads the claim."""
    for enc in ctx.encounters:
        for column, attr, role in _NPI_COLUMNS:
            value = getattr(enc, attr)
            if is_blank(value):
                continue
            reason = _npi_problem(value)
            if reason:
                yield hit("Encounters", enc, column, enc.encounter_id, header=column, role=role, reason=reason)


@lru_cache(maxsize=4096)
def _npi_problem(value: str) -> str:
    """Why an NPI is invalid ("" when valid); a practice has few providers, so each is checked once."""
    try:
        npi_id.validate(value)
    except ValidationError as error:
        return str(error)
    return ""


@rule("doc.diagnosis-missing", "Diagnosis missing", Severity.ERROR,
      message="The encounter has no diagnosis code; every administration needs a diagnosis that supports it.",
      fix="Enter the ICD-10-CM codes from the order, primary first.",
      source=f"{DOC_SOURCE}: diagnosis supporting each administration [S10-FAQ6]", tables=ENC,
      location="Encounters / Diagnosis Codes")
def diagnosis_missing(ctx):
    """A claim without a diagnosis is rejected; the order's reason is coded as ICD-10-CM."""
    for enc in ctx.encounters:
        if not enc.diagnoses:
            yield hit("Encounters", enc, "Diagnosis Codes", enc.encounter_id)


@rule("doc.diagnosis-invalid", "Diagnosis not billable", Severity.ERROR,
      message="Diagnosis {problems}.",
      fix="Correct the code to a valid ICD-10-CM code with all its characters (e.g. C50.911, not C50.9).",
      source="ICD-10-CM code set (CMS) [S72] via the simple-icd-10-cm package: valid and a leaf (highest specificity)",
      tables=ENC, location="Encounters / Diagnosis Codes")
def diagnosis_invalid(ctx):
    """Each diagnosis must be a valid ICD-10-CM code coded to the highest specificity (a billable leaf
    code); a category such as C50.9 that has subdivisions is not billable. With or without the dot."""
    for enc in ctx.encounters:
        problems = [f"{code} {why}" for code in enc.diagnoses if (why := icd10.problem(code))]
        if problems:
            yield hit("Encounters", enc, "Diagnosis Codes", enc.encounter_id, problems="; ".join(problems))


@rule("doc.diagnosis-code-set", "Dates outside the installed ICD-10-CM year", Severity.INFO,
      message="{count} encounters have a date of service outside {code_set} ({valid}); their diagnosis codes "
              "were checked against it.",
      fix="Update the simple-icd-10-cm package when CMS publishes the code set for those dates.",
      source="CMS ICD-10-CM annual code set (October 1) and April update [S72]; tables/icd10cm_code_sets.csv",
      tables=ENC, location="(whole run)")
def diagnosis_code_set(ctx):
    """Diagnosis codes are judged against the ICD-10-CM release installed; dates of service outside
    the year that release covers are counted in one info finding."""
    code_set = icd10.installed_code_set()
    outside = [e for e in ctx.encounters if e.diagnoses and not code_set.covers(e.date_of_service)]
    if outside:
        valid = (f"valid {code_set.valid_from} to {code_set.valid_to}" if code_set.valid_from
                 else "validity dates unknown")
        yield hit("Encounters", None, "Date of Service", value="", count=len(outside), code_set=code_set.name,
                  valid=valid)


# ----------------------------------------------------------------------------- administrations


def _label(admin) -> dict:
    return {"admin_id": admin.admin_id, "drug": admin.drug or admin.hcpcs or "drug not named"}


def _admins_where(ctx, column: str, missing):
    """A hit at ``column`` of every administration for which ``missing(admin)`` is true."""
    for enc, admin in ctx.encounter_admins():
        if missing(admin):
            yield hit("Administrations", admin, column, enc.encounter_id, **_label(admin))


@rule("doc.iv-site-missing", "IV site missing", Severity.ERROR,
      message="{admin_id} ({drug}) went in through a vein but no IV site is recorded.",
      fix="Enter the access site (e.g. L forearm, R hand, port).",
      source=f"{DOC_SOURCE}: IV site per administration; section 3 (IV site = vascular access site [S2][S7])",
      tables=ADM, location="Administrations / IV Site")
def iv_site_missing(ctx):
    """Only one initial service is billed per IV site, so every IV administration names its site."""
    return _admins_where(ctx, "IV Site", lambda a: is_blank(a.iv_site) and ctx.is_iv(a))


# ----------------------------------------------------------------------------- waste and NDC


@dataclass(frozen=True, slots=True)
class _VialUse:
    """One single-dose drug in one visit: its doses share vials, so waste is counted on their total."""

    encounter: Encounter
    admins: tuple[Administration, ...]  # in start-time order; the last is where waste is charted
    dose: Decimal  # total given, in the billing measure
    waste: Decimal  # what the smallest vial combination for the total leaves over
    charted: Decimal | None  # Wasted summed over the doses (None when every Wasted is blank)
    drug: Drug


def _vial_uses(ctx) -> list[_VialUse]:
    return ctx.shared("vial uses", _build_vial_uses)


def _build_vial_uses(ctx):
    """Every single-dose drug with a known Vial Size, per visit, with the waste its vials leave.

    Doses of one drug in one visit come out of the same vials (a bolus and a pump of fluorouracil), so
    the waste is what the smallest vial combination covering their total leaves [S27], charted on any
    of them (usually the last). Each dose and its waste are read in the billing measure as the coding
    engine counted them for the drug line (``CodingResult.doses``), not converted again here.
    """
    out = []
    single = Container.SINGLE_DOSE
    counted = ctx.coding.doses  # each dose in the billing measure, as the coding engine counted it
    for enc in ctx.encounters:
        by_code: dict[str, list[Administration]] = {}
        for admin in ctx.admins(enc):
            drug = ctx.drug(admin)
            if (drug is not None and drug.vial_size and ctx.is_drug(admin)
                    and (admin.container or drug.container) is single):
                by_code.setdefault(drug.hcpcs, []).append(admin)
        for code, admins in by_code.items():
            drug = ctx.drugs[code]
            doses = [counted[a.admin_id] for a in admins if a.admin_id in counted]
            if len(doses) < len(admins):
                continue  # a dose the engine could not count (missing, unconvertible) is reported by its own rule
            total = sum((d.amount for d in doses), Decimal(0))
            if total <= 0 or drug.vial_size <= 0:
                continue
            waste = vial_leftover(total, drug.vial_size)
            # Wasted summed over the doses (in the billing measure), or None when every Wasted is blank.
            charted = sum((d.waste for d in doses), Decimal(0)) if any(a.wasted is not None for a in admins) else None
            if len(admins) > 1:
                admins.sort(key=lambda a: (a.start is None, a.start, a.excel_row))
            out.append(_VialUse(enc, tuple(admins), total, waste, charted, drug))
    return out


def _vial_slots(use: _VialUse) -> dict:
    unit = use.drug.billing_unit.value
    return {"dose": number(use.dose), "unit": unit, "vial": f"{number(use.drug.vial_size)} {unit}",
            "waste": number(use.waste), **_label(use.admins[-1])}


@rule("doc.waste-missing", "Discarded amount not documented", Severity.ERROR,
      message="{admin_id} ({drug}): {dose} {unit} from {vial} single-dose vials leaves {waste} {unit} to "
              "discard, but Wasted is blank; {payer_id} wants the discarded amount billed with JW.",
      fix="Enter the amount discarded, as charted (0 if the remainder was used for another patient under "
          "the payer's rules).",
      source=f"{DOC_SOURCE}: amount administered and discarded for single-dose containers [S28][S60]; "
             "docs/coding-rules.md section 9 (JW/JZ)",
      tables=ADM, location="Administrations / Wasted")
def waste_missing(ctx):
    """For a payer that wants JW/JZ, a drug from single-dose vials (Drugs Vial Size) whose doses in the
    visit leave drug in the last vial must have the discarded amount charted: JW bills it, JZ says
    nothing was discarded, and the waste must be in the record. Reported on the visit's last dose."""
    for use in _vial_uses(ctx):
        payer = ctx.payer(use.encounter)
        if (payer is not None and payer.requires_jw_jz and use.waste > 0
                and all(a.wasted is None for a in use.admins)):
            yield hit("Administrations", use.admins[-1], "Wasted", use.encounter.encounter_id,
                      payer_id=payer.payer_id, **_vial_slots(use))


@rule("doc.waste-mismatch", "Discarded amount less than the vials leave", Severity.WARNING,
      message="{admin_id} ({drug}): Wasted is {wasted} {unit} in all, but {dose} {unit} from {vial} vials leaves "
              "{waste} {unit}.",
      fix="Check the charted waste and the vial size in the Drugs table: the discarded drug the record leaves out "
          "is not billed.",
      source="docs/coding-rules.md section 9 (smallest vial combination that covers the dose [S27])",
      rule_set=STRICT, tables=ADM, location="Administrations / Wasted")
def waste_mismatch(ctx):
    """The waste charted for a drug in a visit (summed over its doses) is less than the smallest vial
    combination for the total dose leaves over. (More than that is the coding engine's
    ``coding.waste-exceeds-vials``, which caps the JW line.)"""
    for use in _vial_uses(ctx):
        if use.charted is not None and use.charted < use.waste:
            last = next(a for a in reversed(use.admins) if a.wasted is not None)
            yield hit("Administrations", last, "Wasted", use.encounter.encounter_id, wasted=number(use.charted),
                      **{**_vial_slots(use), **_label(last)})


@rule("doc.ndc-missing", "NDC missing", Severity.ERROR,
      message="{admin_id} ({drug}, {hcpcs}) has no NDC, and {payer_id} requires the NDC on drug lines.",
      fix="Enter the NDC printed on the container used (e.g. 57894-030-01).",
      source=f"{DOC_SOURCE}: NDC of the container actually used [S35]; docs/payer-rules.md section 5 "
             "(Medicaid NDC under the DRA 2005; CARC 16 + M119)",
      tables=ADM, location="Administrations / NDC")
def ndc_missing(ctx):
    """A payer with Requires NDC = Y (Medicaid by default) denies a drug line without the 11-digit NDC
    of the container actually used, so each billed drug with a HCPCS needs its NDC charted."""
    for enc, admin in ctx.encounter_admins():
        if not admin.hcpcs or not is_blank(admin.ndc) or not ctx.is_billed(admin):
            continue
        payer = ctx.payer(enc)
        if payer is not None and payer.requires_ndc:
            yield hit("Administrations", admin, "NDC", enc.encounter_id, hcpcs=admin.hcpcs, payer_id=payer.payer_id,
                      **_label(admin))


# ----------------------------------------------------------------------------- overlapping bags


@lru_cache(maxsize=4096)
def _site_key(site: str) -> str:
    """"L Forearm", "l forearm" and "L-forearm" are one site."""
    return norm_key(site)


@rule("doc.site-overlap", "Overlapping bags without bag identity", Severity.WARNING,
      message="{admin_id} ({drug}) overlaps {other_id} ({other_drug}) on site {site} from {start}, and the bags "
              "are not labelled: concurrent bags (96368) and one mixed bag code differently.",
      fix="Fill Bag on both rows: the same label when the drugs were mixed in one bag, different labels for "
          "separate bags running together.",
      source=f"{DOC_SOURCE}: bag/mix identity for concurrent vs single-bag decisions [S19][S53]",
      tables=ADM, location="Administrations / Bag")
def site_overlap(ctx):
    """Two infusions running at the same time through one site are either separate bags (concurrent,
    96368) or drugs mixed in one bag (one administration). The Bag column says which; when a bag
    label is missing on overlapping infusions, the record does not show it."""
    for enc in ctx.encounters:
        timed = [a for a in ctx.admins(enc) if ctx.is_timed(a) and ctx.is_iv(a) and not is_blank(a.iv_site)]
        if len(timed) < 2:
            continue
        by_site = defaultdict(list)
        for admin in timed:
            interval = ctx.interval(enc, admin)
            if interval is not None:
                by_site[_site_key(admin.iv_site)].append((interval, admin))
        for runs in by_site.values():
            runs.sort(key=lambda r: (r[0].start, r[1].excel_row))
            for i, (interval, admin) in enumerate(runs):
                for other_interval, other in runs[:i]:
                    if interval.overlaps(other_interval) and (is_blank(admin.bag) or is_blank(other.bag)):
                        yield hit("Administrations", admin, "Bag", enc.encounter_id, other_id=other.admin_id,
                                  other_drug=other.drug or other.hcpcs or "drug not named", site=admin.iv_site,
                                  start=admin.start.strftime("%H:%M"), **_label(admin))
                        break


RULES = (
    order_missing, npi_missing, npi_invalid, diagnosis_missing, diagnosis_invalid, diagnosis_code_set,
    iv_site_missing, waste_missing, waste_mismatch, ndc_missing, site_overlap,
)
