"""``x12.*``: what the shared X12 layer reports about a file: its envelope and separators, and the 837s
it reads or writes.

A reader of one transaction set may name its own IDs for the tokenizer's findings (the 835 reader
reports ``era.no-envelope``, ``era.isa-malformed`` and ``era.junk-skipped``); these are the tokenizer's
own, used when it reads X12 for any other transaction. How separators are found: docs/remits.md
section 1 [S68]. The 837 reader (``read_837``) reports the rest, each naming its segment; the 837
writer reports a value it cannot send and control numbers it cannot use. The 837 layout: [S70].
"""

from __future__ import annotations

from ..findings import Severity
from .spec import Family

SOURCE = "docs/remits.md section 1 (envelope and separators) [S68]"
X12 = Family("x12")

NO_ENVELOPE = X12.finding(
    "x12.no-envelope", Severity.INFO, "A file without its ISA envelope, read from its first segment",
    fix="Nothing to do if the file read; ask the sender for the full file otherwise.", source=SOURCE)
ISA_MALFORMED = X12.finding(
    "x12.isa-malformed", Severity.WARNING, "An ISA segment without its 16 elements",
    fix="Get the file again from its sender.", source=SOURCE)
JUNK_SKIPPED = X12.finding(
    "x12.junk-skipped", Severity.WARNING, "Text that is not X12 before or after the data (skipped)",
    fix="Check the file is as it was sent, not a copy with added text.", source=SOURCE)

CLAIMS_837 = "ASC X12 837P 005010X222A1 and 837I 005010X223A2 Technical Reports [S70]"
FIX_AGAIN = "Ask the sender for the file again; it may have been cut or edited."

UNREADABLE_FILE = X12.finding(
    "x12.unreadable-file", Severity.ERROR, "A file that is not a readable 837 (nothing read from it)",
    fix="Choose the 837 file as it was sent to the clearinghouse.", source=CLAIMS_837)
NOT_837 = X12.finding(
    "x12.not-837", Severity.WARNING, "A transaction that is not an 837 claim (skipped)",
    fix="Check the file: 835 remittances, 999 or 277 acknowledgments are not claims.", source=CLAIMS_837)
OLD_VERSION = X12.finding(
    "x12.old-version", Severity.WARNING, "An 837 in the retired 4010 version (read, but payers refuse it)",
    fix="Nothing to do to read it; claims sent today must be 5010.", source=CLAIMS_837)
BAD_AMOUNT = X12.finding(
    "x12.bad-amount", Severity.ERROR, "An amount that is not a number (left blank)",
    fix=FIX_AGAIN, source=CLAIMS_837)
BAD_QUANTITY = X12.finding(
    "x12.bad-quantity", Severity.WARNING, "A quantity (units, NDC quantity) that is not a number (left blank)",
    fix=FIX_AGAIN, source=CLAIMS_837)
BAD_DATE = X12.finding(
    "x12.bad-date", Severity.WARNING, "A date that is not a real date (left blank)",
    fix=FIX_AGAIN, source=CLAIMS_837)
CLAIM_ID_MISSING = X12.finding(
    "x12.claim-id-missing", Severity.ERROR, "A claim (CLM) without its claim ID",
    fix="The payer cannot match such a claim; ask the sender which claim it is.", source=CLAIMS_837)
CLAIM_TOTAL = X12.finding(
    "x12.claim-total", Severity.WARNING, "A claim whose total (CLM02) is not the sum of its line charges",
    fix="Payers reject such a claim; correct the charges and send a replacement.", source=CLAIMS_837)
CLAIM_NO_LINES = X12.finding(
    "x12.claim-no-lines", Severity.WARNING, "A claim with no service lines",
    fix=FIX_AGAIN, source=CLAIMS_837)
CONTROL_COUNT = X12.finding(
    "x12.control-count", Severity.WARNING, "A trailer (SE, GE, IEA) whose count does not match what it closes",
    fix=FIX_AGAIN, source=SOURCE)
CONTROL_NUMBER = X12.finding(
    "x12.control-number", Severity.WARNING,
    "A trailer that closes another control number than its opener, or a control number that cannot be used",
    fix="Ask the sender for the file again; when writing, use the next control numbers stored in the book.",
    source=SOURCE, also=(Severity.ERROR,))
ENVELOPE_MISSING = X12.finding(
    "x12.envelope-missing", Severity.WARNING, "A transaction, group or interchange not closed (SE, GE or IEA missing)",
    fix=FIX_AGAIN, source=SOURCE)
DATA_SEPARATOR = X12.finding(
    "x12.data-separator", Severity.ERROR, "A value holding a separator character X12 cannot send (claim held)",
    fix="Remove the character from the value.", source=SOURCE)
INTERNAL_ERROR = X12.finding(
    "x12.internal-error", Severity.ERROR, "A segment the reader could not read (a reader bug; the rest was read)",
    fix="Report this file to the infusion-billing maintainers.", source=CLAIMS_837)

SPECS = tuple(X12.specs)
