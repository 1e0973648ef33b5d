"""Every public sample 835 reads with the figures recorded for it in data/public/SOURCES.md.

SOURCES.md was computed with an independent tokenizer. For each file: payments (ST), claims and
their CLP02 mix, the sums of CLP03 and CLP04, BPR02 per payment, the PLB amounts, and whether it
balances; unbalanced files must show their variance to the cent and a Finding naming the segment.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from infusion_billing.remits import read_835


def money_values(frame, column):
    """A money column as a list, asserting each value is a Decimal or None (never a float)."""
    values = frame[column].tolist()
    assert all(v is None or isinstance(v, D) for v in values), values
    return values


def rules(remit):
    return sorted(f.rule_id for f in remit.findings)

# file: (CLP02 per claim, sum CLP03, sum CLP04, BPR02 per payment, PLB amounts, Balanced per payment,
#        Variance per payment, finding rule IDs)
EXPECTED = {
    "lfh_managed-care.835": (
        ["1", "1"], "2000.00", "945.00", ["945.00"], [], ["Y"], ["0.00"], ["era.bad-date"]),
    "lfh_medicare-part-a.835": (
        ["1", "1"], "226366.97", "149998.73", ["150000.00"], ["-1.27"], ["Y"], ["0.00"], []),
    "lfh_secondary-payment.835": (
        ["2", "2"], "11075.14", "1222.00", ["1222.00"], [], ["Y"], ["0.00"],
        ["era.component-separator", "era.payment-date-shifted"]),
    "lfh_tertiary-payment.835": (
        ["3"], "1766.50", "187.50", ["187.50"], [], ["N"], ["0.00"],
        ["era.line-unbalanced", "era.payment-date-shifted", "era.procedure-missing"]),
    "lfh_cob-contractural-adjustment.835": (
        ["2"], "541.00", "34.00", ["34.00"], [], ["Y"], ["0.00"],
        ["era.component-separator", "era.payment-date-shifted"]),
    "pyx12_835_mult_loops.txt": (
        ["4"], "915.39", "0.00", ["0.00"], [], ["Y"], ["0.00"], []),
    "pyx12_x12testdata_835id_4010.835": (
        ["22", "1", "22"], "-510.25", "-510.25", ["5950.21"], ["-1008.10", "24.21", "5.95"], ["N"], ["5482.52"],
        ["era.payment-unbalanced"]),
    "tigershark_835-example.txt": (
        ["1", "1"], "23476.58", "12200.67", ["12345.67"], ["-361.19"], ["N"], ["-216.19"],
        ["era.control-count", "era.payment-unbalanced"]),
    "tigershark_835-example-2.txt": (
        ["1", "1"], "23476.58", "12200.67", ["12345.67", "12000.65"], [], ["N", "Y"], ["12145.65", "0.00"],
        ["era.control-count", "era.control-count", "era.control-count", "era.payment-unbalanced"]),
}


def test_every_public_sample_has_expected_figures(sample):
    on_disk = sorted(p.name for p in sample("").iterdir() if p.is_file() and p.name != "SOURCES.md")
    assert on_disk == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_figures(name, sample):
    statuses, charges, paid, bpr, plb, balanced, variance, expected_rules = EXPECTED[name]
    remit = read_835(sample(name))

    assert remit.claims["status"].tolist() == statuses
    assert sum(money_values(remit.claims, "charge")) == D(charges)
    assert sum(money_values(remit.claims, "paid")) == D(paid)
    assert money_values(remit.payments, "payment_amount") == [D(x) for x in bpr]
    assert money_values(remit.provider_adjustments, "amount") == [D(x) for x in plb]
    assert remit.payments["balanced"].tolist() == balanced
    assert money_values(remit.payments, "variance") == [D(x) for x in variance]
    assert rules(remit) == sorted(expected_rules)
    # every payment's own figure: BPR02 = claims paid - PLB + variance, to the cent
    for _, pay in remit.payments.iterrows():
        assert pay["payment_amount"] == pay["claim_payments"] - pay["plb_total"] + pay["variance"]


def test_medicare_part_a_balances_only_with_the_plb(sample):
    """149,998.73 paid on claims - (-1.27) capital pass-through = 150,000.00 (SOURCES.md)."""
    remit = read_835(sample("lfh_medicare-part-a.835"))
    pay = remit.payments.iloc[0]
    assert (pay["claim_payments"], pay["plb_total"], pay["payment_amount"]) == (D("149998.73"), D("-1.27"), D("150000.00"))
    plb = remit.provider_adjustments.iloc[0]
    assert (plb["reason"], plb["reference"], plb["description"]) == ("CV", "CP", "Capital passthru")
    assert remit.claims["lines"].tolist() == [0, 0]  # Part A claims without SVC lines still count
    assert remit.remarks[["level", "source", "code"]].values.tolist() == [["claim", "MOA", "MA02"]]


def test_4010_reversal_and_correction_unbalanced_bpr_is_named(sample):
    remit = read_835(sample("pyx12_x12testdata_835id_4010.835"))
    [finding] = remit.findings
    assert finding.severity.value == "error"
    assert finding.source == "pyx12_x12testdata_835id_4010.835"
    assert "Payment 0004926" in finding.message and "segment 4 (BPR)" in finding.message
    assert "variance 5,482.52" in finding.message and finding.value == "5,482.52"
    claims = remit.claims
    assert claims["patient_control_number"].tolist() == ["123839-24635", "123839-24635", "134158-27488"]
    assert claims["status_text"].tolist()[0] == "Reversal of previous payment"
    assert remit.adjustments[["group", "reason", "amount"]].values.tolist() == [
        ["CR", "45", D("-100.00")], ["CR", "45", D("100.00")]]
    assert remit.payments.loc[0, "version"] == "004010X091A1"


def test_secondary_payment_reads_every_cas_triplet_and_odd_component_separator(sample):
    remit = read_835(sample("lfh_secondary-payment.835"))
    adj = remit.adjustments
    assert adj[["level", "group", "reason", "amount"]].values.tolist() == [
        ["claim", "OA", "23", D("9411.64")],
        ["line", "OA", "23", D("136.50")],
        ["line", "PR", "1", D("150.00")],  # CAS*PR*1*150.00**2*70.00: two triplets, empty quantity
        ["line", "PR", "2", D("70.00")],
        ["line", "CO", "42", D("85.00")],
    ]
    lines = remit.lines
    assert lines[["qualifier", "procedure_code", "modifiers"]].values.tolist() == [
        ["HC", "12345", "26"], ["HC", "66543", "26"]]  # SVC*HC>12345>26 although ISA16 is ':'
    assert money_values(lines, "allowed") == [D("150.00"), D("500.00")]
    assert remit.payments.loc[0, "payment_date"].isoformat() == "2005-04-12"


def test_tertiary_malformed_line_is_reported_not_crashed(sample):
    remit = read_835(sample("lfh_tertiary-payment.835"))
    claim = remit.claims.iloc[0]
    # the claim's own equation holds (1766.50 - 187.50 = 1579.00 = OA-23), but its line does not,
    # so the claim is not Balanced and counts as unbalanced in its payment
    assert (claim["variance"], claim["balanced"]) == (D("0.00"), "N")
    line = remit.lines.iloc[0]
    assert (line["qualifier"], line["procedure_code"], line["balanced"], line["variance"]) == (
        "HC", None, "N", D("21253.50"))
    unbalanced = next(f for f in remit.findings if f.rule_id == "era.line-unbalanced")
    assert "segment 20 (SVC)" in unbalanced.message and "variance 21,253.50" in unbalanced.message
    assert remit.payments.loc[0, "unbalanced_claims"] == 1


def test_managed_care_line_dates_and_invalid_payment_date(sample):
    remit = read_835(sample("lfh_managed-care.835"))
    dates = remit.lines[["service_from", "service_to"]].astype(str).values.tolist()
    assert dates == [["2002-03-01", "2002-03-04"], ["2002-03-10", "2002-03-12"]]
    assert remit.payments.loc[0, "payment_date"] is None
    [bad_date] = remit.findings
    assert "'20002316' at segment 4" in bad_date.message


def test_zero_pay_notification_with_line_remarks(sample):
    remit = read_835(sample("pyx12_835_mult_loops.txt"))
    pay = remit.payments.iloc[0]
    assert (pay["handling_code"], pay["payment_method"], pay["payment_amount"]) == ("H", "NON", D("0.00"))
    assert remit.adjustments[["group", "reason"]].values.tolist() == [["CO", "16"], ["OA", "A7"], ["OA", "A7"]]
    assert remit.remarks[["level", "line_no", "code"]].values.tolist() == [
        ["line", 1, "N14"], ["line", 2, "N14"], ["line", 3, "N14"]]
    assert money_values(remit.lines, "charge") == [D("500.04"), D("127.80"), D("287.55")]


def test_tigershark_pipe_separators_and_newline_tilde_joints(sample):
    remit = read_835(sample("tigershark_835-example.txt"))
    assert remit.payments.loc[0, "payer_id"] == "87726"
    assert remit.lines["line_control_number"].tolist() == ["251111111111", "252222222222"]
    assert remit.remarks["code"].tolist() == ["N220", "M68"]
    plb = remit.provider_adjustments.iloc[0]
    assert (plb["reason"], plb["reference"], plb["amount"]) == ("WO", "12104411559120820 001GAL295513", D("-361.19"))
    unbalanced = next(f for f in remit.findings if f.rule_id == "era.payment-unbalanced")
    assert "Payment 1QG11111111" in unbalanced.message and "variance -216.19" in unbalanced.message
