"""``denial.*``: what building the denial worklist finds in the ERA and claim ledgers.

The worklist (docs/denials.md) reads the 835 adjustments the import labelled; a code the
Adjustment Codes table does not know, a remitted claim the claim ledger does not hold, or a patient
with no coverage row on the date of service would be guessed at silently otherwise, so each is a
located finding instead (the row still goes on the worklist when it is a denial).
"""

from __future__ import annotations

from ..findings import Severity
from .spec import Family

W, INFO = Severity.WARNING, Severity.INFO
SOURCE = "docs/denials.md (the worklist, CARC categories and appeal windows) [S69]"
DENIAL = Family("denial")

UNKNOWN_CARC = DENIAL.finding(
    "denial.unknown-carc", W, "An adjustment reason code the Adjustment Codes table does not know",
    fix="Look the CARC up in the published code list and add a row for it to the Adjustment Codes table; "
        "until then it is worked as a denial in category Other.", source=SOURCE)
CLAIM_UNMATCHED = DENIAL.finding(
    "denial.claim-unmatched", W, "A denied claim the claim ledger does not hold (patient control number unknown)",
    fix="Check the patient control number (CLP01) against the Claims sheet; a claim billed outside this "
        "workbook is worked from the remit alone.", source=SOURCE)
NO_COVERAGE = DENIAL.finding(
    "denial.no-coverage", W, "A remit for a patient with no coverage row for that payer on the date of service",
    fix="Add the patient's coverage (payer, priority, dates) on the Coverage sheet; the appeal letter and "
        "the balance's next payer depend on it.", source=SOURCE)
APPEAL_DAYS_DEFAULT = DENIAL.finding(
    "denial.appeal-days-default", INFO, "A payer without Appeal Days: the default for its payer type was used",
    fix="Enter the payer's appeal window (days from the remit) in the Payers table's Appeal Days column.",
    source=SOURCE)
NO_REMIT_DATE = DENIAL.finding(
    "denial.no-remit-date", W, "A denial whose 835 has neither a payment date (BPR16) nor a production date "
                               "(DTM*405): no appeal deadline",
    fix="Read the remit date from the payer's EOB and note the deadline; ask the payer for a corrected 835.",
    source=SOURCE)
APPEALS_NO_FOLDER = DENIAL.finding(
    "denial.appeals-no-folder", Severity.ERROR, "Appeal letters asked for without a folder to write them to",
    fix="Give the folder: infusion-billing appeals BOOK --out-dir DIR.", source=SOURCE)
APPEALS_NOT_DENIED = DENIAL.finding(
    "denial.appeals-not-denied", W, "A claim asked for (--claim) that has no denial on the worklist",
    fix="Check the Claim ID against the Denials sheet; import its 835 first if it has not been.", source=SOURCE)

SPECS = DENIAL.specs
