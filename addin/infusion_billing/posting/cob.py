"""Coordination of benefits: how a secondary claim relates to its primary, and what the secondary owes.

A secondary claim is the primary's claim sent on to the patient's next payer once the primary has
paid (:mod:`.secondary` builds it): its Claim ID is the primary's with ``S``, its lines are the
primary's lines in the same order, and the secondary payer is expected to consider what the primary
left to the patient (docs/posting.md section 7).
"""

from __future__ import annotations

from decimal import Decimal

from .contract import ZERO

#: The Payer Priority of a secondary claim.
SECONDARY = "Secondary"


def secondary_claim_id(primary_id: str) -> str:
    """The secondary claim's ID: the primary's with ``S`` (CLM01 allows 20 characters).

    >>> secondary_claim_id("E0000123")
    'E0000123S'
    """
    return f"{primary_id}S"


def primary_claim_id(secondary_id: str) -> str:
    """The primary claim a secondary claim was built from (the inverse of :func:`secondary_claim_id`).

    >>> primary_claim_id("E0000123S")
    'E0000123'
    """
    return secondary_id[:-1]


def secondary_expected(own: Decimal | None, primary_paid: Decimal, primary_left: Decimal) -> Decimal:
    """What a secondary payer is expected to allow on a line under coordination of benefits.

    The secondary considers what the primary left to the patient (deductible, coinsurance, copay) and
    pays it up to its own allowed amount less what the primary already paid (the "standard" COB a
    Medigap or commercial secondary applies; a Medicare crossover to a supplement pays the
    coinsurance and deductible the same way) [S70]. Without a contract rate of its own it is expected
    to consider the whole balance.

    >>> secondary_expected(Decimal("150.00"), Decimal("96.00"), Decimal("24.00"))
    Decimal('24.00')
    >>> secondary_expected(Decimal("110.00"), Decimal("96.00"), Decimal("24.00"))
    Decimal('14.00')
    >>> secondary_expected(Decimal("80.00"), Decimal("96.00"), Decimal("24.00"))
    Decimal('0.00')
    >>> secondary_expected(None, ZERO, Decimal("5.00"))
    Decimal('5.00')
    """
    if own is None:
        return primary_left
    return max(ZERO, min(primary_left, own - primary_paid))
