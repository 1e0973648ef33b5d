"""``era.*``: what the 835 import reports about a remittance file.

A bad file, segment or amount is never a traceback: the import keeps every payment it can read and
reports the rest. How an 835 is built and balanced: docs/remits.md section 1 [S68]; the adjustment
code table: docs/remits.md section 2 [S69].
"""

from __future__ import annotations

from ..findings import Severity
from .spec import Family

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
STRUCTURE = "docs/remits.md section 1 (envelope, separators and control numbers) [S68]"
BALANCING = "docs/remits.md section 1 (balancing: payment, claim and line) [S68]"
FIX_EOB = "Post this by hand from the payer's EOB and ask the payer for a corrected 835."
FIX_AGAIN = "Download the 835 again from the payer or clearinghouse."
ERA = Family("era")

UNREADABLE_FILE = ERA.finding(
    "era.unreadable-file", E, "A file that is not a readable 835 (nothing imported from it)",
    fix="Choose the 835 (ERA) file the payer or clearinghouse sent; the other files were still imported.",
    source=STRUCTURE)
NOT_X12_SKIPPED = ERA.finding(
    "era.not-x12-skipped", INFO, "Files in a folder that are not 835s (skipped)",
    fix="Nothing to do, or move the 835 files into a folder of their own.", source=STRUCTURE)
NOT_835 = ERA.finding(
    "era.not-835", W, "A transaction that is not an 835 remittance (skipped)",
    fix="Check the file: 837 claims, 999 or 277 acknowledgments are not remittances.", source=STRUCTURE)
NO_ENVELOPE = ERA.finding(
    "era.no-envelope", INFO, "A file without its ISA envelope, read from its first segment",
    fix="Nothing to do if the payments read; ask the clearinghouse for the full file otherwise.", source=STRUCTURE)
ISA_MALFORMED = ERA.finding(
    "era.isa-malformed", W, "An ISA segment without its 16 elements",
    fix=FIX_AGAIN, source=STRUCTURE)
JUNK_SKIPPED = ERA.finding(
    "era.junk-skipped", W, "Text that is not X12 before or after the remittance (skipped)",
    fix="Check the file is the payer's 835 as downloaded, not a copy with added text.", source=STRUCTURE)
GARBLED_SEGMENT = ERA.finding(
    "era.garbled-segment", W, "Segments that could not be read (skipped)",
    fix="Download the 835 again; the file may be damaged.", source=STRUCTURE)
COMPONENT_SEPARATOR = ERA.finding(
    "era.component-separator", INFO, "Composites separated by another character than the ISA declares",
    fix="Nothing to do: they were read with the character the file uses.", source=STRUCTURE)
OUT_OF_PLACE = ERA.finding(
    "era.out-of-place", W, "Segments outside a payment or before any claim (ignored)",
    fix="Check the file is complete: a payment (ST) or a claim (CLP) may be missing or cut.", source=STRUCTURE)
ENVELOPE_MISSING = ERA.finding(
    "era.envelope-missing", W, "A group, interchange or transaction not closed (GE, IEA or SE missing)",
    fix=FIX_AGAIN, source=STRUCTURE, also=(E,))
CONTROL_COUNT = ERA.finding(
    "era.control-count", W, "A trailer's count (SE01, GE01, IEA01) differs from what the file holds",
    fix=FIX_AGAIN, source=STRUCTURE)
CONTROL_NUMBER = ERA.finding(
    "era.control-number", W, "A trailer closes another control number than its header opened",
    fix=FIX_AGAIN, source=STRUCTURE)
INTERNAL_ERROR = ERA.finding(
    "era.internal-error", E, "A segment the reader could not handle (skipped; the rows before it kept)",
    fix="Report this file to the infusion-billing maintainers.", source=STRUCTURE)
PAYMENT_MISSING = ERA.finding(
    "era.payment-missing", E, "A payment without its BPR segment (amount unknown)",
    fix="Post this payment from the bank deposit and the payer's EOB.", source=STRUCTURE)
TRACE_MISSING = ERA.finding(
    "era.trace-missing", W, "A payment without its TRN trace number (cannot be matched to a deposit)",
    fix="Match the payment to the deposit by amount and date, and ask the payer for the trace number.",
    source=STRUCTURE)
PAYMENT_DATE_SHIFTED = ERA.finding(
    "era.payment-date-shifted", INFO, "The payment date found one element early (BPR15 instead of BPR16)",
    fix="Nothing to do: the date was read from where the payer put it.", source=STRUCTURE)
PAYMENT_UNBALANCED = ERA.finding(
    "era.payment-unbalanced", E, "A payment whose amount is not the claims paid less provider adjustments",
    fix=FIX_EOB, source=BALANCING)
CLAIM_UNBALANCED = ERA.finding(
    "era.claim-unbalanced", E, "A claim whose charge less payment is not its adjustments",
    fix=FIX_EOB, source=BALANCING)
LINE_UNBALANCED = ERA.finding(
    "era.line-unbalanced", E, "A service line whose charge less payment is not its adjustments",
    fix=FIX_EOB, source=BALANCING)
PATIENT_SHARE_MISMATCH = ERA.finding(
    "era.patient-share-mismatch", W, "A claim's patient responsibility (CLP05) differs from its PR adjustments",
    fix="Bill the patient from the PR adjustments and ask the payer which figure is right.", source=BALANCING)
ALLOWED_MISMATCH = ERA.finding(
    "era.allowed-mismatch", INFO, "A line's allowed amount differs from paid plus patient share plus sequestration",
    fix="Check the line against the fee schedule before posting it as paid in full.", source=BALANCING)
AMOUNT_MISSING = ERA.finding(
    "era.amount-missing", E, "A required amount is blank (counted as zero)", fix=FIX_EOB, source=BALANCING)
BAD_AMOUNT = ERA.finding(
    "era.bad-amount", E, "An amount that is not a number (counted as zero)", fix=FIX_EOB, source=BALANCING)
BAD_DATE = ERA.finding(
    "era.bad-date", W, "A date that is not a real date (left blank)", fix=FIX_EOB, source=STRUCTURE)
BAD_QUANTITY = ERA.finding(
    "era.bad-quantity", W, "A quantity (units) that is not a number (left blank)", fix=FIX_EOB, source=STRUCTURE)
CLAIM_ID_MISSING = ERA.finding(
    "era.claim-id-missing", W, "A claim without its patient control number (cannot be matched)",
    fix="Match the claim by patient, date of service and charge, and post it by hand.", source=STRUCTURE)
UNKNOWN_STATUS = ERA.finding(
    "era.unknown-status", INFO, "A claim status (CLP02) the reader does not know",
    fix="Read the claim on the payer's EOB to see whether it was paid, denied or reversed.", source=STRUCTURE)
PROCEDURE_MISSING = ERA.finding(
    "era.procedure-missing", W, "A service line without its procedure code (amounts may be shifted)",
    fix="Read this line on the payer's EOB and post it by hand.", source=STRUCTURE)
UNKNOWN_GROUP = ERA.finding(
    "era.unknown-group", W, "An adjustment group other than CO, PR, OA or PI (amounts still counted)",
    fix="Read the adjustment on the payer's EOB and post it to the right group.",
    source="docs/remits.md section 1 (adjustment groups) [S68]")
ADJUSTMENT_CODES = ERA.finding(
    "era.adjustment-codes", W, "The workbook's Adjustment Codes table or one of its rows cannot be used",
    fix="Fill in each row's CARC and Category (see docs/remits.md section 2), or delete the row.",
    source="docs/remits.md section 2 (categories and next actions) [S69]")
DUPLICATE_FILE = ERA.finding(
    "era.duplicate-file", INFO, "A file imported before (nothing added)",
    fix="Nothing to do: a payment is never imported twice.", source="docs/remits.md section 1 (each ST is one payment)")
DUPLICATE_PAYMENT = ERA.finding(
    "era.duplicate-payment", INFO, "A payment imported before from another file (nothing added)",
    fix="Nothing to do: a payment is never imported twice.", source="docs/remits.md section 1 (each ST is one payment)")

SPECS = tuple(ERA.specs)
BY_ID = {s.id: s for s in SPECS}
