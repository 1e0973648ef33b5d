"""Bad input becomes Findings, never exceptions: unreadable files, cut files, wrong counts."""

from __future__ import annotations

import io
from decimal import Decimal as D
from pathlib import Path

import pytest

from infusion_billing.findings import Severity
from infusion_billing.remits import concat_remits, iter_835, read_835
from infusion_billing.remits.synthetic import synthetic_835
from infusion_billing.remits.tables import TABLES


def only_finding(remit):
    assert len(remit.findings) == 1, [f.to_text() for f in remit.findings]
    return remit.findings[0]


@pytest.mark.parametrize("content, says", [
    (b"", "it is empty"),
    (b"%PDF-1.7\n...", "it is a PDF (perhaps the paper EOB)"),
    (b"PK\x03\x04....", "it is a zip or Excel file; unzip it and import the 835 inside"),
    (b"Patient,Charge\nA,100\n", "it does not start with an ISA or ST segment"),
])
def test_unreadable_content_gives_one_clear_finding(content, says):
    remit = read_835(content, name="upload.835")
    finding = only_finding(remit)
    assert (finding.rule_id, finding.severity, finding.source) == ("era.unreadable-file", Severity.ERROR, "upload.835")
    assert finding.message == f"upload.835 is not an 835 remittance file: {says}."
    assert all(len(frame) == 0 and list(frame.columns) == [c for c, _ in TABLES[name]]
               for name, frame in remit.tables().items())


def test_missing_file_and_folder(tmp_path):
    assert only_finding(read_835(tmp_path / "nope.835")).message == "nope.835 was not found."
    assert only_finding(read_835(tmp_path)).message == f"{tmp_path.name} is a folder, not a file."


def test_an_837_is_not_a_remit():
    # A public 837P sample, kept (and attributed) with the claims tests' samples.
    claim_file = Path(__file__).resolve().parents[1] / "claims/data/public/837/lfh_837p_demo.example1.837"
    finding = only_finding(read_835(claim_file))
    assert finding.message == "lfh_837p_demo.example1.837 holds no 835 remittance (transaction types found: 837)."


def test_sources_path_bytes_text_and_file_object_read_alike(data):
    path = data("infusion_two_payments_split.835")
    results = [read_835(path), read_835(str(path)), read_835(path.read_bytes(), name=path.name),
               read_835(path.read_text(), name=path.name), read_835(io.BytesIO(path.read_bytes()), name=path.name)]
    for remit in results:
        assert remit.name == "infusion_two_payments_split.835"
        assert remit.file_hash == results[0].file_hash
        assert remit.payments.equals(results[0].payments)
        assert remit.adjustments.equals(results[0].adjustments)


def test_file_cut_short_keeps_what_was_read(data):
    text = data("infusion_medicare_partb.835").read_text()
    cut = text[: text.index("CLP*INF1003")]
    remit = read_835(cut, name="cut.835")
    assert len(remit.claims) == 2 and remit.claims["balanced"].tolist() == ["Y", "Y"]
    rules = [f.rule_id for f in remit.findings]
    assert rules == ["era.envelope-missing", "era.payment-unbalanced", "era.envelope-missing", "era.envelope-missing"]
    assert "has no SE before segment" in remit.findings[0].message
    # the check still says 7,788.52 but only two claims (7,698.33) arrived
    assert remit.payments.loc[0, "variance"] == D("90.19")


def test_control_numbers_and_counts_are_checked(bare):
    text = bare("BPR*I*10*C*CHK", "TRN*1*T1*1999", "CLP*C1*1*25*10**MB", "CAS*CO*45*15")
    broken = text.replace("SE*6*0001", "SE*7*0002")
    remit = read_835("ISA*00**00**ZZ*S*ZZ*R*261127*1200*^*00501*000000001*0*T*:~GS*HP*S*R*20261127*1200*5*X*005010X221A1~"
                     + broken + "GE*2*6~IEA*1*000000002~", name="counts.835")
    messages = [f.message for f in remit.findings]
    assert messages == [
        "SE at segment 8 of payment T1 counts 7 segments but the transaction has 6; a segment may have been lost or added.",
        "SE at segment 8 of payment T1 closes transaction '0002' but ST opened '0001'.",
        "GE at segment 9 counts 2 transaction(s) but the group has 1.",
        "GE at segment 9 closes group '6' but the GS at segment 2 opened '5'.",
        "IEA at segment 10 closes interchange '000000002' but the ISA at segment 1 opened '000000001'.",
    ]
    assert remit.payments.loc[0, "balanced"] == "Y"  # control numbers do not change the money


def test_bad_amount_names_segment_and_claim(bare):
    remit = read_835(bare("BPR*I*10*C*CHK", "TRN*1*T1*1999", "CLP*C1*1*25*1O.00**MB", "CAS*CO*45*15"), name="x.835")
    assert [f.rule_id for f in remit.findings] == ["era.no-envelope", "era.bad-amount", "era.claim-unbalanced",
                                                    "era.payment-unbalanced"]
    assert remit.findings[1].message == (
        "Paid amount (CLP04) '1O.00' at segment 4 (claim C1 in payment T1) is not an amount; "
        "it counts as zero in the balancing.")
    assert remit.claims.loc[0, "paid"] is None and remit.claims.loc[0, "balanced"] == "N"


def test_repeated_findings_are_capped_with_a_summary(bare):
    claims = [f"CLP*C{i}*1*25*10**MB" for i in range(30)]  # no CAS: every claim is off by 15.00
    remit = read_835(bare("BPR*I*300*C*CHK", "TRN*1*T1*1999", *claims), name="x.835")
    unbalanced = [f for f in remit.findings if f.rule_id == "era.claim-unbalanced"]
    assert len(unbalanced) == 21
    assert unbalanced[-1].message == "10 more 'era.claim-unbalanced' finding(s) in this file are not listed."
    assert remit.claims["variance"].tolist() == [D("15.00")] * 30


def test_streaming_batches_add_up_to_the_whole_file():
    text = synthetic_835(250, payments=7, seed=11)
    whole = read_835(text.encode())
    batches = list(iter_835(text.encode(), batch_claims=60))
    assert [len(b.claims) for b in batches] == [72, 72, 71, 35]  # cut only between payments
    joined = concat_remits(batches)
    for name in TABLES:
        assert getattr(joined, name).equals(getattr(whole, name)), name
    assert whole.balanced and whole.findings == []


def test_utf16_and_junk_before_the_isa():
    text = synthetic_835(2)
    assert read_835(text.encode("utf-16")).findings == []
    remit = read_835("Subject: remittance\n\n" + text)
    assert [f.rule_id for f in remit.findings] == ["era.junk-skipped"]
    assert len(remit.claims) == 2


def test_other_transactions_in_the_same_file_are_skipped(bare):
    text = bare("BPR*I*10*C*CHK", "TRN*1*T1*1999", "CLP*C1*1*25*10**MB", "CAS*CO*45*15")
    remit = read_835("ST*999*0001~AK1*HC*1~SE*3*0001~" + text)
    assert [f.message for f in remit.findings][-1] == \
        "The transaction at segment 1 is a '999', not an 835 remittance; it was skipped."
    assert len(remit.payments) == 1 and remit.payments.loc[0, "balanced"] == "Y"
