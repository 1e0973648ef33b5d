"""What coding a workbook returns: claim lines, findings, and how each encounter came out."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from ..findings import Finding
from .lines import ChargeLine

CODED = "coded"
HELD = "held"
NOTHING_TO_CODE = "nothing to code"


class EncounterStatus(NamedTuple):
    """How one encounter came out of coding (an immutable record).

    Attributes:
        encounter_id: the encounter.
        status: ``coded`` (lines were produced), ``held`` (an error finding stopped it; no lines) or
            ``nothing to code`` (no administrations and no E/M).
        errors: the rule IDs of the error findings that held it.
        lines: how many claim lines it got.
    """

    encounter_id: str
    status: str
    errors: tuple[str, ...] = ()
    lines: int = 0

    @property
    def coded(self) -> bool:
        return self.status == CODED


class DrugDose(NamedTuple):
    """One drug dose as the engine counted it for its drug line (docs/coding-rules.md section 9).

    Attributes:
        hcpcs: the drug's HCPCS.
        amount: the dose in the billing unit's measure (1 g of a per-mg code is 1000).
        waste: the charted Wasted amount in that measure (0 when blank).
    """

    hcpcs: str
    amount: Decimal
    waste: Decimal


@dataclass
class CodingResult:
    """What :func:`~.engine.code_book` returns: claim lines, findings, and a status per encounter."""

    lines: list[ChargeLine] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    status: dict[str, EncounterStatus] = field(default_factory=dict)
    #: Drug lines of each held encounter as the engine counted them (unpriced, not billed): its drugs
    #: were given and will use an authorization once the claim is fixed.
    held_lines: dict[str, list[ChargeLine]] = field(default_factory=dict)
    #: Admin ID -> its dose as the engine counted it, for every drug dose it could count (held
    #: encounters too): the checks read doses and waste from here instead of converting them again.
    doses: dict[str, DrugDose] = field(default_factory=dict)

    def lines_for(self, encounter_id: str) -> list[ChargeLine]:
        return [line for line in self.lines if line.encounter_id == encounter_id]

    @property
    def held(self) -> list[str]:
        """Encounter IDs that were not coded because of an error."""
        return [s.encounter_id for s in self.status.values() if s.status == HELD]

    @property
    def coded(self) -> list[str]:
        return [s.encounter_id for s in self.status.values() if s.status == CODED]
