"""Practice-wide settings: one explicit, frozen object passed to every stage.

The ``Settings`` sheet holds one setting per row (``Setting`` | ``Value`` | ``Notes``). Every setting
the tool knows is declared once in :data:`SETTING_SPECS` with its type, default and a biller's
explanation; the template lists them, the reader checks them, and nothing reads an implicit "today":
aging and timely filing use the **As-Of Date** the user sets.

Coding options that sources disagree on (docs/coding-rules.md section 12) are settings here with a
documented default; payer-specific ones (JW/JZ, NDC, biologics as chemo, separate-site modifier) are
columns of the ``Payers`` table instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from . import values as v

#: Choices of the ``Info Findings`` setting: where info rows of the Findings go.
INFO_ON_NOTES = "Notes sheet"
INFO_ON_FINDINGS = "Findings sheet"
INFO_HIDDEN = "Hide"
INFO_CHOICES = (INFO_ON_NOTES, INFO_ON_FINDINGS, INFO_HIDDEN)


@dataclass(frozen=True)
class SettingSpec:
    """One known setting: its name on the sheet, attribute name, parser, default and explanation."""

    name: str
    attr: str
    parse: Callable[[object], Any]
    default: Any
    description: str
    choices: tuple[str, ...] = ()


def _choice(*allowed: str) -> Callable[[object], str]:
    def parse(value: object) -> str:
        key = v.norm_key(value)
        for a in allowed:
            if v.norm_key(a) == key:
                return a
        raise v.cell_error("unknown_value", "expected one of: " + ", ".join(allowed))

    return parse


def _date_format(value: object) -> str:
    """An Excel date format showing day, month and year (``MM/DD/YYYY`` is read as ``mm/dd/yyyy``)."""
    text = v.to_text(value).lower()
    if not re.fullmatch(r"[dmy/\-., ]+", text) or not all(part in text for part in "dmy"):
        raise v.cell_error("unknown_value", "expected a date format with d, m and y, such as m/d/yyyy or dd/mm/yyyy")
    return text


SETTING_SPECS: list[SettingSpec] = [
    SettingSpec("Practice Name", "practice_name", v.to_text, "", "Shown on output sheets."),
    SettingSpec("As-Of Date", "as_of_date", v.to_date, None,
                "The date aging, timely filing and authorization status are measured from. Never an implicit today."),
    SettingSpec("340B Modifier", "modifier_340b", _choice("None", "JG", "TB"), "None",
                "JG or TB on 340B-acquired drug lines (docs/coding-rules.md section 10); None when not a 340B entity.",
                ("None", "JG", "TB")),
    SettingSpec("Hydration Sum Segments", "hydration_sum_segments", v.to_yes_no, True,
                "Y: hydration before and after a drug is summed into one time (CPT Assistant June 2007). "
                "N: each segment stands alone (some payers refuse to sum)."),
    SettingSpec("96376 At Exactly 30 Minutes", "same_drug_push_at_30", v.to_yes_no, False,
                "Y: a repeat push of the same drug exactly 30 minutes after the last one qualifies for 96376. "
                "N (default): it must be more than 30 minutes; exact-30 cases are flagged for review."),
    SettingSpec("JZ When Waste Within One Unit", "jz_when_waste_within_unit", v.to_yes_no, True,
                "Y (default, Noridian): when the rounded-up units already cover dose plus waste, the single drug "
                "line carries JZ. N: that line carries neither JW nor JZ (docs/coding-rules.md section 12 item 7)."),
    SettingSpec("Professional Hydration First", "professional_hydration_first",
                _choice("Drug initial", "Hydration initial"), "Drug initial",
                "A professional claim whose primary reason is hydration, with a drug pushed or infused after it. "
                "Drug initial (default): the drug is the initial service and hydration is secondary 96361, as CPT's "
                "add-on parentheticals require. Hydration initial: 96360 stays the initial and the drug is coded as "
                "its add-on (the primary-reason reading; docs/coding-options.md).",
                ("Drug initial", "Hydration initial")),
    SettingSpec("Missing Stop Time Fallback", "missing_stop_fallback", _choice("Push code", "Hold"), "Push code",
                "What to code when an infusion has no stop time: the conservative push code plus a finding, "
                "or hold the encounter.", ("Push code", "Hold")),
    SettingSpec("Timely Filing Warning Days", "timely_filing_warning_days", v.to_int, 30,
                "Warn when an unbilled encounter's filing deadline is this many days away or fewer."),
    SettingSpec("Rule Set", "rule_set", _choice("basic", "strict"), "basic",
                "basic: the checks every claim needs. strict: also the stricter review checks.", ("basic", "strict")),
    SettingSpec("Info Findings", "info_findings", _choice(*INFO_CHOICES), INFO_ON_NOTES,
                "Where findings of severity info (what the tool did on purpose) go: Notes sheet (default; the "
                "Findings sheet then lists only what needs work), Findings sheet (with the rest), or Hide.",
                INFO_CHOICES),
    SettingSpec("NCCI Folder", "ncci_folder", v.to_text, "",
                "Folder holding the CMS NCCI edits imported with 'refdata import-ncci --cache'; blank: the edits "
                "stored in this workbook (NCCI PTP and NCCI MUE sheets) or the shipped demo table."),
    SettingSpec("Remit Folder", "remit_folder", v.to_text, "",
                "Folder of the payers' 835 remittance files that month close imports (infusion-billing close, the "
                "Close month button); files imported before are skipped. Blank: give --remits, or import with "
                "import-era."),
    SettingSpec("Date Format", "date_format", _date_format, "m/d/yyyy",
                "How dates show on the result sheets, as an Excel date format: m/d/yyyy (default, US), "
                "mm/dd/yyyy, dd/mm/yyyy, yyyy-mm-dd or d-mmm-yyyy."),
    SettingSpec("Underpayment Tolerance", "underpayment_tolerance", v.to_text, "1.00 or 1%",
                "How far below the contract a line's allowed amount may be before it is Underpaid (and above it "
                "before it is Overpaid): an amount (1.00), a percent of the expected allowed (1%), or both "
                "(1.00 or 1%: the larger of the two, the default)."),
]


def _buckets(value: object) -> tuple[int, ...]:
    """``30, 60, 90, 120`` -> (30, 60, 90, 120): the upper ends of the aging buckets, increasing days."""
    parts = [p for p in re.split(r"[,;\s]+", v.to_text(value)) if p]
    try:
        limits = tuple(int(p) for p in parts)
    except ValueError:
        raise v.cell_error("wrong_type", "expected whole days separated by commas, e.g. 30, 60, 90, 120") from None
    if not limits or any(b <= a for a, b in zip(limits, limits[1:], strict=False)) or limits[0] <= 0:
        raise v.cell_error("wrong_type", "expected increasing whole days, e.g. 30, 60, 90, 120")
    return limits


SETTING_SPECS.append(SettingSpec(
    "Aging Buckets", "aging_buckets", _buckets, "30, 60, 90, 120",
    "Upper ends of the AR aging buckets in days, increasing: 30, 60, 90, 120 gives 0-30, 31-60, 61-90, 91-120 "
    "and over 120 (docs/aging.md)."))
SETTING_SPECS.extend([
    SettingSpec("Statement Minimum Balance", "statement_minimum", v.to_money, v.to_money("5.00"),
                "Patient statements go only to patients who owe at least this much after insurance "
                "(docs/statements.md)."),
    SettingSpec("Statement Cycle Days", "statement_cycle_days", v.to_int, 30,
                "Days between two statements to the same patient: one sent fewer days ago is not sent again."),
])
SETTING_SPECS.append(SettingSpec(
    "Store Folder", "store_folder", v.to_text, "",
    "Folder of the practice's columnar store (infusion-billing export-store; a path relative to the workbook's "
    "folder is fine). A result table longer than an Excel sheet goes there in full and the sheet keeps the latest "
    "months; blank: it goes to a CSV file beside the workbook."))
SETTINGS_BY_KEY = {v.norm_key(s.name): s for s in SETTING_SPECS}


@dataclass(frozen=True)
class Settings:
    """The settings in force for one run (defaults unless the Settings sheet says otherwise)."""

    practice_name: str = ""
    as_of_date: date | None = None
    modifier_340b: str = "None"
    hydration_sum_segments: bool = True
    same_drug_push_at_30: bool = False
    jz_when_waste_within_unit: bool = True
    missing_stop_fallback: str = "Push code"
    professional_hydration_first: str = "Drug initial"
    timely_filing_warning_days: int = 30
    rule_set: str = "basic"
    info_findings: str = INFO_ON_NOTES
    ncci_folder: str = ""
    remit_folder: str = ""
    date_format: str = "m/d/yyyy"
    underpayment_tolerance: str = "1.00 or 1%"
    aging_buckets: tuple[int, ...] = (30, 60, 90, 120)
    statement_minimum: Decimal = Decimal("5.00")
    statement_cycle_days: int = 30
    store_folder: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)


def spec_for(name: str) -> SettingSpec | None:
    """The declared setting whose name matches leniently, or None."""
    return SETTINGS_BY_KEY.get(v.norm_key(name))
