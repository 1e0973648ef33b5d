"""The claim lines the authorization checks count units on.

Authorizations are granted in HCPCS units, so the burn-down counts the units the claim will carry:
the coding engine's drug lines (:func:`infusion_billing.coding.engine.code_book`).

An encounter the coding engine held (an error such as an unknown HCPCS) has no billable lines yet, but
its drugs were given and will use the authorization once the claim is fixed and billed. For those the
engine keeps the drug lines it counted (``CodingResult.held_lines``: each drug's doses summed in its
billing unit and rounded up, docs/coding-rules.md section 9), so the held visit does not hand its
units to the next one and the checks never count units a second way.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from ..coding.drug_lines import UnitProblem, billing_amount
from ..coding.engine import CodingResult, code_book
from ..coding.lines import ChargeLine
from ..schema import Drug, MeasureUnit

if TYPE_CHECKING:  # pragma: no cover
    from .context import CheckContext


def coding_result(ctx: CheckContext) -> CodingResult:
    """The coding engine's result for the whole workbook."""
    return code_book(ctx.book)


def claim_lines(ctx: CheckContext) -> dict[str, list[ChargeLine]]:
    """Claim lines by encounter ID: the coding engine's, and for a held encounter the drug lines it counted."""
    result = ctx.coding
    out: dict[str, list[ChargeLine]] = defaultdict(list)
    for line in result.lines:
        out[line.encounter_id].append(line)
    out.update(result.held_lines)
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
