"""``scrub.*``: the claim scrubber's edits, run on every claim before it may go in an 837.

A claim with a scrubber error stays on the ``Claims`` sheet with Status **Held** and is not written;
``Encounter Status`` names the reason. The edits are the ones payers apply on receipt:

* the National Correct Coding Initiative (NCCI): procedure-to-procedure (PTP) pairs that may not be
  billed together on one day, and medically unlikely edits (MUE), the most units of a code one
  patient gets in a day; CMS publishes both every quarter for practitioners and hospital outpatient
  departments [S90];
* the payer's coverage policy: the diagnoses a drug is covered for (NCD/LCD or payer policy) [S91];
* the payer's own rules already in the book: NDC on drug lines, JW/JZ on single-dose drugs,
  prior authorization, timely filing.

Where an edit comes from and how it is applied: docs/claims.md.
"""

from __future__ import annotations

from ..findings import Severity
from .spec import Family

E, W = Severity.ERROR, Severity.WARNING
NCCI = "CMS National Correct Coding Initiative PTP and MUE files, docs/claims.md section 3 [S90]"
COVERAGE = "CMS NCD/LCD coverage policies, docs/claims.md section 4 [S91]"
PAYER = "The book's Payers, Payer Rules and Authorizations tables, docs/payer-rules.md"
SCRUB = Family("scrub")

NCCI_PAIR = SCRUB.finding(
    "scrub.ncci-pair", E, "Two codes an NCCI PTP edit does not allow together on one day",
    fix="Remove the column-2 code, or when the edit allows a modifier and the service was distinct, add 59/XS/XU/XE "
        "and document why on the encounter.", source=NCCI)
NCCI_UNDOCUMENTED = SCRUB.finding(
    "scrub.ncci-modifier-undocumented", E,
    "An NCCI bypass modifier (59/XS/XU/XE) the encounter does not document",
    fix="Document the separate site or session on the encounter (Second Site Necessary) or remove the modifier.",
    source=NCCI)
MUE = SCRUB.finding(
    "scrub.mue", E, "More units of a code in one day than its NCCI medically unlikely edit allows",
    fix="Check the dose and units; bill the units given, or appeal with documentation when more were needed.",
    source=NCCI)
COVERAGE_DIAGNOSIS = SCRUB.finding(
    "scrub.coverage-diagnosis", E, "A drug billed with no diagnosis its coverage policy covers",
    fix="Check the diagnosis codes on the encounter against the policy named in the Coverage Rules row.",
    source=COVERAGE)
NDC_REQUIRED = SCRUB.finding(
    "scrub.ndc-required", E, "A drug line without an NDC for a payer that requires one",
    fix="Enter the NDC of the vial used on the administration.", source=PAYER)
JW_JZ = SCRUB.finding(
    "scrub.jw-jz", E, "A single-dose drug line without JW or JZ for a payer that requires them",
    fix="Code the encounter again; record the amount wasted (0 when none) on the administration.", source=PAYER)
AUTH_MISSING = SCRUB.finding(
    "scrub.auth-missing", E, "A code the payer prior-authorizes, billed with no authorization on file",
    fix="Enter the authorization on the Authorizations sheet, or obtain one.", source=PAYER)
TIMELY_FILING = SCRUB.finding(
    "scrub.timely-filing", E, "A claim past the payer's timely filing limit",
    fix="Send it with proof of timely filing, or write it off.", source=PAYER)
NCCI_FILE = SCRUB.finding(
    "scrub.ncci-file", W, "An NCCI file that could not be read or whose layout is not CMS's",
    fix="Download the PTP or MUE file again from cms.gov and import it as published (.txt, .csv or .xlsx).",
    source=NCCI)
NCCI_ROW = SCRUB.finding(
    "scrub.ncci-row", W, "A row of an NCCI file that could not be read (skipped)",
    fix="Check the row in the file; the other rows were imported.", source=NCCI)
RENDERING_PROVIDER = SCRUB.finding(
    "scrub.rendering-provider", E,
    "An encounter's Rendering NPI that the Providers table does not name",
    fix="Add the clinician (NPI, last and first name, taxonomy) to the Providers table, or correct the Rendering NPI.",
    source="837P loop 2310B / 837I loop 2310A: the rendering or attending provider's name and NPI, docs/claims.md")
SPECS = tuple(SCRUB.specs)
