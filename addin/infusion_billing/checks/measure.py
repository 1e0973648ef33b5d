"""Amounts in a drug's billing measure, as the coding engine converts them (docs/coding-rules.md section 9)."""

from __future__ import annotations

from decimal import Decimal

from ..coding.drug_lines import UnitProblem, billing_amount
from ..schema import Drug, MeasureUnit


def in_billing_measure(amount: Decimal | None, unit: MeasureUnit | None, drug: Drug) -> Decimal | None:
    """``amount`` (of ``unit``; blank = the billing unit's) in the drug's billing measure: 1 g of a per-mg
    code is 1000. None when it is blank or cannot be converted (mL of a per-mg drug without a concentration)."""
    if amount is None:
        return None
    try:
        return billing_amount(amount, (unit or drug.billing_unit).value, drug)
    except UnitProblem:
        return None
