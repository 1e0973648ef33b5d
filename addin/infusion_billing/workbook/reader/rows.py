"""Typing one row: each cell through its column's converter, remembered per distinct value.

A row with a bad cell becomes located Findings and is left out; a good row becomes its row model
(:func:`~infusion_billing.schema.row_model`), its slots filled with the typed values.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from ... import values as v
from ...findings import Finding, Severity
from ...rules import reader as rules
from ...schema import TableSpec, has_row_validators, row_constructor
from .book import TableData, value_text


def row_builder(spec: TableSpec):
    """A function ``(record, excel_row) -> (row model | None, errors)`` for one table's rows.

    Each cell goes through the column's own coercer (the one its Annotated type declares) and Choice
    enum, exactly what pydantic would call, but remembered per distinct raw value: a month's
    administrations repeat the same routes, units, codes and clock times thousands of times, and
    this is what keeps a 100,000-row read within seconds. Models with cross-field validators (Payer's
    type-dependent defaults) still go through ``model_validate``.
    """
    model = spec.model
    if has_row_validators(model):
        def validate(record: dict, excel_row: int):
            try:
                return model.model_validate({**record, "__row__": excel_row}), []
            except ValidationError as err:
                return None, err.errors()
        return validate

    # Each column remembers its conversions in two dicts: text cells by the text itself (most cells,
    # and no key tuple to build), other cells by (type, value), since 1, 1.0 and True are equal keys.
    columns: list[tuple[str, str, Any, Any, bool, dict, dict]] = [
        (c.header, c.field, _reader_convert(spec, c), c.choice, c.required, {}, {}) for c in spec.columns]
    unit_fields = {c.header: (c.unit_column, spec.column(c.unit_column).field)
                   for c in spec.columns if c.unit_column}
    construct = row_constructor(model)

    def build(record: dict, excel_row: int):
        fields: dict[str, Any] = {"excel_row": excel_row}
        errors = []
        stated = None
        for header, name, convert, choice, required, texts, others in columns:
            raw = record.get(header)
            if raw is None:
                if required:
                    errors.append({"type": "missing", "loc": (header,), "msg": "Field required"})
                continue
            if raw.__class__ is str:
                try:
                    value = texts[raw]
                except KeyError:
                    value = _convert_cell(raw, convert, choice)
                    if value.__class__ is str and value == raw:
                        value = raw  # the row keeps the cell's own text, not an equal copy (an ID per row)
                    texts[raw] = value
            else:
                key = (raw.__class__, raw)
                try:
                    value = others[key]
                except KeyError:
                    value = others[key] = _convert_cell(raw, convert, choice)
                except TypeError:  # an unhashable cell value (never from a file): convert it directly
                    value = _convert_cell(raw, convert, choice)
            if value.__class__ is _CellProblem:
                errors.append({"type": value.kind, "loc": (header,), "msg": value.message})
            elif value.__class__ is _WithUnit:  # "750 mg": the unit is settled once every cell is typed
                stated = stated or []
                stated.append((header, value.unit))
                fields[name] = value.value
            else:
                fields[name] = value
        if stated:
            for header, unit in stated:
                unit_header, unit_field = unit_fields[header]
                current = fields.get(unit_field)
                if current is None:
                    fields[unit_field] = unit
                elif current is not unit:
                    errors.append({"type": "unit_conflict", "loc": (header,),
                                   "msg": f"the unit typed in it ({unit}) disagrees with {unit_header} ({current})",
                                   "unit_column": unit_header})
        if errors:
            return None, errors
        return construct(fields), []

    return build


class _WithUnit:
    """An amount typed with its unit (``750 mg``): the number and the unit column's value."""

    __slots__ = ("value", "unit")

    def __init__(self, value: Any, unit: Any):
        self.value, self.unit = value, unit


def _reader_convert(spec: TableSpec, column):
    """The column's cell converter; for an amount with a unit column, one that also reads a typed unit."""
    if not column.unit_column:
        return column.convert
    unit_choice = spec.column(column.unit_column).choice
    convert = column.convert

    def amount_with_unit(raw: Any):
        number, unit = v.split_amount(raw)
        value = convert(number)
        if unit is None:
            return value
        try:
            return _WithUnit(value, unit_choice(unit))
        except ValueError:
            raise v.cell_error("unknown_value", f"unit '{unit}' is not one of: {', '.join(unit_choice.values())}") \
                from None

    return amount_with_unit


class _CellProblem:
    """A cell that did not convert, remembered like a good value so the same bad text costs once."""

    __slots__ = ("kind", "message")

    def __init__(self, kind: str, message: str):
        self.kind, self.message = kind, message


def _convert_cell(raw: Any, convert, choice):
    try:
        value = convert(raw) if convert is not None else raw
        if choice is not None:
            member = choice(value)  # lenient match through Choice._missing_
            return member
        return value
    except PydanticCustomError as err:
        return _CellProblem(err.type, err.message())
    except (ValueError, TypeError):
        if choice is not None:
            return _CellProblem("enum", "Input should be " + " or ".join(repr(v) for v in choice.values()))
        return _CellProblem("wrong_type", "could not be read")


def key_part(value: Any) -> Any:
    if value.__class__ is str:  # fast path: most keys are typed as text
        key = value.upper().replace(" ", "")
        return (value if key == value else key) or None  # an ID already in upper case is kept, not copied
    if v.is_blank(value):
        return None
    try:
        return v.to_code(value)
    except Exception:
        return str(value)


_RULE_FOR_ERROR = {
    "missing": rules.MISSING_VALUE,
    "enum": rules.UNKNOWN_VALUE,
    "unknown_value": rules.UNKNOWN_VALUE,
    "unit_conflict": rules.UNIT_CONFLICT,
    "out_of_range": rules.OUT_OF_RANGE,
}


def cell_finding(spec: TableSpec, table: TableData, excel_row: int, error: dict, record: dict,
                 unvalued: frozenset[str] = frozenset()) -> Finding:
    """The Finding for one cell pydantic refused. ``unvalued``: the row's headers whose cell holds a
    formula with no stored value; a required one of them is blank because of that, and says so (the
    biller recalculates and saves in Excel; nothing from the cell is quoted)."""
    header = str(error["loc"][0]) if error.get("loc") else ""
    if error["type"] == "missing" and header in unvalued:
        return rules.FORMULA_NO_VALUE.finding(
            f"{header} holds a formula with no stored value (the workbook was saved without calculating it, "
            "or the formula's result is an error such as #N/A), so it reads as blank; this row was left out.",
            severity=Severity.ERROR,
            sheet=table.sheet, row=excel_row, column=header, cell=table.cell(excel_row, header),
            fix="Open the workbook in Excel, let it recalculate, correct the formula if it shows an error, save it, "
                "and run again; or type the value.",
            encounter_id=encounter_of(record) if header != "Encounter ID" else "")
    rule = _RULE_FOR_ERROR.get(error["type"], rules.WRONG_TYPE)
    try:
        colspec = spec.column(header)
    except KeyError:
        colspec = None
    raw = record.get(header)
    value = "" if colspec is None or colspec.phi else value_text(raw)
    if rule is rules.MISSING_VALUE:
        message = f"{header} is required; this row was left out."
        fix = f"Fill in {header}."
    elif rule is rules.UNKNOWN_VALUE and colspec is not None and colspec.choices:
        message = f"{header} '{value}' is not one of: {', '.join(colspec.choices)}; this row was left out."
        fix = f"Pick {header} from the drop-down list."
    elif rule is rules.UNIT_CONFLICT:
        message = f"{header}: {error['msg']}; this row was left out."
        fix = f"Correct {header} or {error['unit_column']} so they name the same unit."
    else:
        message = f"{header}: {error['msg']}; this row was left out."
        fix = f"Correct {header}."
    return rule.finding(message, sheet=table.sheet, row=excel_row, column=header,
                   cell=table.cell(excel_row, header), value=value, fix=fix,
                   encounter_id=encounter_of(record) if header != "Encounter ID" else "")


def encounter_of(record: dict) -> str:
    """The Encounter ID a raw row names: a row left out holds that encounter's claim."""
    return str(key_part(record.get("Encounter ID")) or "")
