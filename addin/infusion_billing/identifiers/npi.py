"""NPI (National Provider Identifier): the 10-digit number of a rendering or ordering provider.

CMS issues NPIs as 9 digits plus a Luhn check digit. The Luhn sum is taken over the number
prefixed with ``80840`` (the ISO card-issuer prefix for US health), so a single mistyped digit
or most swapped neighbours make it fail. NPIs start with 1 (individuals) or 2 (organisations).
A payer rejects a claim whose NPI fails this check before anyone reads it.

Source: CMS, "Requirements for the NPI check digit" (NPPES, 45 CFR 162.406); ISO/IEC 7812.

>>> validate("1234567893")
'1234567893'
>>> is_valid("1234567890")
False
>>> calc_check_digit("123456789")
'3'
"""

from __future__ import annotations

from . import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from ._util import clean, isdigits

__all__ = ["compact", "validate", "is_valid", "format", "calc_check_digit"]

#: Card-issuer prefix CMS puts in front of the NPI before the Luhn check.
LUHN_PREFIX = "80840"


def compact(number: object) -> str:
    """The NPI without spaces or hyphens.

    >>> compact(" 123-456 7893 ")
    '1234567893'
    """
    return clean(number, "-")


def _luhn_sum(digits: str) -> int:
    total = 0
    # Double every second digit counting from the right, the check digit itself not doubled.
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total


def calc_check_digit(number: str) -> str:
    """The check digit for the first nine digits of an NPI."""
    return str((10 - _luhn_sum(LUHN_PREFIX + number + "0") % 10) % 10)


def validate(number: object) -> str:
    """The 10-digit NPI, or raise a :class:`~infusion_billing.identifiers.ValidationError`.

    >>> validate("1 234 567 893")
    '1234567893'
    >>> validate("3234567893")
    Traceback (most recent call last):
        ...
    infusion_billing.identifiers.InvalidComponent: An NPI starts with 1 (individual) or 2 (organisation).
    """
    number = compact(number)
    if not isdigits(number):
        raise InvalidFormat("An NPI has only digits." if number else "The NPI is empty.")
    if len(number) != 10:
        raise InvalidLength(f"An NPI has 10 digits, not {len(number)}.")
    if number[0] not in "12":
        raise InvalidComponent("An NPI starts with 1 (individual) or 2 (organisation).")
    if _luhn_sum(LUHN_PREFIX + number) % 10 != 0:
        raise InvalidChecksum("The NPI check digit does not match; a digit is probably mistyped.")
    return number


def is_valid(number: object) -> bool:
    """True when :func:`validate` accepts the NPI."""
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: object) -> str:
    """An NPI is printed as its 10 digits, without separators."""
    return validate(number)
