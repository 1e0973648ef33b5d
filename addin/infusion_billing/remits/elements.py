"""835 amounts, dates and quantities, typed by the shared X12 elements (:mod:`infusion_billing.x12.elements`).

>>> money("127.8"), quantity("-6"), ccyymmdd("20020301"), cents(Decimal("5482.52"))
(Decimal('127.80'), Decimal('-6'), datetime.date(2002, 3, 1), '5,482.52')
"""

from __future__ import annotations

from decimal import Decimal

from ..x12.elements import CENT, _money_cache, _quantity_cache, ccyymmdd, cents, money, quantity

__all__ = ["CENT", "Decimal", "_money_cache", "_quantity_cache", "ccyymmdd", "cents", "money", "quantity"]
