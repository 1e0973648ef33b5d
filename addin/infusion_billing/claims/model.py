"""The claim as plain typed values: what the 837 writer takes and the 837 reader gives back.

These are small frozen dataclasses with no behaviour beyond a few derived figures, so the claim
ledger (which reads them from the book's sheets) and the tests can build them directly. Names follow
the biller's words; each attribute says which 837 loop and element it fills (TR3 005010X222A1 for
the professional 837P, 005010X223A2 for the institutional 837I).

Money is Decimal (written to the cent), units and NDC quantities are Decimal, dates are ``date``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

PROFESSIONAL = "837P"
INSTITUTIONAL = "837I"
#: CLM05-3: 1 original claim, 7 replacement of a prior claim, 8 void of a prior claim.
FREQUENCIES = {"1": "original", "7": "replacement", "8": "void"}
#: SBR01: whose turn it is to pay. Primary, secondary, tertiary.
RESPONSIBILITY = {"Primary": "P", "Secondary": "S", "Tertiary": "T"}


@dataclass(frozen=True, slots=True)
class Address:
    """A street address (N3/N4). ZIP is 5 or 9 digits; the billing provider's must be 9 (5010)."""

    line1: str
    city: str
    state: str
    zip: str
    line2: str = ""


@dataclass(frozen=True, slots=True)
class Practice:
    """Who sends the claims and who is paid: one row of the book's Practice table.

    Attributes:
        name: the billing provider's legal name (2010AA NM103).
        npi: the billing provider's NPI, type 2 for a group or facility (2010AA NM109).
        ein: the federal tax ID, 9 digits (2010AA REF*EI).
        taxonomy: the billing provider's taxonomy code (2000A PRV*BI*PXC), e.g. ``261QI0500X``.
        address: the billing provider's street address; no P.O. box (2010AA N3/N4).
        submitter_id, submitter_name: the ID the clearinghouse gave the sender (ISA06, GS02, 1000A).
        contact_name, contact_phone: whom the payer calls about the file (1000A PER), 10-digit phone.
        receiver_id, receiver_name: the clearinghouse or payer receiving the file (ISA08, GS03, 1000B).
        pay_to: where payments go when it differs from the billing address (2010AB), else None.
        individual: True when the billing provider is a person (NM102 = 1), not an organization.
    """

    name: str
    npi: str
    ein: str
    taxonomy: str
    address: Address
    submitter_id: str
    submitter_name: str
    contact_name: str
    contact_phone: str
    receiver_id: str
    receiver_name: str
    pay_to: Address | None = None
    individual: bool = False


@dataclass(frozen=True, slots=True)
class Provider:
    """A person on the claim: rendering (837P 2310B, NM1*82) or attending (837I 2310A, NM1*71)."""

    last_name: str
    first_name: str
    npi: str
    taxonomy: str = ""


@dataclass(frozen=True, slots=True)
class Payer:
    """The payer the claim goes to (2010BB NM1*PR): its name and payer ID (``PI``)."""

    name: str
    payer_id: str


@dataclass(frozen=True, slots=True)
class Person:
    """The insured (subscriber, 2010BA) or the patient when not the insured (2010CA).

    Attributes:
        member_id: the ID on the insurance card (2010BA NM109, qualifier MI); blank for a patient.
        sex: F, M or U (DMG03).
    """

    last_name: str
    first_name: str
    birth_date: date
    sex: str
    address: Address
    member_id: str = ""
    middle_name: str = ""


@dataclass(frozen=True, slots=True)
class Coverage:
    """The insurance the claim bills (2000B SBR and its loops).

    Attributes:
        priority: Primary, Secondary or Tertiary (SBR01 P/S/T).
        filing_indicator: the kind of plan (SBR09): ``MB`` Medicare Part B, ``MA`` Part A, ``MC``
            Medicaid, ``CI`` commercial, ``BL`` Blue Cross, ``HM`` HMO, ``16`` Medicare Advantage HMO.
        group_number: the employer group (SBR03), when there is one.
        relationship: the patient's relationship to the subscriber: ``18`` self, ``01`` spouse,
            ``19`` child, ``G8`` other (SBR02 when self, else PAT01).
        patient: the patient when not the subscriber (2000C), else None.
    """

    payer: Payer
    subscriber: Person
    priority: str = "Primary"
    filing_indicator: str = "CI"
    group_number: str = ""
    relationship: str = "18"
    patient: Person | None = None


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One CAS amount: group (CO contractual, PR patient responsibility, OA other, PI payer
    initiated), reason code (CARC, e.g. ``45``, ``1`` deductible, ``2`` coinsurance), amount."""

    group: str
    reason: str
    amount: Decimal
    quantity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class LineAdjudication:
    """How an earlier payer paid one line (2430 SVD/CAS/DTP*573), for a secondary claim.

    ``line_control_number`` ties it to the claim line it adjudicated (our REF*6R).
    """

    line_control_number: str
    paid: Decimal
    code: str
    units: Decimal
    paid_date: date
    modifiers: tuple[str, ...] = ()
    revenue_code: str = ""
    adjustments: tuple[Adjustment, ...] = ()


@dataclass(frozen=True, slots=True)
class OtherPayer:
    """An earlier (or other) payer of the same claim (2320 with its 2330A subscriber and 2330B payer).

    Attributes:
        coverage: that payer's plan, subscriber and priority (2320 SBR, 2330A, 2330B).
        paid: what it paid on the claim (2320 AMT*D).
        paid_date: its remittance date (2330B DTP*573; required when no line adjudication is sent).
        adjustments: claim-level CAS from its 835.
        lines: its line adjudications (2430), one per line it paid or adjusted.
        payer_claim_number: its claim number (2330B REF*F8), when known.
    """

    coverage: Coverage
    paid: Decimal
    paid_date: date | None = None
    adjustments: tuple[Adjustment, ...] = ()
    lines: tuple[LineAdjudication, ...] = ()
    payer_claim_number: str = ""


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """One service line (2400).

    Attributes:
        control_number: the Line Control Number (REF*6R), unique per line, returned in the 835.
        code: HCPCS/CPT (SV101-2 / SV202-2), e.g. ``96365`` or ``J1745``.
        modifiers: up to four (JW, JZ, JG, TB, 59, XS, XU, 25 ...).
        charge: the line charge (SV102 / SV203).
        units: service units (SV104 / SV205, unit code ``UN``).
        service_date, service_to: date(s) of service (DTP*472; a range when ``service_to`` is later).
        diagnosis_pointers: 1-based positions in the claim's diagnoses (837P SV107), up to 4.
        revenue_code: the UB-04 revenue code (837I SV201), e.g. ``0636`` drugs, ``0260`` IV therapy.
        ndc: the 11-digit NDC of a drug line (2410 LIN*N4), "" otherwise.
        ndc_unit: UN, ML, GR, F2 (international unit) or ME (milligram) (CTP05).
        ndc_quantity: the quantity of the drug in that unit (CTP04).
    """

    control_number: str
    code: str
    charge: Decimal
    units: Decimal
    service_date: date
    modifiers: tuple[str, ...] = ()
    service_to: date | None = None
    diagnosis_pointers: tuple[int, ...] = (1,)
    revenue_code: str = ""
    ndc: str = ""
    ndc_unit: str = ""
    ndc_quantity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    """One claim: one encounter billed to one payer (2300 and its lines).

    Attributes:
        claim_id: the Claim ID (CLM01, at most 20 characters), returned as CLP01 in the 835.
        claim_type: ``837P`` professional or ``837I`` institutional.
        coverage: the payer, plan and insured this claim bills.
        diagnoses: ICD-10-CM codes, principal first (HI ABK, then ABF), with or without the dot.
        lines: the service lines.
        frequency: ``1`` original, ``7`` replacement, ``8`` void (CLM05-3).
        original_claim_number: the payer's claim number being replaced or voided (REF*F8).
        place_of_service: 837P CLM05-1, e.g. ``11`` office, ``12`` home, ``19``/``22`` outpatient.
        type_of_bill: 837I, the first two digits of the type of bill (CLM05-1), ``13`` hospital
            outpatient; the third is the frequency, so ``13`` with frequency ``1`` is bill type 131.
        provider: the rendering (837P) or attending (837I) provider, when not the billing provider.
        statement_from, statement_to: the statement period (837I DTP*434); default: the lines' dates.
        reason_for_visit: 837I patient's reason for visit (HI*APR), ICD-10-CM.
        prior_authorization: the payer's authorization number (REF*G1).
        other_payers: earlier payers' adjudication, for a secondary or tertiary claim (2320/2330/2430).
        admission_type, admission_source, patient_status: 837I CL1 (``3`` elective, ``1`` physician
            referral, ``01`` discharged home).
        encounter_id: the encounter billed, named in Findings (never written to the file).
    """

    claim_id: str
    claim_type: str
    coverage: Coverage
    diagnoses: tuple[str, ...]
    lines: tuple[ClaimLine, ...]
    frequency: str = "1"
    original_claim_number: str = ""
    place_of_service: str = "11"
    type_of_bill: str = "13"
    provider: Provider | None = None
    statement_from: date | None = None
    statement_to: date | None = None
    reason_for_visit: str = ""
    prior_authorization: str = ""
    other_payers: tuple[OtherPayer, ...] = ()
    admission_type: str = "3"
    admission_source: str = "1"
    patient_status: str = "01"
    encounter_id: str = ""

    @property
    def total_charge(self) -> Decimal:
        """CLM02: the sum of the line charges, to the cent."""
        return sum((line.charge for line in self.lines), Decimal("0.00"))

    @property
    def period(self) -> tuple[date, date]:
        """The statement period: as given, else the first and last date of service."""
        first = self.statement_from or min(line.service_date for line in self.lines)
        last = self.statement_to or max(line.service_to or line.service_date for line in self.lines)
        return first, last


@dataclass(frozen=True, slots=True)
class Batch:
    """What a written 837 file needs besides its claims: who sends it and its control numbers."""

    practice: Practice | None  # None when the book has no Practice row for the payer: nothing can be sent
    interchange_control: int
    group_control: int
    transaction_control: int = 1
    created: datetime | None = None  # when the file is made (ISA09/10, GS04/05, BHT04/05); None: now
    test: bool = False  # ISA15 T (test) instead of P (production)
