"""Write claims as an X12 837: professional (837P, 005010X222A1) or institutional (837I, 005010X223A2).

How an 837 is built, in a biller's words (the TR3 loops in brackets):

* the envelope (ISA/GS/ST, :mod:`infusion_billing.x12.writer`), then who sends the file and who
  receives it [1000A submitter with a contact, 1000B receiver];
* the **billing provider** [2000A HL 20 with PRV*BI taxonomy; 2010AA NM1*85 name and NPI, street
  address, REF*EI tax ID; 2010AB NM1*87 pay-to address when payments go elsewhere];
* per claim, the **subscriber** [2000B HL 22, SBR: P/S/T, relationship, group, plan type;
  2010BA NM1*IL with the member ID, address, DMG birth date and sex; 2010BB NM1*PR payer] and,
  when the patient is not the insured, the **patient** [2000C HL 23, PAT relationship, 2010CA];
* the **claim** [2300 CLM: Claim ID, total charge, place of service (837P) or type of bill
  (837I, ``13`` + frequency = 131), frequency 1/7/8 with REF*F8 naming the payer's original claim
  for 7 and 8; 837I DTP*434 statement dates and CL1; REF*G1 prior authorization; HI diagnoses:
  ABK principal, APR reason for visit (837I), ABF others, without the dot];
* the **rendering** [837P 2310B NM1*82 + PRV*PE] or **attending** [837I 2310A NM1*71 + PRV*AT]
  provider;
* for a secondary claim, each **earlier payer** [2320 SBR, claim CAS, AMT*D paid, OI; 2330A its
  subscriber; 2330B its payer with DTP*573 paid date and REF*F8 its claim number];
* the **lines** [2400 LX; SV1 (837P: HC:code:modifiers, charge, UN, units, diagnosis pointers) or
  SV2 (837I: revenue code, HC:code:modifiers, charge, UN, units); DTP*472 date of service; REF*6R
  the Line Control Number, on every line; drug lines: 2410 LIN*N4 11-digit NDC and CTP quantity
  and unit; 2430 SVD/CAS/DTP*573 each earlier payer's line payment].

Claims with a problem the payer would reject (:mod:`.problems`) are left out and reported; the
others are written. Large batches are cut into transactions of at most 5,000 claims, as the TR3
recommends. Money is written to the cent from Decimal; CLM02 is the sum of the line charges.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO

from ..findings import Finding, Severity
from ..rules import claim as claim_rules
from ..rules import x12 as x12_rules
from ..x12.writer import (
    ControlNumbers,
    DataError,
    Interchange,
    Party,
    SegmentWriter,
    amount,
    number,
)
from .model import (
    INSTITUTIONAL,
    PROFESSIONAL,
    RESPONSIBILITY,
    Address,
    Adjustment,
    Batch,
    Claim,
    ClaimLine,
    Coverage,
    LineAdjudication,
    OtherPayer,
    Person,
    Practice,
)
from .problems import Collector, Problem, claim_problems, practice_problems

VERSIONS = {PROFESSIONAL: "005010X222A1", INSTITUTIONAL: "005010X223A2"}
#: Claims per ST/SE transaction: the TR3 (section 1.4.2) asks for at most 5,000 claims in one.
CLAIMS_PER_TRANSACTION = 5000
CENTS = Decimal("0.00")


@dataclass
class Written:
    """What one 837 file holds, and the claims that were left out.

    Attributes:
        claim_type: ``837P`` or ``837I``.
        claim_ids: the claims written, in file order.
        lines: service lines written.
        total_charge: the sum of CLM02 written (equal to the sum of their line charges).
        transactions: the ST02 control numbers used.
        problems: each claim left out (or the whole file refused), with its Findings.
    """

    claim_type: str
    claim_ids: list[str] = field(default_factory=list)
    lines: int = 0
    total_charge: Decimal = CENTS
    transactions: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return [p.finding for p in self.problems]

    @property
    def held(self) -> list[str]:
        """Claim IDs left out of the file, each once, in order."""
        return list(dict.fromkeys(p.claim_id for p in self.problems if p.claim_id))


def write_837(claims: Iterable[Claim], batch: Batch, out: IO[str] | str | os.PathLike, *,
              claim_type: str = PROFESSIONAL, line_break: str = "\n") -> Written:
    """Write the claims of one type to an 837 file (a path, written whole, or a text stream).

    Claims of the other type, and claims with problems, are left out and reported in
    :attr:`Written.problems`; so is the whole file when the practice data cannot make one (then
    nothing is written). Never raises on bad claim data.

    >>> import io
    >>> from infusion_billing.claims.samples import sample_batch, sample_claims
    >>> out = io.StringIO()
    >>> written = write_837(sample_claims(2), sample_batch(), out)
    >>> written.claim_ids, written.lines, written.total_charge, written.problems
    (['C0000001', 'C0000002'], 5, Decimal('2015.50'), [])
    """
    if not isinstance(out, (str, os.PathLike)):
        return _write(claims, batch, out, claim_type, line_break)
    path = Path(out)
    tmp = path.with_name(path.name + ".tmp")
    try:
        # Streamed to a temporary file, one transaction at a time, and renamed when complete: a
        # half-written 837 is never left under the real name. Every value written is ASCII (checked).
        with open(tmp, "w", encoding="ascii", newline="") as fh:
            written = _write(claims, batch, fh, claim_type, line_break)
        if written.claim_ids:
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return written


def render_837(claims: Iterable[Claim], batch: Batch, *, claim_type: str = PROFESSIONAL,
               line_break: str = "\n") -> tuple[str, Written]:
    """The 837 text and what it holds (see :func:`write_837`); ``""`` when nothing could be written."""
    out = io.StringIO()
    written = _write(claims, batch, out, claim_type, line_break)
    return (out.getvalue() if written.claim_ids else ""), written


# ---------------------------------------------------------------------------- the file
def _write(claims: Iterable[Claim], batch: Batch, out: IO[str], claim_type: str, line_break: str) -> Written:
    written = Written(claim_type)
    if claim_type not in VERSIONS:
        bad = Collector()
        bad.add(claim_rules.TYPE_INVALID, f"Claim type '{claim_type}' is neither 837P nor 837I.")
        written.problems.extend(bad.problems)
        return written
    written.problems.extend(practice_problems(batch.practice))
    control = ControlNumbers(batch.interchange_control, batch.group_control, batch.transaction_control)
    for why in control.problems():
        bad = Collector()
        bad.add(x12_rules.CONTROL_NUMBER, f"No 837 can be written: {why}.",
                fix="Use the next control numbers stored in the book.", severity=Severity.ERROR)
        written.problems.extend(bad.problems)
    practice = batch.practice
    if written.problems or practice is None:
        return written
    w = SegmentWriter(line_break=line_break)
    builder = _Builder(w, practice, batch, claim_type)
    envelope = dict(functional_id="HC", application_sender=practice.submitter_id,
                    application_receiver=practice.receiver_id, version=VERSIONS[claim_type],
                    usage="T" if batch.test else "P")
    try:  # the practice's own values, checked once: a separator in them spoils every claim
        builder.header(0)
        Interchange(io.StringIO(), w, Party("ZZ", practice.submitter_id), Party("ZZ", practice.receiver_id),
                    control, builder.when, **envelope)
    except DataError as refused:
        bad = Collector()
        bad.add(x12_rules.DATA_SEPARATOR, f"The practice data in {refused.segment}{refused.position} holds "
                f"{refused.reason}; X12 has no way to send it, so no 837 was written.",
                fix="Remove the character from the Practice table.")
        written.problems.extend(bad.problems)
        return written
    # Each transaction is built whole before it is written (a refused value, DataError, only drops its
    # own claim), and the envelope is begun with the first one, so nothing is written when no claim goes.
    exchange: Interchange | None = None
    transactions = 0
    body: list[str] = []

    def send(body: list[str]) -> None:
        nonlocal exchange
        if exchange is None:
            exchange = Interchange(out, w, Party("ZZ", practice.submitter_id), Party("ZZ", practice.receiver_id),
                                   control, builder.when, **envelope)
        written.transactions.append(exchange.transaction("837", body))

    seen: set[str] = set()
    for claim in claims:
        if claim.claim_type != claim_type:
            other = Collector(claim)
            other.add(claim_rules.TYPE_INVALID, f"An {claim.claim_type} claim cannot go in an {claim_type} file.",
                      column="Claim Type", value=claim.claim_type)
            written.problems.extend(other.problems)
            continue
        problems = claim_problems(claim, seen)
        if problems:
            written.problems.extend(problems)
            continue
        if builder.claims_in_body == CLAIMS_PER_TRANSACTION:
            send(body)
            transactions += 1
            body = []
            builder.claims_in_body = 0
        if not builder.claims_in_body:
            builder.hl = 1
        hl = builder.hl
        try:
            segments = builder.claim(claim)
        except DataError as refused:
            builder.hl = hl
            bad = Collector(claim)
            bad.add(x12_rules.DATA_SEPARATOR, f"The {refused.segment} holds {refused.reason}; X12 has "
                    "no way to send it.", column=refused.segment, fix="Remove the character from the claim's data.")
            written.problems.extend(bad.problems)
            for line in claim.lines:  # its lines were not written: their control numbers stay free
                seen.discard(line.control_number)
            continue
        if not builder.claims_in_body:
            body.extend(builder.header(transactions))
        body.extend(segments)
        builder.claims_in_body += 1
        written.claim_ids.append(claim.claim_id)
        written.lines += len(claim.lines)
        written.total_charge += builder.last_total
    if body:
        send(body)
    if exchange is not None:
        exchange.close()
    return written


class _Builder:
    """Builds the segments of the header and of each claim, for one file."""

    def __init__(self, w: SegmentWriter, practice: Practice, batch: Batch, claim_type: str):
        self.w = w
        self.practice = practice
        self.batch = batch
        self.professional = claim_type == PROFESSIONAL
        self.when = batch.created or datetime.now().replace(second=0, microsecond=0)
        self.hl = 1
        self.claims_in_body = 0
        self.last_total = CENTS
        self._dates: dict[date, str] = {}
        self._quantities: dict[Decimal, str] = {}
        self._people: dict[tuple[str, Person, str], list[str]] = {}
        self.seg, self.clean = w.segment, w.clean
        self.put = w.trusted  # for a claim's segments, once its values are checked
        self.comp = w.component
        self.end = w.end
        self.sep = w.element

    def d8(self, day: date) -> str:
        text = self._dates.get(day)
        if text is None:
            text = self._dates[day] = f"{day.year:04d}{day.month:02d}{day.day:02d}"
        return text

    # ------------------------------------------------------------------ header and billing provider
    def header(self, index: int) -> list[str]:
        """BHT, submitter, receiver and the billing provider (HL 1) that opens each transaction."""
        p, seg, clean = self.practice, self.seg, self.clean
        reference = f"{self.batch.interchange_control}-{index + 1}"
        out = [
            seg("BHT", "0019", "00", reference, self.when.strftime("%Y%m%d"), self.when.strftime("%H%M"), "CH"),
            seg("NM1", "41", "2", clean(p.submitter_name)[:60], "", "", "", "", "46", p.submitter_id),
            seg("PER", "IC", clean(p.contact_name)[:60], "TE", _digits(p.contact_phone)),
            seg("NM1", "40", "2", clean(p.receiver_name)[:60], "", "", "", "", "46", p.receiver_id),
            seg("HL", "1", "", "20", "1"),
            seg("PRV", "BI", "PXC", p.taxonomy),
            seg("NM1", "85", "1" if p.individual else "2", clean(p.name)[:60], "", "", "", "", "XX", p.npi),
            *self.address(p.address),
            seg("REF", "EI", p.ein.replace("-", "")),
        ]
        if p.pay_to is not None:
            out.append(seg("NM1", "87", "2"))
            out.extend(self.address(p.pay_to))
        return out

    def address(self, address: Address) -> list[str]:
        clean, seg = self.clean, self.seg
        return [seg("N3", clean(address.line1)[:55], clean(address.line2)[:55]),
                seg("N4", clean(address.city)[:30], address.state, address.zip.replace("-", ""))]

    def person(self, code: str, person: Person, member_id: str) -> list[str]:
        """NM1 (IL subscriber with MI member ID, or QC patient), N3/N4 and DMG: built once per person,
        for a patient has many claims in a file (names and addresses are cleaned once)."""
        key = (code, person, member_id)
        known = self._people.get(key)
        if known is None:
            if len(self._people) >= 20_000:  # bounded: a file of many one-visit patients gains nothing
                self._people.clear()
            known = self._people[key] = self._person(code, person, member_id)
        return known

    def _person(self, code: str, person: Person, member_id: str) -> list[str]:
        clean, seg = self.clean, self.put
        address = person.address
        return [seg("NM1", code, "1", clean(person.last_name)[:60], clean(person.first_name)[:35],
                    clean(person.middle_name)[:25], "", "", "MI" if member_id else "", member_id),
                seg("N3", clean(address.line1)[:55], clean(address.line2)[:55]),
                seg("N4", clean(address.city)[:30], address.state, address.zip.replace("-", "")),
                seg("DMG", "D8", self.d8(person.birth_date), person.sex)]

    # ------------------------------------------------------------------ one claim
    def claim(self, claim: Claim) -> list[str]:
        """The claim's segments, from its subscriber HL to its last line.

        Its coded values are checked for separators once, together (:func:`_coded_values`), so the
        segments are then joined without a check each; names and addresses are cleaned instead.
        """
        w = self.w
        values = list(_coded_values(claim))
        # Joined with nothing: a forbidden character in any value is one in the whole, and no other is.
        if w.problem("".join([v for _, v in values])) is not None:
            for column, value in values:
                why = w.problem(value)
                if why:
                    raise DataError(column, 0, value, why)
        seg = self.put
        coverage = claim.coverage
        patient = coverage.patient
        hl = self.hl + 1
        out = [seg("HL", str(hl), "1", "22", "1" if patient else "0"),
               seg("SBR", RESPONSIBILITY.get(coverage.priority, "P"), "" if patient else coverage.relationship,
                   self.clean(coverage.group_number)[:50], "", "", "", "", "", coverage.filing_indicator)]
        out += self.person("IL", coverage.subscriber, coverage.subscriber.member_id)
        out.append(seg("NM1", "PR", "2", self.clean(coverage.payer.name)[:60], "", "", "", "", "PI",
                       coverage.payer.payer_id))
        if patient is not None:
            hl += 1
            out.append(seg("HL", str(hl), str(hl - 1), "23", "0"))
            out.append(seg("PAT", coverage.relationship))
            out += self.person("QC", patient, "")
        self.hl = hl
        total = sum([line.charge for line in claim.lines], CENTS)
        self.last_total = total
        out += self.claim_header(claim, total)
        adjudicated: dict[str, list[tuple[str, LineAdjudication]]] = {}
        for other in claim.other_payers:
            for paid in other.lines:
                adjudicated.setdefault(paid.line_control_number, []).append((other.coverage.payer.payer_id, paid))
        line_segments = self.line
        for n, line in enumerate(claim.lines, start=1):
            out += line_segments(n, line)
            for payer_id, paid in adjudicated.get(line.control_number, ()):
                out += self.line_adjudication(payer_id, paid)
        return out

    def claim_header(self, claim: Claim, total: Decimal) -> list[str]:
        seg, comp = self.put, self.comp
        out: list[str]
        if self.professional:
            out = [seg("CLM", claim.claim_id, amount(total), "", "",
                       f"{claim.place_of_service}{comp}B{comp}{claim.frequency}", "Y", "A", "Y", "Y")]
        else:
            first, last = claim.period
            out = [seg("CLM", claim.claim_id, amount(total), "", "",
                       f"{claim.type_of_bill}{comp}A{comp}{claim.frequency}", "", "A", "Y", "Y"),
                   seg("DTP", "434", "RD8", f"{self.d8(first)}-{self.d8(last)}"),
                   seg("CL1", claim.admission_type, claim.admission_source, claim.patient_status)]
        if claim.prior_authorization:
            out.append(seg("REF", "G1", claim.prior_authorization))
        if claim.frequency in ("7", "8"):
            out.append(seg("REF", "F8", claim.original_claim_number))
        codes = [code.replace(".", "").upper() for code in claim.diagnoses]
        principal, others = f"ABK{comp}{codes[0]}", [f"ABF{comp}{c}" for c in codes[1:]]
        if self.professional:
            out.append(seg("HI", principal, *others))
        else:
            out.append(seg("HI", principal))
            if claim.reason_for_visit:
                out.append(seg("HI", f"APR{comp}{claim.reason_for_visit.replace('.', '').upper()}"))
            for start in range(0, len(others), 12):
                out.append(seg("HI", *others[start:start + 12]))
        provider = claim.provider
        if provider is not None:
            code, prv = ("82", "PE") if self.professional else ("71", "AT")
            out.append(seg("NM1", code, "1", self.clean(provider.last_name)[:60], self.clean(provider.first_name)[:35],
                           "", "", "", "XX", provider.npi))
            if provider.taxonomy:
                out.append(seg("PRV", prv, "PXC", provider.taxonomy))
        for other in claim.other_payers:
            out += self.other_payer(other.coverage, other)
        return out

    def other_payer(self, coverage: Coverage, other: OtherPayer) -> list[str]:
        """2320 (what the earlier payer did with the claim), 2330A its subscriber, 2330B the payer."""
        seg, clean = self.put, self.clean
        out = [seg("SBR", RESPONSIBILITY.get(coverage.priority, "P"), coverage.relationship,
                   clean(coverage.group_number)[:50], "", "", "", "", "", coverage.filing_indicator)]
        out += self.cas(other.adjustments)
        out.append(seg("AMT", "D", amount(other.paid)))
        out.append(seg("OI", "", "", "Y", "", "", "Y"))
        sub = coverage.subscriber
        out.append(seg("NM1", "IL", "1", clean(sub.last_name)[:60], clean(sub.first_name)[:35], "", "", "",
                       "MI", sub.member_id))
        out.append(seg("NM1", "PR", "2", clean(coverage.payer.name)[:60], "", "", "", "", "PI",
                       coverage.payer.payer_id))
        if other.paid_date is not None and not other.lines:
            out.append(seg("DTP", "573", "D8", self.d8(other.paid_date)))
        if other.payer_claim_number:
            out.append(seg("REF", "F8", other.payer_claim_number))
        return out

    def cas(self, adjustments: tuple[Adjustment, ...]) -> list[str]:
        """One CAS per group, up to six reason/amount/quantity triplets each (more start a new CAS)."""
        by_group: dict[str, list] = {}
        for adj in adjustments:
            by_group.setdefault(adj.group, []).append(adj)
        out = []
        for group, items in by_group.items():
            for start in range(0, len(items), 6):
                elements = []
                for adj in items[start:start + 6]:
                    elements += [adj.reason, amount(adj.amount), "" if adj.quantity is None else number(adj.quantity)]
                out.append(self.put("CAS", group, *elements))
        return out

    # ------------------------------------------------------------------ one line
    def line(self, n: int, line: ClaimLine) -> list[str]:
        seg, comp, sep, end = self.put, self.comp, self.sep, self.end
        procedure = f"HC{comp}{line.code}" + "".join([comp + m for m in line.modifiers])
        if self.professional:
            pointers = comp.join([str(p) for p in line.diagnosis_pointers])
            service = seg("SV1", procedure, amount(line.charge), "UN", self.quantity(line.units), "", "", pointers)
        else:
            service = seg("SV2", line.revenue_code, procedure, amount(line.charge), "UN", self.quantity(line.units))
        # LX, DTP*472 and REF*6R have no empty element to drop: written as they are (values checked).
        if line.service_to is not None and line.service_to != line.service_date:
            when = f"DTP{sep}472{sep}RD8{sep}{self.d8(line.service_date)}-{self.d8(line.service_to)}{end}"
        else:
            when = f"DTP{sep}472{sep}D8{sep}{self.d8(line.service_date)}{end}"
        out = [f"LX{sep}{n}{end}", service, when, f"REF{sep}6R{sep}{line.control_number}{end}"]
        if line.ndc:
            out.append(seg("LIN", "", "N4", line.ndc))
            out.append(seg("CTP", "", "", "", self.quantity(line.ndc_quantity or Decimal(0)), line.ndc_unit))
        return out

    def line_adjudication(self, payer_id: str, paid: LineAdjudication) -> list[str]:
        """2430: SVD the earlier payer's payment on this line, CAS its adjustments, DTP*573 its date."""
        seg, comp = self.put, self.comp
        procedure = f"HC{comp}{paid.code}" + "".join([comp + m for m in paid.modifiers])
        out = [seg("SVD", payer_id, amount(paid.paid), procedure, "" if self.professional else paid.revenue_code,
                   self.quantity(paid.units))]
        out += self.cas(paid.adjustments)
        out.append(seg("DTP", "573", "D8", self.d8(paid.paid_date)))
        return out

    def quantity(self, value: Decimal) -> str:
        text = self._quantities.get(value)
        if text is None:
            text = self._quantities[value] = number(value)
        return text


def _coded_values(claim: Claim) -> Iterator[tuple[str, str]]:
    """Every coded value of a claim that goes into the file as it is, with the column it comes from."""
    coverage = claim.coverage
    yield from (("Claim ID", claim.claim_id), ("Frequency", claim.frequency),
                ("Place of Service", claim.place_of_service), ("Type of Bill", claim.type_of_bill),
                ("Payer Claim Number", claim.original_claim_number), ("Prior Authorization", claim.prior_authorization),
                ("Reason for Visit", claim.reason_for_visit), ("Admission Type", claim.admission_type),
                ("Admission Source", claim.admission_source), ("Patient Status", claim.patient_status))
    yield from (("Diagnoses", code) for code in claim.diagnoses)
    for cov in (coverage, *[other.coverage for other in claim.other_payers]):
        yield from (("Payer ID", cov.payer.payer_id), ("Member ID", cov.subscriber.member_id),
                    ("Filing Indicator", cov.filing_indicator), ("Relationship", cov.relationship))
        yield from (("Sex", cov.subscriber.sex), ("State", cov.subscriber.address.state),
                    ("ZIP", cov.subscriber.address.zip))
    if coverage.patient is not None:
        yield from (("Sex", coverage.patient.sex), ("State", coverage.patient.address.state),
                    ("ZIP", coverage.patient.address.zip))
    if claim.provider is not None:
        yield from (("Provider NPI", claim.provider.npi), ("Provider Taxonomy", claim.provider.taxonomy))
    for line in claim.lines:
        yield from (("Line Control Number", line.control_number), ("Code", line.code),
                    ("Revenue Code", line.revenue_code), ("NDC", line.ndc), ("NDC Unit", line.ndc_unit))
        yield from (("Modifiers", m) for m in line.modifiers)
    for other in claim.other_payers:
        yield ("Payer Claim Number", other.payer_claim_number)
        for adj in other.adjustments:
            yield from (("Adjustment Group", adj.group), ("Adjustment Reason", adj.reason))
        for paid in other.lines:
            yield from (("Code", paid.code), ("Revenue Code", paid.revenue_code))
            yield from (("Modifiers", m) for m in paid.modifiers)
            for adj in paid.adjustments:
                yield from (("Adjustment Group", adj.group), ("Adjustment Reason", adj.reason))


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())
