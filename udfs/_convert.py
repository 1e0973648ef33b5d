"""Turn what Excel hands a function into core inputs, and core results into what a cell can show.

Excel passes a single cell as a number, text, bool or None (empty), and a range as a list of rows
(``ndim=2``). Codes typed into number cells arrive as floats (96413.0) and have lost their leading
zeros. The classic add-in, xlwings Lite and xlwings Server all pass values this way, so every UDF
takes its arguments untyped and lets these helpers do the conversion: a strict ``float`` or ``str``
hint would turn a blank cell into ``#VALUE!`` before our code even ran.

What a cell shows back:

* the result value, or a list of rows that spills;
* ``#N/A`` when the question does not apply (an empty input cell);
* a short sentence when the input is invalid (never a traceback: the biller fixes the cell).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from infusion_billing import values
from infusion_billing.identifiers import ValidationError

log = logging.getLogger("infusion_billing.udfs")

#: Returned for "not applicable / not found"; xlwings Lite and Server turn it into a real #N/A error.
NA = "#N/A"


def unwrap(value: Any) -> Any:
    """A 1x1 range as its single value; Pyodide's JS null as None; everything else unchanged.

    >>> unwrap([[95.0]]), unwrap([["x"]]), unwrap([[1, 2]])
    (95.0, 'x', [[1, 2]])
    """
    if isinstance(value, (list, tuple)) and len(value) == 1:
        inner = value[0]
        if not isinstance(inner, (list, tuple)):
            value = inner
        elif len(inner) == 1:
            value = inner[0]
    if type(value).__name__ == "JsNull":  # Pyodide >= 0.28 surfaces JS null as its own sentinel
        return None
    return value


def is_blank(value: Any) -> bool:
    """An empty cell: None, "" or only spaces (also inside a 1x1 range)."""
    return values.is_blank(unwrap(value))


def cell_text(value: Any) -> str:
    """A cell as the text a code or identifier is made of.

    Numbers lose their ``.0`` (1234567893.0 -> "1234567893"); text is stripped; TRUE/FALSE and dates
    are given as text too, for the identifier check to reject.

    >>> cell_text(1234567893.0), cell_text(" 0002-7597-01 "), cell_text(None)
    ('1234567893', '0002-7597-01', '')
    """
    value = unwrap(value)
    if values.is_blank(value):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def invalid(error: ValidationError, what: str) -> str:
    """The short text a cell shows for an invalid value: ``Invalid NDC: <why>``."""
    return f"Invalid {what}: {error}"


def cellwise(per_cell: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Make a one-cell function work on a whole range too, result for result, as a spilled array.

    A single value gives a single result; a list of rows gives a list of rows of results, so one
    ``=IB_NDC11(Administrations[NDC])`` converts a whole column. Any unexpected error in one cell
    becomes a short text in that cell only; its details go to the log without the cell's value.
    """

    def one(value: Any) -> Any:
        try:
            return per_cell(value)
        except Exception as exc:  # a UDF must never show a traceback in a cell
            log.exception("%s failed on one cell (%s)", per_cell.__name__, type(exc).__name__)
            return f"Error: {type(exc).__name__} (please report)"

    @functools.wraps(per_cell)
    def apply(value: Any) -> Any:
        value = unwrap(value)
        if isinstance(value, (list, tuple)):
            return [[one(c) for c in row] if isinstance(row, (list, tuple)) else one(row) for row in value]
        return one(value)

    return apply
