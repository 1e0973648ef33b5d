"""The ERA relations the KPI SQL reads: remits as numbers, and each line's allowed amount beyond what it paid."""

from __future__ import annotations

from decimal import Decimal

from infusion_billing.denials.remits import EraAdjustment, Where
from infusion_billing.kpis.relations import remit_numbers, unpaid_allowed

OCT = ("oct.835", 1, 1)
OCT_2 = ("oct.835", 1, 2)
NOV = ("nov.835", 1, 1)


def cas(place, line_no, group, carc, amount):
    return EraAdjustment(place=place, line_no=line_no, group=group, carc=carc, amount=Decimal(amount), rarcs="",
                         category="", denial=False, next_action="", where=Where("EraAdjustments", 2))


def test_remits_are_numbered_in_the_order_of_file_payment_and_claim():
    """The KPI SQL breaks a tie of remit dates by the key: the numbers keep the texts' order, so the first
    adjudication is the same remit it was when the key was 'nov.835|1|1'."""
    numbers = remit_numbers([OCT_2, OCT], [NOV], [OCT])
    assert numbers == {NOV: 1, OCT: 2, OCT_2: 3}


def test_a_lines_patient_share_and_sequestration_are_allowed_but_not_paid():
    """Billed 500.00, CO-45 300.00 contractual, PR-2 40.00 coinsurance, PR-1 10.00 deductible, CO-253 1.60
    sequestration: the payer allowed paid + 51.60. The contractual write-off is not part of it, and a
    claim-level PR (no line number) belongs to no line."""
    adjustments = {OCT: [cas(OCT, 1, "CO", "45", "300.00"), cas(OCT, 1, "PR", "2", "40.00"),
                         cas(OCT, 1, "PR", "1", "10.00"), cas(OCT, 1, "CO", "253", "1.60"),
                         cas(OCT, None, "PR", "3", "25.00"), cas(OCT, 2, "CO", "50", "120.00")]}
    assert unpaid_allowed(adjustments) == {(OCT, 1): Decimal("51.60")}
