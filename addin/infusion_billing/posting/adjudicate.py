"""How a payer adjudicates a claim line, as the simulator plays it: allowed, cost share, write-offs, denials.

One line is paid the way payers pay (docs/posting.md section 1 [S68][S77][S92]):

* **allowed** = the FeeSchedule rate in force on the date of service x units, the lesser of that
  and the charge when the payer pays that way (:func:`~.contract.expected_allowed`); the rest of
  the charge is the contractual write-off ``CO-45``;
* the patient's share comes out of the allowed amount in this order: the unmet **deductible**
  (``PR-1``), the visit's **copay** (``PR-3``, once per claim), the **coinsurance** (``PR-2``) on
  what is left;
* Medicare pays the remainder less **2 % sequestration** of its own share (``CO-253``): sequestration
  is on Medicare's payment only, never on the patient's part;
* a **denied** line allows nothing: its whole charge is one ``CO`` adjustment with the denial reason;
* a **secondary** payer pays its share of what the primary left to the patient
  (:func:`~.cob.secondary_expected`); the rest of the charge is ``OA-23``, the prior payer's impact.

Every amount is a Decimal to the cent, and every line balances: charge - paid = the sum of its
adjustments, and allowed = paid + patient responsibility + sequestration.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from .contract import ZERO, cents

SEQUESTRATION = Decimal("0.02")


@dataclass
class CostShare:
    """What is left of the patient's cost share with one payer: deductible, this visit's copay, coinsurance."""

    deductible_left: Decimal = ZERO
    copay_left: Decimal = ZERO
    coinsurance: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class Adjudicated:
    """One line as the payer decided it, everything an 835 ``SVC`` loop carries.

    Attributes:
        code, modifiers: as paid (SVC01); ``submitted_code`` (SVC06) when the payer changed the code.
        units: units paid (SVC05); ``submitted_units`` (SVC07) when fewer than billed.
        adjustments: (group, CARC, amount) in the order written.
        remarks: line remark codes (LQ*HE).
    """

    line_control_number: str
    code: str
    modifiers: tuple[str, ...]
    charge: Decimal
    paid: Decimal
    allowed: Decimal
    units: Decimal
    adjustments: tuple[tuple[str, str, Decimal], ...] = ()
    remarks: tuple[str, ...] = ()
    submitted_code: str = ""
    submitted_units: Decimal | None = None

    @property
    def patient_responsibility(self) -> Decimal:
        return sum((a for g, _, a in self.adjustments if g == "PR"), ZERO)

    def reversed(self) -> Adjudicated:
        """The reversal of this line (CLP02 22): every amount and the units negated."""
        return replace(self, charge=-self.charge, paid=-self.paid, allowed=-self.allowed, units=-self.units,
                       adjustments=tuple((g, r, -a) for g, r, a in self.adjustments),
                       submitted_units=-self.submitted_units if self.submitted_units is not None else None)


@dataclass
class LineToPay:
    """A claim line the payer is asked to pay."""

    line_control_number: str
    code: str
    modifiers: tuple[str, ...]
    units: Decimal
    charge: Decimal


def pay(line: LineToPay, allowed: Decimal, share: CostShare, *, medicare: bool, units: Decimal | None = None,
        code: str | None = None, remarks: tuple[str, ...] = (), submitted: bool = False) -> Adjudicated:
    """Pay ``line`` at ``allowed``: CO-45 for the charge above it, the patient's share, sequestration.

    ``units``/``code`` are what the payer paid when it cut units or changed the code (``submitted``
    marks the line with SVC06/SVC07). The allowed amount is never more than the charge here unless
    the contract says so (then CO-45 is negative, as payers send it).
    """
    deductible = min(share.deductible_left, allowed)
    share.deductible_left -= deductible
    copay = min(share.copay_left, allowed - deductible)
    share.copay_left -= copay
    coinsurance = cents((allowed - deductible - copay) * share.coinsurance)
    payer_share = allowed - deductible - copay - coinsurance
    sequestration = cents(payer_share * SEQUESTRATION) if medicare else ZERO
    paid = payer_share - sequestration
    adjustments = [("CO", "45", line.charge - allowed), ("CO", "253", sequestration),
                   ("PR", "1", deductible), ("PR", "3", copay), ("PR", "2", coinsurance)]
    paid_units = line.units if units is None else units
    paid_code = line.code if code is None else code
    return Adjudicated(
        line.line_control_number, paid_code, line.modifiers, line.charge, paid, allowed, paid_units,
        tuple(a for a in adjustments if a[2] != ZERO), remarks,
        submitted_code=line.code if submitted and paid_code != line.code else "",
        submitted_units=line.units if submitted and paid_units != line.units else None)


def coordinate(line: LineToPay, allowed: Decimal) -> Adjudicated:
    """A secondary payer's line under coordination of benefits: it pays ``allowed`` (its share of what
    the primary left to the patient) and the rest of the charge is ``OA-23``, the impact of the prior
    payer's adjudication; nothing more is left to the patient."""
    return Adjudicated(line.line_control_number, line.code, line.modifiers, line.charge, allowed, allowed, line.units,
                       tuple(a for a in (("OA", "23", line.charge - allowed),) if a[2] != ZERO))


def deny(line: LineToPay, carc: str, rarc: str = "") -> Adjudicated:
    """A denied line: nothing allowed, the whole charge one CO adjustment with the denial reason."""
    return Adjudicated(line.line_control_number, line.code, line.modifiers, line.charge, ZERO, ZERO, line.units,
                       (("CO", carc, line.charge),), (rarc,) if rarc else ())


@dataclass
class AdjudicatedClaim:
    """One CLP loop: the claim as adjudicated in one remit (a split claim has two, a reversal its own)."""

    claim_id: str
    status: str  # CLP02: 1 processed as primary, 4 denied, 22 reversal
    payer_claim_number: str
    lines: list[Adjudicated] = field(default_factory=list)
    remarks: tuple[str, ...] = ()  # claim remarks (MOA)

    @property
    def charge(self) -> Decimal:
        return sum((ln.charge for ln in self.lines), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((ln.paid for ln in self.lines), ZERO)

    @property
    def patient_responsibility(self) -> Decimal:
        return sum((ln.patient_responsibility for ln in self.lines), ZERO)

    def reversal(self) -> AdjudicatedClaim:
        return AdjudicatedClaim(self.claim_id, "22", self.payer_claim_number, [ln.reversed() for ln in self.lines],
                                self.remarks)
