"""The statuses a reconciled claim line can have, in the order they are tested (first match wins).

Not yet paid (no remit), Reversed (the last event took the payment back), Denied (nothing allowed,
a denial reason), Partially denied, Code changed (SVC06), Units reduced (units paid below units
billed), Underpaid, Overpaid (beyond the tolerance), No contract rate, Paid as expected.
"""

NOT_YET_PAID, REVERSED, DENIED, PARTIALLY_DENIED = "Not yet paid", "Reversed", "Denied", "Partially denied"
CODE_CHANGED, UNITS_REDUCED, UNDERPAID, OVERPAID = "Code changed", "Units reduced", "Underpaid", "Overpaid"
NO_CONTRACT_RATE, PAID_AS_EXPECTED = "No contract rate", "Paid as expected"
STATUSES = (NOT_YET_PAID, REVERSED, DENIED, PARTIALLY_DENIED, CODE_CHANGED, UNITS_REDUCED, UNDERPAID, OVERPAID,
            NO_CONTRACT_RATE, PAID_AS_EXPECTED)
