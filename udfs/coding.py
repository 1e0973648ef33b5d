"""Coding worksheet functions: drug units, waste units, infusion minutes, add-on hours, a whole encounter.

Each one is a thin wrapper over the coding engine (:mod:`infusion_billing.coding`), so a cell gives
the same answer as the ``Code`` button and ``infusion-billing code``:

* ``=IB_DRUG_UNITS(hcpcs, dose, dose_unit)``: HCPCS units, rounded up (J9312, 679, "mg" -> 68);
* ``=IB_WASTE_UNITS(hcpcs, dose, wasted, dose_unit)``: units of the JW line (J1745, 530, 70, "mg" -> 7);
* ``=IB_INFUSION_MINUTES(start, stop, [interrupted])``: counted minutes (11:20, 16:40, 75 -> 245);
* ``=IB_ADDON_UNITS(minutes, [kind])``: additional-hour units (245 -> 3), or secondary hydration units;
* ``=IB_CODE_ENCOUNTER(administration_rows, setting, payer_type, [date_of_service], [primary_admin_id])``:
  the claim lines of one encounter, spilled, from its Administrations rows (header row first).

Drug units use the built-in Drugs table (a worksheet function cannot see the workbook's own Drugs
table; the buttons and the command do). Every argument may be a single cell or a column; columns
are answered row by row. An empty input gives ``#N/A``; an invalid one a short sentence.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from xlwings import arg, func

from infusion_billing import values
from infusion_billing.coding.drug_lines import UnitProblem, drug_units, waste_units
from infusion_billing.coding.minutes import TimeProblem, addon_hour_units, infusion_minutes, secondary_hydration_units
from infusion_billing.coding.one_encounter import code_rows
from infusion_billing.coding.ruletables import coding_tables
from infusion_billing.reference.catalog import builtin_drugs
from infusion_billing.schema import MeasureUnit

from ._convert import NA, cell_text, is_blank, unwrap

__all__ = ["IB_DRUG_UNITS", "IB_WASTE_UNITS", "IB_INFUSION_MINUTES", "IB_ADDON_UNITS", "IB_CODE_ENCOUNTER"]

log = logging.getLogger("infusion_billing.udfs")


class Invalid(ValueError):
    """An input a cell should answer with a short sentence."""


def _rowwise(per_row: Callable[..., Any], *args: Any) -> Any:
    """Apply ``per_row`` to single values, or row by row when some arguments are ranges (others repeat)."""
    args = tuple(unwrap(a) for a in args)
    shape = next((a for a in args if isinstance(a, (list, tuple))), None)

    def one(*cells: Any) -> Any:
        try:
            return per_row(*cells)
        except Invalid as problem:
            return str(problem)
        except Exception as exc:  # a cell never shows a traceback
            log.exception("%s failed on one row (%s)", per_row.__name__, type(exc).__name__)
            return f"Error: {type(exc).__name__} (please report)"

    if shape is None:
        return one(*args)

    def pick(a: Any, r: int, c: int) -> Any:
        if not isinstance(a, (list, tuple)):
            return a
        row = a[r] if r < len(a) else []
        row = row if isinstance(row, (list, tuple)) else [row]
        return row[c] if c < len(row) else row[0] if len(row) == 1 else None

    out = []
    for r, row in enumerate(shape):
        width = len(row) if isinstance(row, (list, tuple)) else 1
        out.append([one(*(pick(a, r, c) for a in args)) for c in range(width)])
    return out


def _decimal(value: Any, what: str) -> Decimal:
    try:
        return values.to_decimal(value)
    except Exception:
        raise Invalid(f"Invalid {what}: expected a number") from None


def _unit(value: Any) -> str:
    text = cell_text(value)
    if not text:
        raise Invalid("Invalid dose unit: missing (mg, mcg, g, units or mL)")
    try:
        return MeasureUnit(text).value
    except ValueError:
        raise Invalid(f"Invalid dose unit: {text} is not mg, mcg, g, units or mL") from None


def _drug(hcpcs: Any):
    code = values.to_code(cell_text(hcpcs))
    drug = builtin_drugs().get(code)
    if drug is None:
        raise Invalid(f"Unknown HCPCS: {code} is not in the built-in drug table")
    return drug


def _dose(value: Any) -> Decimal:
    dose = _decimal(value, "dose")
    if dose <= 0:
        raise Invalid("Invalid dose: must be more than zero")
    return dose


def _drug_units(hcpcs: Any, dose: Any, dose_unit: Any) -> Any:
    if is_blank(hcpcs) or is_blank(dose):
        return NA
    drug = _drug(hcpcs)
    try:
        return drug_units(_dose(dose), _unit(dose_unit), drug)
    except UnitProblem as problem:
        raise Invalid(f"Invalid dose unit: {problem}") from None


def _waste_units(hcpcs: Any, dose: Any, wasted: Any, dose_unit: Any) -> Any:
    if is_blank(hcpcs) or is_blank(dose):
        return NA
    drug = _drug(hcpcs)
    waste = Decimal(0) if is_blank(wasted) else _decimal(wasted, "wasted amount")
    if waste < 0:
        raise Invalid("Invalid wasted amount: cannot be negative")
    try:
        return waste_units(_dose(dose), waste, _unit(dose_unit), drug)
    except UnitProblem as problem:
        raise Invalid(f"Invalid dose unit: {problem}") from None


def _moment(value: Any, what: str) -> tuple[date | None, time]:
    """A cell as (date or None, clock time): an Excel time, a date-time, a serial number or text."""
    if isinstance(value, datetime):
        return value.date(), value.time().replace(second=0, microsecond=0)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 1:
        moment = values.EXCEL_EPOCH + timedelta(minutes=round(value * 24 * 60))
        return moment.date(), moment.time()
    if isinstance(value, str) and len(value.strip()) > 10 and value.strip()[4:5] == "-":
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", ""))
            return moment.date(), moment.time().replace(second=0, microsecond=0)
        except ValueError:
            pass
    try:
        return None, values.to_clock(value)
    except Exception:
        raise Invalid(f"Invalid {what} time: expected a clock time such as 11:20") from None


def _infusion_minutes(start: Any, stop: Any, interrupted: Any = None) -> Any:
    if is_blank(start) or is_blank(stop):
        return NA
    start_day, start_clock = _moment(start, "start")
    stop_day, stop_clock = _moment(stop, "stop")
    pause = 0
    if not is_blank(interrupted):
        try:
            pause = values.to_int(interrupted)
        except Exception:
            raise Invalid("Invalid interrupted minutes: expected whole minutes") from None
    try:
        if start_day and stop_day:
            return infusion_minutes(start_clock, stop_clock, pause, start_date=start_day, stop_date=stop_day)
        return infusion_minutes(start_clock, stop_clock, pause)
    except TimeProblem as problem:
        if problem.rule_id == "coding.stop-before-start":
            raise Invalid("Invalid times: stop is before start (past midnight? give date and time)") from None
        raise Invalid(f"Invalid interrupted minutes: {problem.message}") from None


_SECONDARY = {"secondary", "secondaryhydration", "hydration", "hydrationsecondary", "96361secondary"}
_ADDON = {"addon", "addonhour", "addonhours", "hour", "hours", "additionalhour", "additionalhours", "96366", "96415",
          "96361", "96370"}


def _addon_units(minutes: Any, kind: Any = None) -> Any:
    if is_blank(minutes):
        return NA
    try:
        count = values.to_int(minutes)
    except Exception:
        raise Invalid("Invalid minutes: expected whole minutes") from None
    if count < 0:
        raise Invalid("Invalid minutes: cannot be negative")
    key = values.norm_key(cell_text(kind)) if not is_blank(kind) else "addon"
    # The hour and the "more than 30 minutes" rule come from the engine's time_thresholds.csv, so a cell
    # and the Code button count alike when the table changes.
    tables = coding_tables()
    if key in _SECONDARY:
        return secondary_hydration_units(count, tables.hour, tables.addon_over)
    if key in _ADDON:
        return addon_hour_units(count, tables.hour, tables.addon_over)
    raise Invalid("Invalid kind: use add-on (after an initial or sequential infusion) or secondary hydration")


@func
@arg("hcpcs", ndim=2, doc="HCPCS of the drug, e.g. J9312; a cell or a column.")
@arg("dose", ndim=2, doc="Amount given, e.g. 679.")
@arg("dose_unit", ndim=2, doc="Unit of the dose: mg, mcg, g, units or mL.")
def IB_DRUG_UNITS(hcpcs, dose, dose_unit):
    """HCPCS units for a dose: dose in the billing unit / unit quantity, rounded up. #N/A if empty."""
    return _rowwise(_drug_units, hcpcs, dose, dose_unit)


@func
@arg("hcpcs", ndim=2, doc="HCPCS of the drug from a single-dose container, e.g. J1745.")
@arg("dose", ndim=2, doc="Amount given.")
@arg("wasted", ndim=2, doc="Amount discarded, in the dose's unit (blank = 0).")
@arg("dose_unit", ndim=2, doc="Unit of dose and waste: mg, mcg, g, units or mL.")
def IB_WASTE_UNITS(hcpcs, dose, wasted, dose_unit):
    """Units of the JW (discarded drug) line: ceil((dose + wasted)/unit) - ceil(dose/unit). 0 means JZ."""
    return _rowwise(_waste_units, hcpcs, dose, wasted, dose_unit)


@func
@arg("start", ndim=2, doc="Clock time the drug started (11:20), or date and time.")
@arg("stop", ndim=2, doc="Clock time it stopped; date and time when it ran past midnight.")
@arg("interrupted", ndim=2, doc="Optional: minutes the infusion was stopped (blank = 0).")
def IB_INFUSION_MINUTES(start, stop, interrupted=None):
    """Counted infusion minutes: stop - start - interrupted minutes. #N/A if a time is empty."""
    return _rowwise(_infusion_minutes, start, stop, interrupted)


@func
@arg("minutes", ndim=2, doc="Counted minutes of the infusion or hydration.")
@arg("kind", ndim=2, doc="Optional: add-on (default; 96361/96366/96415 after an initial) or secondary hydration.")
def IB_ADDON_UNITS(minutes, kind=None):
    """Additional-hour units: more than 30 minutes past the first hour and past each further hour.

    The minutes (60 and 30 today) are those of the coding engine's time-thresholds table."""
    return _rowwise(_addon_units, minutes, kind)


@func
@arg("administration_rows", ndim=2, doc="The encounter's Administrations rows, header row first.")
@arg("setting", ndim=2, doc="Facility or Professional.")
@arg("payer_type", ndim=2, doc="Medicare, Medicare Advantage, Medicaid, Commercial, Self-pay or Other.")
@arg("date_of_service", ndim=2, doc="Optional: date of service (needed when a row has a Stop Date).")
@arg("primary_admin_id", ndim=2, doc="Optional: Admin ID of the main reason for the visit (professional).")
def IB_CODE_ENCOUNTER(administration_rows, setting, payer_type, date_of_service=None, primary_admin_id=None):
    """The claim lines of one encounter, spilled: code, modifiers, units, NDC, rule and explanation."""
    try:
        return code_rows(administration_rows, unwrap(setting), unwrap(payer_type), unwrap(date_of_service),
                         unwrap(primary_admin_id))
    except Exception as exc:  # a cell never shows a traceback
        log.exception("IB_CODE_ENCOUNTER failed (%s)", type(exc).__name__)
        return f"Error: {type(exc).__name__} (please report)"
