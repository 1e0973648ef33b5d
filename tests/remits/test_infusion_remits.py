"""Synthetic infusion remits (tests/remits/data, see its README) read to the cent.

Each case is a remit an infusion practice gets: drug and administration lines, JZ/JW, Medicare
sequestration, patient cost share, provider-level interest and recoupments, a reversal with its
correction, a split claim and two payments in one file.
"""

from __future__ import annotations

from decimal import Decimal as D

from infusion_billing.remits import read_835


def table(frame, *columns):
    return frame[list(columns)].values.tolist()


def test_medicare_part_b_drug_and_admin_lines(data):
    remit = read_835(data("infusion_medicare_partb.835"))
    assert remit.findings == []
    pay = remit.payments.iloc[0]
    assert (pay["trace_number"], pay["payer_id"], pay["payment_method"], pay["payment_date"].isoformat()) == (
        "EFT20261120A", "SYNMAC01", "ACH", "2026-11-20")
    # 4,382.01 + 3,316.32 + 87.02 paid on claims, plus 3.17 interest (PLB L6 is negative: it adds)
    assert (pay["claim_payments"], pay["plb_total"], pay["payment_amount"], pay["balanced"]) == (
        D("7785.35"), D("-3.17"), D("7788.52"), "Y")
    assert table(remit.lines, "claim_no", "procedure_code", "modifiers", "units", "charge", "paid", "allowed") == [
        [1, "J9312", "JZ", D("70"), D("6650.00"), D("4188.91"), D("5600.00")],
        [1, "96413", None, D("1"), D("410.00"), D("117.60"), D("150.00")],
        [1, "96415", None, D("3"), D("285.00"), D("75.50"), D("96.30")],
        [2, "J9035", "JZ", D("50"), D("4000.00"), D("2665.60"), D("3400.00")],
        [2, "J9035", "JW", D("10"), D("800.00"), D("533.12"), D("680.00")],
        [2, "96413", None, D("1"), D("410.00"), D("117.60"), D("150.00")],
        [3, "J1745", None, D("40"), D("4800.00"), D("0.00"), None],
        [3, "96365", None, D("1"), D("260.00"), D("54.88"), D("70.00")],
        [3, "96366", None, D("2"), D("140.00"), D("32.14"), D("41.00")],
    ]
    assert remit.lines["line_control_number"].tolist()[:3] == ["INF1001-1", "INF1001-2", "INF1001-3"]
    assert remit.lines["service_from"].astype(str).tolist()[0] == "2026-11-02"


def test_medicare_sequestration_and_cost_share_on_the_rituximab_line(data):
    remit = read_835(data("infusion_medicare_partb.835"))
    first_line = remit.adjustments[(remit.adjustments["claim_no"] == 1) & (remit.adjustments["line_no"] == 1)]
    # allowed 5,600.00: deductible 257.00, 20 % coinsurance of the rest 1,068.60,
    # 2 % sequestration of Medicare's 4,274.40 share = 85.49, paid 4,188.91
    assert table(first_line, "group", "reason", "amount") == [
        ["CO", "45", D("1050.00")], ["CO", "253", D("85.49")], ["PR", "1", D("257.00")], ["PR", "2", D("1068.60")]]
    claim = remit.claims.iloc[0]
    assert (claim["patient_responsibility"], claim["line_adjustments"], claim["balanced"]) == (
        D("1374.86"), D("2962.99"), "Y")


def test_denied_drug_line_for_missing_jw_jz_modifier(data):
    remit = read_835(data("infusion_medicare_partb.835"))
    denied = remit.adjustments[remit.adjustments["procedure_code"] == "J1745"]
    assert table(denied, "level", "group", "reason", "amount") == [["line", "CO", "4", D("4800.00")]]
    assert table(remit.remarks, "level", "claim_no", "line_no", "source", "code") == [
        ["claim", 3, None, "MOA", "MA01"], ["line", 3, 1, "LQ", "N822"]]


def test_interest_is_a_provider_adjustment_not_a_claim_payment(data):
    remit = read_835(data("infusion_medicare_partb.835"))
    assert table(remit.provider_adjustments, "provider_id", "reason", "description", "reference", "amount") == [
        ["1234567893", "L6", "Interest owed", "INF1001", D("-3.17")]]
    assert remit.provider_adjustments.loc[0, "fiscal_period_end"].isoformat() == "2026-12-31"


def test_reversal_and_correction_net_to_the_difference(data):
    remit = read_835(data("infusion_reversal_correction.835"))
    assert remit.findings == []
    claims = remit.claims
    assert table(claims, "patient_control_number", "status", "charge", "paid", "payer_claim_number",
                 "original_reference", "frequency") == [
        ["INF1004", "22", D("-5660.00"), D("-4380.00"), "ICN777001", None, "1"],
        ["INF1004", "1", D("5660.00"), D("3900.00"), "ICN777002", "ICN777001", "7"],
        ["INF1005", "1", D("4260.00"), D("2144.00"), "ICN777003", None, "1"],
    ]
    inf1004 = claims[claims["patient_control_number"] == "INF1004"]
    assert sum(inf1004["paid"]) == D("-480.00")  # paid 4,380.00 before, 3,900.00 now: 480.00 taken back
    reversal_lines = remit.lines[remit.lines["claim_no"] == 1]
    assert table(reversal_lines, "procedure_code", "units", "charge", "paid", "adjustments") == [
        ["J1569", D("-60"), D("-5400.00"), D("-4200.00"), D("-1200.00")],
        ["96365", D("-1"), D("-260.00"), D("-180.00"), D("-80.00")],
    ]


def test_recoupment_and_forwarding_balance_reduce_the_check(data):
    remit = read_835(data("infusion_reversal_correction.835"))
    assert table(remit.provider_adjustments, "reason", "reference", "amount") == [
        ["WO", "ICN555000", D("250.00")], ["FB", "BAL2026", D("-75.00")]]
    pay = remit.payments.iloc[0]
    # claims -4,380.00 + 3,900.00 + 2,144.00 = 1,664.00; less PLB 175.00 = 1,489.00 on the check
    assert (pay["claim_payments"], pay["plb_total"], pay["payment_amount"], pay["balanced"]) == (
        D("1664.00"), D("175.00"), D("1489.00"), "Y")
    assert (pay["payer_id"], pay["payment_method"], pay["payment_date"].isoformat()) == (
        "SYNCOM9", "CHK", "2026-11-18")


def test_bundled_admin_and_copay_on_the_correction(data):
    remit = read_835(data("infusion_reversal_correction.835"))
    correction = remit.adjustments[remit.adjustments["claim_no"] == 2]
    assert table(correction, "line_no", "procedure_code", "group", "reason", "amount") == [
        [1, "J1569", "CO", "45", D("1200.00")], [1, "J1569", "PR", "3", D("300.00")],
        [2, "96365", "CO", "97", D("260.00")]]
    assert table(remit.remarks, "claim_no", "line_no", "code") == [[2, 2, "M80"]]


def test_two_payments_in_one_file_each_balance(data):
    remit = read_835(data("infusion_two_payments_split.835"))
    assert remit.findings == []
    assert table(remit.payments, "payment_no", "trace_number", "payment_method", "payment_amount", "claims",
                 "balanced") == [
        [1, "EFT20261121B", "ACH", D("3777.70"), 2, "Y"],
        [2, "CHK0049177", "CHK", D("90.00"), 2, "Y"],
    ]


def test_split_claim_shares_clp01_with_different_payer_claim_numbers(data):
    remit = read_835(data("infusion_two_payments_split.835"))
    split = remit.claims[remit.claims["patient_control_number"] == "INF1006"]
    assert table(split, "claim_no", "payer_claim_number", "charge", "paid") == [
        [1, "MAC0002001", D("6000.00"), D("3763.20")], [2, "MAC0002002", D("60.00"), D("14.50")]]
    assert remit.remarks[remit.remarks["code"] == "MA15"]["claim_no"].tolist() == [1, 2]


def test_claim_level_copay_and_whole_claim_denial(data):
    remit = read_835(data("infusion_two_payments_split.835"))
    second = remit.claims[remit.claims["payment_no"] == 2]
    assert table(second, "patient_control_number", "status_text", "claim_adjustments", "line_adjustments",
                 "balanced") == [
        ["INF1007", "Processed as primary", D("40.00"), D("70.00"), "Y"],
        ["INF1008", "Denied", D("0.00"), D("3000.00"), "Y"],
    ]
    claim_level = remit.adjustments[remit.adjustments["level"] == "claim"]
    assert table(claim_level, "patient_control_number", "group", "reason", "amount") == [
        ["INF1007", "PR", "3", D("40.00")]]


def test_one_cent_off_is_reported_to_the_cent(data):
    text = data("infusion_medicare_partb.835").read_text().replace("BPR*I*7788.52", "BPR*I*7788.53")
    remit = read_835(text, name="off-by-one-cent.835")
    assert remit.payments.loc[0, "variance"] == D("0.01")
    assert remit.payments.loc[0, "balanced"] == "N"
    [finding] = remit.findings
    assert finding.rule_id == "era.payment-unbalanced"
    assert finding.source == "off-by-one-cent.835"
    assert "Payment EFT20261120A does not balance at segment 4 (BPR)" in finding.message
    assert finding.message.endswith("variance 0.01.")
