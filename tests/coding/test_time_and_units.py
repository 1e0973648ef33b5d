"""The arithmetic a biller checks by hand: minutes, additional-hour units, drug units and waste units."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from infusion_billing.coding.drug_lines import UnitProblem, billing_amount, drug_units, waste_units
from infusion_billing.coding.minutes import (
    TimeProblem, addon_hour_units, infusion_minutes, minutes_outside, secondary_hydration_units, span,
)
from infusion_billing.reference.catalog import builtin_drugs

DRUGS = builtin_drugs()


@pytest.mark.parametrize("minutes, units", [
    (16, 0), (60, 0), (90, 0),     # the first hour and up to 30 minutes past it: the initial code alone
    (91, 1), (120, 1), (150, 1),   # 31 to 90 minutes past the first hour: one additional hour
    (151, 2), (210, 2), (211, 3),  # each further hour counts once its last part is more than 30 minutes
    (245, 3), (480, 7),
])
def test_additional_hour_units_follow_the_more_than_30_minutes_rule(minutes, units):
    assert addon_hour_units(minutes) == units


@pytest.mark.parametrize("minutes, units", [(30, 0), (31, 1), (60, 1), (90, 1), (91, 2), (150, 2), (151, 3)])
def test_secondary_hydration_units_count_every_hour_from_the_first_minute(minutes, units):
    assert secondary_hydration_units(minutes) == units


def test_minutes_subtract_the_documented_interruption():
    assert infusion_minutes(time(13, 5), time(17, 50), 45) == 240


def test_minutes_run_past_midnight_with_a_stop_date():
    assert infusion_minutes(time(21, 40), time(1, 10), start_date=date(2026, 3, 1), stop_date=date(2026, 3, 2)) == 210


def test_stop_before_start_without_a_stop_date_is_a_problem_not_a_guess():
    with pytest.raises(TimeProblem) as problem:
        span(date(2026, 3, 1), time(14, 0), time(9, 0))
    assert problem.value.rule_id == "coding.stop-before-start"
    assert problem.value.column == "Stop"


def test_an_interruption_as_long_as_the_infusion_is_a_problem():
    with pytest.raises(TimeProblem) as problem:
        infusion_minutes(time(9, 0), time(10, 0), 60)
    assert problem.value.column == "Interrupted Minutes"


def test_hydration_minutes_leave_out_time_alongside_other_infusions_and_pushes():
    # 08:00-11:00 fluid; a drug ran 09:00-10:00 and a 5-minute push overlapped it at 09:30.
    assert minutes_outside((480, 660), [(540, 600), (570, 575)]) == 120


@pytest.mark.parametrize("hcpcs, dose, unit, units", [
    ("J2405", "6", "mg", 6),          # ondansetron per 1 mg
    ("J9035", "1150", "mg", 115),     # bevacizumab per 10 mg
    ("J9312", "702", "mg", 71),       # rituximab per 10 mg: 70.2 rounds up
    ("J0690", "2", "g", 4),           # cefazolin per 500 mg: 2 g = 2000 mg
    ("J1442", "0.3", "mg", 300),      # filgrastim per 1 mcg: 0.3 mg = 300 mcg
    ("J2469", "75", "mcg", 3),        # palonosetron per 25 mcg
    ("J2930", "200", "mg", 2),        # methylprednisolone up to 125 mg
    ("J1200", "50", "mg", 1),         # diphenhydramine up to 50 mg
    ("J0885", "40000", "units", 40),  # epoetin per 1,000 units
    ("J9041", "2.6", "mg", 26),       # bortezomib per 0.1 mg
])
def test_drug_units_round_up_to_whole_billing_units(hcpcs, dose, unit, units):
    assert drug_units(Decimal(dose), unit, DRUGS[hcpcs]) == units


def test_ml_converts_only_through_a_known_concentration():
    assert billing_amount(Decimal("45.5"), "mL", DRUGS["J9312"]) == Decimal("455")  # rituximab 10 mg/mL
    with pytest.raises(UnitProblem):
        billing_amount(Decimal(40), "mL", DRUGS["J1745"])  # infliximab: no concentration on file


def test_units_never_convert_to_milligrams():
    with pytest.raises(UnitProblem):
        drug_units(Decimal(100), "units", DRUGS["J1745"])


@pytest.mark.parametrize("dose, wasted, jw", [
    ("530", "70", 7),   # 6 x 100 mg vials: 53 units given, 7 discarded
    ("75", "25", 2),    # per 10 mg: 75 mg is 8 units, 100 mg is 10 units, so 2 discarded units
    ("75", "4", 0),     # the 4 mg fits in the rounded-up 8th unit
])
def test_jw_units_are_the_rounded_total_less_the_rounded_dose(dose, wasted, jw):
    assert waste_units(Decimal(dose), Decimal(wasted), "mg", DRUGS["J1745"]) == jw


def test_doctests_of_the_arithmetic_modules_pass():
    import doctest

    from infusion_billing.coding import drug_lines, minutes

    for module in (minutes, drug_lines):
        assert doctest.testmod(module).failed == 0
