"""``claim.*``: what the 837 writer finds on a claim before sending it (the claim is held, not written).

A payer or clearinghouse rejects a claim, or a whole file, that breaks these; each finding names the
claim, the line when it is about one, and the ``Claims``/``ClaimLines``/``Practice`` column to fix.
The element rules come from the 837 Technical Reports [S70]; how they are checked:
:mod:`infusion_billing.claims.problems`.
"""

from __future__ import annotations

from ..findings import Severity
from .spec import Family

SOURCE = "ASC X12 837P 005010X222A1 and 837I 005010X223A2 Technical Reports [S70]"
E = Severity.ERROR
CLAIM = Family("claim")

PRACTICE_MISSING = CLAIM.finding(
    "claim.practice-missing", E, "Practice data a payer requires is blank (no 837 written)",
    fix="Fill the Practice table: name, NPI, EIN, taxonomy, address, submitter and receiver IDs, contact.",
    source=SOURCE)
PRACTICE_INVALID = CLAIM.finding(
    "claim.practice-invalid", E, "Practice data in the wrong form: NPI, EIN, ZIP+4, phone, ID length",
    fix="Correct the Practice table (the NPI from NPPES, the IDs the clearinghouse assigned).", source=SOURCE)
TYPE_INVALID = CLAIM.finding(
    "claim.type-invalid", E, "A claim type that is not 837P or 837I, or not the file's",
    fix="Set the Claim Type: 837P for professional, 837I for facility claims.", source=SOURCE)
ID_INVALID = CLAIM.finding(
    "claim.id-invalid", E, "A Claim ID that is blank or over 20 characters (CLM01)",
    fix="Use a Claim ID of at most 20 characters.", source=SOURCE)
FREQUENCY = CLAIM.finding(
    "claim.frequency", E, "A frequency other than 1/7/8, or a 7/8 without the payer's claim number",
    fix="Enter the payer claim number from the original claim's 835.", source=SOURCE)
NO_LINES = CLAIM.finding(
    "claim.no-lines", E, "A claim without service lines",
    fix="Code the encounter before billing it.", source=SOURCE)
TOO_MANY_LINES = CLAIM.finding(
    "claim.too-many-lines", E, "More service lines than the claim type holds (837P: 50)",
    fix="Split it into claims of at most 50 lines (infusion_billing.claims.split_claim).", source=SOURCE)
SPLIT = CLAIM.finding(
    "claim.split", Severity.INFO, "A claim over the line limit split by date of service",
    fix="Nothing to do: each part is a claim of its own.", source=SOURCE)
LINE_INVALID = CLAIM.finding(
    "claim.line-invalid", E, "A service line a payer rejects: code, charge, units, modifiers, revenue code, "
    "Line Control Number",
    fix="Correct the line on the ClaimLines sheet.", source=SOURCE)
NDC_INVALID = CLAIM.finding(
    "claim.ndc-invalid", E, "A drug line whose NDC, NDC unit or NDC quantity is missing or malformed",
    fix="Enter the 11-digit NDC, its unit (UN, ML, GR, F2, ME) and the quantity given.", source=SOURCE)
DIAGNOSIS = CLAIM.finding(
    "claim.diagnosis", E, "No principal diagnosis, too many diagnoses, or a pointer to none",
    fix="Correct the diagnoses or the line's diagnosis pointers.", source=SOURCE)
SUBSCRIBER_MISSING = CLAIM.finding(
    "claim.subscriber-missing", E, "The payer, member ID, or the insured's or patient's name, birth date, sex "
    "or address is missing",
    fix="Complete the Patients and Coverage sheets.", source=SOURCE)
PROVIDER_INVALID = CLAIM.finding(
    "claim.provider-invalid", E, "A rendering or attending provider NPI that is not valid",
    fix="Copy the provider's NPI from NPPES.", source=SOURCE)
COB_MISSING = CLAIM.finding(
    "claim.cob-missing", E, "A secondary or tertiary claim without the earlier payer's adjudication",
    fix="Import the earlier payer's 835 before billing this payer.", source=SOURCE)

LEDGER = "docs/claims.md (the claim ledger); ASC X12 837 TR3 CLM05-3 and REF*F8 [S70]"
CODING_CHANGED = CLAIM.finding(
    "claim.coding-changed", Severity.WARNING, "A submitted claim whose encounter is now coded differently",
    fix="Send a corrected claim: infusion-billing claims BOOK --correct CLAIM_ID (or --void CLAIM_ID).",
    source=LEDGER)
NO_PAYER_CLAIM_NUMBER = CLAIM.finding(
    "claim.no-payer-claim-number", Severity.WARNING,
    "A replacement or void sent before the payer's 835 named its claim number (REF*F8 carries our Claim ID)",
    fix="Import the payer's 835 for the original claim first when the payer wants its own claim number.",
    source=LEDGER)
CORRECT_UNKNOWN = CLAIM.finding(
    "claim.correct-unknown", E, "A claim to correct or void that is not a submitted claim of the ledger",
    fix="Name a Claim ID from the Claims sheet whose Status is Submitted.", source=LEDGER)
NOT_BILLABLE = CLAIM.finding(
    "claim.not-billable", Severity.INFO, "An encounter that gets no claim (self-pay, or no coded lines)",
    fix="Nothing to do for self-pay; code the encounter otherwise.", source=LEDGER)
BATCH_UNKNOWN = CLAIM.finding(
    "claim.batch-unknown", E, "A batch to resend that the Claim Batches sheet does not list",
    fix="Name a Batch File from the Claim Batches sheet.", source=LEDGER)

SPECS = tuple(CLAIM.specs)
