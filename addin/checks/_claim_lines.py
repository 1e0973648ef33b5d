"""The claim lines the authorization checks count units on.

Authorizations are granted in HCPCS units, so the burn-down counts the units the claim will carry:
the coding engine's drug lines (``infusion_billing.coding.stage.code_book(book).lines``).

TEMPORARY: until the coding engine is in the tree, :func:`interim_drug_lines` computes drug units
the way coding-rules.md section 9 states them (``ceil(dose in billing units / units per HCPCS unit)``,
repeat doses of one drug on one date summed onto one line). It exists only so the checks can run
before the coding stage lands; :func:`claim_lines` switches to the coding engine as soon as it imports.
"""

from __future__ import annotations

import math
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from ..coding.lines import ChargeLine
from .context import convert

if TYPE_CHECKING:  # pragma: no cover
    from .context import CheckContext


def claim_lines(ctx: "CheckContext") -> dict[str, list[ChargeLine]]:
    """Claim lines by encounter ID, from the coding engine when it is installed."""
    try:
        from ..coding.stage import code_book  # type: ignore[attr-defined]
    except ImportError:
        return interim_drug_lines(ctx)
    out: dict[str, list[ChargeLine]] = defaultdict(list)
    for line in code_book(ctx.book).lines:
        out[line.encounter_id].append(line)
    return dict(out)


def interim_drug_lines(ctx: "CheckContext") -> dict[str, list[ChargeLine]]:
    """TEMPORARY stand-in for the coding engine: one line per encounter and drug HCPCS, in units."""
    out: dict[str, list[ChargeLine]] = {}
    for enc in ctx.encounters:
        doses: dict[str, list] = defaultdict(list)
        for a in ctx.admins(enc):
            drug = ctx.drug(a)
            if drug is None or not ctx.is_billed(a) or a.dose is None:
                continue
            amount = convert(a.dose, a.dose_unit or drug.billing_unit, drug.billing_unit)
            if amount is not None:
                doses[drug.hcpcs].append((a, amount))
        lines = []
        for n, (code, given) in enumerate(sorted(doses.items()), start=1):
            qty = ctx.drugs[code].billing_unit_quantity
            total = sum((amount for _, amount in given), Decimal(0))
            units = max(1, math.ceil(total / qty))
            lines.append(ChargeLine(enc.encounter_id, n, enc.date_of_service, code, (), units, Decimal("0.00"),
                                    admin_ids=tuple(a.admin_id for a, _ in given)))
        if lines:
            out[enc.encounter_id] = lines
    return out
