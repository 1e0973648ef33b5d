"""Drug lines: HCPCS units, repeated doses, JW/JZ, NDC and the 340B modifier (docs/coding-rules.md section 9).

**Units.** A drug is billed in multiples of its HCPCS descriptor quantity, rounded *up* to the next
whole unit [S27][S20]: ``units = ceil(dose in the billing unit / unit quantity)``. The dose is first
converted to the billing unit (g, mg and mcg convert; units and mL only to themselves). A dose in mL
for a per-mg code converts only when the Drugs table gives the concentration (NDC Unit = ML and the
mL in one billing unit); otherwise the encounter is held at the Dose Unit cell, never guessed.
"Up to X mg" descriptors behave the same (diphenhydramine 25 mg is J1200 x 1). Repeated doses of one
drug on one date go on one line with the summed amount [S52].

**Waste (Medicare Part B and payers with Requires JW/JZ = Y; single-dose containers only)**
[S27]-[S31][S60]: a second line with JW carries the discarded amount,
``JW units = ceil((dose + wasted)/unit) - ceil(dose/unit)``. When that is 0 the drug line carries
JZ (no billable waste); when some waste fits inside the rounded-up units, JZ follows the setting
JZ When Waste Within One Unit (Noridian [S30]: JZ, the default; section 12 item 7). Never JW/JZ on
multi-dose containers (waste recorded there is a warning) or for other payers. Waste beyond what
the smallest vial combination leaves (when the Drugs table gives a Vial Size) is capped [S27].

**NDC**: 11 digits (5-4-2) via :func:`infusion_billing.identifiers.ndc.to_ndc11`, with the NDC unit
and the package quantity (mL drawn, or the Drugs table's NDC quantity per billing unit) [S34]-[S36].
An NDC that cannot be converted holds the encounter at the NDC cell.

**340B**: JG or TB on drug lines when the Settings say so [S47].

>>> from decimal import Decimal
>>> from infusion_billing.reference.catalog import builtin_drugs
>>> drugs = builtin_drugs()
>>> drug_units(Decimal(679), "mg", drugs["J9312"]), drug_units(Decimal("0.25"), "mg", drugs["J2469"])
(68, 10)
>>> waste_units(Decimal(350), Decimal(50), "mg", drugs["J1745"])
5
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from ..identifiers import ValidationError
from ..schema import Administration, Container, Drug, NdcUnit, PayerType, Setting
from . import rules as R
from .classify import HYDRATION
from .context import Context
from .druginfo import DrugInfo
from .model import Admin, Draft, Outcome
from .quantities import ceil_units, number, tidy, vial_leftover  # noqa: F401  (also imported from here)
from .result import DrugDose

#: Mass units in micrograms, for g / mg / mcg conversions.
MASS = {"g": Decimal(1_000_000), "mg": Decimal(1000), "mcg": Decimal(1)}
ZERO = Decimal(0)
SINGLE_DOSE = Container.SINGLE_DOSE
FACILITY, MEDICARE = Setting.FACILITY, PayerType.MEDICARE


class UnitProblem(ValueError):
    """A dose that cannot be expressed in the drug's billing unit."""


def billing_amount(dose: Decimal, dose_unit: str, drug: Drug | DrugInfo) -> Decimal:
    """The dose in the measure of the drug's billing unit: 1 g of a per-mg code is 1000 (mg).

    A dose in mL for a per-mg code converts only through the Drugs table's concentration: NDC Unit
    = ML and ``NDC Quantity Per Billing Unit`` mL in one billing unit.
    """
    if isinstance(drug, DrugInfo):
        unit, quantity, ml_per_unit, hcpcs = drug.unit, drug.quantity, drug.ml_per_unit, drug.hcpcs
    else:
        unit, quantity, hcpcs = drug.billing_unit.value, drug.billing_unit_quantity, drug.hcpcs
        ml_per_unit = drug.ndc_quantity_per_unit if drug.ndc_unit is NdcUnit.ML else None
    if dose_unit == unit:
        return dose
    if dose_unit in MASS and unit in MASS:
        return dose * MASS[dose_unit] / MASS[unit]
    if dose_unit == "mL" and unit in MASS:
        if ml_per_unit:
            return dose / ml_per_unit * quantity
        raise UnitProblem(f"the dose is in mL but {hcpcs} is billed per {number(quantity)} {unit} and the Drugs "
                          "table gives no concentration")
    raise UnitProblem(f"a dose in {dose_unit} cannot be converted to {hcpcs}'s billing unit ({unit})")


def drug_units(dose: Decimal, dose_unit: str, drug: Drug) -> int:
    """HCPCS units for one dose: ``ceil(dose in billing unit / unit quantity)``."""
    return ceil_units(billing_amount(dose, dose_unit, drug), drug.billing_unit_quantity)


def waste_units(dose: Decimal, wasted: Decimal, dose_unit: str, drug: Drug) -> int:
    """JW units: ``ceil((dose + wasted)/unit) - ceil(dose/unit)`` in the drug's billing unit."""
    q = drug.billing_unit_quantity
    used = billing_amount(dose, dose_unit, drug)
    return ceil_units(used + billing_amount(wasted, dose_unit, drug), q) - ceil_units(used, q)


@lru_cache(maxsize=8192)
def dose_text(dose: Decimal, unit: str) -> str:
    """``679 mg``: a charted dose as the Explanation shows it."""
    return f"{number(dose)} {unit}"


def code_drug_lines(admins: list[Admin], ctx: Context, out: Outcome, *, hospital_bills: bool = False) -> list[Draft]:
    """One line per drug (and NDC) with units, then a JW line where waste is billable.

    Doses of one HCPCS from one NDC go on one line with the summed amount [S52]. ``hospital_bills``: a
    physician's claim at a facility place of service, whose drug lines the hospital bills [S85]; what
    only the drug line needs (the ESA indication and hemoglobin [S82]) is then not asked for.
    """
    # (HCPCS, NDC, day) -> the drug and its doses on that line.
    groups: dict[tuple[str, str, int], tuple[DrugInfo, list[Dose]]] = {}
    for a in admins:
        info = a.info
        if info is None or a.incidental:
            continue
        dose = _dose(a, info, out)
        if dose is not None:
            out.doses[a.admin_id] = DrugDose(info.hcpcs, dose[1], dose[2])
        ndc = _ndc(a, info, ctx, out)
        if dose is None or ndc is None:
            continue
        key = (info.hcpcs, ndc, a.day)
        group = groups.get(key)
        if group is None:
            groups[key] = (info, [dose])
        else:
            group[1].append(dose)
    if out.held:
        # Not billed as it stands, but the drugs were given: their units (no waste, JW or JZ lines) are
        # what an authorization will be charged once the claim is fixed.
        return [Draft(hcpcs, ceil_units(sum((d[1] for d in doses), ZERO), info.quantity),
                      tuple(d[0].admin_id for d in doses), (R.DRUG_UNITS,), "held: units of the doses given",
                      day=day)
                for (hcpcs, _ndc, day), (info, doses) in groups.items()]
    lines: list[Draft] = []
    for (_hcpcs, ndc, day), (info, doses) in groups.items():
        new = _lines(info, doses, ndc, ctx, out, hospital_bills)
        if day:
            for line in new:
                line.day = day
        lines += new
    return lines


#: One dose of a drug line: (administration, amount and waste in the billing unit's measure, then
#: the dose, its unit and the waste as charted).
Dose = tuple[Admin, Decimal, Decimal, "Decimal | None", str, "Decimal | None"]


def _dose(a: Admin, info: DrugInfo, out: Outcome) -> Dose | None:
    """The row's dose and waste, in the billing unit's measure and as charted; None after an error finding."""
    row = a.row
    dose, dose_unit, wasted = row.dose, row.dose_unit, row.wasted
    if info.unclassified:
        return a, (dose or ZERO), ZERO, dose, (dose_unit._value_ if dose_unit is not None else ""), wasted
    if dose is None:
        out.at_admin(row, R.DOSE_MISSING, f"{a.name} has no Dose, so its units cannot be counted.", "Dose",
                     fix="Fill in the amount given.")
        return None
    if dose <= ZERO:
        out.at_admin(row, R.DOSE_INVALID, f"{a.name} has a dose of {number(dose)}; a dose must be "
                     "more than zero.", "Dose", dose, "Correct the Dose.")
        return None
    if dose_unit is None:
        out.at_admin(row, R.DOSE_UNIT, f"{a.name} has no Dose Unit.", "Dose Unit",
                     fix=f"Fill in the Dose Unit ({info.hcpcs} is billed per {number(info.quantity)} {info.unit}).")
        return None
    if wasted is not None and wasted < ZERO:
        out.at_admin(row, R.WASTE_INVALID, "the Wasted amount is negative.", "Wasted", wasted,
                     "Enter the amount discarded, or leave Wasted blank.")
        return None
    unit = dose_unit._value_
    if unit == info.unit:  # the usual case: charted in the billing unit's measure
        return a, dose, (wasted or ZERO), dose, unit, wasted
    try:
        return (a, billing_amount(dose, unit, info), (billing_amount(wasted, unit, info) if wasted else ZERO),
                dose, unit, wasted)
    except UnitProblem as problem:
        out.at_admin(row, R.DOSE_UNIT, f"{a.name}: {problem}.", "Dose Unit", unit,
                     "Enter the dose in the billing unit's measure (mg, mcg, g, units), or add the concentration "
                     "to the Drugs table (NDC Unit ML and NDC Quantity Per Billing Unit).")
        return None


def _summed(doses: list[Dose], unit: str) -> tuple[tuple[str, ...], Decimal, Decimal, Administration, str,
                                                    Decimal | None, Decimal | None]:
    """The doses of one line added up, as the drug line and its JW line need them.

    Returns (Admin IDs, amount, waste, the row that recorded the waste (the last dose's when none did),
    the dose as the Explanation words it, mL given, mL wasted); the mL are None unless every dose was
    charted in mL (the NDC quantity is then the mL drawn).
    """
    if len(doses) == 1:  # the usual case: one dose of the drug
        a, amount, waste, dose, dose_unit, wasted = doses[0]
        words = dose_text(dose, dose_unit) if dose is not None else ""
        if dose_unit != unit:
            words = f"{words} = {number(amount)} {unit}"
        ids: tuple[str, ...] = a.ids
        if dose_unit == "mL" and dose is not None:
            return ids, amount, waste, a.row, words, ZERO + dose, ZERO + (wasted or ZERO)
        return ids, amount, waste, a.row, words, None, None
    amount = waste = ml = waste_ml = ZERO
    all_ml = True
    waste_row = doses[-1][0].row
    parts = []
    for a, billed, billed_waste, dose, dose_unit, wasted in doses:
        amount += billed
        if billed_waste:
            waste += billed_waste
            waste_row = a.row
        parts.append(dose_text(dose, dose_unit) if dose is not None else "")
        if dose_unit == "mL" and dose is not None:
            ml += dose
            if wasted:
                waste_ml += wasted
        else:
            all_ml = False
    ids = tuple([dose[0].admin_id for dose in doses])
    words = f"{' + '.join(parts)} = {number(amount)} {unit}"
    if all_ml:
        return ids, amount, waste, waste_row, words, ml, waste_ml
    return ids, amount, waste, waste_row, words, None, None


def _ndc(a: Admin, info: DrugInfo, ctx: Context, out: Outcome) -> str | None:
    """The 11-digit NDC of the row ("" when none is known), or None after an error finding."""
    text = a.row.ndc or info.ndc_text
    if not text:
        return ""
    try:
        return ctx.ndc11[text]
    except ValidationError as problem:
        if a.row.ndc:
            out.at_admin(a.row, R.NDC_INVALID, f"NDC: {problem}", "NDC", text,
                         "Enter the NDC as printed on the label, with its hyphens, or as 11 digits.")
        else:
            out.add(R.NDC_INVALID, f"NDC of {info.hcpcs}: {problem}", table="Drugs", row=info.drug,
                    column="NDC", value=text, fix="Correct the NDC in the Drugs table.")
        return None


def _lines(info: DrugInfo, doses: list[Dose], ndc: str, ctx: Context, out: Outcome,
           hospital_bills: bool = False) -> list[Draft]:
    """The drug line of one HCPCS (and NDC), and its JW line when the payer bills waste."""
    first = doses[0][0]
    hcpcs = info.hcpcs
    q = info.quantity
    unit = info.unit
    name = first.name
    ids, amount, waste, waste_row, words, ml, waste_ml = _summed(doses, unit)
    if info.unclassified:
        units = len(doses)
        rules: tuple[str, ...] = (R.UNCLASSIFIED_DRUG,)
        sentence = f"{name}: {hcpcs} is an unclassified drug code, billed as 1 unit per dose with its NDC"
    else:
        units = info.units(amount)
        rules = (R.DRUG_UNITS,)
        sentence = f"{name} {words} {info.per_unit_text}{units}"
    if len(doses) > 1:
        rules += (R.DRUG_SAME_DAY,)

    container = first.row.container
    single = info.single_dose if container is None else container is SINGLE_DOSE
    if waste and not single:
        out.at_admin(waste_row, R.JW_MULTI_DOSE,
                     f"{name} comes from a multi-dose container; waste from multi-dose containers is never billed "
                     "with JW, so the waste was left off.", "Wasted", waste_row.wasted,
                     "Clear Wasted, or correct the Container if the drug came from a single-dose vial.")
        waste = ZERO
    if waste and info.vial:
        most = vial_leftover(amount, info.vial)
        if waste > most:
            vials = ceil_units(amount, info.vial)
            out.at_admin(waste_row, R.WASTE_EXCEEDS_VIALS,
                         f"{name}: {number(waste)} {unit} wasted is more than the {vials} x {number(info.vial)} "
                         f"{unit} vials the dose needs leave over ({number(most)} {unit}); only that is billed.",
                         "Wasted", waste_row.wasted, "Check the vials used and the amount discarded.")
            waste = most

    modifiers: tuple[str, ...] = ()
    jw_line: Draft | None = None
    payer = out.payer
    wants_jw_jz = single and payer is not None and payer.requires_jw_jz and not info.unclassified
    if wants_jw_jz and out.encounter.setting is FACILITY and info.packaged_on(out.date_of_service):
        # Packaged under the hospital outpatient PPS (status N): not separately payable, so neither JW
        # nor JZ is required on the facility claim (CMS JW/JZ policy FAQ [S66][S31]).
        wants_jw_jz = False
        sentence += "; packaged under the hospital outpatient PPS on this date: no JW/JZ"
    if wants_jw_jz:
        jw = info.units(amount + waste) - units if waste else 0
        if jw > 0:
            jw_line = Draft(hcpcs, jw, ids, (R.JW_WASTE,),
                            f"{name} {number(waste)} {unit} discarded from a single-dose container: "
                            f"ceil({number(amount + waste)}/{number(q)}) - ceil({number(amount)}/"
                            f"{number(q)}) = {jw} x {hcpcs}-JW", ("JW",))
        elif not waste:
            modifiers = ("JZ",)
            rules += (R.JZ_NO_WASTE,)
            sentence += "; nothing discarded from the single-dose container: JZ"
        elif ctx.settings.jz_when_waste_within_unit:
            modifiers = ("JZ",)
            rules += (R.JZ_NO_WASTE,)
            sentence += f"; the {number(waste)} {unit} discarded is inside the rounded-up units: JZ"
    if info.esa and payer is not None and payer.payer_type is MEDICARE and not hospital_bills:
        esa = _esa_modifier(doses, name, ctx, out)
        if esa:
            modifiers = (esa,) + modifiers
            rules += (R.ESA_MODIFIER,)
            sentence += f"; ESA indication {esa}"
            if jw_line is not None:
                jw_line.modifiers = (esa,) + jw_line.modifiers
                jw_line.rule_ids += (R.ESA_MODIFIER,)
    m340b = ctx.settings.modifier_340b
    if m340b != "None" and first.category != HYDRATION:
        modifiers += (m340b,)
        rules += (R.MODIFIER_340B,)
        if jw_line is not None:
            jw_line.modifiers += (m340b,)
            jw_line.rule_ids += (R.MODIFIER_340B,)

    if not ndc:
        line = Draft(hcpcs, units, ids, rules, sentence, modifiers)
        return [line] if jw_line is None else [line, jw_line]
    line = Draft(hcpcs, units, ids, rules + (R.NDC,), sentence, modifiers, ndc, *_ndc_quantity(info, amount, ml))
    if jw_line is None:
        return [line]
    jw_line.rule_ids += (R.NDC,)
    jw_line.ndc = ndc
    jw_line.ndc_unit, jw_line.ndc_quantity = _ndc_quantity(info, waste, waste_ml)
    return [line, jw_line]


def _esa_modifier(doses: list[Dose], name: str, ctx: Context, out: Outcome) -> str:
    """EA, EB or EC for a non-ESRD ESA line to Medicare, or "" after an error finding (MM5699, CR 5818 [S82]).

    Exactly one of the three: EA anemia from anti-cancer chemotherapy, EB from radiotherapy, EC other
    anemia. The administration's ESA Indication wins; else the encounter's diagnoses through the dated
    table ``tables/esa_indications.csv`` (D64.81 -> EA ...). Neither, or diagnoses pointing at two
    modifiers, is an error at the ESA Indication cell. The claim also needs the latest hemoglobin or
    hematocrit (NCD 110.21 [S83]; 837 MEA segment): without either, an error at the Hemoglobin cell.
    """
    rows = [dose[0].row for dose in doses]
    first = rows[0]
    if not any(r.hemoglobin is not None or r.hematocrit is not None for r in rows):
        out.at_admin(first, R.ESA_LAB_MISSING,
                     f"{name} is billed to Medicare without the latest hemoglobin or hematocrit.", "Hemoglobin",
                     fix="Fill in Hemoglobin (g/dL) or Hematocrit (%) from the most recent lab before the dose.")
    explicit = next((r.esa_indication for r in rows if r.esa_indication is not None), None)
    if explicit is not None:
        return explicit.value
    found = ctx.tables.esa_modifiers(out.encounter.diagnoses, out.date_of_service)
    if len(found) == 1:
        return found[0]
    why = (f"the diagnoses point at {' and '.join(found)}" if found
           else "no ESA Indication is filled in and no diagnosis code decides it")
    out.at_admin(first, R.ESA_INDICATION_MISSING,
                 f"{name} to Medicare needs exactly one of EA, EB or EC, but {why}.", "ESA Indication",
                 fix="Fill in ESA Indication: EA (anemia from chemotherapy), EB (from radiotherapy) or EC (other).")
    return ""


def _ndc_quantity(info: DrugInfo, amount: Decimal, ml: Decimal | None) -> tuple[str, Decimal | None]:
    """The NDC unit and package quantity: the mL drawn when every dose was in mL, else by the Drugs table."""
    if ml is not None:
        return "ML", tidy(ml)
    if info.ndc_unit:
        quantity = info.ndc_quantity(amount)
        if quantity is not None:
            return info.ndc_unit, quantity
    return "", None
