"""``post.*`` and ``recon.*``: posting remits and patient payments to the claim ledger, and reconciling them.

Posting matches every imported 835 claim and line to the claim it pays (CLP01 = Claim ID, then the
payer's claim number; lines by REF*6R, else code, modifiers, date and charge) and applies patient
payments; reconciliation compares what was allowed with the contract. How: docs/posting.md.
"""

from __future__ import annotations

from ..findings import Severity
from .spec import Family

W, INFO = Severity.WARNING, Severity.INFO
MATCHING = "docs/posting.md section 3 (matching remits to claims) [S68]"
PATIENT = "docs/posting.md section 4 (patient payments)"
CONTRACT = "docs/posting.md section 2 (expected allowed and underpayments) [S92]"
AS_OF = "docs/posting.md section 8 (the as-of date: which remits a report counts)"
POST = Family("post")
RECON = Family("recon")

UNMATCHED_REMIT = POST.finding(
    "post.unmatched-remit", W, "Remit lines that match no claim line (listed on Unmatched Remits)",
    fix="Look each one up on the Unmatched Remits sheet: a claim sent from another system, a payer that changed the "
        "claim number, or a line the payer added.", source=MATCHING,
    message="{count} remit line(s) for {amount} paid match no claim line of the ledger; see the Unmatched Remits "
            "sheet.")
REMITS_AFTER_AS_OF = POST.finding(
    "post.remits-after-as-of", INFO, "Remits dated after the as-of date were left for a later report",
    fix="Nothing to do for this report; they count once the as-of date reaches them (the next close, or a later "
        "--as-of or Settings As-Of Date).", source=AS_OF,
    message="{count} remittance(s) ({amount} paid) dated after the as-of date {as_of} (up to {last}) were not known "
            "yet on that date: reconciliation, aging, statements and the KPIs leave them for a later as-of date.")
NO_LEDGER = POST.finding(
    "post.no-claim-ledger", W, "Remits to reconcile but no claim ledger (Claims and ClaimLines sheets)",
    fix="Run 'infusion-billing claims' and 'export-837' on this workbook first, or reconcile the workbook that holds "
        "them.", source=MATCHING,
    message="The workbook has no Claims and ClaimLines sheets, so no remit can be posted to a claim line.")
PAYMENT_CLAIM_UNKNOWN = POST.finding(
    "post.payment-claim-unknown", W, "A patient payment naming a claim that is not in the ledger",
    fix="Correct the Claim ID, or clear it to apply the payment to the patient's oldest balance.", source=PATIENT)
PATIENT_CREDIT = POST.finding(
    "post.patient-credit", INFO, "A patient payment larger than what the patient owes (a credit balance)",
    fix="Keep the credit for the next visit or refund it; credit balances are reported separately from AR.",
    source=PATIENT)

UNDERPAID = RECON.finding(
    "recon.underpaid", W, "Lines allowed below the contract by more than the tolerance",
    fix="Work the Underpayments sheet: appeal or ask the payer to reprocess each line against the contract rate.",
    source=CONTRACT,
    message="{count} line(s) allowed {amount} less than the contract (more than the tolerance each); see the "
            "Underpayments sheet.")
NO_CONTRACT_RATE = RECON.finding(
    "recon.no-contract-rate", INFO, "Paid lines whose code has no FeeSchedule rate for the payer on the date",
    fix="Add the payer's rate for the code to the FeeSchedule table so the line can be checked.", source=CONTRACT,
    message="{count} paid line(s) have no FeeSchedule rate for their payer and date, so they cannot be checked "
            "against a contract (Status 'No contract rate').")

SPECS = (*POST.specs, *RECON.specs)
