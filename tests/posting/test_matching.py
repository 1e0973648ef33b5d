"""Posting remits a real payer sends: echoed Claim IDs that are not quite ours, lines without REF*6R,
later remits that only the payer's claim number ties back, claim-level adjustments, patient payments.

Each case is an 835 as a payer would send it, read by the 835 reader and merged as import-era does,
then posted to a small claim ledger and reconciled (no workbook needed: the same pure functions the
stage calls).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from posting.payer_835 import SEP1, claim, clp, era_of, line, remit_835, svc

from infusion_billing.posting.contract import Contract, FeeSchedule, Rate, Tolerance
from infusion_billing.posting.reconcile import (
    PatientLedger,
    Reconciler,
    apply_patient_payments,
    claim_status_rows,
    reconcile_rows,
    sheet_rows,
)
from infusion_billing.remits import read_835
from infusion_billing.schema import PatientPaymentRow

# The ledger: an infusion visit, a second claim of the same patient, another patient's claim.
LEDGER = [
    claim("E0000123", "P000001",
          line("E0000123", 1, "96413", "310.00"), line("E0000123", 2, "96415", "190.00", 2),
          line("E0000123", 3, "J9312", "2400.50", 50, ("JZ",)), line("E0000123", 4, "96375", "58.00"),
          line("E0000123", 5, "96375", "58.00")),
    claim("E0000456", "P000001", line("E0000456", 1, "96365", "210.00", day=SEP1), day=SEP1),
    claim("E0000789", "P000002", line("E0000789", 1, "J1569", "921.50", 10)),
]
FEES = FeeSchedule([Rate("CVI", "96413", "", D("150.00"), date(2026, 1, 1), None),
                    Rate("CVI", "96415", "", D("30.00"), date(2026, 1, 1), None),
                    Rate("CVI", "J9312", "", D("40.00"), date(2026, 1, 1), None),
                    Rate("CVI", "96375", "", D("40.00"), date(2026, 1, 1), None),
                    Rate("CVI", "96365", "", D("120.00"), date(2026, 1, 1), None)])
RECONCILER = Reconciler(Contract(FEES, {"CVI": True}, Tolerance.parse("1.00 or 1%")))


def reconcile(*texts):
    r = reconcile_rows(LEDGER, era_of(*texts), RECONCILER)
    rows = sheet_rows(r)
    columns = ("Claim ID", "Line Control Number", "Encounter ID", "Payer ID", "Date of Service", "Code",
               "Modifiers", "Units Billed", "Units Paid", "Charge", "Expected Allowed", "Allowed", "Paid",
               "Patient Responsibility", "Sequestration", "Contractual Adjustment", "Denied Amount",
               "Other Adjustment", "Variance", "Status", "Reason Codes", "Trace Number", "Paid Date", "Explanation")
    recon = {row[1]: dict(zip(columns, row, strict=True)) for row in rows["Reconciliation"]}
    return r, recon, rows


PAID_RIGHT = [  # E0000123 paid at contract: allowed 150 / 60 / 2000 / 40 / 40, 20% coinsurance
    svc("96413", "310.00", "120.00", cas=(("CO", "45", D("160.00")), ("PR", "2", D("30.00"))), ref="E0000123-1"),
    svc("96415", "190.00", "48.00", 2, cas=(("CO", "45", D("130.00")), ("PR", "2", D("12.00"))), ref="E0000123-2"),
    svc("J9312:JZ", "2400.50", "1600.00", 50, cas=(("CO", "45", D("400.50")), ("PR", "2", D("400.00"))),
        ref="E0000123-3"),
    svc("96375", "58.00", "32.00", cas=(("CO", "45", D("18.00")), ("PR", "2", D("8.00"))), ref="E0000123-4"),
    svc("96375", "58.00", "32.00", cas=(("CO", "45", D("18.00")), ("PR", "2", D("8.00"))), ref="E0000123-5"),
]


DEDUCTIBLE = (("PR", "1", D("250.00")),)  # taken on the claim as a whole (2100 CAS)


def without_refs(lines):
    return [{**ln, "ref": None} for ln in lines]


# ---------------------------------------------------------------------------- which claim
def test_a_claim_id_echoed_in_lower_case_with_padding_or_cut_short_still_finds_its_claim():
    for echoed in ("e0000123", "00E0000123", "E000012"):  # case; padded with zeros; truncated to 7 characters
        r, recon, rows = reconcile(remit_835("TRN1", date(2026, 9, 1), clp(echoed, "ICN1", PAID_RIGHT)))
        assert r.posting.unmatched == [], echoed
        assert [recon[f"E0000123-{n}"]["Status"] for n in range(1, 6)] == ["Paid as expected"] * 5, echoed
        assert recon["E0000123-3"]["Paid"] == D("1600.00") and recon["E0000123-3"]["Allowed"] == D("2000.00")
        assert recon["E0000456-1"]["Status"] == "Not yet paid"


def test_a_claim_id_cut_so_short_that_several_claims_start_that_way_is_not_guessed():
    r, recon, rows = reconcile(remit_835("TRN1", date(2026, 9, 1), clp("E0000", "ICN9", [
        svc("96365", "210.00", "96.00", cas=(("CO", "45", D("90.00")), ("PR", "2", D("24.00"))), day=SEP1)])))
    assert [u.reason for u in r.posting.unmatched] == [
        "No claim has this Claim ID (CLP01) or payer claim number (CLP07)."]
    assert rows["Unmatched Remits"][0][3:7] == ["E0000", "ICN9", "1", 1]
    assert recon["E0000456-1"]["Status"] == "Not yet paid"


def test_a_later_remit_with_another_clp01_is_tied_back_by_the_payers_claim_number():
    paid = remit_835("TRN1", date(2026, 9, 1), clp("E0000123", "26215ICN0001", PAID_RIGHT))
    # The reversal a month later echoes the payer's own account number, not our Claim ID, and no REF*6R.
    taken_back = [{**ln, "charge": -ln["charge"], "paid": -ln["paid"],
                   "cas": tuple((g, c, -a) for g, c, a in ln["cas"]), "units": -ln["units"]}
                  for ln in without_refs(PAID_RIGHT)]
    reversal = remit_835("TRN2", date(2026, 10, 1), clp("ACCT-77812", "26215ICN0001", taken_back, status="22"))
    r, recon, rows = reconcile(paid, reversal)
    assert r.posting.unmatched == []
    for n in range(1, 6):
        row = recon[f"E0000123-{n}"]
        assert (row["Status"], row["Paid"], row["Allowed"], row["Trace Number"]) == ("Reversed", 0, 0, "TRN2")
    assert next(s for s in rows["Claim Status"] if s[0] == "E0000123")[-1] == "Reversed"


# ---------------------------------------------------------------------------- which line
def test_lines_without_ref_6r_match_by_code_modifiers_date_and_charge_each_line_once():
    lines = without_refs(PAID_RIGHT)
    lines[3] = {**lines[3], "paid": D("0.00"), "cas": (("CO", "97", D("58.00")),)}  # the first 96375 bundled
    lines = [lines[4], lines[3], lines[2], lines[0], lines[1]]  # and in another order than billed
    r, recon, _ = reconcile(remit_835("TRN1", date(2026, 9, 1), clp("E0000123", "ICN1", lines)))
    assert r.posting.unmatched == []
    assert recon["E0000123-3"]["Status"] == "Paid as expected" and recon["E0000123-3"]["Paid"] == D("1600.00")
    # Two identical 96375 lines: the first remit line takes the first free one, the second the other.
    assert (recon["E0000123-4"]["Status"], recon["E0000123-4"]["Paid"]) == ("Paid as expected", D("32.00"))
    assert (recon["E0000123-5"]["Status"], recon["E0000123-5"]["Denied Amount"]) == ("Denied", D("58.00"))
    assert recon["E0000123-5"]["Reason Codes"] == "CO-97"


def test_a_recoded_line_without_ref_6r_matches_on_the_code_it_was_billed_with():
    r, recon, _ = reconcile(remit_835("TRN1", date(2026, 9, 1), clp("E0000456", "ICN2", [
        svc("96366", "210.00", "40.00", cas=(("CO", "45", D("160.00")), ("PR", "2", D("10.00"))), submitted="96365",
            day=SEP1)])))
    assert r.posting.unmatched == []
    row = recon["E0000456-1"]
    assert (row["Status"], row["Allowed"], row["Paid"]) == ("Code changed", D("50.00"), D("40.00"))
    assert row["Explanation"].startswith("Paid as 96366 instead of 96365: allowed 50.00")


def test_a_line_that_matches_nothing_on_its_claim_is_listed_with_the_reason():
    r, recon, rows = reconcile(remit_835("TRN1", date(2026, 9, 1), clp("E0000789", "ICN3", [
        svc("J1569", "921.50", "500.00", 10, cas=(("CO", "45", D("421.50")),), day=SEP1)])))  # wrong date
    assert [u.reason for u in r.posting.unmatched] == [
        "No line of claim E0000789 has this line control number (REF*6R) or this code, modifiers, date of "
        "service and charge."]
    assert recon["E0000789-1"]["Status"] == "Not yet paid"


# ---------------------------------------------------------------------------- claim-level adjustments
def test_a_claim_level_deductible_is_spread_over_the_lines_and_the_claim_adds_up_to_clp04():
    # The payer paid the lines as contracted, then took a 250.00 deductible on the claim as a whole.
    text = remit_835("TRN1", date(2026, 9, 1), clp("E0000123", "ICN1", PAID_RIGHT, claim_cas=DEDUCTIBLE))
    assert read_835(text).balanced
    r, recon, rows = reconcile(text)
    rows_123 = [recon[f"E0000123-{n}"] for n in range(1, 6)]
    # Shares in proportion to charge (3016.50 in all; the last line takes the rounding): 25.69, 15.75,
    # 198.95, 4.81 and 4.80, on top of each line's own coinsurance (30, 12, 400, 8, 8).
    assert [row["Patient Responsibility"] for row in rows_123] == [
        D("55.69"), D("27.75"), D("598.95"), D("12.81"), D("12.80")]
    assert sum(row["Paid"] for row in rows_123) == D("1832.00") - D("250.00")  # CLP04
    for row in rows_123:
        assert row["Charge"] == row["Allowed"] + row["Contractual Adjustment"] + row["Denied Amount"] + row[
            "Other Adjustment"]
        assert row["Allowed"] == row["Paid"] + row["Patient Responsibility"] + row["Sequestration"]
        assert row["Status"] == "Paid as expected" and "PR-1" in row["Reason Codes"]
    status = next(s for s in rows["Claim Status"] if s[0] == "E0000123")
    assert (status[6], status[7]) == (D("1582.00"), D("708.00"))  # Paid = CLP04; PR 458.00 + 250.00


def test_a_claim_level_contractual_reduction_lowers_allowed_and_shows_as_the_underpayment_it_is():
    text = remit_835("TRN1", date(2026, 9, 1), clp("E0000456", "ICN2", [
        svc("96365", "210.00", "96.00", cas=(("CO", "45", D("90.00")), ("PR", "2", D("24.00"))), ref="E0000456-1",
            allowed="120.00", day=SEP1)], claim_cas=(("CO", "45", D("30.00")),)))
    r, recon, _ = reconcile(text)
    row = recon["E0000456-1"]
    assert (row["Allowed"], row["Paid"], row["Contractual Adjustment"], row["Patient Responsibility"]) == (
        D("90.00"), D("66.00"), D("120.00"), D("24.00"))
    assert (row["Status"], row["Variance"]) == ("Underpaid", D("-30.00"))


def test_a_reversal_takes_back_the_claim_level_adjustment_with_the_lines():
    paid = remit_835("TRN1", date(2026, 9, 1), clp("E0000123", "ICN1", PAID_RIGHT, claim_cas=DEDUCTIBLE))
    back = [{**ln, "charge": -ln["charge"], "paid": -ln["paid"], "cas": tuple((g, c, -a) for g, c, a in ln["cas"]),
             "units": -ln["units"]} for ln in PAID_RIGHT]
    reversal = remit_835("TRN2", date(2026, 10, 1), clp("E0000123", "ICN1", back, status="22",
                                                        claim_cas=(("PR", "1", D("-250.00")),)))
    r, recon, _ = reconcile(paid, reversal)
    for n in range(1, 6):
        row = recon[f"E0000123-{n}"]
        assert (row["Status"], row["Paid"], row["Patient Responsibility"]) == ("Reversed", 0, 0)


# ---------------------------------------------------------------------------- patient payments
def payment(pid, patient, day, amount, claim_id=None, row=2):
    return PatientPaymentRow(payment_id=pid, patient_id=patient, payment_date=day, amount=D(amount),
                             claim_id=claim_id, excel_row=row)


OWED = {"E0000123": D("40.00"), "E0000456": D("60.00"), "E0000789": D("25.00")}


def test_a_payment_without_a_claim_pays_the_oldest_balance_first():
    ledger = apply_patient_payments([payment("PP1", "P000001", date(2026, 10, 5), "50.00")], OWED, LEDGER)
    assert ledger.applied == {"E0000123": D("40.00"), "E0000456": D("10.00")}
    assert ledger.findings == []


def test_a_payment_naming_a_claim_goes_to_that_claim_even_when_an_older_one_is_open():
    ledger = apply_patient_payments([payment("PP1", "P000001", date(2026, 10, 5), "30.00", " e0000456 ")], OWED,
                                    LEDGER)
    assert ledger.applied == {"E0000456": D("30.00")}


def test_payments_apply_in_date_order_and_a_later_one_finds_what_is_left():
    payments = [payment("PP2", "P000001", date(2026, 10, 20), "45.00", row=3),
                payment("PP1", "P000001", date(2026, 10, 5), "25.00", "E0000123", row=2)]
    ledger = apply_patient_payments(payments, OWED, LEDGER)
    assert ledger.applied == {"E0000123": D("40.00"), "E0000456": D("30.00")}  # PP1 25 to 123; PP2 15 + 30
    before = apply_patient_payments(payments, OWED, LEDGER, as_of=date(2026, 10, 10))
    assert before.applied == {"E0000123": D("25.00")}


def test_a_payment_naming_another_patients_claim_goes_to_the_payers_own_oldest_balance_with_a_finding():
    ledger = apply_patient_payments([payment("PP7", "P000001", date(2026, 10, 5), "20.00", "E0000789", row=9)],
                                    OWED, LEDGER)
    assert ledger.applied == {"E0000123": D("20.00")}
    [finding] = ledger.findings
    assert (finding.rule_id, finding.sheet, finding.row, finding.column) == (
        "post.payment-claim-unknown", "PatientPayments", 9, "Claim ID")
    assert "applied to the patient's oldest balance instead" in finding.message


def test_paying_more_than_is_owed_leaves_a_credit_balance():
    ledger = apply_patient_payments([payment("PP3", "P000002", date(2026, 10, 5), "40.00", row=4)], OWED, LEDGER)
    assert ledger.applied == {"E0000789": D("25.00")}
    [finding] = ledger.findings
    assert finding.rule_id == "post.patient-credit" and "15.00 more than the patient owes" in finding.message


def test_claim_status_shows_patient_paid_and_the_patient_balance_left():
    text = remit_835("TRN1", date(2026, 9, 1), clp("E0000123", "ICN1", PAID_RIGHT))
    r, _, _ = reconcile(text)
    owed = {"E0000123": D("458.00")}
    patient = apply_patient_payments([payment("PP1", "P000001", date(2026, 10, 5), "100.00")], owed, LEDGER)
    by_line = {(s.claim.claim_id, s.line.line): s for s in r.states}
    row = next(x for x in claim_status_rows(LEDGER, by_line, patient) if x[0] == "E0000123")
    assert (row[7], row[9], row[11], row[13]) == (D("458.00"), D("100.00"), D("358.00"), "Paid")
    assert isinstance(patient, PatientLedger)
