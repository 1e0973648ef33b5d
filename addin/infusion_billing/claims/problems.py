"""What a payer or clearinghouse rejects before reading a claim, found before the 837 is written.

A claim with any of these problems is not written (a rejected file costs the whole batch a round
trip); the others still are. Each problem is a :class:`Problem`: the Finding plus the claim ID and
line it belongs to, so the claim ledger can point at the ``Claims`` or ``ClaimLines`` cell.

What is checked, with why a payer cares (TR3 005010X222A1 / 005010X223A2 element rules):

* the practice (``claim.practice-missing``, ``claim.practice-invalid``): billing NPI (Luhn check),
  9-digit EIN, taxonomy, street address with a 9-digit ZIP (5010 requires ZIP+4 for the billing
  provider), submitter and receiver IDs (at most 15 characters, they go in the fixed-width ISA),
  contact phone of 10 digits;
* the claim (``claim.id-invalid``): Claim ID 1 to 20 characters (CLM01), since the payer returns
  only what fits and the 835 could not be matched;
* ``claim.no-lines``, ``claim.too-many-lines`` (837P: 50 lines; 837I: 999): split with
  :func:`~infusion_billing.claims.split.split_claim`;
* ``claim.frequency``: 1, 7 or 8, and 7/8 name the payer's original claim number (REF*F8);
* ``claim.diagnosis``: a principal diagnosis, at most 12 (837P) or 25 (837I), pointers that
  point at one, at most 4 per line;
* ``claim.subscriber-missing``: member ID, name, birth date, sex and address of the insured (and
  of the patient when not the insured), payer name and ID;
* ``claim.line-invalid``: code, a charge not below zero, units above zero, at most 4 modifiers
  of 2 characters, a revenue code on 837I lines, a unique Line Control Number of 1 to 50
  characters (REF*6R);
* ``claim.ndc-invalid``: an 11-digit NDC with its unit (UN, ML, GR, F2, ME) and a quantity
  above zero (LIN/CTP);
* ``claim.provider-invalid``: rendering or attending provider with a valid NPI;
* ``claim.cob-missing``: a secondary or tertiary claim carries the earlier payer's adjudication.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from ..findings import Finding, Severity
from ..identifiers import npi as npi_id
from ..rules import claim as rules
from ..rules.spec import RuleSpec
from .model import INSTITUTIONAL, PROFESSIONAL, Address, Claim, Person, Practice

#: Service lines a payer accepts on one claim: 50 on an 837P (TR3 X222A1 loop 2400 repeat), 999 on an 837I.
MAX_LINES = {PROFESSIONAL: 50, INSTITUTIONAL: 999}
#: Diagnosis codes on one claim: 12 on an 837P (HI, as on the CMS-1500), 1 + 24 on an 837I.
MAX_DIAGNOSES = {PROFESSIONAL: 12, INSTITUTIONAL: 25}
NDC_UNITS = frozenset({"UN", "ML", "GR", "F2", "ME"})
MAX_CLAIM_ID = 20
ZERO = Decimal("0")


@dataclass(frozen=True, slots=True)
class Problem:
    """A Finding about one claim (``line`` None) or one of its lines (``line`` its 1-based number)."""

    claim_id: str
    line: int | None
    finding: Finding


class Collector:
    """Gathers the problems of one claim, naming the claim and line in every message.

    Each problem is a Finding of a catalogued rule with the catalogue's severity and fix (one source
    of truth, :mod:`infusion_billing.rules.claim`): a call gives its own fix only when the message
    needs one, and a severity only when it is one of the rule's documented others.
    """

    def __init__(self, claim: Claim | None = None):
        self.claim_id = claim.claim_id if claim else ""
        self.encounter_id = claim.encounter_id if claim else ""
        self.problems: list[Problem] = []

    def add(self, rule: RuleSpec, message: str, *, line: int | None = None, column: str = "", value: str = "",
            fix: str | None = None, severity: Severity | None = None) -> None:
        where = ""
        if self.claim_id:
            where = f"Claim {self.claim_id}" + (f" line {line}" if line else "") + ": "
        sheet = "ClaimLines" if line else ("Claims" if self.claim_id else "Practice")
        self.problems.append(Problem(self.claim_id, line, rule.finding(
            where + message, fix=fix, severity=severity, sheet=sheet, column=column, value=value,
            encounter_id=self.encounter_id)))


def practice_problems(practice: Practice | None) -> list[Problem]:
    """Why no claim can be sent for this practice, or an empty list."""
    out = Collector()
    if practice is None:
        out.add(rules.PRACTICE_MISSING, "There is no Practice row for this payer's claims; no 837 can be written.",
                fix="Fill the Practice table: name, NPI, EIN, taxonomy, address, submitter and receiver IDs.")
        return out.problems
    required = {"Name": practice.name, "NPI": practice.npi, "EIN": practice.ein, "Taxonomy": practice.taxonomy,
                "Submitter ID": practice.submitter_id, "Submitter Name": practice.submitter_name,
                "Contact Name": practice.contact_name, "Contact Phone": practice.contact_phone,
                "Receiver ID": practice.receiver_id, "Receiver Name": practice.receiver_name}
    for column, value in required.items():
        if not (value or "").strip():
            out.add(rules.PRACTICE_MISSING,
                    f"The practice's {column} is blank; the payer rejects the file without it.",
                    column=column, fix=f"Enter the {column} in the Practice table.")
    if practice.npi and not npi_id.is_valid(practice.npi):
        out.add(rules.PRACTICE_INVALID, "The practice NPI is not a valid NPI (10 digits, check digit).",
                column="NPI", value=practice.npi, fix="Copy the group NPI from NPPES.")
    if practice.ein and not (len(practice.ein.replace("-", "")) == 9 and practice.ein.replace("-", "").isdigit()):
        out.add(rules.PRACTICE_INVALID, "The practice EIN is not 9 digits.", column="EIN", value=practice.ein)
    if practice.contact_phone and not (len(_digits(practice.contact_phone)) == 10):
        out.add(rules.PRACTICE_INVALID, "The contact phone is not 10 digits.", column="Contact Phone",
                value=practice.contact_phone)
    for column, value in (("Submitter ID", practice.submitter_id), ("Receiver ID", practice.receiver_id)):
        if len(value or "") > 15:
            out.add(rules.PRACTICE_INVALID, f"The {column} has {len(value)} characters; the ISA holds 15.",
                    column=column, value=value, fix="Use the ID the clearinghouse assigned (at most 15 characters).")
    _address(out, practice.address, "The practice address", "Address", rules.PRACTICE_INVALID, nine_digit_zip=True)
    if practice.pay_to is not None:
        _address(out, practice.pay_to, "The pay-to address", "Pay-To Address", rules.PRACTICE_INVALID)
    return out.problems


def claim_problems(claim: Claim, seen_controls: set[str]) -> list[Problem]:
    """Why this claim would be rejected, or an empty list. ``seen_controls`` holds the Line Control
    Numbers already written to the file and gets this claim's added."""
    out = Collector(claim)
    kind = claim.claim_type
    if kind not in MAX_LINES:
        out.add(rules.TYPE_INVALID, f"Claim type '{kind}' is neither 837P nor 837I.", column="Claim Type", value=kind)
        return out.problems
    if not claim.claim_id.strip() or len(claim.claim_id) > MAX_CLAIM_ID:
        out.add(rules.ID_INVALID, f"The Claim ID has {len(claim.claim_id.strip())} characters; CLM01 holds 1 to "
                f"{MAX_CLAIM_ID}, and the payer would return it cut, so the 835 could not be matched.",
                column="Claim ID", value=claim.claim_id, fix="Use a Claim ID of at most 20 characters.")
    elif claim.claim_id != claim.claim_id.strip():
        out.add(rules.ID_INVALID, "The Claim ID starts or ends with a space; payers drop it, so the 835 could "
                "not be matched.", column="Claim ID", value=claim.claim_id, fix="Remove the spaces.")
    if claim.frequency not in ("1", "7", "8"):
        out.add(rules.FREQUENCY, f"Frequency '{claim.frequency}' is not 1 (original), 7 (replacement) or 8 (void).",
                column="Frequency", value=claim.frequency)
    elif claim.frequency != "1" and not claim.original_claim_number:
        out.add(rules.FREQUENCY, f"A frequency-{claim.frequency} claim must name the payer's claim number it "
                "replaces or voids (REF*F8).", column="Payer Claim Number",
                fix="Enter the payer claim number from the original claim's 835.")
    _lines(out, claim, seen_controls)
    _diagnoses(out, claim)
    _people(out, claim)
    if claim.provider is not None and not _valid_npi(claim.provider.npi):
        role = "rendering" if kind == PROFESSIONAL else "attending"
        out.add(rules.PROVIDER_INVALID, f"The {role} provider's NPI is not a valid NPI.",
                column="Provider NPI", value=claim.provider.npi)
    if claim.coverage.priority not in ("Primary",) and not claim.other_payers:
        out.add(rules.COB_MISSING, f"A {claim.coverage.priority.lower()} claim must carry what the earlier payer "
                "paid and adjusted (loops 2320/2430).", column="Payer Priority",
                fix="Import the earlier payer's 835 before billing this payer.")
    return out.problems


def _lines(out: Collector, claim: Claim, seen: set[str]) -> None:
    kind = claim.claim_type
    if not claim.lines:
        out.add(rules.NO_LINES, "The claim has no service lines.", column="Lines")
        return
    if len(claim.lines) > MAX_LINES[kind]:
        out.add(rules.TOO_MANY_LINES, f"The claim has {len(claim.lines)} lines; an {kind} holds at most "
                f"{MAX_LINES[kind]}.", column="Lines", value=str(len(claim.lines)),
                fix="Split it into claims of at most 50 lines (infusion_billing.claims.split_claim).")
    for n, line in enumerate(claim.lines, start=1):
        if not line.code:
            out.add(rules.LINE_INVALID, "The line has no procedure code.", line=n, column="Code")
        if line.charge < ZERO:
            out.add(rules.LINE_INVALID, f"The charge {line.charge} is below zero.", line=n, column="Charge",
                    value=str(line.charge))
        if line.units <= ZERO:
            out.add(rules.LINE_INVALID, f"The units {line.units} are not above zero.", line=n, column="Units",
                    value=str(line.units))
        if len(line.modifiers) > 4 or any(len(m) != 2 or not m.isalnum() for m in line.modifiers):
            out.add(rules.LINE_INVALID, "A line takes at most 4 modifiers of 2 letters or digits.", line=n,
                    column="Modifiers", value=" ".join(line.modifiers))
        if kind == INSTITUTIONAL and not (len(line.revenue_code) == 4 and line.revenue_code.isdigit()):
            out.add(rules.LINE_INVALID,
                    "An 837I line needs a 4-digit revenue code (e.g. 0636 drugs, 0260 IV therapy).", line=n,
                    column="Revenue Code", value=line.revenue_code, fix="Set the Revenue Code in the ChargeMaster.")
        lcn = line.control_number
        if not lcn or len(lcn) > 50:
            out.add(rules.LINE_INVALID, "The Line Control Number (REF*6R) must have 1 to 50 characters.", line=n,
                    column="Line Control Number", value=lcn)
        elif lcn in seen:
            out.add(rules.LINE_INVALID,
                    f"Line Control Number {lcn} is used twice; the 835 could not tell the lines apart.",
                    line=n, column="Line Control Number", value=lcn)
        else:
            seen.add(lcn)
        if line.ndc or line.ndc_unit or line.ndc_quantity is not None:
            if not (len(line.ndc) == 11 and line.ndc.isdigit()):
                out.add(rules.NDC_INVALID, "The NDC must be the 11-digit billing form (5-4-2, no hyphens).", line=n,
                        column="NDC", value=line.ndc)
            if line.ndc_unit not in NDC_UNITS:
                out.add(rules.NDC_INVALID, "The NDC unit must be UN, ML, GR, F2 or ME.", line=n, column="NDC Unit",
                        value=line.ndc_unit)
            if line.ndc_quantity is None or line.ndc_quantity <= ZERO:
                out.add(rules.NDC_INVALID, "The NDC quantity must be above zero.", line=n, column="NDC Quantity",
                        value="" if line.ndc_quantity is None else str(line.ndc_quantity))


def _diagnoses(out: Collector, claim: Claim) -> None:
    count = len(claim.diagnoses)
    limit = MAX_DIAGNOSES[claim.claim_type]
    if count == 0 or not claim.diagnoses[0]:
        out.add(rules.DIAGNOSIS, "The claim has no principal diagnosis (HI ABK).", column="Diagnoses")
    elif count > limit:
        out.add(rules.DIAGNOSIS, f"The claim has {count} diagnoses; an {claim.claim_type} holds {limit}.",
                column="Diagnoses", value=str(count))
    if claim.claim_type == PROFESSIONAL:
        for n, line in enumerate(claim.lines, start=1):
            if not line.diagnosis_pointers or len(line.diagnosis_pointers) > 4 or any(
                    not 1 <= p <= min(count, 12) for p in line.diagnosis_pointers):
                out.add(rules.DIAGNOSIS, f"The diagnosis pointers {list(line.diagnosis_pointers)} must be 1 to 4 "
                        f"positions among the claim's {count} diagnoses.", line=n, column="Diagnosis Pointers",
                        value=",".join(map(str, line.diagnosis_pointers)))


def _people(out: Collector, claim: Claim) -> None:
    coverage = claim.coverage
    if not coverage.payer.name or not coverage.payer.payer_id:
        out.add(rules.SUBSCRIBER_MISSING, "The payer's name or payer ID is blank.", column="Payer ID")
    if not coverage.subscriber.member_id:
        out.add(rules.SUBSCRIBER_MISSING, "The subscriber's member ID is blank.", column="Member ID",
                fix="Enter the member ID from the insurance card on the Coverage sheet.")
    _person(out, coverage.subscriber, "subscriber")
    if coverage.patient is not None:
        _person(out, coverage.patient, "patient")


def _person(out: Collector, person: Person, role: str) -> None:
    blank = [name for name, value in (("last name", person.last_name), ("first name", person.first_name))
             if not value]
    if person.sex not in ("F", "M", "U"):
        blank.append("sex (F, M or U)")
    if person.birth_date is None:
        blank.append("birth date")
    if blank:
        out.add(rules.SUBSCRIBER_MISSING, f"The {role}'s {', '.join(blank)} is blank or invalid.",
                column=f"{role.title()}")
    _address(out, person.address, f"The {role}'s address", f"{role.title()} Address", rules.SUBSCRIBER_MISSING)


def _address(out: Collector, address: Address | None, what: str, column: str, rule: RuleSpec, *,
             nine_digit_zip: bool = False) -> None:
    """Street, city, 2-letter state and a 5- or 9-digit ZIP; ``rule`` names an invalid one, a blank
    practice address is ``claim.practice-missing``."""
    if address is None or not (address.line1 and address.city and address.state and address.zip):
        missing = rules.PRACTICE_MISSING if rule is rules.PRACTICE_INVALID else rule
        out.add(missing, f"{what} is incomplete (street, city, state and ZIP are required).", column=column)
        return
    digits = _digits(address.zip)
    wrong_length = len(digits) != 9 if nine_digit_zip else len(digits) not in (5, 9)
    if wrong_length or len(digits) != len(address.zip.replace("-", "")):
        need = "9 digits (ZIP+4)" if nine_digit_zip else "5 or 9 digits"
        out.add(rule, f"{what} ZIP '{address.zip}' is not {need}.", column=column, value=address.zip)
    if len(address.state) != 2 or not address.state.isalpha():
        out.add(rule, f"{what} state '{address.state}' is not a 2-letter code.", column=column, value=address.state)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


@lru_cache(maxsize=4096)
def _valid_npi(npi: str) -> bool:
    """:func:`~infusion_billing.identifiers.npi.is_valid`, once per NPI (a clinic has a few clinicians
    and thousands of claims)."""
    return npi_id.is_valid(npi)
