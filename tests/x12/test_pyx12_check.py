"""The tests' one pyx12 check (tests/pyx12_check.py), used for every 837 and 835 the tool writes: it
passes a good file and reports what is wrong with a broken one, from pyx12's log and from its 999."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal as D

from posting.payer_835 import clp, remit_835, svc
from pyx12_check import pyx12_835_errors, pyx12_errors

from infusion_billing.claims import render_837
from infusion_billing.claims.samples import sample_batch, sample_claims


def test_a_broken_837_is_reported_by_the_log_and_by_the_999(tmp_path):
    text, _ = render_837(sample_claims(1), sample_batch())
    good, bad = tmp_path / "good.837", tmp_path / "bad.837"
    good.write_text(text)
    bad.write_text(re.sub(r"CLM\*([^*]*)\*[^*]*\*", r"CLM*\1*ABC*", text, count=1))  # a charge that is no amount
    assert pyx12_errors(good) == []
    errors = pyx12_errors(bad)
    assert any('"Total Claim Charge Amount" (CLM02)' in e for e in errors)  # logged
    assert "IK5*R*5" in errors and "AK9*R*1*1*0" in errors  # the 999 rejects the transaction and the group


def test_a_broken_835_is_reported_without_a_999(tmp_path):
    paid = clp("E0000001", "ICN1", [svc("96413", "310.00", "120.00", ref="E0000001-1",
                                        cas=(("CO", "45", D("160.00")), ("PR", "2", D("30.00"))))])
    text = remit_835("TRN1", date(2026, 9, 1), paid)
    good, bad = tmp_path / "good.835", tmp_path / "bad.835"
    good.write_text(text)
    bad.write_text(text.replace("BPR*I*", "BPR*Q*"))  # a handling code the guide does not have
    assert pyx12_835_errors(good) == []
    errors = pyx12_835_errors(bad)
    assert errors and errors[0].startswith("Line:4 SEG:1 - Segment BPR*Q not found")
    assert not any(e.startswith(("IK", "AK9")) for e in errors)
