"""``aging.*``: what the AR aging finds while splitting each claim's balance.

How the balance is split and aged: docs/aging.md [S75] [S76].
"""

from __future__ import annotations

from ..findings import Severity
from .spec import Family

SOURCE = "docs/aging.md (AR aging: responsible party, buckets, date basis) [S75] [S76]"
AGING = Family("aging")

CREDIT_BALANCE = AGING.finding(
    "aging.credit-balance", Severity.WARNING, "A claim with a credit balance (more paid or adjusted than charged)",
    fix="Find the overpayment or the duplicate posting; refund the payer or patient, or correct the posting.",
    source=SOURCE)
SPECS = AGING.specs
