"""HCPCS/CPT procedure codes and modifiers: shape checks, not a code list.

A claim line's procedure code is one of:

==================  ===============================  ===========================
kind                shape                            infusion examples
==================  ===============================  ===========================
CPT (Category I)    5 digits                         96365, 96413, 96372
CPT Category II     4 digits + F (quality measures)  3074F
CPT Category III    4 digits + T (emerging tech)     0519T
HCPCS Level II      letter + 4 digits                J1745 (infliximab), J7050
==================  ===============================  ===========================

HCPCS Level II uses the letter sections A-E, G, H, J-M and P-V; F, I, N, O and W-Z are not
assigned, so ``N1745`` is rejected. A modifier is two letters or digits (25, 59, XS, JW, JZ, JG).

Whether a well-shaped code exists or is payable is a question for the Drugs table and the coding
rules, not for this module.

Sources: CMS HCPCS Level II coding procedures; AMA CPT code categories (code numbers only,
no AMA descriptors).

>>> validate(" j1745 ")
'J1745'
>>> kind("96413"), kind("J1745"), kind("0519T")
('CPT', 'HCPCS Level II', 'CPT Category III')
>>> is_valid("9641")
False
>>> split("J1745-JW")
('J1745', ('JW',))
"""

from __future__ import annotations

import re

from . import InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from ._util import clean

__all__ = [
    "compact", "validate", "is_valid", "format", "kind",
    "validate_modifier", "is_valid_modifier", "split",
]

CPT = "CPT"
CPT_CATEGORY_II = "CPT Category II"
CPT_CATEGORY_III = "CPT Category III"
LEVEL_II = "HCPCS Level II"

#: Letters CMS uses for HCPCS Level II sections (D is the dental CDT range).
LEVEL_II_LETTERS = frozenset("ABCDEGHJKLMPQRSTUV")

_SHAPES = (
    (re.compile(r"^\d{5}$"), CPT),
    (re.compile(r"^\d{4}F$"), CPT_CATEGORY_II),
    (re.compile(r"^\d{4}T$"), CPT_CATEGORY_III),
    (re.compile(r"^[A-Z]\d{4}$"), LEVEL_II),
)
_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")


def compact(code: object) -> str:
    """The code in upper case without spaces. A number read from Excel (96413.0) loses its ``.0``.

    >>> compact(" 96413.0 "), compact("j 1745")
    ('96413', 'J1745')
    """
    text = clean(code).upper()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text


def kind(code: object) -> str:
    """Which code set the shape belongs to: ``CPT``, ``CPT Category II``, ``CPT Category III`` or
    ``HCPCS Level II`` (validates first)."""
    code = validate(code)
    return next(name for pattern, name in _SHAPES if pattern.match(code))


def validate(code: object) -> str:
    """The code in upper case, or raise a :class:`~infusion_billing.identifiers.ValidationError`.

    >>> validate("N1745")
    Traceback (most recent call last):
        ...
    infusion_billing.identifiers.InvalidComponent: HCPCS Level II codes do not use the letter N.
    """
    code = compact(code)
    if not code:
        raise InvalidLength("The procedure code is empty.")
    if len(code) != 5:
        raise InvalidLength(f"A CPT/HCPCS code has 5 characters, not {len(code)}.")
    for pattern, name in _SHAPES:
        if pattern.match(code):
            if name == LEVEL_II and code[0] not in LEVEL_II_LETTERS:
                raise InvalidComponent(f"HCPCS Level II codes do not use the letter {code[0]}.")
            return code
    raise InvalidFormat(
        "A procedure code is 5 digits (CPT), a letter and 4 digits (HCPCS), "
        "or 4 digits and F or T (CPT Category II/III)."
    )


def is_valid(code: object) -> bool:
    """True when :func:`validate` accepts the code's shape."""
    try:
        return bool(validate(code))
    except ValidationError:
        return False


def format(code: object) -> str:
    """Procedure codes are printed as they are validated: upper case, 5 characters."""
    return validate(code)


def validate_modifier(modifier: object) -> str:
    """A modifier in upper case, or raise: two letters or digits.

    >>> validate_modifier("jw"), validate_modifier(25.0)
    ('JW', '25')
    """
    text = compact(modifier)
    if not text:
        raise InvalidLength("The modifier is empty.")
    if len(text) != 2:
        raise InvalidLength(f"A modifier has 2 characters, not {len(text)}.")
    if not _MODIFIER.match(text):
        raise InvalidFormat("A modifier has only letters and digits.")
    return text


def is_valid_modifier(modifier: object) -> bool:
    """True when :func:`validate_modifier` accepts the modifier."""
    try:
        return bool(validate_modifier(modifier))
    except ValidationError:
        return False


def split(text: object) -> tuple[str, tuple[str, ...]]:
    """A code written with its modifiers (``J1745-JW``, ``96413 59``, ``J1745:JZ``) as
    ``(code, (modifiers...))``, each validated.

    >>> split("96365 xs 25")
    ('96365', ('XS', '25'))
    """
    parts = [p for p in re.split(r"[\s\-:,]+", str(text).strip()) if p]
    if not parts:
        raise InvalidLength("The procedure code is empty.")
    return validate(parts[0]), tuple(validate_modifier(p) for p in parts[1:])
