"""Billing identifiers, one small module each, in the python-stdnum style.

Every module offers the same four functions:

- ``compact(text)``  strips what people type around the value (spaces, case, dash variants);
- ``validate(text)`` returns the normalised value or raises one of the errors below;
- ``is_valid(text)`` answers True/False and never raises;
- ``format(text)``   gives the value in its usual printed form.

Modules: :mod:`.ndc` (National Drug Code, 10 -> 11 digits), :mod:`.npi` (National Provider
Identifier) and :mod:`.hcpcs` (CPT/HCPCS code and modifier shapes).

The errors carry a plain-English message a biller can act on. They never repeat the value itself, so
they are safe to log next to patient data.

>>> from infusion_billing.identifiers import npi
>>> try:
...     npi.validate("1234567890")
... except InvalidChecksum as error:
...     print(error)
The NPI check digit does not match; a digit is probably mistyped.
"""

from __future__ import annotations

__all__ = [
    "ValidationError",
    "InvalidFormat",
    "InvalidLength",
    "InvalidChecksum",
    "InvalidComponent",
]


class ValidationError(Exception):
    """The value is not a valid identifier. Subclasses say why."""

    message = "The value is not valid."

    def __init__(self, message: str | None = None) -> None:
        if message is not None:
            self.message = message
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class InvalidFormat(ValidationError):
    """Wrong characters or layout (letters in a number, wrong hyphen pattern, ambiguous form)."""

    message = "The value has the wrong format."


class InvalidLength(ValidationError):
    """Too many or too few characters."""

    message = "The value has the wrong length."


class InvalidChecksum(ValidationError):
    """The check digit does not match: usually one mistyped or swapped digit."""

    message = "The check digit does not match."


class InvalidComponent(ValidationError):
    """One part of the value is not allowed (e.g. an unused HCPCS letter, an all-zero labeler)."""

    message = "A part of the value is not allowed."
