"""Build small synthetic encounters in memory and code them, so a test reads like a billing case.

    result = code_one([infusion("A1", "J9312", 679, "mg", "11:20", "16:40", interrupted=75)])
    assert claim(result) == {("96413", 1, ""), ("96415", 3, ""), ("J9312", 68, "JZ")}

Rows go through the real reader (:func:`read_grids`), so typing and lenient values are the same as
for a workbook, and findings are located at real A1 cells: Administrations rows start at Excel row 2
and the columns are in :data:`ADMIN_HEADERS` order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from infusion_billing.coding.engine import CodingResult, code_book
from infusion_billing.workbook.reader import BookData, Grid, read_grids

DOS = dt.date(2026, 9, 14)

ADMIN_HEADERS = [
    "Encounter ID", "Admin ID", "Drug", "HCPCS", "Drug Class", "Dose", "Dose Unit", "Wasted", "Container", "Route",
    "Start", "Stop", "Stop Date", "Interrupted Minutes", "IV Site", "Bag", "Purpose", "Necessity Documented", "NDC",
    "Start Date", "Pump", "ESA Indication", "Hemoglobin", "Hematocrit",
]
#: keyword -> column header, for the helpers' **kw
_KW = {"drug": "Drug", "drug_class": "Drug Class", "wasted": "Wasted", "container": "Container", "site": "IV Site",
       "bag": "Bag", "purpose": "Purpose", "necessity": "Necessity Documented", "ndc": "NDC",
       "stop_date": "Stop Date", "interrupted": "Interrupted Minutes", "encounter": "Encounter ID",
       "dose_unit": "Dose Unit", "start": "Start", "stop": "Stop", "route": "Route", "dose": "Dose",
       "hcpcs": "HCPCS", "start_date": "Start Date", "pump": "Pump", "esa": "ESA Indication", "hgb": "Hemoglobin",
       "hct": "Hematocrit"}
ENCOUNTER_HEADERS = [
    "Encounter ID", "Patient ID", "Payer ID", "Date of Service", "Setting", "Place of Service", "Primary Admin ID",
    "E/M Code", "E/M Separately Identifiable", "Second Site Necessary", "Diagnosis Codes",
]
PAYERS = [
    ["Payer ID", "Payer Name", "Payer Type", "Requires JW/JZ", "Biologics As Chemo Admin", "Separate Site Modifier",
     "Secondary Hydration Modifier 59"],
    ["MCR", "Medicare Part B", "Medicare", None, None, None, None],
    ["COM", "Synthetic Commercial", "Commercial", None, None, None, None],
    ["MCD", "Synthetic Medicaid", "Medicaid", None, None, None, None],
    ["BIO", "Commercial biologics as therapeutic", "Commercial", "N", "N", "XU", None],
    ["SEL", "Commercial wanting 59 on hydration", "Commercial", "Y", "Y", "XS", "Y"],
]
#: Payer Drug Classes rows (header first) every book gets: COM codes ocrelizumab with therapeutic codes
#: from 2026-09-15 (the day after the builder's date of service) and lists rituximab as well.
PAYER_DRUG_CLASSES = [
    ["Payer ID", "HCPCS", "Administration Class", "Effective From", "Effective To"],
    ["COM", "J2350", "Therapeutic", dt.date(2026, 9, 15), None],
    ["COM", "J9312", "Therapeutic", None, None],
]


def admin(admin_id: str, hcpcs: str | None, dose: Any, unit: str | None, route: str, start: str | None = None,
          stop: str | None = None, **kw: Any) -> dict[str, Any]:
    """One Administrations row; ``kw`` uses the short names in ``_KW`` (site, bag, wasted ...)."""
    row = {"Encounter ID": "E1", "Admin ID": admin_id, "HCPCS": hcpcs, "Dose": dose, "Dose Unit": unit,
           "Route": route, "Start": start, "Stop": stop, "IV Site": "L forearm"}
    for key, value in kw.items():
        row[_KW[key]] = value
    return row


def infusion(admin_id, hcpcs, dose, unit, start, stop, **kw):
    return admin(admin_id, hcpcs, dose, unit, "IV infusion", start, stop, **kw)


def push(admin_id, hcpcs, dose, unit, at, **kw):
    return admin(admin_id, hcpcs, dose, unit, "IV push", at, None, **kw)


def hydration(admin_id, start, stop, *, hcpcs="J7030", dose=1000, necessity="Y", purpose="Hydration", **kw):
    return admin(admin_id, hcpcs, dose, "mL", "IV infusion", start, stop, necessity=necessity, purpose=purpose,
                 drug="normal saline", **kw)


def injection(admin_id, hcpcs, dose, unit, route="SC injection", **kw):
    return admin(admin_id, hcpcs, dose, unit, route, **kw)


def make_book(admins: list[dict], *, setting: str = "Facility", payer: str = "MCR", pos: str | None = None,
              encounters: list[dict] | None = None, settings: dict | None = None, drugs: list[dict] | None = None,
              chargemaster: dict[str, Any] | None = None, reader_errors_ok: bool = False,
              **encounter: Any) -> BookData:
    """A BookData with the Payers above, one encounter E1 (or ``encounters``) and ``admins``."""
    if encounters is None:
        e = {"Encounter ID": "E1", "Patient ID": "P1", "Payer ID": payer, "Date of Service": DOS, "Setting": setting,
             "Place of Service": pos or ("11" if setting == "Professional" else "22")}
        names = {"primary": "Primary Admin ID", "em": "E/M Code", "em_separate": "E/M Separately Identifiable",
                 "second_site": "Second Site Necessary", "dx": "Diagnosis Codes"}
        for key, value in encounter.items():
            e[names[key]] = value
        encounters = [e]
    grids = {
        "Payers": Grid("Payers", [list(r) for r in PAYERS]),
        "Encounters": Grid("Encounters", [ENCOUNTER_HEADERS] + [[e.get(h) for h in ENCOUNTER_HEADERS]
                                                                 for e in encounters]),
        "Administrations": Grid("Administrations", [ADMIN_HEADERS] + [[a.get(h) for h in ADMIN_HEADERS]
                                                                       for a in admins]),
        "Payer Drug Classes": Grid("Payer Drug Classes", [list(r) for r in PAYER_DRUG_CLASSES]),
    }
    if settings:
        grids["Settings"] = Grid("Settings", [["Setting", "Value"]] + [[k, v] for k, v in settings.items()])
    if drugs:
        headers = list(dict.fromkeys(h for d in drugs for h in d))
        grids["Drugs"] = Grid("Drugs", [headers] + [[d.get(h) for h in headers] for d in drugs])
    if chargemaster is not None:
        grids["ChargeMaster"] = Grid("ChargeMaster", [["Code", "Description", "Charge Amount"]] +
                                     [[code, f"charge for {code}", amount] for code, amount in chargemaster.items()])
    book = read_grids(grids)
    if not reader_errors_ok:
        assert [f.to_text() for f in book.findings if f.severity.value == "error"] == [], "rows must read cleanly"
    return book


def code_one(admins: list[dict], **kw: Any) -> CodingResult:
    """Code the encounter(s) built by :func:`make_book`."""
    return code_book(make_book(admins, **kw))


def claim(result: CodingResult, encounter_id: str | None = None) -> set[tuple[str, int, str]]:
    """The claim as a set of (code, units, modifiers space-separated)."""
    return {(ln.code, ln.units, " ".join(ln.modifiers)) for ln in result.lines
            if encounter_id is None or ln.encounter_id == encounter_id}


def found(result: CodingResult, *severities: str) -> set[tuple[str, str, str]]:
    """Findings as (rule ID, severity, sheet!cell), optionally only these severities."""
    return {(f.rule_id, f.severity.value, f"{f.sheet}!{f.cell}") for f in result.findings
            if not severities or f.severity.value in severities}


def rules_of(result: CodingResult, code: str) -> set[str]:
    """Rule IDs on the lines with this code."""
    return {r for ln in result.lines if ln.code == code for r in ln.rule_ids}


def cell(column: str, excel_row: int = 2, headers: list[str] = ADMIN_HEADERS) -> str:
    """A1 address of ``column`` on ``excel_row`` of the Administrations (or given) table."""
    from infusion_billing.values import excel_column_letter

    return f"{excel_column_letter(headers.index(column) + 1)}{excel_row}"
