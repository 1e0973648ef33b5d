"""A claim line: what the coding engine produces and the Charges sheet shows, one row per line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple


class ChargeLine(NamedTuple):
    """One line of a claim: an immutable record (a named tuple; a run builds hundreds of thousands).

    Attributes:
        encounter_id: the encounter (claim) the line belongs to.
        line: line number within the encounter, from 1.
        date_of_service: the encounter's date of service (an infusion crossing midnight stays on it).
        code: CPT or HCPCS code.
        modifiers: modifiers in claim order, e.g. ("JW",) or ("25",).
        units: units of service.
        charge: ChargeMaster amount x units, to the cent; None (a blank cell) when the ChargeMaster has
            no price for the code, which holds the encounter (never a 0.00 line).
        ndc: 11-digit NDC (5-4-2, no hyphens) for drug lines, else "".
        ndc_unit: NDC unit of measure (UN, ML, GR, F2, ME), else "".
        ndc_quantity: NDC quantity, else None.
        admin_ids: the administrations the line comes from.
        rule_ids: the stable IDs of the coding rules that produced the line.
        explanation: one sentence a biller understands.
    """

    encounter_id: str
    line: int
    date_of_service: date
    code: str
    modifiers: tuple[str, ...]
    units: int
    charge: Decimal | None
    ndc: str = ""
    ndc_unit: str = ""
    ndc_quantity: Decimal | None = None
    admin_ids: tuple[str, ...] = ()
    rule_ids: tuple[str, ...] = ()
    explanation: str = ""


#: Charges sheet headers, in order.
CHARGE_COLUMNS = (
    "Encounter ID", "Line", "Date of Service", "Code", "Modifiers", "Units", "Charge", "NDC", "NDC Unit",
    "NDC Quantity", "Admin IDs", "Rule", "Explanation",
)
