"""Small helpers shared by the identifier modules (python-stdnum's ``util``)."""

from __future__ import annotations

import re

# Hyphen look-alikes that arrive when a code is pasted from a PDF or a web page.
_DASHES = re.compile(r"[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]")
_SPACES = re.compile(r"\s+")


def clean(number: object, deletechars: str = "") -> str:
    """Text with surrounding and inner whitespace removed, dash variants turned into ``-``.

    Characters in ``deletechars`` are removed too.

    >>> clean(" 0002\u20137597 - 01 ")
    '0002-7597-01'
    >>> clean("123 456-789", " -")
    '123456789'
    """
    text = _SPACES.sub("", _DASHES.sub("-", str(number)))
    for char in deletechars:
        text = text.replace(char, "")
    return text


def isdigits(text: str) -> bool:
    """True when ``text`` is non-empty and only ASCII digits (``str.isdigit`` also accepts '²')."""
    return bool(text) and text.isascii() and text.isdigit()
