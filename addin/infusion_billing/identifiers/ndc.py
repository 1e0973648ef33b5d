"""NDC (National Drug Code): the package code printed on the drug label, billed as 11 digits.

The FDA assigns 10-digit NDCs in three hyphenated segments (labeler-product-package) laid out as
4-4-2, 5-3-2 or 5-4-1. Claims (CMS-1500 item 24A shaded area, 837 loop 2410 LIN03) want the
11-digit HIPAA form 5-4-2 without hyphens, made by putting a leading zero on the short segment:

=========  ================  =============
label      rule              billed as
=========  ================  =============
4-4-2      0 + segment 1     0002-7597-01 -> 00002759701
5-3-2      0 + segment 2     50242-040-62 -> 50242004062
5-4-1      0 + segment 3     60575-4112-1 -> 60575411201
=========  ================  =============

A bare 10-digit string such as ``5024204062`` cannot be converted: without the hyphens nobody can
tell which segment is short (5024-2040-62, 50242-040-62 or 50242-0406-2 are three different
packages), so it is rejected and the biller is asked for the label form. The one exception is a bare
10-digit NDC that starts with 0: only a 4-digit labeler can start with 0 (a 5-digit labeler 0xxxx
would bill as the same 11 digits as the 4-digit labeler xxxx, which the 11-digit form forbids), so
``0002759701`` is 4-4-2, 00002759701. 11 digits with or without 5-4-2 hyphens are accepted as they are.

An NDC typed into a number cell loses its leading zeros (00002759701 is kept as 2759701).
:func:`from_number` puts them back when the result is certain: up to 9 digits left means at least
one leading zero was lost, which makes it a 4-4-2 label, and its 11-digit form is the same whether
the biller typed 10 or 11 digits; a 10-digit number is ambiguous as above.

Source: CMS/NUCC NDC billing guidance and payer NDC guides, see docs/coding-rules.md section 9 [S34]-[S38].

>>> to_ndc11("0002-7597-01")
'00002759701'
>>> to_ndc11("50242-040-62")
'50242004062'
>>> to_ndc11("60575-4112-1")
'60575411201'
>>> to_ndc11("58063-797-25")
'58063079725'
>>> format("00002759701")
'00002-7597-01'
>>> is_valid("5024204062"), to_ndc11("0002759701")
(False, '00002759701')
>>> from_number(2759701.0)
'00002-7597-01'
"""

from __future__ import annotations

from . import InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from ._util import clean, isdigits

__all__ = ["compact", "validate", "to_ndc11", "is_valid", "format", "split", "from_number"]

#: The 10-digit label layouts and the segment that gets the leading zero.
_TEN_DIGIT_LAYOUTS: dict[tuple[int, ...], int] = {(4, 4, 2): 0, (5, 3, 2): 1, (5, 4, 1): 2}
_ELEVEN_DIGIT_LAYOUT = (5, 4, 2)

AMBIGUOUS_MESSAGE = (
    "A 10-digit NDC without hyphens is ambiguous; enter it as printed on the label "
    "(4-4-2, 5-3-2 or 5-4-1 with hyphens) or as 11 digits, in a cell formatted as Text."
)


def compact(number: object) -> str:
    """The NDC without spaces, with dash look-alikes made plain hyphens (hyphens are kept:
    they decide the layout of a 10-digit NDC).

    >>> compact(" 0002 - 7597 - 01 ")
    '0002-7597-01'
    """
    return clean(number)


def to_ndc11(number: object) -> str:
    """The 11-digit billing NDC (5-4-2, no hyphens) for a label NDC or an 11-digit NDC.

    Raises:
        InvalidFormat: letters, a hyphen layout that is not 4-4-2/5-3-2/5-4-1/5-4-2, or a bare
            10-digit string that does not start with 0 (ambiguous).
        InvalidLength: digits only, but neither 10 nor 11 of them.
        InvalidComponent: the labeler or product segment is all zeros.

    >>> to_ndc11("00002-7597-01")
    '00002759701'
    >>> to_ndc11("0002-7597-1")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    infusion_billing.identifiers.InvalidFormat: NDC segments must be 4-4-2, 5-3-2 or 5-4-1 digits ...
    """
    number = compact(number)
    if not number:
        raise InvalidLength("The NDC is empty.")
    if "-" in number:
        ndc11 = _from_segments(number.split("-"))
    elif not isdigits(number):
        raise InvalidFormat("An NDC has only digits and hyphens.")
    elif len(number) == 11:
        ndc11 = number
    elif len(number) == 10 and number[0] == "0":
        ndc11 = "0" + number  # only a 4-digit labeler starts with 0: 4-4-2
    elif len(number) == 10:
        raise InvalidFormat(AMBIGUOUS_MESSAGE)
    else:
        raise InvalidLength(
            f"An NDC has 10 digits (with hyphens) or 11 digits, not {len(number)}; "
            "if leading zeros were lost, format the column as Text."
        )
    labeler, product, _package = split(ndc11)
    if set(labeler) == {"0"} or set(product) == {"0"}:
        raise InvalidComponent("The NDC labeler or product segment cannot be all zeros.")
    return ndc11


def _from_segments(segments: list[str]) -> str:
    if len(segments) != 3 or not all(isdigits(s) for s in segments):
        raise InvalidFormat("A hyphenated NDC has three groups of digits: labeler-product-package.")
    layout = tuple(len(s) for s in segments)
    if layout == _ELEVEN_DIGIT_LAYOUT:
        return "".join(segments)
    short = _TEN_DIGIT_LAYOUTS.get(layout)
    if short is None:
        raise InvalidFormat(
            "NDC segments must be 4-4-2, 5-3-2 or 5-4-1 digits (10-digit label) or 5-4-2 (11 digits)."
        )
    segments[short] = "0" + segments[short]
    return "".join(segments)


#: ``validate`` returns the normalised (11-digit) value, like every identifier module.
validate = to_ndc11


def is_valid(number: object) -> bool:
    """True when :func:`to_ndc11` accepts the value.

    >>> is_valid("50242-040-62"), is_valid("50242-040-621")
    (True, False)
    """
    try:
        return bool(to_ndc11(number))
    except ValidationError:
        return False


def split(number: object) -> tuple[str, str, str]:
    """Labeler (5), product (4) and package (2) segments of an 11-digit NDC.

    >>> split("50242004062")
    ('50242', '0040', '62')
    """
    digits = clean(number, "-")
    return digits[:5], digits[5:9], digits[9:]


def format(number: object, separator: str = "-") -> str:
    """The 11-digit NDC in its printed 5-4-2 form (validates first).

    >>> format("60575-4112-1")
    '60575-4112-01'
    """
    return separator.join(split(to_ndc11(number)))


def from_number(number: int | float) -> str:
    """The NDC a number cell holds, with the leading zeros Excel dropped put back where that is certain.

    Up to 9 digits: zeros lost, so a 4-4-2 label (see the module notes); returned in the printed
    11-digit form ``00002-7597-01``. 10 digits: ambiguous, returned as the digits for the NDC checks to
    report. 11 digits: returned as they are. Anything else (decimals, negative) is returned as typed.

    >>> from_number(2759701), from_number(50242004062.0), from_number(5024204062)
    ('00002-7597-01', '50242004062', '5024204062')
    """
    if isinstance(number, float):
        if not number.is_integer():
            return repr(number)
        number = int(number)
    digits = str(number)
    if number > 0 and len(digits) <= 9:
        return format(digits.zfill(10))
    return digits
