"""``assess.*``: what the billing assessment (``infusion-billing assess``) reports about a client's files.

The assessment reads what a client hands a consultant (835 remittances, 837 claims or a charge export,
optionally the infusion log and contracted rates). A file that is not the client's, or cannot be read
as what it claims to be, is named in one finding and left out of the figures; the figures are built
from what remains. How each figure is defined: docs/assessment.md.
"""

from __future__ import annotations

from ..findings import Severity
from .spec import Family

SOURCE = "docs/assessment.md (inputs and method)"
ASSESS = Family("assess")

OTHER_PAYEE = ASSESS.finding(
    "assess.other-payee", Severity.WARNING, "An 835 payment made to another payee (left out of the figures)",
    fix="Check the file came from this client; remove it or add the client's other NPI/TIN files.", source=SOURCE)
UNKNOWN_HEADERS = ASSESS.finding(
    "assess.unknown-headers", Severity.ERROR, "A charge export whose headers name no claim, code or charge",
    fix="Export the charges with a header row naming Claim ID, Date of Service, Code, Units and Charge.",
    source=SOURCE)
UNREADABLE = ASSESS.finding(
    "assess.unreadable", Severity.ERROR, "An input file that could not be read (left out of the figures)",
    fix="Ask the client for the file again, as their system exported it.", source=SOURCE)
UNMATCHED_ENCOUNTER = ASSESS.finding(
    "assess.encounter-unbilled", Severity.INFO, "Infusion-log encounters with no billed claim found",
    fix="Ask the client whether these visits were billed under another claim number.", source=SOURCE)

LOG_EMPTY = ASSESS.finding(
    "assess.log-empty", Severity.WARNING, "An infusion log with no encounters (no coding review was done)",
    fix="Ask the client for the infusion log with its Encounters and Administrations sheets filled in (our "
        "template's headers in row 1).", source=SOURCE)
RATES_EMPTY = ASSESS.finding(
    "assess.rates-empty", Severity.WARNING, "A contracted-rates workbook with no FeeSchedule rates (none used)",
    fix="Ask the client for their contracted rates in a FeeSchedule sheet (Payer ID, Code, Allowed Amount, "
        "Effective From).", source=SOURCE)

SPECS = tuple(ASSESS.specs)
