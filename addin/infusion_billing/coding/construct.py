"""Fast construction of the engine's two frozen results: ChargeLine and EncounterStatus.

A run makes a :class:`~.lines.ChargeLine` for every claim line and an ``EncounterStatus`` for every
encounter: hundreds of thousands of objects. Both are frozen, slotted dataclasses, whose generated
``__init__`` sets each field through ``object.__setattr__`` (the price of being frozen), which is
most of what building one costs.

Instead, a plain class with exactly the target's slots (so the same memory layout) is filled as any
plain object is, then made an instance of the target by ``__class__`` assignment, which Python
allows between classes of identical layout. For claim lines that plain class is the engine's own
:class:`~.model.Draft`: a finished draft *becomes* its ChargeLine. What comes out is an ordinary
ChargeLine (or EncounterStatus), equal to one its own constructor builds; that is checked once at
import, and the target's constructor is used instead if it ever fails (a field added, say).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Callable

from .lines import ChargeLine
from .model import Draft


def _finish_in_place(draft: Draft, encounter_id: str, line: int, date_of_service: date,
                     charge: Decimal) -> ChargeLine:
    draft.encounter_id = encounter_id
    draft.line = line
    draft.date_of_service = date_of_service
    draft.charge = charge
    draft.__class__ = ChargeLine
    return draft  # now a ChargeLine


def _finish_by_copy(draft: Draft, encounter_id: str, line: int, date_of_service: date,
                    charge: Decimal) -> ChargeLine:
    return ChargeLine(encounter_id, line, date_of_service, draft.code, draft.modifiers, draft.units, charge,
                      draft.ndc, draft.ndc_unit, draft.ndc_quantity, draft.admin_ids, draft.rule_ids,
                      draft.explanation)


def _finish_works() -> bool:
    if Draft.__slots__ != ChargeLine.__slots__:
        return False
    sample = Draft("96413", 2, ("A1",), ("coding.initial-infusion",), "x", ("25",), "1", "ML", Decimal(1))
    expected = _finish_by_copy(sample, "E1", 1, date(2026, 1, 1), Decimal("2.00"))
    try:
        return _finish_in_place(sample, "E1", 1, date(2026, 1, 1), Decimal("2.00")) == expected
    except TypeError:  # the layouts differ after all
        return False


#: ``finish(draft, encounter_id, line, date_of_service, charge)``: the draft as its numbered, priced ChargeLine.
finish: Callable[[Draft, str, int, date, Decimal], ChargeLine] = \
    _finish_in_place if _finish_works() else _finish_by_copy


def status_constructor(status_class: type) -> Callable[[str, str, tuple[str, ...], int], Any]:
    """``make(encounter_id, status, errors, lines)``, building ``status_class`` (EncounterStatus)."""

    class _NewStatus:
        __slots__ = ("encounter_id", "status", "errors", "lines")

        def __init__(self, encounter_id, status, errors, lines) -> None:
            self.encounter_id = encounter_id
            self.status = status
            self.errors = errors
            self.lines = lines
            self.__class__ = status_class

    sample = tuple(f"{name}-sample" for name in _NewStatus.__slots__)
    try:
        if _NewStatus.__slots__ == status_class.__slots__ and _NewStatus(*sample) == status_class(*sample):
            return _NewStatus
    except (TypeError, AttributeError):  # the layouts differ after all
        pass
    return status_class
