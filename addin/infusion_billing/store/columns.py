"""A table's cells as typed Arrow columns: money as decimal(18,2), dates as dates, never float money.

Each column gets one type, from what is known about it, strongest first:

* the input schema's kind (``money``, ``date``, ``whole`` ...) for the clinic's own tables;
* for a sheet the tool wrote, its values and number format: a Decimal, or a number the tool formatted
  ``#,##0.00``, is money; dates are dates (a date and time is a timestamp); whole numbers are integers;
* a type the store already holds for the column (an all-blank column of this export then takes it, so
  one column never has two types across partitions).

Other numbers are exact decimals (``decimal(18,4)``), or integers where a column holds whole numbers only.
Times of day are kept as ``HH:MM`` text, booleans as booleans; everything else is text. Column names
are the headers in snake_case (``Date of Service`` -> ``date_of_service``), the names the KPI SQL uses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

import pyarrow as pa

from .. import values as v
from ..derived import key_text
from .tables import relation_name

MONEY = pa.decimal128(18, 2)
QUANTITY = pa.decimal128(18, 4)
#: Schema kinds (``schema.Kind.name``) -> the Arrow type the store keeps them as.
KIND_TYPES: dict[str, pa.DataType] = {
    "money": MONEY, "number": QUANTITY, "percent": QUANTITY, "whole": pa.int64(), "date": pa.date32(),
    "yesno": pa.bool_(), "time": pa.string(),
}
MONEY_FORMATS = {"#,##0.00", "0.00", "$#,##0.00"}


def column_name(header: str) -> str:
    return relation_name(header)


def infer_type(values: Sequence[Any], number_format: str = "General") -> pa.DataType | None:
    """The Arrow type of a column from its values and number format; None when every cell is blank."""
    kinds: set[str] = set()
    for x in values:
        if x is None or (x.__class__ is str and not x.strip()):
            continue
        if isinstance(x, bool):
            kinds.add("bool")
        elif isinstance(x, Decimal):
            kinds.add("money")
        elif isinstance(x, int | float):
            kinds.add("whole" if float(x).is_integer() else "float")
        elif isinstance(x, datetime):
            kinds.add("date" if x.time() == time() else "timestamp")
        elif isinstance(x, date):
            kinds.add("date")
        elif isinstance(x, time):
            kinds.add("time")
        else:
            kinds.add("text")
        if "text" in kinds:
            return pa.string()
    if not kinds:
        return None
    if kinds <= {"whole", "float", "money"}:
        if "money" in kinds or number_format in MONEY_FORMATS:
            return MONEY
        # A quantity (units, a share) is exact too: decimal, whole numbers only where the column is all whole
        # and the tool did not format it for fractions (0.### units, 0.0% shares).
        fractions = "." in number_format or "%" in number_format
        return pa.int64() if kinds == {"whole"} and not fractions else QUANTITY
    if kinds == {"date"}:
        return pa.date32()
    if kinds <= {"date", "timestamp"}:
        return pa.timestamp("s")
    if kinds == {"bool"}:
        return pa.bool_()
    return pa.string()


def cell(value: Any, kind: pa.DataType) -> Any:
    """One cell as a value of Arrow type ``kind`` (None for a blank or a value that does not fit)."""
    if value is None or (value.__class__ is str and not value.strip()):
        return None
    if isinstance(value, Enum):
        value = value.value
    try:
        if kind == MONEY:
            return v.to_money(value)
        if kind == QUANTITY:
            return v.to_decimal(value).quantize(Decimal("0.0001"))
        if kind == pa.int64():
            return v.to_int(value)
        if kind == pa.date32():
            return v.to_date(value)
        if kind == pa.timestamp("s"):
            return value if isinstance(value, datetime) else datetime.combine(v.to_date(value), time())
        if kind == pa.bool_():
            return value if isinstance(value, bool) else v.to_yes_no(value)
    except (ValueError, TypeError, ArithmeticError):
        return None
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return key_text(value) if not isinstance(value, str) else value


def arrow_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], *,
                kinds: Mapping[str, pa.DataType] | None = None, formats: Mapping[int, str] | None = None,
                known: Mapping[str, pa.DataType] | None = None) -> pa.Table:
    """``rows`` (lists in ``columns`` order) as an Arrow table with snake_case column names.

    ``kinds``: header -> type declared by the schema; ``formats``: column index -> number format read
    from the sheet; ``known``: snake_case name -> the type the store already holds for it.
    """
    kinds, formats, known = kinds or {}, formats or {}, known or {}
    arrays: list[pa.Array] = []
    names: list[str] = []
    seen: set[str] = set()
    for i, header in enumerate(columns):
        name = column_name(str(header or f"Column {i + 1}"))
        while name in seen:  # two headers with one snake_case name: the second gets a number
            name += "_2"
        seen.add(name)
        values = [row[i] if i < len(row) else None for row in rows]
        kind = kinds.get(header) or infer_type(values, formats.get(i, "General"))
        if name in known and (kind is None or _widens(known[name], kind)):
            kind = known[name]
        kind = kind or pa.string()
        arrays.append(pa.array([cell(x, kind) for x in values], type=kind))
        names.append(name)
    return pa.Table.from_arrays(arrays, names=names)


def _widens(stored: pa.DataType, new: pa.DataType) -> bool:
    """Whether this export's type fits the store's (whole numbers in a money column stay money)."""
    numbers = {pa.int64(), MONEY, QUANTITY}
    return stored == new or (stored in numbers and new in numbers) or stored == pa.string()
