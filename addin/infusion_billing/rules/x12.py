"""``x12.*``: what the shared X12 tokenizer reports about a file's envelope and separators.

A reader of one transaction set names its own IDs for these (the 835 reader reports ``era.no-envelope``,
``era.isa-malformed`` and ``era.junk-skipped``); these are the tokenizer's own, used when it reads X12
for any other transaction. How separators are found: docs/remits.md section 1 [S68].
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

SPECS = tuple(X12.specs)
