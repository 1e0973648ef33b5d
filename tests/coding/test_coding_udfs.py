"""The coding worksheet functions called as plain Python, with the values Excel passes.

Without an xlwings runtime the decorators do nothing, so each call here is exactly what a cell runs:
a single cell arrives as a value, a range as a list of rows, an empty cell as None, a time-formatted
cell as a fraction of a day.
"""

from __future__ import annotations

import datetime as dt

import pytest

from infusion_billing.udfs import (
    IB_ADDON_UNITS, IB_CODE_ENCOUNTER, IB_DRUG_UNITS, IB_INFUSION_MINUTES, IB_WASTE_UNITS,
)


def test_drug_units_for_rituximab():
    assert IB_DRUG_UNITS("J9312", 679, "mg") == 68


def test_drug_units_for_a_column_of_doses():
    assert IB_DRUG_UNITS([["J9312"], ["J2469"], [None]], [[679.0], [0.25], [1]], [["mg"], ["mg"], ["mg"]]) == [
        [68], [10], ["#N/A"]]


@pytest.mark.parametrize("args, shown", [
    (("J1745", 40, "mL"), "Invalid dose unit: the dose is in mL but J1745 is billed per 10 mg"),
    (("J1745", 40, "kg"), "Invalid dose unit: kg is not mg, mcg, g, units or mL"),
    (("J9998", 4, "mg"), "Unknown HCPCS: J9998"),
    (("J1745", -4, "mg"), "Invalid dose: must be more than zero"),
    (("J1745", "lots", "mg"), "Invalid dose: expected a number"),
])
def test_drug_units_explains_an_unusable_input_in_a_short_sentence(args, shown):
    assert IB_DRUG_UNITS(*args).startswith(shown)


def test_waste_units_for_a_jw_line_and_zero_for_jz():
    assert IB_WASTE_UNITS("J1745", 530, 70, "mg") == 7
    assert IB_WASTE_UNITS("J9070", 75, 25, "mg") == 0
    assert IB_WASTE_UNITS("J1745", 530, None, "mg") == 0


def test_infusion_minutes_from_time_cells_with_an_interruption():
    assert IB_INFUSION_MINUTES(dt.time(11, 20), dt.time(16, 40), 75) == 245
    assert IB_INFUSION_MINUTES(680 / 1440, 1000 / 1440, None) == 320  # Excel times are fractions of a day


def test_infusion_minutes_past_midnight_need_dates():
    assert IB_INFUSION_MINUTES(dt.datetime(2026, 9, 14, 23, 0), dt.datetime(2026, 9, 15, 2, 0)) == 180
    assert IB_INFUSION_MINUTES("23:00", "02:00").startswith("Invalid times: stop is before start")


def test_infusion_minutes_of_an_empty_cell_is_na():
    assert IB_INFUSION_MINUTES(None, "10:00") == "#N/A"


@pytest.mark.parametrize("minutes, kind, units", [
    (245, None, 3), (90, None, 0), (91, "add-on", 1), (175, "secondary hydration", 3), (30, "hydration", 0),
])
def test_addon_units(minutes, kind, units):
    assert IB_ADDON_UNITS(minutes, kind) == units


def test_addon_units_count_with_the_engines_time_thresholds_table(monkeypatch):
    # A payer year where the remainder must exceed 15 minutes: the cell follows the table, as coding does.
    import dataclasses

    from infusion_billing.coding import ruletables
    from infusion_billing.udfs import coding as coding_udfs

    shipped = ruletables.coding_tables()
    changed = dataclasses.replace(shipped, thresholds={**shipped.thresholds, "addon_over": 15})
    monkeypatch.setattr(coding_udfs, "coding_tables", lambda: changed)
    assert IB_ADDON_UNITS(80, None) == 1  # 20 minutes past the hour now earn 96366
    assert IB_ADDON_UNITS(80, "secondary hydration") == 2  # 60 + 20 > 15
    assert shipped.addon_over == 30


def test_addon_units_refuses_an_unknown_kind():
    assert IB_ADDON_UNITS(120, "monthly").startswith("Invalid kind")


ROWS = [
    ["Encounter ID", "Admin ID", "HCPCS", "Dose", "Dose Unit", "Route", "Start", "Stop", "IV Site"],
    ["E7", "A1", "J9312", 679, "mg", "IV infusion", dt.time(11, 20), dt.time(16, 40), "port"],
    ["E7", "A2", "J1200", 25, "mg", "IV push", dt.time(11, 0), None, "port"],
]


def test_code_encounter_spills_the_claim_lines():
    spilled = IB_CODE_ENCOUNTER(ROWS, "Facility", "Medicare")
    assert spilled[0][:4] == ["Line", "Code", "Modifiers", "Units"]
    assert {(r[1], r[3], r[2]) for r in spilled[1:]} == {
        ("96413", 1, ""), ("96415", 4, ""), ("96375", 1, ""), ("J9312", 68, "JZ"), ("J1200", 1, "")}
    assert spilled[1][9] == "Rituximab 11:20-16:40 = 320 min: 96413 + 4 x 96415"
    # Diphenhydramine is packaged under the hospital outpatient PPS: no JZ on the facility claim.


def test_code_encounter_for_a_commercial_office_visit_with_its_primary_reason():
    spilled = IB_CODE_ENCOUNTER(ROWS, "Professional", "Commercial", None, "A1")
    assert {(r[1], r[3], r[2]) for r in spilled[1:]} == {
        ("96413", 1, ""), ("96415", 4, ""), ("96375", 1, ""), ("J9312", 68, ""), ("J1200", 1, "")}


def test_code_encounter_lists_warnings_after_the_lines():
    """A second IV site without documented necessity: one initial, and the warning follows the lines."""
    rows = [list(r) for r in ROWS]
    rows[2][8] = "R forearm"
    spilled = IB_CODE_ENCOUNTER(rows, "Professional", "Commercial", None, "A1")
    assert {(r[1], r[3], r[2]) for r in spilled[1:] if r[1] != "warning"} == {
        ("96413", 1, ""), ("96415", 4, ""), ("96375", 1, ""), ("J9312", 68, ""), ("J1200", 1, "")}
    assert [r[8] for r in spilled if r[1] == "warning"] == ["coding.second-site-undocumented"]


def test_a_premedication_named_as_the_primary_reason_is_re_sequenced():
    """The push cannot be the primary of the chemo add-ons (96417 and 96415 take 96413): chemo is the initial."""
    spilled = IB_CODE_ENCOUNTER(ROWS, "Professional", "Commercial", None, "A2")
    assert {(r[1], r[3], r[2]) for r in spilled[1:]} == {
        ("96413", 1, ""), ("96415", 4, ""), ("96375", 1, ""), ("J9312", 68, ""), ("J1200", 1, "")}
    assert "re-sequenced" in spilled[1][9]


def test_code_encounter_lists_why_it_could_not_code():
    rows = [ROWS[0], ["E7", "A1", "J9998", 100, "mg", "IV push", "10:00", None, "port"]]
    assert IB_CODE_ENCOUNTER(rows, "Facility", "Medicare") == [
        ["Not coded"], ["A1: HCPCS J9998 is not in the built-in drug table or the workbook's Drugs table. "
                        "(coding.unknown-hcpcs)"]]


@pytest.mark.parametrize("setting, payer, shown", [
    ("Spa", "Medicare", "Invalid setting"), ("Facility", "Lottery", "Invalid payer type"),
])
def test_code_encounter_refuses_unknown_setting_or_payer_type(setting, payer, shown):
    assert IB_CODE_ENCOUNTER(ROWS, setting, payer).startswith(shown)


def test_code_encounter_refuses_rows_of_two_encounters():
    rows = ROWS + [["E8", "A3", "J2405", 8, "mg", "IV push", "12:00", None, "port"]]
    assert IB_CODE_ENCOUNTER(rows, "Facility", "Medicare").startswith("Invalid rows: they belong to more than one")
