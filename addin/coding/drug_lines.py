"""Drug lines: HCPCS units, repeated doses, JW/JZ, NDC and the 340B modifier (coding-rules.md section 9).

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

from decimal import ROUND_CEILING, Decimal
from typing import TYPE_CHECKING

from ..findings import Severity
from ..identifiers import ValidationError
from ..schema import Container, Drug, MeasureUnit, NdcUnit
from . import rules as R
from .classify import HYDRATION
from .model import Admin, Draft, Outcome

if TYPE_CHECKING:
    from .engine import Context

ERROR, WARNING = Severity.ERROR, Severity.WARNING
#: Mass units in micrograms, for g / mg / mcg conversions.
MASS = {"g": Decimal(1_000_000), "mg": Decimal(1000), "mcg": Decimal(1)}
ZERO = Decimal(0)
_THOUSANDTH = Decimal("0.001")


class UnitProblem(ValueError):
    """A dose that cannot be expressed in the drug's billing unit."""


def billing_amount(dose: Decimal, dose_unit: str, drug: Drug) -> Decimal:
    """The dose in the measure of the drug's billing unit: 1 g of a per-mg code is 1000 (mg).

    A dose in mL for a per-mg code converts only through the Drugs table's concentration: NDC Unit
    = ML and ``NDC Quantity Per Billing Unit`` mL in one billing unit.
    """
    unit = drug.billing_unit.value
    if dose_unit == unit:
        return dose
    if dose_unit in MASS and unit in MASS:
        return dose * MASS[dose_unit] / MASS[unit]
    if dose_unit == "mL" and unit in MASS and drug.ndc_unit is NdcUnit.ML and drug.ndc_quantity_per_unit:
        return dose / drug.ndc_quantity_per_unit * drug.billing_unit_quantity
    if dose_unit == "mL" and unit in MASS:
        raise UnitProblem(f"the dose is in mL but {drug.hcpcs} is billed per {number(drug.billing_unit_quantity)} "
                          f"{unit} and the Drugs table gives no concentration")
    raise UnitProblem(f"a dose in {dose_unit} cannot be converted to {drug.hcpcs}'s billing unit ({unit})")


def ceil_units(amount: Decimal, quantity: Decimal) -> int:
    """Whole billing units covering ``amount``, rounded up."""
    return int((amount / quantity).to_integral_value(rounding=ROUND_CEILING))


def drug_units(dose: Decimal, dose_unit: str, drug: Drug) -> int:
    """HCPCS units for one dose: ``ceil(dose in billing unit / unit quantity)``."""
    return ceil_units(billing_amount(dose, dose_unit, drug), drug.billing_unit_quantity)


def waste_units(dose: Decimal, wasted: Decimal, dose_unit: str, drug: Drug) -> int:
    """JW units: ``ceil((dose + wasted)/unit) - ceil(dose/unit)`` in the drug's billing unit."""
    q = drug.billing_unit_quantity
    used = billing_amount(dose, dose_unit, drug)
    return ceil_units(used + billing_amount(wasted, dose_unit, drug), q) - ceil_units(used, q)


def number(d: Decimal) -> str:
    """A Decimal as a biller writes it: 10, 0.25, 1,600 without exponent or trailing zeros."""
    text = format(d.normalize(), "f")
    if "." in text:
        whole, frac = text.split(".")
        return f"{int(whole):,}.{frac}"
    return f"{int(text):,}"


def tidy(d: Decimal) -> Decimal:
    """A quantity to at most 3 decimals, without trailing zeros or exponent."""
    d = d.quantize(_THOUSANDTH)
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()


class _Group:
    """Administrations of one HCPCS (and one NDC) in one encounter: one drug line."""

    __slots__ = ("drug", "admins", "amount", "waste", "parts", "ml", "waste_ml", "all_ml", "ndc", "waste_admin")

    def __init__(self, drug: Drug, ndc: str) -> None:
        self.drug = drug
        self.ndc = ndc
        self.admins: list[Admin] = []
        self.amount = ZERO
        self.waste = ZERO
        self.parts: list[str] = []
        self.ml = ZERO
        self.waste_ml = ZERO
        self.all_ml = True
        self.waste_admin: Admin | None = None


def code_drug_lines(admins: list[Admin], ctx: "Context", out: Outcome) -> list[Draft]:
    """One line per drug (and NDC) with units, then a JW line where waste is billable."""
    groups: dict[tuple[str, str], _Group] = {}
    for a in admins:
        drug = a.drug
        if drug is None or a.incidental:
            continue
        row = a.row
        amount = _checked_amount(a, ctx, out)
        ndc = _ndc(a, ctx, out)
        if amount is None or ndc is None:
            continue
        key = (drug.hcpcs, ndc)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(drug, ndc)
        group.admins.append(a)
        group.amount += amount[0]
        group.parts.append(f"{number(row.dose)} {row.dose_unit.value}" if row.dose is not None else "")
        if amount[1]:
            group.waste += amount[1]
            group.waste_admin = a
        if row.dose_unit is MeasureUnit.ML:
            group.ml += row.dose
            group.waste_ml += row.wasted or ZERO
        else:
            group.all_ml = False
    if out.held:
        return []
    return [line for group in groups.values() for line in _lines(group, ctx, out)]


def _checked_amount(a: Admin, ctx: "Context", out: Outcome) -> tuple[Decimal, Decimal] | None:
    """(dose, waste) in the billing unit's measure, or None after an error finding on the row."""
    row, drug = a.row, a.drug
    if drug.hcpcs in ctx.tables.unclassified:
        return (row.dose or ZERO, ZERO)
    if row.dose is None:
        out.at_admin(row, R.DOSE_MISSING, ERROR, f"{a.name} has no Dose, so its units cannot be counted.", "Dose",
                     fix="Fill in the amount given.")
        return None
    if row.dose <= 0:
        out.at_admin(row, R.DOSE_INVALID, ERROR, f"{a.name} has a dose of {number(row.dose)}; a dose must be "
                     "more than zero.", "Dose", row.dose, "Correct the Dose.")
        return None
    if row.dose_unit is None:
        out.at_admin(row, R.DOSE_UNIT, ERROR, f"{a.name} has no Dose Unit.", "Dose Unit",
                     fix=f"Fill in the Dose Unit ({drug.hcpcs} is billed per {number(drug.billing_unit_quantity)} "
                         f"{drug.billing_unit.value}).")
        return None
    wasted = row.wasted or ZERO
    if wasted < 0:
        out.at_admin(row, R.WASTE_INVALID, ERROR, "the Wasted amount is negative.", "Wasted", row.wasted,
                     "Enter the amount discarded, or leave Wasted blank.")
        return None
    try:
        dose = billing_amount(row.dose, row.dose_unit.value, drug)
        waste = billing_amount(wasted, row.dose_unit.value, drug) if wasted else ZERO
    except UnitProblem as problem:
        out.at_admin(row, R.DOSE_UNIT, ERROR, f"{a.name}: {problem}.", "Dose Unit", row.dose_unit.value,
                     "Enter the dose in the billing unit's measure (mg, mcg, g, units), or add the concentration "
                     "to the Drugs table (NDC Unit ML and NDC Quantity Per Billing Unit).")
        return None
    return dose, waste


def _ndc(a: Admin, ctx: "Context", out: Outcome) -> str | None:
    """The 11-digit NDC of the row ("" when none is known), or None after an error finding."""
    text = a.row.ndc or a.drug.ndc
    if not text:
        return ""
    try:
        return ctx.ndc11(text)
    except ValidationError as problem:
        if a.row.ndc:
            out.at_admin(a.row, R.NDC_INVALID, ERROR, f"NDC: {problem}", "NDC", text,
                         "Enter the NDC as printed on the label, with its hyphens, or as 11 digits.")
        else:
            out.add(R.NDC_INVALID, ERROR, f"NDC of {a.drug.hcpcs}: {problem}", table="Drugs", row=a.drug,
                    column="NDC", value=text, fix="Correct the NDC in the Drugs table.")
        return None


def _lines(group: _Group, ctx: "Context", out: Outcome) -> list[Draft]:
    drug = group.drug
    hcpcs = drug.hcpcs
    first = group.admins[0]
    ids = [a.admin_id for a in group.admins]
    q = drug.billing_unit_quantity
    unit = drug.billing_unit.value
    name = first.name
    rules: list[str] = []
    if hcpcs in ctx.tables.unclassified:
        units = len(group.admins)
        rules.append(R.UNCLASSIFIED_DRUG)
        sentence = f"{name}: {hcpcs} is an unclassified drug code, billed as 1 unit per dose with its NDC"
    else:
        units = ceil_units(group.amount, q)
        rules.append(R.DRUG_UNITS)
        dose_text = " + ".join(group.parts)
        if len(group.parts) > 1 or first.row.dose_unit.value != unit:
            dose_text += f" = {number(group.amount)} {unit}"
        per = f"up to {number(q)} {unit}" if drug.up_to else f"{number(q)} {unit}"
        sentence = f"{name} {dose_text} at {per} per unit, rounded up: {hcpcs} x {units}"
    if len(group.admins) > 1:
        rules.append(R.DRUG_SAME_DAY)

    container = first.row.container or drug.container
    single = container is Container.SINGLE_DOSE
    waste = group.waste
    if waste and not single:
        row = group.waste_admin.row
        out.at_admin(row, R.JW_MULTI_DOSE, WARNING,
                     f"{name} comes from a multi-dose container; waste from multi-dose containers is never billed "
                     "with JW, so the waste was left off.", "Wasted", row.wasted,
                     "Clear Wasted, or correct the Container if the drug came from a single-dose vial.")
        waste = ZERO
    if waste and drug.vial_size:
        vials = ceil_units(group.amount, drug.vial_size)
        most = vials * drug.vial_size - group.amount
        if waste > most:
            row = group.waste_admin.row
            out.at_admin(row, R.WASTE_EXCEEDS_VIALS, WARNING,
                         f"{name}: {number(waste)} {unit} wasted is more than the {vials} x {number(drug.vial_size)} "
                         f"{unit} vials the dose needs leave over ({number(most)} {unit}); only that is billed.",
                         "Wasted", row.wasted, "Check the vials used and the amount discarded.")
            waste = most

    modifiers: list[str] = []
    jw_line: Draft | None = None
    payer = out.payer
    if single and payer is not None and payer.requires_jw_jz and R.UNCLASSIFIED_DRUG not in rules:
        jw = ceil_units(group.amount + waste, q) - units if waste else 0
        if jw > 0:
            jw_line = Draft(hcpcs, jw, ids, [R.JW_WASTE],
                            f"{name} {number(waste)} {unit} discarded from a single-dose container: "
                            f"ceil({number(group.amount + waste)}/{number(q)}) - ceil({number(group.amount)}/"
                            f"{number(q)}) = {jw} x {hcpcs}-JW", ["JW"], is_admin=False)
        elif not waste:
            modifiers.append("JZ")
            rules.append(R.JZ_NO_WASTE)
            sentence += "; nothing discarded from the single-dose container: JZ"
        elif ctx.settings.jz_when_waste_within_unit:
            modifiers.append("JZ")
            rules.append(R.JZ_NO_WASTE)
            sentence += f"; the {number(waste)} {unit} discarded is inside the rounded-up units: JZ"
    m340b = ctx.settings.modifier_340b
    if m340b in ("JG", "TB") and first.category != HYDRATION:
        modifiers.append(m340b)
        rules.append(R.MODIFIER_340B)
        if jw_line is not None:
            jw_line.modifiers.append(m340b)
            jw_line.rules.append(R.MODIFIER_340B)

    line = Draft(hcpcs, units, ids, rules, sentence, modifiers, is_admin=False)
    lines = [line] if jw_line is None else [line, jw_line]
    if group.ndc:
        _set_ndc(line, group, group.amount, group.ml)
        if jw_line is not None:
            _set_ndc(jw_line, group, waste, group.waste_ml)
    return lines


def _set_ndc(line: Draft, group: _Group, amount: Decimal, ml: Decimal) -> None:
    """NDC, its unit and the package quantity: mL drawn when the dose was in mL, else by the Drugs table."""
    drug = group.drug
    line.ndc = group.ndc
    line.rules.append(R.NDC)
    if group.all_ml:
        line.ndc_unit, line.ndc_quantity = "ML", tidy(ml)
    elif drug.ndc_unit is not None and drug.ndc_quantity_per_unit:
        line.ndc_unit = drug.ndc_unit.value
        line.ndc_quantity = tidy(amount / drug.billing_unit_quantity * drug.ndc_quantity_per_unit)
