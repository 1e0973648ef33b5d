"""Fast constructors for the engine's two frozen result objects: ChargeLine and EncounterStatus.

A run builds a :class:`~.lines.ChargeLine` for every claim line and an ``EncounterStatus`` for every
encounter: hundreds of thousands of objects. Both are frozen, slotted dataclasses, whose generated
``__init__`` sets each field through ``object.__setattr__`` (the price of being frozen), which is
most of what building one costs.

Each class below has exactly the slots of its target, so the same memory layout. Its ``__init__``
fills them as any plain class does, then makes the object an instance of the target by
``__class__`` assignment, which Python allows between classes of identical layout. What comes out is
an ordinary ChargeLine (or EncounterStatus), equal to one built by its own constructor: that is
checked once at import, and the target's own constructor is used instead if it ever fails (a field
added to the target, for instance).
"""

from __future__ import annotations

from typing import Any, Callable

from .lines import ChargeLine


class _NewChargeLine:
    __slots__ = ("encounter_id", "line", "date_of_service", "code", "modifiers", "units", "charge", "ndc",
                 "ndc_unit", "ndc_quantity", "admin_ids", "rule_ids", "explanation")

    def __init__(self, encounter_id, line, date_of_service, code, modifiers, units, charge, ndc, ndc_unit,
                 ndc_quantity, admin_ids, rule_ids, explanation) -> None:
        self.encounter_id = encounter_id
        self.line = line
        self.date_of_service = date_of_service
        self.code = code
        self.modifiers = modifiers
        self.units = units
        self.charge = charge
        self.ndc = ndc
        self.ndc_unit = ndc_unit
        self.ndc_quantity = ndc_quantity
        self.admin_ids = admin_ids
        self.rule_ids = rule_ids
        self.explanation = explanation
        self.__class__ = ChargeLine


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

    return checked(_NewStatus, status_class)


def checked(fast: type, target: type) -> Callable[..., Any]:
    """``fast`` when it builds objects equal to ``target``'s own, else ``target`` itself."""
    sample = tuple(f"{name}-sample" for name in fast.__slots__)
    try:
        if fast.__slots__ == target.__slots__ and fast(*sample) == target(*sample):
            return fast
    except (TypeError, AttributeError):  # the layouts differ after all
        pass
    return target


#: ``new_charge_line(*fields)`` is ``ChargeLine(*fields)``, fields in ChargeLine's order.
new_charge_line: Callable[..., ChargeLine] = checked(_NewChargeLine, ChargeLine)
