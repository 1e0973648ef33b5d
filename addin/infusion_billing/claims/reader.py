"""Read 837 claim files (ours or a client's) into two tables: claims and their service lines.

``read_837(path | bytes | text)`` returns a :class:`Read837` whose ``claims`` and ``lines`` are
pandas DataFrames (money as Decimal to the cent, dates as ``date``, blanks as None) and whose
``findings`` say what was odd, each naming its segment number (the line number in an editor when
the file has one segment per line). Like the 835 reader it never raises on bad input: a file that
is not an 837 at all is one ``x12.unreadable-file`` Finding, a bad amount is left blank with an
``x12.bad-amount`` Finding, a claim whose total (CLM02) is not the sum of its line charges is
flagged ``x12.claim-total``, and the envelope counts are checked (:mod:`infusion_billing.x12.envelope`).

It reads both 837P (SV1 lines) and 837I (SV2 lines, revenue codes, type of bill), in 5010 and in
the retired 4010 (read, with an ``x12.old-version`` warning: payers have refused 4010 since 2012).
Where the data sit, loop by loop, is described in :mod:`.x837`. Names, birth dates and addresses
are not copied; the member ID is kept, since it matches the Coverage sheet, and the patient's name and
birth date only as a one-way ``patient_key`` (:func:`infusion_billing.privacy.patient_key`), which
matches a claim to the patient of an infusion log without the name or birth date leaving the reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd

from ..findings import Finding
from ..privacy import patient_key
from ..rules import x12 as x12_rules
from ..rules.spec import RuleSpec
from ..x12.elements import ccyymmdd, money, quantity
from ..x12.envelope import EnvelopeCheck
from ..x12.source import Unreadable, describe, open_source
from ..x12.tokenizer import SegmentStream
from .model import INSTITUTIONAL, PROFESSIONAL

CLAIM_COLUMNS = (
    "file", "transaction", "claim_type", "version", "claim_id", "total_charge", "frequency", "place_of_service",
    "type_of_bill", "original_claim_number", "prior_authorization", "payer_name", "payer_id", "payer_priority",
    "filing_indicator", "member_id", "patient_is_subscriber", "patient_key", "billing_npi", "provider_npi", "diagnoses",
    "reason_for_visit", "statement_from", "statement_to", "lines", "line_charges", "balanced", "other_payers",
    "other_payer_paid", "segment",
)
LINE_COLUMNS = (
    "file", "claim_id", "line", "line_control_number", "code", "modifiers", "revenue_code", "charge", "unit_code",
    "units", "service_from", "service_to", "diagnosis_pointers", "place_of_service", "ndc", "ndc_unit",
    "ndc_quantity", "other_payer_paid", "segment",
)
PRIORITY = {"P": "Primary", "S": "Secondary", "T": "Tertiary"}
ZERO = Decimal("0.00")
MAX_REPEATED_FINDINGS = 20
_C = {name: i for i, name in enumerate(CLAIM_COLUMNS)}
_L = {name: i for i, name in enumerate(LINE_COLUMNS)}
_ENVELOPE = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA"})
#: Claim columns filled from the subscriber loop (2000B/2010BA/2010BB) the claim belongs to.
_FROM_SUBSCRIBER = ("payer_name", "payer_id", "payer_priority", "filing_indicator", "member_id",
                    "patient_is_subscriber", "patient_key")


@dataclass
class Read837:
    """What one 837 file holds: ``claims`` and ``lines`` DataFrames and the ``findings``."""

    name: str
    file_hash: str = ""
    claims: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(CLAIM_COLUMNS)))
    lines: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(LINE_COLUMNS)))
    findings: list[Finding] = field(default_factory=list)


def read_837(source, *, name: str | None = None) -> Read837:
    """Read an 837 (a path, bytes, text or binary file object) into claim and line tables.

    >>> from infusion_billing.claims.samples import sample_batch, sample_claims
    >>> from infusion_billing.claims import render_837
    >>> text, _ = render_837(sample_claims(2), sample_batch())
    >>> read = read_837(text)
    >>> read.claims[["claim_id", "total_charge", "lines", "balanced"]].values.tolist()
    [['C0000001', Decimal('1195.50'), 3, 'Y'], ['C0000002', Decimal('820.00'), 2, 'Y']]
    >>> read.lines.loc[2, ["code", "modifiers", "units", "ndc", "ndc_unit", "ndc_quantity"]].tolist()
    ['J1569', 'JZ', Decimal('10'), '00944270003', 'ML', Decimal('100')]
    """
    try:
        label, digest, chunks = open_source(source, name, "837")
    except Unreadable as why:
        label = name or "837 data"
        return Read837(label, findings=[_unreadable(label, str(why))])
    reader = _Reader(label)
    head: list[str] = []

    def remember(chunks):
        for chunk in chunks:
            if not head and chunk:
                head.append(chunk[:16])
            yield chunk

    stream = SegmentStream(remember(chunks), label)
    try:
        for delims, segments in stream:
            reader.feed(delims.element, delims.component, delims.repetition, segments)
        reader.finish()
    except Exception as exc:  # last line of defence: keep what was read
        reader.findings.append(x12_rules.INTERNAL_ERROR.finding(
            f"Reading stopped at segment {reader.n} ({type(exc).__name__}); the claims before it were kept.",
            source=label))
    findings = stream.findings + reader.findings
    if not stream.any_segment:
        findings = [_unreadable(label, f"{label} is not an 837 claim file: {describe(''.join(head), '837')}")]
    elif not reader.seen_837:
        found = ", ".join(sorted(t for t in reader.seen_types if t)) or "none"
        findings = [f for f in findings if f.rule_id != x12_rules.NOT_837.id]
        findings.append(_unreadable(label, f"{label} holds no 837 claim (transaction types found: {found})"))
    return Read837(
        label, digest,
        pd.DataFrame(reader.claims, columns=list(CLAIM_COLUMNS), dtype=object),
        pd.DataFrame(reader.lines, columns=list(LINE_COLUMNS), dtype=object),
        findings,
    )


def _unreadable(label: str, why: str) -> Finding:
    return x12_rules.UNREADABLE_FILE.finding(why + ("" if why.endswith(".") else "."), source=label)


class _Reader:
    """Walks the segments, keeping the open subscriber, claim, other payer and line."""

    def __init__(self, name: str):
        self.name = name
        self.claims: list[list] = []
        self.lines: list[list] = []
        self.findings: list[Finding] = []
        self.counts: dict[str, int] = {}
        self.envelope = EnvelopeCheck(name)
        self.seen_types: set[str] = set()
        self.seen_837 = False
        self.n = 0
        self.version = ""
        self.skipping = False
        self.transaction = ""
        self.claim_type = PROFESSIONAL
        self.hl_level = ""
        self.billing_npi: str | None = None
        self.subscriber: dict[str, Any] = {}
        self.claim: list[Any] | None = None
        self.line: list[Any] | None = None
        self.in_other_payer = False
        self.diagnoses: list[str] = []
        self.handlers = {
            "ST": self._st, "HL": self._hl, "NM1": self._nm1, "SBR": self._sbr, "PAT": self._pat, "CLM": self._clm,
            "DTP": self._dtp, "REF": self._ref, "HI": self._hi, "AMT": self._amt, "LX": self._lx, "SV1": self._sv1,
            "SV2": self._sv2, "LIN": self._lin, "CTP": self._ctp, "SVD": self._svd, "DMG": self._dmg,
        }
        self.person: tuple[str, str] = ("", "")  # the last NM1*IL/QC name (2010BA, 2010CA), for patient_key only

    # ------------------------------------------------------------------ findings and values
    def finding(self, rule: RuleSpec, message: str, value: str = "") -> None:
        """A finding of ``rule`` about this file, with the catalogue's severity and fix; capped per rule."""
        count = self.counts[rule.id] = self.counts.get(rule.id, 0) + 1
        if count <= MAX_REPEATED_FINDINGS:
            self.findings.append(rule.finding(message, value=value, source=self.name))
        elif count == MAX_REPEATED_FINDINGS + 1:
            self.findings.append(rule.finding(f"More {rule.id} findings in this file are not listed.",
                                              source=self.name))

    def where(self) -> str:
        if self.claim is None:
            return ""
        place = f" (claim {self.claim[_C['claim_id']] or '?'}"
        return place + (f" line {self.line[_L['line']]})" if self.line is not None else ")")

    def amount(self, text: str, what: str) -> Decimal | None:
        if not text:
            return None
        try:
            return money(text)
        except ValueError:
            shown = text.strip()[:20]
            self.finding(x12_rules.BAD_AMOUNT,
                         f"{what} '{shown}' at segment {self.n}{self.where()} is not an amount; it is left blank.",
                         shown)
            return None

    def qty(self, text: str, what: str) -> Decimal | None:
        if not text:
            return None
        try:
            return quantity(text)
        except ValueError:
            shown = text.strip()[:20]
            self.finding(x12_rules.BAD_QUANTITY,
                         f"{what} '{shown}' at segment {self.n}{self.where()} is not a number; it is left blank.",
                         shown)
            return None

    def day(self, text: str) -> date | None:
        try:
            return ccyymmdd(text)
        except ValueError:
            shown = text.strip()[:20]
            self.finding(x12_rules.BAD_DATE,
                         f"The date '{shown}' at segment {self.n}{self.where()} is not a real date; it is left blank.",
                         shown)
            return None

    # ------------------------------------------------------------------ the segment loop
    def feed(self, sep: str, comp: str, rep: str | None, segments: list[str]) -> None:
        self.comp = comp
        handlers = self.handlers
        n = self.n
        for text in segments:
            n += 1
            self.n = n
            el = text.split(sep)
            tag = el[0]
            if tag in _ENVELOPE:
                self.envelope.segment(el, n)
                if tag == "ST":
                    self.skipping = False
                if tag in ("SE", "GE", "IEA", "GS", "ISA"):
                    self._close_claim()
                    if tag == "GS" and len(el) > 8:
                        self.version = el[8].strip()
                    if tag == "SE":
                        self.skipping = False
                    continue
            if self.skipping:
                continue
            handler = handlers.get(tag)
            if handler is not None:
                try:
                    handler(el)
                except Exception as exc:  # one bad segment never loses the file
                    self.finding(x12_rules.INTERNAL_ERROR,
                                 f"Segment {n} ({tag[:3]}) could not be read ({type(exc).__name__}); it was skipped.")

    def finish(self) -> None:
        self._close_claim()
        self.envelope.finish(self.n + 1)
        self.findings.extend(self.envelope.findings)

    # ------------------------------------------------------------------ transaction and hierarchy
    def _st(self, el: list[str]) -> None:
        self._close_claim()
        kind = el[1].strip() if len(el) > 1 else ""
        self.seen_types.add(kind)
        if kind != "837":
            self.skipping = True
            self.finding(x12_rules.NOT_837,
                         f"The transaction at segment {self.n} is a '{kind}', not an 837 claim; it was skipped.", kind)
            return
        self.seen_837 = True
        self.transaction = el[2].strip() if len(el) > 2 else ""
        version = (el[3].strip() if len(el) > 3 else "") or self.version
        self.version = version
        self.claim_type = INSTITUTIONAL if "X223" in version or "X096" in version else PROFESSIONAL
        if version.startswith("004010"):
            self.finding(x12_rules.OLD_VERSION,
                         f"The transaction at segment {self.n} is X12 4010 ({version}); payers have required 5010 "
                         "since 2012. It was read, but would be rejected if sent.", version)

    def _hl(self, el: list[str]) -> None:
        self._close_claim()
        self.hl_level = el[3].strip() if len(el) > 3 else ""
        if self.hl_level == "22":
            self.subscriber = {"patient_is_subscriber": "Y" if (len(el) > 4 and el[4].strip() == "0") else "N"}
        elif self.hl_level == "23":
            self.subscriber["patient_is_subscriber"] = "N"

    def _sbr(self, el: list[str]) -> None:
        if self.claim is not None:  # 2320: another payer of this claim
            self._close_line()
            self.in_other_payer = True
            self.claim[_C["other_payers"]] += 1
            return
        responsibility = el[1].strip() if len(el) > 1 else ""
        self.subscriber.update(payer_priority=PRIORITY.get(responsibility, responsibility or None),
                               filing_indicator=(el[9].strip() if len(el) > 9 else "") or None)

    def _pat(self, el: list[str]) -> None:
        self.subscriber["patient_is_subscriber"] = "N"

    def _nm1(self, el: list[str]) -> None:
        code = el[1].strip() if len(el) > 1 else ""
        ident = (el[9].strip() if len(el) > 9 else "") or None
        if self.in_other_payer:
            return
        if code == "85":
            self.billing_npi = ident
        elif code == "IL" and self.claim is None:
            self.subscriber["member_id"] = ident
            self.person = (el[3] if len(el) > 3 else "", el[4] if len(el) > 4 else "")
            self.subscriber["patient_key"] = None
        elif code == "QC" and self.claim is None:  # 2010CA: the patient is not the subscriber
            self.person = (el[3] if len(el) > 3 else "", el[4] if len(el) > 4 else "")
            self.subscriber["patient_key"] = None
        elif code == "PR" and self.claim is None:
            self.subscriber.update(payer_name=el[3].strip() if len(el) > 3 else None, payer_id=ident)
        elif code in ("82", "71") and self.claim is not None and self.line is None:
            self.claim[_C["provider_npi"]] = ident

    def _dmg(self, el: list[str]) -> None:
        """The birth date of the subscriber (2010BA) or patient (2010CA) just named: kept only inside the
        one-way key, with the name, so the claim can be matched to the infusion log's patient."""
        if self.claim is not None or len(el) < 3 or el[1].strip() != "D8":
            return
        try:
            born = ccyymmdd(el[2])
        except ValueError:
            return
        self.subscriber["patient_key"] = patient_key(self.person[0], self.person[1], born)
        self.person = ("", "")

    # ------------------------------------------------------------------ claim
    def _clm(self, el: list[str]) -> None:
        self._close_claim()
        claim: list[Any] = [None] * len(CLAIM_COLUMNS)
        claim[_C["file"]] = self.name
        claim[_C["transaction"]] = self.transaction
        claim[_C["claim_type"]] = self.claim_type
        claim[_C["version"]] = self.version
        claim[_C["claim_id"]] = (el[1].strip() if len(el) > 1 else "") or None
        claim[_C["segment"]] = self.n
        claim[_C["lines"]] = 0
        claim[_C["line_charges"]] = ZERO
        claim[_C["other_payers"]] = 0
        claim[_C["other_payer_paid"]] = ZERO
        claim[_C["billing_npi"]] = self.billing_npi
        for key in _FROM_SUBSCRIBER:
            claim[_C[key]] = self.subscriber.get(key)
        self.claim = claim
        claim[_C["total_charge"]] = self.amount(el[2] if len(el) > 2 else "", "The claim total (CLM02)")
        if claim[_C["claim_id"]] is None:
            self.finding(x12_rules.CLAIM_ID_MISSING,
                         f"The claim at segment {self.n} has no claim ID (CLM01).")
        facility = el[5].split(self.comp) if len(el) > 5 else []
        claim[_C["frequency"]] = (facility[2].strip() if len(facility) > 2 else "") or None
        code = facility[0].strip() if facility else ""
        if self.claim_type == INSTITUTIONAL:
            claim[_C["type_of_bill"]] = (code + (claim[_C["frequency"]] or "")) if code else None
        else:
            claim[_C["place_of_service"]] = code or None
        self.diagnoses = []
        self.in_other_payer = False

    def _hi(self, el: list[str]) -> None:
        if self.claim is None:
            return
        for part in el[1:]:
            pieces = part.split(self.comp)
            if len(pieces) < 2 or not pieces[1]:
                continue
            qualifier = pieces[0].strip()
            if qualifier in ("ABK", "BK", "ABF", "BF"):
                self.diagnoses.append(pieces[1].strip())
            elif qualifier in ("APR", "PR"):
                self.claim[_C["reason_for_visit"]] = pieces[1].strip()

    def _dtp(self, el: list[str]) -> None:
        if self.claim is None or len(el) < 4:
            return
        qualifier, form, value = el[1].strip(), el[2].strip(), el[3].strip()
        if qualifier not in ("472", "434"):  # admission hour, repricer dates...: not kept
            return
        first, _, last = value.partition("-")
        if form == "DT":  # CCYYMMDDHHMM: the day is enough
            first = first[:8]
        start = self.day(first)
        end = self.day(last) if form == "RD8" and last else start
        if qualifier == "472" and self.line is not None:
            self.line[_L["service_from"]], self.line[_L["service_to"]] = start, end
        elif qualifier == "434" and self.line is None:
            self.claim[_C["statement_from"]], self.claim[_C["statement_to"]] = start, end

    def _ref(self, el: list[str]) -> None:
        if self.claim is None or self.in_other_payer or len(el) < 3:
            return
        qualifier, value = el[1].strip(), el[2].strip()
        if self.line is not None:
            if qualifier == "6R":
                self.line[_L["line_control_number"]] = value
        elif qualifier == "F8":
            self.claim[_C["original_claim_number"]] = value
        elif qualifier == "G1":
            self.claim[_C["prior_authorization"]] = value

    def _amt(self, el: list[str]) -> None:
        if self.claim is not None and self.in_other_payer and len(el) > 2 and el[1].strip() == "D":
            paid = self.amount(el[2], "The other payer's paid amount (AMT*D)")
            if paid is not None:
                self.claim[_C["other_payer_paid"]] += paid

    # ------------------------------------------------------------------ lines
    def _lx(self, el: list[str]) -> None:
        if self.claim is None:
            return
        self._close_line()
        self.in_other_payer = False
        line: list[Any] = [None] * len(LINE_COLUMNS)
        line[_L["file"]] = self.name
        line[_L["claim_id"]] = self.claim[_C["claim_id"]]
        number = el[1].strip() if len(el) > 1 else ""
        line[_L["line"]] = int(number) if number.isdigit() else self.claim[_C["lines"]] + 1
        line[_L["segment"]] = self.n
        line[_L["other_payer_paid"]] = ZERO
        self.line = line

    def _procedure(self, line: list[Any], text: str) -> None:
        parts = text.split(self.comp)
        line[_L["code"]] = parts[1].strip() if len(parts) > 1 else None
        modifiers = [m.strip() for m in parts[2:6] if m.strip()]
        line[_L["modifiers"]] = " ".join(modifiers) or None

    def _sv1(self, el: list[str]) -> None:
        if self.line is None:
            return
        line = self.line
        self._procedure(line, el[1] if len(el) > 1 else "")
        line[_L["charge"]] = self.amount(el[2] if len(el) > 2 else "", "The line charge (SV102)")
        line[_L["unit_code"]] = (el[3].strip() if len(el) > 3 else "") or None
        line[_L["units"]] = self.qty(el[4] if len(el) > 4 else "", "The units (SV104)")
        line[_L["place_of_service"]] = (el[5].strip() if len(el) > 5 else "") or None
        pointers = [p.strip() for p in el[7].split(self.comp)] if len(el) > 7 else []
        line[_L["diagnosis_pointers"]] = ",".join(p for p in pointers if p) or None

    def _sv2(self, el: list[str]) -> None:
        if self.line is None:
            return
        line = self.line
        line[_L["revenue_code"]] = (el[1].strip() if len(el) > 1 else "") or None
        self._procedure(line, el[2] if len(el) > 2 else "")
        line[_L["charge"]] = self.amount(el[3] if len(el) > 3 else "", "The line charge (SV203)")
        line[_L["unit_code"]] = (el[4].strip() if len(el) > 4 else "") or None
        line[_L["units"]] = self.qty(el[5] if len(el) > 5 else "", "The units (SV205)")

    def _lin(self, el: list[str]) -> None:
        if self.line is not None and len(el) > 3 and el[2].strip() == "N4":
            self.line[_L["ndc"]] = el[3].strip()

    def _ctp(self, el: list[str]) -> None:
        if self.line is None:
            return
        self.line[_L["ndc_quantity"]] = self.qty(el[4] if len(el) > 4 else "", "The NDC quantity (CTP04)")
        self.line[_L["ndc_unit"]] = (el[5].split(self.comp)[0].strip() if len(el) > 5 else "") or None

    def _svd(self, el: list[str]) -> None:
        if self.line is not None and len(el) > 2:
            paid = self.amount(el[2], "The other payer's line payment (SVD02)")
            if paid is not None:
                self.line[_L["other_payer_paid"]] += paid

    # ------------------------------------------------------------------ closing
    def _close_line(self) -> None:
        line = self.line
        if line is None:
            return
        self.line = None
        claim = self.claim
        assert claim is not None  # a line is only opened inside a claim
        claim[_C["lines"]] += 1
        if line[_L["charge"]] is not None:
            claim[_C["line_charges"]] += line[_L["charge"]]
        self.lines.append(line)

    def _close_claim(self) -> None:
        claim = self.claim
        if claim is None:
            return
        self._close_line()
        self.claim = None
        self.in_other_payer = False
        claim[_C["diagnoses"]] = ",".join(self.diagnoses) or None
        total = claim[_C["total_charge"]]
        balanced = total is not None and total == claim[_C["line_charges"]]
        claim[_C["balanced"]] = "Y" if balanced else "N"
        if not balanced and total is not None:
            self.finding(x12_rules.CLAIM_TOTAL,
                         f"Claim {claim[_C['claim_id']]} (segment {claim[_C['segment']]}) totals {total} in CLM02 "
                         "but its "
                         f"{claim[_C['lines']]} line(s) add up to {claim[_C['line_charges']]}.", str(total))
        if claim[_C["lines"]] == 0:
            self.finding(x12_rules.CLAIM_NO_LINES,
                         f"Claim {claim[_C['claim_id']]} (segment {claim[_C['segment']]}) has no service lines.")
        self.claims.append(claim)
