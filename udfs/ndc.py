"""``IB_NDC11``: the 11-digit billing NDC from the code printed on the drug label.

Medicaid and many commercial payers want every drug line to carry the NDC as 11 digits in the 5-4-2
layout without hyphens. Labels print 10 digits as 4-4-2, 5-3-2 or 5-4-1; the short segment gets a
leading zero (0002-7597-01 -> 00002759701). Ten digits typed without hyphens cannot be converted
safely and are refused, unless the first is 0 (only a 4-digit labeler starts with 0). An NDC typed
into a number cell gets back the leading zeros Excel dropped when that is certain (2759701 is
00002759701). The rules themselves live in :mod:`infusion_billing.identifiers.ndc`.
"""

from __future__ import annotations

from typing import Any

from xlwings import arg, func

from infusion_billing.identifiers import ValidationError
from infusion_billing.identifiers import ndc as _ndc

from ._convert import NA, cell_text, cellwise, invalid

__all__ = ["IB_NDC11"]


@cellwise
def _ndc11(value: Any) -> str:
    text = cell_text(value)
    if not text:
        return NA
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = _ndc.from_number(value)
    try:
        return _ndc.to_ndc11(text)
    except ValidationError as error:
        return invalid(error, "NDC")


@func
@arg("ndc", ndim=2, doc="NDC as printed on the label (0002-7597-01) or 11 digits; a cell or a whole column.")
def IB_NDC11(ndc):
    """11-digit billing NDC (5-4-2, no hyphens) from a label NDC. #N/A for an empty cell."""
    return _ndc11(ndc)
