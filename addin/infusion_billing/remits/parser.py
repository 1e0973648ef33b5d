"""The 835 state machine: walk the segments, fill the six tables, balance as each loop closes.

How an 835 is built, in a biller's words (TR3 005010X221A1; docs/remits.md section 1):

* ``ISA ... IEA`` is the envelope of the whole file and ``GS ... GE`` a group inside it.
* ``ST ... SE`` is one **payment**: one check or EFT to one payee. ``BPR`` says how much
  (BPR02), how (BPR04: ``ACH``, ``CHK``, ``NON`` for a zero-pay notice) and when (BPR16);
  ``TRN02`` is the check or EFT trace number that matches the bank deposit; ``N1*PR`` is the
  payer (``REF*2U`` its ID), ``N1*PE`` the payee.
* ``CLP`` opens each **claim**: CLP01 is our patient control number (the claim ID we sent in the
  837), CLP02 its status (1 primary, 2 secondary, 3 tertiary, 4 denied, 22 reversal of an
  earlier payment), CLP03 charge, CLP04 paid, CLP05 patient responsibility, CLP07 the payer's
  claim number. Claim-level ``CAS`` adjustments, ``MOA``/``MIA`` remark codes, ``REF*F8``
  (original claim number) and ``DTM*232/233`` (statement dates) follow.
* ``SVC`` opens each **service line**: SVC01 the code with modifiers (``HC:J1745:JZ``),
  SVC02 charge, SVC03 paid, SVC05 units paid, SVC06 the code as submitted when the payer changed
  it. ``DTM*472`` (or ``150``/``151``) gives the service date, ``CAS`` the line's adjustments,
  ``REF*6R`` our line control number, ``AMT*B6`` the allowed amount, ``LQ*HE`` remark codes.
* ``CAS`` = group (CO contractual, PR patient responsibility, OA other, PI payer initiated; CR in
  4010 corrections) followed by up to six reason/amount/quantity triplets.
* ``PLB`` = provider-level adjustments that are not about one claim: recoupments (WO), interest
  (L6), forward balances (FB). A positive amount is taken from the payment.

The money must add up. Each check becomes a Finding naming the trace number, the segment number
and the variance, never an exception:

1. payment: ``BPR02 = sum of CLP04 - sum of PLB amounts``;
2. claim: ``CLP03 - CLP04 = claim CAS + line CAS`` (all groups, patient responsibility included);
3. line: ``SVC02 - SVC03 = line CAS``;
4. advisory: ``CLP05 = PR adjustments``; on primaries
   ``AMT*B6 = SVC03 + PR adjustments + sequestration (CO-253)``;
5. envelope: SE01 counts the segments; ST/SE, GS/GE, ISA/IEA control numbers and counts agree.

Worked example (``lfh_medicare-part-a.835``): two claims paid 138,018.40 + 11,980.33 =
149,998.73, and ``PLB*...*CV:CP*-1.27`` gives 1.27 back, so BPR02 must be
149,998.73 - (-1.27) = 150,000.00, which it is: Balanced = Y, Variance 0.00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ..findings import Finding, Severity
from ..rules.era import BY_ID as ERA_RULES
from .elements import _money_cache, _quantity_cache, ccyymmdd, cents, money, quantity
from .tables import (
    ADJUSTMENT_COLUMNS,
    CLAIM_COLUMNS,
    LINE_COLUMNS,
    PAYMENT_COLUMNS,
    PROVIDER_ADJUSTMENT_COLUMNS,
    REMARK_COLUMNS,
    ClaimRow,
    LineRow,
    Remit835,
    frame,
    index_of,
    record_frame,
)
from .tokenizer import Delimiters

ZERO = Decimal("0.00")

CLAIM_STATUS = {
    "1": "Processed as primary",
    "2": "Processed as secondary",
    "3": "Processed as tertiary",
    "4": "Denied",
    "19": "Processed as primary, forwarded to another payer",
    "20": "Processed as secondary, forwarded to another payer",
    "21": "Processed as tertiary, forwarded to another payer",
    "22": "Reversal of previous payment",
    "23": "Not our claim, forwarded",
    "25": "Predetermination pricing only, no payment",
}
_PRIMARY = frozenset({"1", "19"})

#: PLB reason codes in our words (docs/remits.md section 1); a positive amount reduces the payment.
PLB_REASONS = {
    "WO": "Overpayment recovery (recoupment)",
    "FB": "Forwarding balance",
    "L6": "Interest owed",
    "72": "Authorized return (provider refund)",
    "CS": "Adjustment",
    "J1": "Non-reimbursable",
    "IR": "IRS withholding",
    "LE": "Levy",
    "90": "Early payment allowance",
    "50": "Late charge",
    "51": "Interest penalty charge",
    "B2": "Rebate",
    "C5": "Temporary allowance",
    "CV": "Capital passthru",
    "CW": "Certified registered nurse anesthetist passthru",
    "AH": "Origination fee",
    "E3": "Withholding",
    "BD": "Bad debt adjustment",
    "AP": "Acceleration of benefits",
    "BF": "Balance forward",
    "DM": "Direct medical education passthru",
    "GO": "Graduate medical education passthru",
    "IP": "Incentive premium payment",
    "OA": "Organ acquisition passthru",
    "OB": "Offset for affiliated providers",
    "PI": "Periodic interim payment",
    "RA": "Retro-activity adjustment",
    "SL": "Student loan repayment",
    "TL": "Third party liability",
    "WU": "Unspecified recovery",
}
CAS_GROUPS = frozenset({"CO", "OA", "PI", "PR", "CR"})
SVC_QUALIFIERS = frozenset({"AD", "ER", "HC", "HP", "IV", "N4", "N6", "NU", "UI", "WK", "ZZ", "NH", "SA"})
#: Segments an 835 may carry that the tables do not need (names, addresses, contacts, summaries).
IGNORED = frozenset(
    {"NM1", "N2", "N3", "N4", "PER", "QTY", "TS3", "TS2", "RDM", "CUR", "DTP", "BHT", "NTE", "K3", "PWK"}
)
_ENVELOPE = frozenset({"ST", "SE", "GS", "GE", "ISA", "IEA"})
MAX_REPEATED_FINDINGS = 20  # per rule and file: after that one summary line, not thousands
_FIX_EOB = "Post this by hand from the payer's EOB and ask the payer for a corrected 835."

_P = index_of(PAYMENT_COLUMNS)


@dataclass(slots=True)
class _Tally:
    """Segments counted instead of reported one by one: how many, the first one's number, a sample."""

    count: int = 0
    first: int = 0
    sample: str = ""

    def add(self, n: int, sample: str) -> None:
        if not self.count:
            self.first, self.sample = n, sample
        self.count += 1


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


class Parser:
    """Walk one file's segments and fill the six tables.

    Only the current payment, claim and line are open; each is balanced when it closes (the next
    CLP, SVC, PLB or SE), so rows can be handed out payment by payment while the file is still
    being read (``batch_claims``; see :meth:`cut`).
    """

    def __init__(self, name: str, file_hash: str = "", batch_claims: int | None = None):
        self.name = name
        self.file_hash = file_hash
        self.batch_claims = batch_claims
        self.payments: list[list] = []
        self.claims: list[ClaimRow] = []
        self.lines: list[LineRow] = []
        self.adjustments: list[list] = []
        self.remarks: list[list] = []
        self.plb: list[list] = []
        self.findings: list[Finding] = []
        self.ready: list[Remit835] = []
        self.counts: dict[str, int] = {}
        self.seen_types: set[str] = set()
        self.seg_no = 0
        self.payment_no = 0
        self.comp = ":"
        self.isa: list | None = None  # [control number, segment number, groups seen]
        self.gs: list | None = None  # [control number, segment number, transactions seen]
        self.version = ""
        self.skipping: str | None = None  # ST01 of a non-835 transaction being skipped
        self.strays = _Tally()  # segments outside a payment (sample: the tag)
        self.garbled = _Tally()  # segments whose tag is not a tag (sample: the text)
        self.handlers = {
            "CLP": self._clp, "CAS": self._cas, "SVC": self._svc, "DTM": self._dtm, "REF": self._ref,
            "AMT": self._amt, "LQ": self._lq, "MOA": self._moa, "MIA": self._mia, "PLB": self._plb,
            "LX": self._lx, "BPR": self._bpr, "TRN": self._trn, "N1": self._n1, "ST": self._st,
            "SE": self._se, "GS": self._gs, "GE": self._ge, "ISA": self._isa, "IEA": self._iea,
        }
        self._reset_payment()

    # ------------------------------------------------------------------ findings and values
    def _reset_payment(self) -> None:
        self.pay: list | None = None
        self.claim: ClaimRow | None = None
        self.line: LineRow | None = None
        self.trace = ""
        self.st_seg = 0
        self.st_control = ""
        self.claim_no = 0
        self.line_no = 0
        self.n1 = ""
        self.payer_ref = ""
        self.payer_n1_id = ""
        self.trn_payer = ""
        self.bpr: list | None = None
        self.bpr_seg = 0
        self.sum_charge = ZERO
        self.sum_paid = ZERO
        self.sum_plb = ZERO
        self.unbalanced = 0

    def finding(self, rule: str, message: str, *, fix: str | None = None, value: str = "",
                severity: Severity | None = None) -> None:
        """Record a Finding of ``rule`` about this file, with the catalogue's severity and (unless given) fix.

        Repeated rules are capped so a broken file stays readable.
        """
        count = self.counts.get(rule, 0) + 1
        self.counts[rule] = count
        if count <= MAX_REPEATED_FINDINGS:
            self.findings.append(ERA_RULES[rule].finding(message, fix=fix, severity=severity, value=value,
                                                         source=self.name))

    def _payment_label(self) -> str:
        if self.trace:
            return f"payment {self.trace}"
        return f"payment ST {self.st_control}" if self.st_control else "a payment with no trace number"

    def _where(self) -> str:
        """Where the reader is, for a message: ``line 2 of claim X in payment T``."""
        place = self._payment_label()
        if self.claim is not None:
            place = f"claim {self.claim.patient_control_number or '(no claim number)'} in {place}"
            if self.line is not None:
                place = f"line {self.line.line_no} of {place}"
        return place

    def _amount(self, text: str, n: int, what: str, *, required: bool = True) -> Decimal | None:
        """Parse money or record why it could not be; blank gives None (a Finding when required)."""
        if not text or text.isspace():
            if required:
                self.finding(
                    "era.amount-missing",
                    f"{what} is blank at segment {n} ({self._where()}); it counts as zero in the balancing.",
                    fix=_FIX_EOB,
                )
            return None
        try:
            return money(text)
        except ValueError:
            shown = text.strip()[:20]
            self.finding(
                "era.bad-amount",
                f"{what} '{shown}' at segment {n} ({self._where()}) is not an amount; it counts as zero in the "
                "balancing.",
                fix=_FIX_EOB, value=shown,
            )
            return None

    def _date(self, text: str, n: int, what: str):
        return self._lenient(ccyymmdd, text, n, what, "era.bad-date", "a real date")

    def _qty(self, text: str, n: int, what: str) -> Decimal | None:
        return self._lenient(quantity, text, n, what, "era.bad-quantity", "a number")

    def _lenient(self, parse, text: str, n: int, what: str, rule: str, should_be: str):
        """A date or quantity, or None with a warning: a bad one never stops the balancing."""
        if not text or text.isspace():
            return None
        try:
            return parse(text)
        except ValueError:
            shown = text.strip()[:20]
            self.finding(
                rule,
                f"{what} '{shown}' at segment {n} ({self._where()}) is not {should_be}; it is left blank.",
                value=shown,
            )
            return None

    def _stray(self, el: list[str], n: int) -> None:
        self.strays.add(n, el[0][:3])

    def _flush_strays(self) -> None:
        strays = self.strays
        if strays.count:
            self.finding(
                "era.out-of-place",
                f"{strays.count} segment(s) outside a payment were ignored, the first at segment {strays.first} "
                f"({strays.sample}).",
                fix="Check the file is complete: a payment (ST) may be missing or cut.",
            )
            self.strays = _Tally()

    def _misplaced(self, el: list[str], n: int) -> None:
        if self.pay is None:
            return self._stray(el, n)
        self.finding(
            "era.out-of-place",
            f"{el[0][:3]} at segment {n} in {self._payment_label()} comes before any claim (CLP) and was ignored.",
        )

    # ------------------------------------------------------------------ the segment loop
    def feed(self, delims: Delimiters, segments: list[str]) -> None:
        """Read a batch of segments that share one set of separators."""
        sep = delims.element
        self.comp = delims.component
        handlers = self.handlers
        n = self.seg_no
        for text in segments:
            n += 1
            # The tag is the text before the first separator; read it without splitting the
            # whole segment, so the names and addresses we skip cost almost nothing.
            if text[3:4] == sep:
                tag = text[:3]
            elif text[2:3] == sep or len(text) <= 3:
                tag = text[:2] if text[2:3] == sep or len(text) == 2 else text
            else:
                tag = text.split(sep, 1)[0]
            handler = handlers.get(tag)
            try:
                if handler is not None:
                    if self.skipping is not None and tag not in _ENVELOPE:
                        continue
                    handler(text.split(sep), n)
                elif tag in IGNORED or (2 <= len(tag) <= 3 and tag.isalnum() and tag.isupper()):
                    if self.pay is None and self.skipping is None:
                        self._stray([tag], n)
                else:
                    self.garbled.add(n, text[:12])
            except Exception as exc:  # a reader bug must not lose the rest of the file
                self.seg_no = n
                self.finding(
                    "era.internal-error",
                    f"Segment {n} ({tag[:3]}) could not be read ({type(exc).__name__}); it was skipped.",
                    fix="Report this file to the infusion-billing maintainers.",
                )
        self.seg_no = n

    # ------------------------------------------------------------------ envelope
    def _isa(self, el: list[str], n: int) -> None:
        self._close_envelopes("ISA", n)
        if len(el) != 17:
            self.finding(
                "era.isa-malformed",
                f"The ISA at segment {n} has {len(el) - 1} elements instead of 16.",
            )
        self.version = el[12].strip() if len(el) > 12 else ""
        self.isa = [el[13].strip() if len(el) > 13 else "", n, 0]

    def _iea(self, el: list[str], n: int) -> None:
        if self.gs is not None:
            self._close_gs(n, "IEA")
        elif self.pay is not None or self.skipping is not None:
            self._close_payment(n, ended_by="IEA")
        if self.isa is None:
            return self._stray(el, n)
        self._check_close(el, n, "IEA", "interchange", "functional group(s)", self.isa, "ISA")
        self.isa = None

    def _gs(self, el: list[str], n: int) -> None:
        if self.gs is not None:
            self._close_gs(n, "GS")
        elif self.pay is not None or self.skipping is not None:
            self._close_payment(n, ended_by="GS")
        if self.isa is not None:
            self.isa[2] += 1
        self.version = (el[8].strip() if len(el) > 8 else "") or self.version
        self.gs = [el[6].strip() if len(el) > 6 else "", n, 0]

    def _ge(self, el: list[str], n: int) -> None:
        if self.pay is not None or self.skipping is not None:
            self._close_payment(n, ended_by="GE")
        if self.gs is None:
            return self._stray(el, n)
        self._check_close(el, n, "GE", "group", "transaction(s)", self.gs, "GS")
        self.gs = None

    def _check_close(self, el: list[str], n: int, tag: str, what: str, children: str, opened: list, opener: str):
        """GE/IEA: element 1 counts the children, element 2 repeats the opener's control number."""
        control, seg, count = opened
        said = el[1].strip() if len(el) > 1 else ""
        got = el[2].strip() if len(el) > 2 else ""
        if said != str(count):
            self.finding(
                "era.control-count",
                f"{tag} at segment {n} counts {said or 'no'} {children} but the {what} has {count}.",
                value=said,
            )
        if got != control:
            self.finding(
                "era.control-number",
                f"{tag} at segment {n} closes {what} '{got}' but the {opener} at segment {seg} opened '{control}'.",
                value=got,
            )

    def _close_gs(self, n: int, by: str) -> None:
        """Close the open group (if any) that ``by`` at segment ``n`` ended without its GE."""
        gs = self.gs
        if gs is None:
            return
        if self.pay is not None or self.skipping is not None:
            self._close_payment(n, ended_by=by)
        self.finding(
            "era.envelope-missing",
            f"The group opened at segment {gs[1]} has no GE before segment {n} ({by}).",
        )
        self.gs = None

    def _close_envelopes(self, by: str, n: int) -> None:
        if self.gs is not None:
            self._close_gs(n, by)
        elif self.pay is not None or self.skipping is not None:
            self._close_payment(n, ended_by=by)
        if self.isa is not None:
            self.finding(
                "era.envelope-missing",
                f"The interchange opened at segment {self.isa[1]} has no IEA before segment {n} ({by}).",
            )
            self.isa = None

    # ------------------------------------------------------------------ payment header
    def _st(self, el: list[str], n: int) -> None:
        if self.pay is not None or self.skipping is not None:
            self._close_payment(n, ended_by="ST")
        self._flush_strays()
        if self.gs is not None:
            self.gs[2] += 1
        kind = el[1].strip() if len(el) > 1 else ""
        self.st_control = el[2].strip() if len(el) > 2 else ""
        self.st_seg = n
        if kind != "835":
            self.skipping = kind or "?"
            if kind not in self.seen_types:
                self.seen_types.add(kind)
                what = f"an {kind}" if kind.startswith("8") else f"a '{kind}'"
                self.finding(
                    "era.not-835",
                    f"The transaction at segment {n} is {what}, not an 835 remittance; it was skipped.",
                )
            return
        self.seen_types.add("835")
        self.payment_no += 1
        pay: list[Any] = [None] * len(PAYMENT_COLUMNS)
        pay[_P["file"]] = self.name
        pay[_P["payment_no"]] = self.payment_no
        pay[_P["version"]] = (el[3].strip() if len(el) > 3 else "") or self.version or None
        pay[_P["st_control"]] = self.st_control
        pay[_P["segment"]] = n
        pay[_P["file_hash"]] = self.file_hash
        self.payments.append(pay)
        self.pay = pay

    def _bpr(self, el: list[str], n: int) -> None:
        if self.pay is None:
            return self._stray(el, n)
        el += [""] * (17 - len(el))
        self.bpr, self.bpr_seg = el, n
        self.pay[_P["handling_code"]] = el[1].strip() or None
        self.pay[_P["credit_debit"]] = el[3].strip() or None
        self.pay[_P["payment_method"]] = el[4].strip() or None

    def _trn(self, el: list[str], n: int) -> None:
        if self.pay is None:
            return self._stray(el, n)
        if self.claim is not None or self.trace:
            return  # only the first TRN, in the header, is the check or EFT trace
        self.trace = el[2].strip() if len(el) > 2 else ""
        self.pay[_P["trace_number"]] = self.trace or None
        self.trn_payer = el[3].strip() if len(el) > 3 else ""

    def _n1(self, el: list[str], n: int) -> None:
        if self.pay is None:
            return self._stray(el, n)
        if self.claim is not None:
            return
        el += [""] * (5 - len(el))
        self.n1 = el[1].strip()
        if self.n1 == "PR":
            self.pay[_P["payer_name"]] = el[2].strip() or None
            self.payer_n1_id = el[4].strip()
        elif self.n1 == "PE":
            self.pay[_P["payee_name"]] = el[2].strip() or None
            self.pay[_P["payee_id"]] = el[4].strip() or None

    def _lx(self, el: list[str], n: int) -> None:
        if self.pay is None:
            return self._stray(el, n)
        self._close_claim()
        self.n1 = ""

    # ------------------------------------------------------------------ claims
    def _clp(self, el: list[str], n: int) -> None:
        if self.pay is None:
            return self._stray(el, n)
        if self.claim is not None:
            self._close_claim()
        if len(el) < 10:
            el += [""] * (10 - len(el))
        self.claim_no += 1
        pcn = el[1].strip()
        status = el[2].strip()
        claim = ClaimRow(
            self.name, self.trace or None, self.payment_no, self.claim_no, pcn or None, status or None,
            CLAIM_STATUS.get(status), None, None, None,
            el[6] or None, el[7] or None, el[8] or None, el[9] or None,
            None, None, None, None, None, ZERO, ZERO, 0, None, None, n,
        )
        self.claims.append(claim)
        self.claim = claim
        self.line = None
        self.line_no = 0
        self.claim_pr = ZERO
        self.lines_unbalanced = 0
        get = _money_cache.get
        charge = get(el[3]) or self._amount(el[3], n, "Charge (CLP03)")
        paid = get(el[4]) or self._amount(el[4], n, "Paid amount (CLP04)")
        claim.charge, claim.paid = charge, paid
        if el[5]:
            claim.patient_responsibility = get(el[5]) or self._amount(el[5], n, "Patient responsibility (CLP05)")
        if charge is not None:
            self.sum_charge += charge
        if paid is not None:
            self.sum_paid += paid
        if not pcn:
            self.finding(
                "era.claim-id-missing",
                f"The claim at segment {n} in {self._payment_label()} has no patient control number (CLP01); "
                "it cannot be matched to a claim we sent.",
            )
        if status not in CLAIM_STATUS:
            self.finding(
                "era.unknown-status",
                f"Claim {pcn} at segment {n} has status '{status}', which is not a CLP02 code this reader knows.",
                value=status,
            )

    def _close_claim(self) -> None:
        if self.line is not None:
            self._close_line()
        claim = self.claim
        if claim is None:
            return
        charge, paid = claim.charge, claim.paid
        adj = claim.claim_adjustments + claim.line_adjustments
        variance = ((charge or ZERO) - (paid or ZERO)) - adj
        claim.variance = variance
        ok = not variance and charge is not None and paid is not None and not self.lines_unbalanced
        claim.balanced = "Y" if ok else "N"
        if not ok:
            self.unbalanced += 1
        if variance:
            self._claim_unbalanced(claim, variance)
        pr_total = claim.patient_responsibility
        if pr_total is not None and pr_total != self.claim_pr:
            self.finding(
                "era.patient-share-mismatch",
                f"Claim {claim.patient_control_number} in {self._payment_label()} at segment {claim.segment} (CLP): "
                f"patient responsibility CLP05 is {cents(pr_total)} but its PR adjustments total "
                f"{cents(self.claim_pr)}; "
                f"difference {cents(pr_total - self.claim_pr)}.",
                fix="Bill the patient from the PR adjustments only after checking the EOB.",
                value=cents(pr_total - self.claim_pr),
            )
        self.claim = None

    def _claim_unbalanced(self, claim: ClaimRow, variance: Decimal) -> None:
        charge, paid = claim.charge or ZERO, claim.paid or ZERO
        self.finding(
            "era.claim-unbalanced",
            f"Claim {claim.patient_control_number or '(no claim number)'} in {self._payment_label()} does not "
            f"balance at segment {claim.segment} (CLP): charge {cents(charge)} minus paid {cents(paid)} is "
            f"{cents(charge - paid)}, but "
            f"its adjustments total {cents(claim.claim_adjustments + claim.line_adjustments)} (claim "
            f"{cents(claim.claim_adjustments)} + lines {cents(claim.line_adjustments)}); variance {cents(variance)}.",
            fix=_FIX_EOB, value=cents(variance),
        )

    # ------------------------------------------------------------------ service lines
    def _svc(self, el: list[str], n: int) -> None:
        claim = self.claim
        if claim is None:
            return self._misplaced(el, n)
        if self.line is not None:
            self._close_line()
        if len(el) < 8:
            el += [""] * (8 - len(el))
        self.line_no += 1
        claim.lines += 1
        composite = el[1]
        parts = composite.split(self.comp)
        if 1 < len(parts) < 3 and parts[0] and parts[1]:  # the usual "HC:96413": no need to look further
            qualifier: str | None = parts[0]
            code: str | None = parts[1]
            modifiers: str | None = None
        else:
            qualifier, code, modifiers = self._procedure(composite, n)
        line = LineRow(
            self.name, claim.trace_number, self.payment_no, self.claim_no, self.line_no, claim.patient_control_number,
            qualifier, code, modifiers, None, None, None, None, el[4] or None, None, None,
            None, None, None, None, ZERO, None, None, n,
        )
        self.lines.append(line)
        self.line = line
        self.line_pr = ZERO
        self.line_seq = ZERO
        get = _money_cache.get
        line.charge = get(el[2]) or self._amount(el[2], n, "Charge (SVC02)")
        line.paid = get(el[3]) or self._amount(el[3], n, "Paid amount (SVC03)")
        if el[5]:
            line.units = _quantity_cache.get(el[5]) or self._qty(el[5], n, "Units paid (SVC05)")
        if el[6]:
            line.submitted_code = ":".join(p.strip() for p in self._split_composite(el[6].strip(), n) if p.strip())
        if el[7]:
            line.submitted_units = self._qty(el[7], n, "Submitted units (SVC07)")

    def _split_composite(self, text: str, n: int) -> list[str]:
        """Split ``HC:J1745:JZ``; payers sometimes use another separator than ISA16 (``HC>55669``)."""
        comp = self.comp
        if comp in text:
            return text.split(comp)
        if len(text) > 3 and text[:2].isalnum() and not text[2].isalnum() and not text[2].isspace():
            if "era.component-separator" not in self.counts:
                self.finding(
                    "era.component-separator",
                    f"Composites such as '{text.strip()[:30]}' (first at segment {n}) use '{text[2]}' between "
                    f"their parts instead of the declared '{comp}'; they were read with '{text[2]}'.",
                )
            return text.split(text[2])
        return [text]

    def _procedure(self, text: str, n: int) -> tuple[str | None, str | None, str | None]:
        """SVC01 as (qualifier, code, modifiers): ``HC:J9035:JW`` -> ("HC", "J9035", "JW")."""
        parts = self._split_composite(text, n)
        if len(parts) == 1:
            only = parts[0].strip()
            if only in SVC_QUALIFIERS or not only:
                self.finding(
                    "era.procedure-missing",
                    f"SVC01 at segment {n} ({self._where()}) holds '{only}' and no procedure code; the payer "
                    "probably wrote an element separator inside the code, so this line's amounts may be shifted.",
                    fix="Read this line on the payer's EOB and post it by hand.", value=only,
                )
                return only or None, None, None
            return None, only, None
        if len(parts) == 2:
            return parts[0] or None, parts[1] or None, None
        modifiers = ",".join(m for m in parts[2:6] if m)
        return parts[0] or None, parts[1] or None, modifiers or None

    def _close_line(self) -> None:
        line, claim = self.line, self.claim
        if line is None:
            return
        assert claim is not None, "a line is only opened inside a claim"
        charge, paid = line.charge, line.paid
        adj = line.adjustments
        variance = ((charge or ZERO) - (paid or ZERO)) - adj
        line.variance = variance
        ok = not variance and charge is not None and paid is not None
        line.balanced = "Y" if ok else "N"
        if not ok:
            self.lines_unbalanced += 1
        if variance:
            self.finding(
                "era.line-unbalanced",
                f"Line {line.line_no} ({line.procedure_code or 'no code'}) of claim {claim.patient_control_number} in "
                f"{self._payment_label()} does not balance at segment {line.segment} (SVC): charge {cents(charge)} "
                f"minus paid {cents(paid)} is {cents((charge or ZERO) - (paid or ZERO))}, but its adjustments "
                f"total {cents(adj)}; variance {cents(variance)}.",
                fix=_FIX_EOB, value=cents(variance),
            )
        allowed = line.allowed
        if allowed is not None and paid is not None and claim.status in _PRIMARY:
            expected = paid + self.line_pr + self.line_seq
            if allowed != expected:
                self.finding(
                    "era.allowed-mismatch",
                    f"Line {line.line_no} of claim {claim.patient_control_number} at segment {line.segment} (SVC): "
                    f"allowed AMT*B6 {cents(allowed)} is not paid {cents(paid)} plus patient responsibility "
                    f"{cents(self.line_pr)} plus sequestration {cents(self.line_seq)}; difference "
                    f"{cents(allowed - expected)}.",
                    value=cents(allowed - expected),
                )
        self.line = None

    # ------------------------------------------------------------------ adjustments and remarks
    def _cas(self, el: list[str], n: int) -> None:
        claim = self.claim
        if claim is None:
            return self._misplaced(el, n)
        line = self.line
        size = len(el)
        group = el[1] if size > 1 else ""
        if group not in CAS_GROUPS:
            group = self._odd_group(group, n)
        name, trace, payment_no, claim_no = self.name, claim.trace_number, self.payment_no, self.claim_no
        pcn = claim.patient_control_number
        if line is not None:
            line_no, level, code = line.line_no, "line", line.procedure_code
        else:
            line_no, level, code = None, "claim", None
        get = _money_cache.get
        append = self.adjustments.append
        total = ZERO
        sequestration = ZERO
        for i in range(2, size, 3):  # up to six reason / amount / quantity triplets
            reason = el[i]
            amount_text = el[i + 1] if i + 1 < size else ""
            qty_text = el[i + 2] if i + 2 < size else ""
            if not reason and not amount_text and not qty_text:
                continue
            amount = get(amount_text) or self._amount(amount_text, n, f"Adjustment amount {group}-{reason}")
            qty = self._qty(qty_text, n, f"Adjustment quantity {group}-{reason}") if qty_text else None
            append([name, trace, payment_no, claim_no, line_no, level, pcn, code, group or None,
                    reason.strip() or None, amount, qty, n])
            if amount is not None:
                total += amount
                if reason == "253":
                    sequestration += amount
        if group == "PR":
            self.claim_pr += total
        if line is not None:
            line.adjustments += total
            claim.line_adjustments += total
            if group == "PR":
                self.line_pr += total
            else:
                self.line_seq += sequestration
        else:
            claim.claim_adjustments += total

    def _odd_group(self, group: str, n: int) -> str:
        group = group.strip()
        if group not in CAS_GROUPS:
            self.finding(
                "era.unknown-group",
                f"CAS at segment {n} ({self._where()}) has group code '{group}', not CO, PR, OA or PI; "
                "its amounts are still counted.",
                value=group,
            )
        return group

    def _remark(self, claim: ClaimRow, code: str, source: str, n: int, line_level: bool) -> None:
        line = self.line if line_level else None
        self.remarks.append([
            self.name, claim.trace_number, self.payment_no, self.claim_no, line.line_no if line is not None else None,
            "line" if line is not None else "claim", claim.patient_control_number,
            line.procedure_code if line is not None else None,
            source, code, n,
        ])

    def _moa(self, el: list[str], n: int) -> None:
        if self.claim is None:
            return self._misplaced(el, n)
        for code in el[3:8]:  # MOA03-MOA07 are claim payment remark codes
            if code.strip():
                self._remark(self.claim, code.strip(), "MOA", n, False)

    def _mia(self, el: list[str], n: int) -> None:
        if self.claim is None:
            return self._misplaced(el, n)
        for i in (5, 20, 21, 22, 23):  # MIA05 and MIA20-23 are claim payment remark codes
            if i < len(el) and el[i].strip():
                self._remark(self.claim, el[i].strip(), "MIA", n, False)

    def _lq(self, el: list[str], n: int) -> None:
        if self.claim is None:
            return self._misplaced(el, n)
        qualifier = el[1].strip() if len(el) > 1 else ""
        code = el[2].strip() if len(el) > 2 else ""
        if code:
            self._remark(self.claim, code, "LQ" if qualifier == "HE" else f"LQ {qualifier}", n, True)

    # ------------------------------------------------------------------ dates, references, amounts
    def _dtm(self, el: list[str], n: int) -> None:
        if self.pay is None:
            return self._stray(el, n)
        qualifier = el[1] if len(el) > 1 else ""
        text = el[2] if len(el) > 2 else ""
        line = self.line
        if line is not None:
            if not text and len(el) > 4 and el[3] == "RD8":  # DTM*472**RD8*20250101-20250105
                first, _, last = el[4].partition("-")
                line.service_from = self._date(first, n, "Service date (DTM*472)")
                line.service_to = self._date(last or first, n, "Service date (DTM*472)")
            elif qualifier == "472":
                line.service_from = line.service_to = self._date(text, n, "Service date (DTM*472)")
            elif qualifier == "150":
                line.service_from = self._date(text, n, "Service from date (DTM*150)")
            elif qualifier == "151":
                line.service_to = self._date(text, n, "Service to date (DTM*151)")
            return
        claim = self.claim
        if claim is not None:
            if qualifier == "232":
                claim.statement_from = self._date(text, n, "Statement from date (DTM*232)")
            elif qualifier == "233":
                claim.statement_to = self._date(text, n, "Statement to date (DTM*233)")
            elif qualifier == "050":
                claim.received_date = self._date(text, n, "Received date (DTM*050)")
            return
        if qualifier == "405":
            self.pay[_P["production_date"]] = self._date(text, n, "Production date (DTM*405)")

    def _ref(self, el: list[str], n: int) -> None:
        if self.pay is None:
            return self._stray(el, n)
        qualifier = el[1] if len(el) > 1 else ""
        value = (el[2].strip() if len(el) > 2 else "") or None
        if self.line is not None:
            if qualifier == "6R":
                self.line.line_control_number = value
            elif qualifier == "G1":
                self.line.authorization = value
        elif self.claim is not None:
            if qualifier == "F8":
                self.claim.original_reference = value
        elif qualifier == "2U" and self.n1 == "PR":
            self.payer_ref = value or ""

    def _amt(self, el: list[str], n: int) -> None:
        if self.pay is None:
            return self._stray(el, n)
        qualifier = el[1] if len(el) > 1 else ""
        text = el[2] if len(el) > 2 else ""
        if self.line is not None:
            if qualifier == "B6":
                self.line.allowed = _money_cache.get(text) or self._amount(
                    text, n, "Allowed amount (AMT*B6)", required=False)
        elif self.claim is not None and qualifier == "AU":
            self.claim.coverage_amount = self._amount(text, n, "Coverage amount (AMT*AU)", required=False)

    # ------------------------------------------------------------------ provider adjustments
    def _plb(self, el: list[str], n: int) -> None:
        if self.pay is None:
            return self._stray(el, n)
        self._close_claim()
        provider = (el[1].strip() if len(el) > 1 else "") or None
        period = self._date(el[2], n, "Fiscal period date (PLB02)") if len(el) > 2 else None
        for i in range(3, len(el), 2):
            composite = el[i].strip()
            amount_text = el[i + 1] if i + 1 < len(el) else ""
            if not composite and not amount_text.strip():
                continue
            parts = self._split_composite(composite, n) if composite else [""]
            reason = parts[0].strip()
            reference = ":".join(p.strip() for p in parts[1:]).strip() or None
            amount = self._amount(amount_text, n, f"Provider adjustment amount ({reason or 'no reason'})")
            self.plb.append([
                self.name, self.trace or None, self.payment_no, provider, period, reason or None,
                PLB_REASONS.get(reason), reference, amount, n,
            ])
            if amount is not None:
                self.sum_plb += amount

    # ------------------------------------------------------------------ closing a payment
    def _se(self, el: list[str], n: int) -> None:
        if self.pay is None and self.skipping is None:
            return self._stray(el, n)
        if self.skipping is None:
            said = el[1].strip() if len(el) > 1 else ""
            control = el[2].strip() if len(el) > 2 else ""
            expected = n - self.st_seg + 1
            if said != str(expected):
                self.finding(
                    "era.control-count",
                    f"SE at segment {n} of {self._payment_label()} counts {said or 'no'} segments but the "
                    f"transaction has {expected}; a segment may have been lost or added.",
                    value=said,
                )
            if control != self.st_control:
                self.finding(
                    "era.control-number",
                    f"SE at segment {n} of {self._payment_label()} closes transaction '{control}' but ST opened "
                    f"'{self.st_control}'.",
                    value=control,
                )
        self._close_payment(n, ended_by=None)

    def _close_payment(self, n: int, ended_by: str | None) -> None:
        if self.skipping is not None:
            self.skipping = None
            self._reset_payment()
            return
        pay = self.pay
        if pay is None:  # no payment open (and so no claim)
            return
        self._close_claim()
        label = self._payment_label()
        if ended_by is not None:
            self.finding(
                "era.envelope-missing",
                f"{_upper_first(label)} (ST at segment {self.st_seg}) has no SE before segment {n} ({ended_by}); "
                "the file may be cut short and claims may be missing.",
                fix="Download the 835 again from the payer or clearinghouse.", severity=Severity.ERROR,
            )
        pay[_P["payer_id"]] = self.payer_ref or self.payer_n1_id or self.trn_payer or None
        pay[_P["claims"]] = self.claim_no
        pay[_P["claim_charges"]] = self.sum_charge
        pay[_P["claim_payments"]] = self.sum_paid
        pay[_P["plb_total"]] = self.sum_plb
        pay[_P["unbalanced_claims"]] = self.unbalanced
        amount = None
        if self.bpr is None:
            self.finding(
                "era.payment-missing",
                f"{_upper_first(label)} (ST at segment {self.st_seg}) has no BPR segment, so its amount is unknown.",
                fix="Post this payment from the bank deposit and the payer's EOB.",
            )
        else:
            amount = self._amount(self.bpr[2], self.bpr_seg, "Payment amount (BPR02)")
            pay[_P["payment_amount"]] = amount
            pay[_P["payment_date"]] = self._payment_date(self.bpr, label)
        if not self.trace:
            self.finding(
                "era.trace-missing",
                f"The payment at segment {self.st_seg} has no TRN trace number; it cannot be matched to a deposit.",
            )
        expected = self.sum_paid - self.sum_plb
        variance = (amount - expected) if amount is not None else None
        pay[_P["variance"]] = variance
        pay[_P["balanced"]] = "Y" if variance is not None and not variance and not self.unbalanced else "N"
        if variance:
            self.finding(
                "era.payment-unbalanced",
                f"{_upper_first(label)} does not balance at segment {self.bpr_seg} (BPR): BPR02 is {cents(amount)}, "
                f"but claims paid {cents(self.sum_paid)} less provider adjustments {cents(self.sum_plb)} give "
                f"{cents(expected)}; variance {cents(variance)}.",
                fix="Post the deposit amount, then ask the payer to explain or correct the difference.",
                value=cents(variance),
            )
        self._reset_payment()
        if self.batch_claims and len(self.claims) >= self.batch_claims:
            self.ready.append(self.cut())

    def _payment_date(self, bpr: list[str], label: str) -> date | None:
        """BPR16, the check or EFT effective date (the deposit date for cash posting).

        Some files write one ``*`` too few, so the date lands in BPR15. BPR15 is otherwise the
        payee's bank account number, which only comes with BPR12-14, so a valid date in BPR15 with
        BPR12-14 blank is taken as the payment date, with an info Finding.
        """
        n = self.bpr_seg
        if not bpr[16].strip() and bpr[15].strip() and not "".join(bpr[12:15]).strip():
            try:
                found = ccyymmdd(bpr[15])
            except ValueError:
                return None
            self.finding(
                "era.payment-date-shifted",
                f"{_upper_first(label)}: the payment date {found.isoformat()} is in BPR15 instead of BPR16 at "
                f"segment {n} (one element short); it was read as the payment date.",
            )
            return found
        return self._date(bpr[16], n, "Payment date (BPR16)")

    # ------------------------------------------------------------------ end of file
    def finish(self) -> None:
        """Close whatever the file left open and report leftovers."""
        if self.pay is not None or self.skipping is not None:
            self._close_payment(self.seg_no, ended_by="the end of the file")
        if self.gs is not None:
            self.finding("era.envelope-missing",
                         f"The group opened at segment {self.gs[1]} has no GE at the end of the file.")
            self.gs = None
        if self.isa is not None:
            self.finding("era.envelope-missing",
                         f"The interchange opened at segment {self.isa[1]} has no IEA at the end of the file.")
            self.isa = None
        self._flush_strays()
        garbled = self.garbled
        if garbled.count:
            self.finding(
                "era.garbled-segment",
                f"{garbled.count} segment(s) could not be read and were skipped, the first at segment "
                f"{garbled.first} ('{garbled.sample}').",
                fix="Download the 835 again; the file may be damaged.",
            )
        for rule, count in sorted(self.counts.items()):
            if count > MAX_REPEATED_FINDINGS:
                # The summary stands for findings of the rule's own severity, so it carries that severity.
                self.findings.append(Finding(
                    rule, ERA_RULES[rule].severity or Severity.INFO,
                    f"{count - MAX_REPEATED_FINDINGS} more '{rule}' finding(s) in this file are not listed.",
                    source=self.name,
                ))

    def cut(self) -> Remit835:
        """Hand out the rows read so far as one Remit835 and start empty lists."""
        remit = Remit835(
            name=self.name,
            file_hash=self.file_hash,
            payments=frame(self.payments, PAYMENT_COLUMNS),
            claims=record_frame(self.claims, CLAIM_COLUMNS),
            lines=record_frame(self.lines, LINE_COLUMNS),
            adjustments=frame(self.adjustments, ADJUSTMENT_COLUMNS),
            remarks=frame(self.remarks, REMARK_COLUMNS),
            provider_adjustments=frame(self.plb, PROVIDER_ADJUSTMENT_COLUMNS),
            findings=list(self.findings),
        )
        self.payments, self.claims, self.lines = [], [], []
        self.adjustments, self.remarks, self.plb = [], [], []
        self.findings.clear()
        return remit
