"""The order of the tool's sheets: what a biller works through first comes first.

``Findings`` (what to fix), ``Encounter Status`` (which visits can be billed) and ``Charges`` (the
claim lines) lead; the other result sheets follow in the order the stages make them, and the
``RunLog`` audit trail comes last. The command line's writer and the Excel macros both place sheets
by :func:`work_order`. The biller's own sheets are never moved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

#: Result sheets a biller works through first, in this order.
FIRST_SHEETS = ("Findings", "Encounter Status", "Charges")
#: Result sheets that go after all others.
LAST_SHEETS = ("RunLog",)
#: The suffix of a result moved off a name the biller's own sheet holds (see ownership.place_sheets).
_MOVED = re.compile(r" \(\d+\)$")


def _name(item: object) -> str:
    return str(getattr(item, "name", item))


def work_order(items: Iterable[T], name: Callable[[T], str] = _name) -> list[T]:
    """``items`` (sheet names, or tables with a ``name``) as Findings, Encounter Status, Charges, the
    rest in the order given, RunLog; names compared ignoring case. A result that had to move to
    ``Findings (2)`` because the biller owns a ``Findings`` sheet keeps its place in the order."""
    first = {n.casefold(): i for i, n in enumerate(FIRST_SHEETS)}
    last = {n.casefold(): i for i, n in enumerate(LAST_SHEETS)}

    def rank(item: T) -> tuple[int, int]:
        key = _MOVED.sub("", name(item)).casefold()
        if key in first:
            return 0, first[key]
        return (2, last[key]) if key in last else (1, 0)

    return sorted(items, key=rank)
