"""The claim lines the authorization checks count units on.

Authorizations are granted in HCPCS units, so the burn-down counts the units the claim will carry:
the coding engine's drug lines (:func:`infusion_billing.coding.engine.code_book`).

An encounter the coding engine held (an error such as an unknown HCPCS) has no lines yet, but its
drugs were given and will use the authorization once the claim is fixed and billed. For those
encounters the units are counted from the doses the way the coding engine counts them (docs/coding-rules.md
section 9: each drug's doses summed, in its billing unit, rounded up to whole units), so the held
visit does not hand its units to the next one.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from ..coding.drug_lines import UnitProblem, billing_amount, ceil_units
from ..coding.engine import HELD, CodingResult, code_book
from ..coding.lines import ChargeLine
from ..schema import Administration, Drug, Encounter, MeasureUnit

if TYPE_CHECKING:  # pragma: no cover
    from .context import CheckContext


def coding_result(ctx: "CheckContext") -> CodingResult:
    """The coding engine's result for the whole workbook."""
    return code_book(ctx.book)


def claim_lines(ctx: "CheckContext") -> dict[str, list[ChargeLine]]:
    """Claim lines by encounter ID: the coding engine's, or dose-based drug lines for a held encounter."""
    result = ctx.coding
    out: dict[str, list[ChargeLine]] = defaultdict(list)
    for line in result.lines:
        out[line.encounter_id].append(line)
    for enc_id, status in result.status.items():
        enc = ctx.encounters_by_id.get(enc_id)
        if status.status == HELD and enc is not None:
            lines = dose_lines(ctx, enc)
            if lines:
                out[enc_id] = lines
    return dict(out)


def in_billing_measure(amount: Decimal | None, unit: MeasureUnit | None, drug: Drug) -> Decimal | None:
    """``amount`` (of ``unit``; blank = the billing unit's) in the drug's billing measure: 1 g of a per-mg
    code is 1000. None when it is blank or cannot be converted (mL of a per-mg drug without a concentration)."""
    if amount is None:
        return None
    try:
        return billing_amount(amount, (unit or drug.billing_unit).value, drug)
    except UnitProblem:
        return None


def dose_lines(ctx: "CheckContext", enc: Encounter) -> list[ChargeLine]:
    """One drug line per HCPCS of a held encounter, units from the summed doses."""
    doses: dict[str, list[tuple[Administration, Decimal]]] = defaultdict(list)
    for a in ctx.admins(enc):
        drug = ctx.drug(a)
        amount = in_billing_measure(a.dose, a.dose_unit, drug) if drug is not None and ctx.is_billed(a) else None
        if amount is not None:
            doses[drug.hcpcs].append((a, amount))
    lines = []
    for n, (code, given) in enumerate(sorted(doses.items()), start=1):
        total = sum((amount for _, amount in given), Decimal(0))
        units = max(1, ceil_units(total, ctx.drugs[code].billing_unit_quantity))
        lines.append(ChargeLine(enc.encounter_id, n, enc.date_of_service, code, (), units, Decimal("0.00"),
                                admin_ids=tuple(a.admin_id for a, _ in given)))
    return lines
