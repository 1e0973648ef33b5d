"""``IB_NPI_VALID``: does an NPI pass the CMS check digit?

An NPI is 10 digits starting with 1 or 2 whose last digit is a Luhn check over ``80840`` plus the
first nine. A claim with a mistyped rendering or ordering NPI is rejected at the clearinghouse, so
billers check the column before sending. The rule lives in :mod:`infusion_billing.identifiers.npi`.
"""

from __future__ import annotations

from typing import Any

from xlwings import arg, func

from infusion_billing.identifiers import npi as _npi

from ._convert import NA, cell_text, cellwise

__all__ = ["IB_NPI_VALID"]


@cellwise
def _npi_valid(value: Any) -> bool | str:
    text = cell_text(value)
    if not text:
        return NA
    return _npi.is_valid(text)


@func
@arg("npi", ndim=2, doc="10-digit NPI (text or number); a cell or a whole column.")
def IB_NPI_VALID(npi):
    """TRUE when the NPI has 10 digits, starts with 1 or 2 and its check digit matches. #N/A if empty."""
    return _npi_valid(npi)
