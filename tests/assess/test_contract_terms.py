"""The assessment reads a contract exactly as reconciliation does: one payer's 835, judged by both.

Cedar Valley's contract, as a practice's FeeSchedule and Payers tables often hold it: a renewal rate for
96413 added from July without closing the old row, a reduced rate for 96365 billed with PN (an
off-campus department), no rate for 96415, and a contract that allows the rate whatever the charge
(Lesser Of Charge N). The payer sends no AMT*B6: a line's allowed amount is its charge less the
adjustments that are not the patient's share.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pandas as pd
from posting.payer_835 import claim, clp, era_of, line, remit_835, svc

from infusion_billing.assess import figures
from infusion_billing.assess.sources import CLAIM_FIELDS, LINE_COLUMNS, ClientFiles, read_remits
from infusion_billing.posting.contract import Contract, FeeSchedule, Rate, Tolerance
from infusion_billing.posting.reconcile import Reconciler, reconcile_rows

JAN1, JUL1 = date(2026, 1, 1), date(2026, 7, 1)
CONTRACT = Contract(FeeSchedule([
    Rate("CVI", "96413", "", D("150.00"), JAN1, None), Rate("CVI", "96413", "", D("160.00"), JUL1, None),
    Rate("CVI", "96365", "", D("120.00"), JAN1, None), Rate("CVI", "96365", "PN", D("48.00"), JAN1, None),
    Rate("CVI", "96375", "", D("40.00"), JAN1, None),
    Rate("CVI", "J1569", "", D("100.00"), JAN1, None),
    Rate("MCR", "96415", "", D("30.00"), JAN1, None),  # another payer's rate says nothing about Cedar Valley's
]), {"CVI": False}, Tolerance.parse("1.00 or 1%"))

LINES = [  # (code, modifiers, units, charge, allowed, paid, contractual, patient's share)
    ("96413", (), 1, "310.00", "150.00", "120.00", "160.00", "30.00"),  # the old rate: 10.00 short of 160
    ("96365", ("PN",), 1, "210.00", "48.00", "38.40", "162.00", "9.60"),  # the PN rate: paid right
    ("96375", (), 1, "58.00", "39.50", "31.60", "18.50", "7.90"),  # 0.50 short: inside the 1.00 tolerance
    ("J1569", (), 10, "921.50", "921.50", "737.20", "0.00", "184.30"),  # the charge, not the 1,000.00 rate
    ("96415", (), 2, "190.00", "50.00", "40.00", "140.00", "10.00"),  # no Cedar Valley rate: not checked
]


def _remit() -> str:
    return remit_835("TRN1", date(2026, 9, 1), clp("E0000321", "ICN1", [
        svc(":".join((code, *mods)), charge, paid, units, ref=f"E0000321-{n}",
            cas=tuple(c for c in (("CO", "45", D(co)), ("PR", "2", D(pr))) if c[2]))
        for n, (code, mods, units, charge, _, paid, co, pr) in enumerate(LINES, start=1)]))


def test_the_assessment_finds_the_underpayments_reconciliation_finds_on_the_same_remit(tmp_path):
    path = tmp_path / "cvi.835"
    path.write_text(_remit())
    remit, _, problems = read_remits([path])
    assert remit is not None and problems == []
    client = ClientFiles(remit, pd.DataFrame(columns=list(CLAIM_FIELDS)), pd.DataFrame(columns=list(LINE_COLUMNS)))
    found = {(u["code"], u["expected"], u["allowed"], u["short"])
             for u in figures.compute(client, CONTRACT).underpayments}
    assert found == {("96413", D("160.00"), D("150.00"), D("10.00")),
                     ("J1569", D("1000.00"), D("921.50"), D("78.50"))}

    ledger = [claim("E0000321", "P000009", *(line("E0000321", n, code, charge, units, mods)
                                             for n, (code, mods, units, charge, *_) in enumerate(LINES, start=1)))]
    recon = reconcile_rows(ledger, era_of(_remit()), Reconciler(CONTRACT))
    assert [s.status for s in recon.states] == [
        "Underpaid", "Paid as expected", "Paid as expected", "Underpaid", "No contract rate"]
    assert found == {(s.line.code, s.expected, s.total("allowed"), s.expected - s.total("allowed"))
                     for s in recon.states if s.status == "Underpaid"}
