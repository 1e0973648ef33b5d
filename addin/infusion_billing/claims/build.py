"""From the book to claims: ledger rows from coded encounters, and 837 claims from ledger rows.

A claim is one encounter billed to its primary payer. Its lines are the coding engine's lines (the
``Charges`` sheet) with, per line, the diagnosis pointers (the first four diagnoses: the payer reads
them against its coverage policy) and for a facility claim the ChargeMaster's revenue code. A
facility encounter (Setting = Facility) is an institutional claim (837I, type of bill 131); a
professional or home-infusion encounter is a professional claim (837P).

The 837 claim (:class:`~.model.Claim`) adds what the payer needs to find the patient and pay the
practice: the insured and patient from ``Patients``/``Coverage`` (name, birth date, sex, address,
member ID, group number, relationship), the payer's name and plan type, the prior authorization
number when one covers the visit, the billing provider from the ``Practice`` table and the rendering
(837P) or attending (837I) provider from the ``Providers`` table when it is not the billing provider.

Claim IDs: the Encounter ID (what the practice already calls the visit, and what it reads back in the
835's CLP01); a replacement adds ``R1``, ``R2``..., a void ``V1``...; the parts of a claim split over
the line limit add ``-1``, ``-2``. Line Control Numbers are the Claim ID and the line number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

from ..coding.lines import ChargeLine
from ..schema import (
    Authorization,
    CoverageRow,
    Encounter,
    Patient,
    PayerType,
    PracticeRow,
    ProviderRow,
    Relationship,
    Setting,
)
from ..schema import Payer as PayerRow
from ..workbook.reader import BookData
from .ledger import LedgerClaim, LedgerLine
from .model import (
    INSTITUTIONAL,
    PROFESSIONAL,
    Address,
    Claim,
    ClaimLine,
    Coverage,
    OtherPayer,
    Payer,
    Person,
    Practice,
    Provider,
)

#: SBR09 claim filing indicator by payer type (X12 code list 1032): Medicare Part B, Medicare
#: Advantage (HMO Medicare risk), Medicaid, commercial insurance, other.
FILING_INDICATOR = {
    PayerType.MEDICARE: "MB", PayerType.MEDICARE_ADVANTAGE: "16", PayerType.MEDICAID: "MC",
    PayerType.COMMERCIAL: "CI", PayerType.OTHER: "ZZ",
}
#: SBR02/PAT01 individual relationship code.
RELATIONSHIP = {Relationship.SELF: "18", Relationship.SPOUSE: "01", Relationship.CHILD: "19",
                Relationship.OTHER: "G8"}
MAX_POINTERS = 4


def claim_type_of(encounter: Encounter) -> str:
    """837I for a facility (hospital outpatient department) encounter, 837P otherwise."""
    return INSTITUTIONAL if encounter.setting is Setting.FACILITY else PROFESSIONAL


@dataclass
class BookIndex:
    """The book's tables a claim is built from, looked up by key once per run."""

    book: BookData
    _practice: dict[tuple[str, str], PracticeRow] = field(default_factory=dict)
    #: The 837 payer/insured/patient loops built once per patient, payer, priority and coverage row.
    _coverages: dict[tuple, Coverage] = field(default_factory=dict)

    @cached_property
    def encounters(self) -> dict[str, Encounter]:
        return {e.encounter_id: e for e in self.book.rows("Encounters")}

    @cached_property
    def patients(self) -> dict[str, Patient]:
        return {p.patient_id: p for p in self.book.rows("Patients")}

    @cached_property
    def payers(self) -> dict[str, PayerRow]:
        return {p.payer_id: p for p in self.book.rows("Payers")}

    @cached_property
    def coverage(self) -> dict[tuple[str, str], list[CoverageRow]]:
        out: dict[tuple[str, str], list[CoverageRow]] = defaultdict(list)
        for c in self.book.rows("Coverage"):
            out[(c.patient_id, c.payer_id)].append(c)
        return dict(out)

    @cached_property
    def revenue_codes(self) -> dict[str, str]:
        return {c.code: (c.revenue_code or "").strip().zfill(4) if c.revenue_code else ""
                for c in self.book.rows("ChargeMaster")}

    @cached_property
    def authorizations(self) -> dict[tuple[str, str], list[Authorization]]:
        out: dict[tuple[str, str], list[Authorization]] = defaultdict(list)
        for a in self.book.rows("Authorizations"):
            out[(a.patient_id, a.payer_id)].append(a)
        return dict(out)

    @cached_property
    def providers(self) -> dict[str, ProviderRow]:
        return {p.npi: p for p in self.book.rows("Providers")} if "Providers" in self.book.tables else {}

    def provider_for(self, encounter: Encounter | None, payer_id: str, claim_type: str) -> Provider | None:
        """The rendering (837P) or attending (837I) provider: the encounter's Rendering NPI named from the
        Providers table, when it is not the billing provider's NPI (the TR3 sends loop 2310B/2310A only
        then). None without a Rendering NPI, when it is the billing NPI, or when no Providers row names it
        (the scrubber reports that: :data:`~.problems`)."""
        npi = (encounter.rendering_npi or "").strip() if encounter is not None else ""
        practice = self.practice_row(payer_id, claim_type)
        if not npi or (practice is not None and npi == practice.npi):
            return None
        row = self.providers.get(npi)
        if row is None:
            return None
        return Provider(row.last_name, row.first_name or "", npi, row.taxonomy or "")

    @cached_property
    def practice_rows(self) -> list[PracticeRow]:
        return list(self.book.rows("Practice")) if "Practice" in self.book.tables else []

    def practice_row(self, payer_id: str, claim_type: str) -> PracticeRow | None:
        """The Practice row for this payer and claim type: the payer's own row first, then a row for
        every payer; a row for the claim's setting before a row for both."""
        key = (payer_id, claim_type)
        if key not in self._practice:
            def rank(row: PracticeRow) -> tuple[int, int] | None:
                if row.payer_id and row.payer_id != payer_id:
                    return None
                if row.setting is not None and claim_type_of_setting(row.setting) != claim_type:
                    return None
                return (0 if row.payer_id else 1, 0 if row.setting is not None else 1)
            ranked = [(r, row) for row in self.practice_rows if (r := rank(row)) is not None]
            best = min(ranked, key=lambda pair: pair[0])[1] if ranked else None
            if best is not None:
                self._practice[key] = best
            return best
        return self._practice[key]

    def coverage_for(self, patient_id: str, payer_id: str, on: date) -> CoverageRow | None:
        """The patient's coverage with this payer in force on ``on`` (the latest-starting one)."""
        rows = [c for c in self.coverage.get((patient_id, payer_id), ())
                if c.effective_from <= on and (c.effective_to is None or on <= c.effective_to)]
        return max(rows, key=lambda c: c.effective_from) if rows else None

    def authorization_for(self, patient_id: str, payer_id: str, codes: Iterable[str], on: date) -> str:
        """The authorization number covering the visit (for one of its codes, or the whole regimen)."""
        wanted = set(codes)
        for a in self.authorizations.get((patient_id, payer_id), ()):
            if a.start_date <= on <= a.end_date and (a.code is None or a.code in wanted):
                return a.auth_id
        return ""


def claim_type_of_setting(setting: Setting) -> str:
    return INSTITUTIONAL if setting is Setting.FACILITY else PROFESSIONAL


def practice_of(row: PracticeRow | None) -> Practice | None:
    """The 837 billing provider and sender from a Practice row (None when there is no row)."""
    if row is None:
        return None
    return Practice(
        name=row.name, npi=row.npi, ein=row.ein, taxonomy=row.taxonomy,
        address=Address(row.address_line_1, row.city, row.state, row.zip_code, row.address_line_2 or ""),
        submitter_id=row.submitter_id, submitter_name=row.submitter_name or row.name,
        contact_name=row.contact_name, contact_phone=row.contact_phone, receiver_id=row.receiver_id,
        receiver_name=row.receiver_name)


# ---------------------------------------------------------------------------- ledger rows from coding
def ledger_claim(claim_id: str, encounter: Encounter, lines: Sequence[ChargeLine], index: BookIndex, *,
                 status: str, frequency: str = "1", original_claim_id: str = "",
                 payer_claim_number: str = "") -> LedgerClaim:
    """A ledger claim for ``encounter`` from its coded lines (not yet scrubbed: ``status`` as given)."""
    kind = claim_type_of(encounter)
    pointers = tuple(range(1, min(MAX_POINTERS, len(encounter.diagnoses)) + 1)) or (1,)
    revenue = index.revenue_codes
    out = []
    for n, line in enumerate(lines, start=1):
        if line.charge is None:  # coding holds an encounter with an unpriced line: it is never claimed
            raise ValueError(f"{encounter.encounter_id} line {n} ({line.code}) has no ChargeMaster price")
        out.append(LedgerLine(
            claim_id=claim_id, line=n, control_number=f"{claim_id}-{n}", encounter_id=encounter.encounter_id,
            service_date=line.date_of_service, code=line.code, modifiers=tuple(line.modifiers),
            units=Decimal(line.units).normalize(), charge=line.charge.quantize(Decimal("0.01")),
            revenue_code=revenue.get(line.code, "") if kind == INSTITUTIONAL else "",
            ndc=line.ndc, ndc_unit=line.ndc_unit,
            ndc_quantity=line.ndc_quantity.normalize() if line.ndc_quantity is not None else None,
            pointers=pointers))
    return relined(LedgerClaim(
        claim_id=claim_id, encounter_id=encounter.encounter_id, patient_id=encounter.patient_id,
        payer_id=encounter.payer_id, priority="Primary", claim_type=kind, frequency=frequency,
        original_claim_id=original_claim_id, payer_claim_number=payer_claim_number, statement_from=None,
        statement_to=None, total_charge=Decimal("0.00"), status=status), out)


def relined(claim: LedgerClaim, lines: Sequence[LedgerLine]) -> LedgerClaim:
    """``claim`` with these lines, its statement period and total charge recomputed from them."""
    from dataclasses import replace  # noqa: PLC0415 — local alias keeps the dataclass name free

    days = [line.service_date for line in lines]
    return replace(claim, lines=tuple(lines), statement_from=min(days) if days else None,
                   statement_to=max(days) if days else None,
                   total_charge=sum((line.charge for line in lines), Decimal("0.00")))


# ---------------------------------------------------------------------------- 837 claims from ledger rows
def to_claim(claim: LedgerClaim, index: BookIndex, other_payers: tuple[OtherPayer, ...] = ()) -> Claim:
    """The 837 claim for a ledger claim: its lines plus the insured, patient, payer and authorization
    (and, for a secondary claim, ``other_payers``: the earlier payers' adjudication).

    Missing book data (no patient row, no coverage) gives blank values, which the writer's checks
    (:func:`~.problems.claim_problems`) report as the data a payer rejects.
    """
    encounter = index.encounters.get(claim.encounter_id)
    first = claim.statement_from or (encounter.date_of_service if encounter else date.today())
    coverage_row = index.coverage_for(claim.patient_id, claim.payer_id, first)
    key = (claim.patient_id, claim.payer_id, claim.priority, id(coverage_row))
    coverage = index._coverages.get(key)
    if coverage is None:  # the same for every claim of the patient with this payer and coverage row
        coverage = index._coverages[key] = _coverage(claim, index, coverage_row)
    diagnoses = tuple(encounter.diagnoses) if encounter else ()
    lines = tuple(ClaimLine(
        control_number=line.control_number, code=line.code, charge=line.charge, units=line.units,
        service_date=line.service_date, modifiers=line.modifiers, diagnosis_pointers=line.pointers,
        revenue_code=line.revenue_code, ndc=line.ndc, ndc_unit=line.ndc_unit, ndc_quantity=line.ndc_quantity)
        for line in claim.lines)
    codes = {line.code for line in claim.lines}
    return Claim(
        claim_id=claim.claim_id, claim_type=claim.claim_type, coverage=coverage, diagnoses=diagnoses, lines=lines,
        frequency=claim.frequency or "1", original_claim_number=claim.payer_claim_number,
        place_of_service=(encounter.place_of_service or "11") if encounter else "11", type_of_bill="13",
        reason_for_visit=diagnoses[0] if diagnoses and claim.claim_type == INSTITUTIONAL else "",
        prior_authorization=index.authorization_for(claim.patient_id, claim.payer_id, codes, first),
        statement_from=claim.statement_from, statement_to=claim.statement_to, encounter_id=claim.encounter_id,
        other_payers=other_payers, provider=index.provider_for(encounter, claim.payer_id, claim.claim_type))


def _coverage(claim: LedgerClaim, index: BookIndex, coverage_row: CoverageRow | None) -> Coverage:
    """The payer, insured and patient loops of a claim from Patients and the Coverage row in force."""
    patient = index.patients.get(claim.patient_id)
    payer = index.payers.get(claim.payer_id)
    person = _person(patient)
    relationship = RELATIONSHIP.get(coverage_row.relationship, "18") if coverage_row else "18"
    member_id = (coverage_row.member_id or "") if coverage_row else ""
    if relationship == "18" or coverage_row is None:
        subscriber = Person(person.last_name, person.first_name, person.birth_date, person.sex, person.address,
                            member_id=member_id)
        patient_loop = None
    else:
        subscriber = Person(coverage_row.subscriber_last_name or "", coverage_row.subscriber_first_name or "",
                            coverage_row.subscriber_date_of_birth or person.birth_date,
                            coverage_row.subscriber_sex.value if coverage_row.subscriber_sex else "U",
                            person.address, member_id=member_id)
        patient_loop = person
    payer_type = payer.payer_type if payer else PayerType.OTHER
    return Coverage(
        payer=Payer(payer.payer_name if payer else "", claim.payer_id), subscriber=subscriber,
        priority=claim.priority or "Primary", filing_indicator=FILING_INDICATOR.get(payer_type, "ZZ"),
        group_number=(coverage_row.group_number or "") if coverage_row else "", relationship=relationship,
        patient=patient_loop)


def _person(patient: Patient | None) -> Person:
    if patient is None:
        return Person("", "", date.min, "", Address("", "", "", ""))
    address = Address(patient.address_line_1 or "", patient.city or "", patient.state or "",
                      patient.zip_code or "", patient.address_line_2 or "")
    return Person(patient.last_name, patient.first_name, patient.date_of_birth,
                  patient.sex.value if patient.sex else "", address)
