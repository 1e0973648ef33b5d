"""Text fit for a message or a terminal, whatever bytes a file name or a cell holds.

A file name that is not UTF-8 (a workbook copied from an old Windows share) arrives in Python with
placeholders for its undecodable bytes, and a cell may hold ESC or BEL: printed raw, the first
breaks the message and the second rings the bell or repaints the terminal (an ESC sequence can even
retitle the window or hide text). Everything the command line prints goes through
:func:`terminal_safe`, and every file name in a message through :func:`shown`, and every dollar
figure through :func:`money_text` (1,234.56: to the cent, thousands grouped, as a biller reads it).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def terminal_safe(text: str) -> str:
    """``text`` with control characters shown as ``\\x1b``-style escapes (line breaks and tabs kept)."""
    if _UNPRINTABLE.search(text) is None:
        return text
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 256
                            else f"\\u{ord(m.group(0)):04x}", text)


def shown(path: str | Path, *, whole: bool = False) -> str:
    """A file's name (``whole``: the path as given) for a message: undecodable bytes as the replacement
    character, controls escaped."""
    name = str(path) if whole else (Path(path).name or str(path))
    return terminal_safe(name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")).replace("\n", "\\n")


def money_text(value: Decimal | int | str) -> str:
    """A dollar figure as every summary prints it: ``1,234.56`` (to the cent, half a cent up).

    ``value`` is a Decimal, an int or the text a stage summary holds (``"2167771.34"``, ``"2,353,029.66"``
    or ``"0"``); never a float, which would not hold cents exactly.
    """
    amount = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", ""))
    return f"{amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


def summary_value(value: object) -> str:
    """A stage summary's figure as every summary prints it: counts grouped (1,515), dollars to the cent
    (2,167,771.34: a summary holds money as an exact Decimal), anything else as it is."""
    if isinstance(value, Decimal):
        return money_text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def counted(n: int, noun: str) -> str:
    """``1 clinic``, ``3 clinics``, ``1,515 clinic-months``: a count with its noun in the right number."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"
