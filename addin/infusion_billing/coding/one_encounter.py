"""Code one encounter from its Administrations rows as a range: the core of ``=IB_CODE_ENCOUNTER``.

A biller selects an encounter's rows on the Administrations sheet (header row first), says whether
the claim is a Facility or Professional one and the payer type, and gets the claim lines back as a
spilled table: Line, Code, Modifiers, Units, NDC, NDC Unit, NDC Quantity, Admin IDs, Rule,
Explanation. Warnings follow the lines as rows whose Code is ``warning``. An encounter the engine
holds returns ``Not coded`` and the reason for each error instead of lines.

The rows go through the same reader and engine as a whole workbook, with one synthetic encounter
and one payer of the given type (built-in Drugs table, no ChargeMaster, default Settings).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from .. import values as v
from ..findings import Severity
from ..schema import PayerType, Setting
from ..workbook.reader import Grid, read_grids
from .engine import HELD, code_book

SPILL_COLUMNS = ["Line", "Code", "Modifiers", "Units", "NDC", "NDC Unit", "NDC Quantity", "Admin IDs", "Rule",
                 "Explanation"]
#: Date of service when none is given and no row runs past midnight (it then only affects the
#: deleted-HCPCS warning, which is about current claims anyway).
UNDATED = date(9999, 12, 31)
PAYER_ID = "PAYER"


def _choice(kind, value: Any, what: str):
    if v.is_blank(value):
        return None
    try:
        return kind(str(value).strip())
    except ValueError:
        return None


def code_rows(rows: Any, setting: Any, payer_type: Any, date_of_service: Any = None,
              primary_admin_id: Any = None) -> list[list[Any]] | str:
    """Spill rows for one encounter, or a short sentence when the inputs cannot be used."""
    if not isinstance(rows, (list, tuple)) or len(rows) < 2 or not isinstance(rows[0], (list, tuple)):
        return "Select the encounter's Administrations rows with their header row."
    claim_setting = _choice(Setting, setting, "setting")
    if claim_setting is None or claim_setting is Setting.HOME:
        return "Invalid setting: use Facility or Professional."
    kind = _choice(PayerType, payer_type, "payer type")
    if kind is None:
        return "Invalid payer type: use " + ", ".join(PayerType.values()) + "."

    header = [v.to_text(h) if not v.is_blank(h) else "" for h in rows[0]]
    keys = [v.norm_key(h) for h in header]
    body = [list(r) for r in rows[1:] if any(not v.is_blank(x) for x in r)]
    if "encounterid" in keys:
        at = keys.index("encounterid")
        ids = {v.to_code(r[at]) for r in body if at < len(r) and not v.is_blank(r[at])}
        if len(ids) > 1:
            return "Invalid rows: they belong to more than one encounter (" + ", ".join(sorted(ids)) + ")."
        eid = ids.pop() if ids else "E1"
        for r in body:
            if at >= len(r):
                r.extend([None] * (at + 1 - len(r)))
            r[at] = eid
    else:
        eid = "E1"
        header = ["Encounter ID"] + header
        body = [[eid] + r for r in body]

    if v.is_blank(date_of_service):
        if "stopdate" in keys and any(not v.is_blank(r[keys.index("stopdate")]) for r in body
                                      if keys.index("stopdate") < len(r)):
            return "Give the date of service: a row runs past midnight (it has a Stop Date)."
        dos: Any = UNDATED
    else:
        try:
            dos = v.to_date(date_of_service)
        except Exception:
            return "Invalid date of service: expected a date."

    grids = {
        "Payers": Grid("Payers", [["Payer ID", "Payer Name", "Payer Type"], [PAYER_ID, "Payer", kind.value]]),
        "Encounters": Grid("Encounters", [
            ["Encounter ID", "Patient ID", "Payer ID", "Date of Service", "Setting", "Primary Admin ID"],
            [eid, "P1", PAYER_ID, dos, claim_setting.value, None if v.is_blank(primary_admin_id) else primary_admin_id],
        ]),
        "Administrations": Grid("Administrations", [header] + body),
    }
    book = read_grids(grids)
    result = code_book(book)
    status = result.status.get(eid)
    if status is None or status.status == HELD:
        errors = [f for f in [*book.findings, *result.findings] if f.severity is Severity.ERROR]
        return [["Not coded"]] + [[f"{f.message} ({f.rule_id})"] for f in errors]

    out: list[list[Any]] = [list(SPILL_COLUMNS)]
    for ln in result.lines:
        out.append([ln.line, ln.code, " ".join(ln.modifiers), ln.units, ln.ndc, ln.ndc_unit,
                    float(ln.ndc_quantity) if ln.ndc_quantity is not None else "", ", ".join(ln.admin_ids),
                    ", ".join(ln.rule_ids), ln.explanation])
    for f in result.findings:
        if f.severity is Severity.WARNING and f.encounter_id:
            out.append(["", "warning", "", "", "", "", "", "", f.rule_id, f.message])
    return out
