"""Cells typed the way MARs and clinics type them: read as the biller meant, or refused, never guessed.

Each form is one conversion rule in ``infusion_billing.values`` (times, dates, amounts with units) or
``infusion_billing.identifiers.ndc`` (NDCs that lost their zeros); the last tests read them through the
real reader, where a unit typed in the Dose cell fills or contradicts Dose Unit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic_core import PydanticCustomError

from infusion_billing import values as v
from infusion_billing.findings import Severity
from infusion_billing.schema import MeasureUnit, Route
from infusion_billing.workbook.reader import Grid, read_grids

T = dt.time


# ----------------------------------------------------------------------------- clock times


@pytest.mark.parametrize(
    "typed, clock",
    [
        ("0915", T(9, 15)),       # military time, leading zero kept as text
        (915, T(9, 15)),          # ... and as Excel keeps it in a number cell
        (915.0, T(9, 15)),
        ("1340", T(13, 40)),
        (1340.0, T(13, 40)),
        ("1230", T(12, 30)),      # the last two digits are minutes: 12:30, not 1:23 or 12:03
        ("1340h", T(13, 40)),
        ("11am", T(11, 0)),
        ("11 a.m.", T(11, 0)),
        ("12pm", T(12, 0)),       # noon
        ("12:30 AM", T(0, 30)),   # half past midnight
        ("9:15a", T(9, 15)),
        ("9:15p", T(21, 15)),
        ("2:05 PM", T(14, 5)),
        ("8.30", T(8, 30)),       # a dot for the colon
        (8.3, T(8, 30)),          # 8.30 typed into a number cell: Excel dropped the zero
        (8.45, T(8, 45)),
        ("14:05:59", T(14, 5)),   # seconds dropped
        (0.5, T(12, 0)),          # an Excel time is a fraction of a day
    ],
)
def test_clock_times_as_mars_chart_them(typed, clock):
    assert v.to_clock(typed) == clock


@pytest.mark.parametrize(
    "typed",
    [
        "9",        # a bare hour: 9 AM or 9 PM?
        9,
        "8.5",      # one digit after the point: 8:05, 8:50 or half past eight?
        8.75,       # 75 minutes
        8.305,      # three decimals
        "1275",     # 75 minutes
        "2400",
        "13pm",
        "25:61",
        "ten to nine",
        True,
    ],
)
def test_clock_times_that_could_mean_two_things_are_refused(typed):
    with pytest.raises(PydanticCustomError):
        v.to_clock(typed)


# ----------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "typed",
    ["2026/08/05", "05-Aug-2026", "5-AUG-26", "05 Aug 2026", "Aug 5, 2026", "August 5, 2026", "08/05/2026",
     "8/5/26", "08-05-2026", "2026.08.05", "20260805", 20260805, " 2026-08-05 "],
)
def test_dates_as_clinics_type_them(typed):
    assert v.to_date(typed) == dt.date(2026, 8, 5)


@pytest.mark.parametrize("typed", ["25/08/2026", "2026-02-30", "Aug 2026", 20261399, "5.8.2026"])
def test_dates_that_are_not_us_dates_are_refused(typed):
    with pytest.raises(PydanticCustomError):
        v.to_date(typed)


# ----------------------------------------------------------------------------- amounts and NDCs


@pytest.mark.parametrize(
    "typed, split",
    [
        ("750 mg", ("750", "mg")),
        ("750mg", ("750", "mg")),
        ("1,000 mL", ("1,000", "mL")),
        ("2.5 g.", ("2.5", "g")),
        ("400 milligrams", ("400", "milligrams")),
        (400.0, (400.0, None)),
        ("400", ("400", None)),
        ("5 mg/kg", ("5 mg/kg", None)),   # a weight-based order is not the amount given
    ],
)
def test_an_amount_typed_with_its_unit_splits(typed, split):
    assert v.split_amount(typed) == split


def test_an_ndc_typed_into_a_number_cell_gets_its_zeros_back():
    assert v.to_ndc_text(2759701.0) == "00002-7597-01"
    assert v.to_ndc_text(5024204062.0) == "5024204062"   # ambiguous: left for doc.ndc-invalid
    assert v.to_ndc_text("0002-7597-01") == "0002-7597-01"


# ----------------------------------------------------------------------------- through the reader

HEADERS = ["Encounter ID", "Admin ID", "Drug", "Dose", "Dose Unit", "Wasted", "Route", "Start", "Stop", "NDC"]


def read(*rows):
    return read_grids({"Administrations": Grid("Administrations", [HEADERS, *rows])})


def test_a_dose_with_its_unit_fills_a_blank_dose_unit():
    book = read(["E1", "A1", "infliximab", "750 mg", None, "50mg", "IV", "0915", 1340, 2759701.0])
    (row,) = book.rows("Administrations")
    assert (row.dose, row.dose_unit, row.wasted) == (Decimal("750"), MeasureUnit.MG, Decimal("50"))
    assert (row.start, row.stop, row.route) == (T(9, 15), T(13, 40), Route.IV_INFUSION)
    assert row.ndc == "00002-7597-01"
    assert book.findings == []


def test_a_dose_unit_in_agreement_is_quiet_and_a_spelled_out_unit_counts():
    book = read(["E1", "A1", "infliximab", "750 milligrams", "mg", None, "IV", None, None, None])
    assert book.rows("Administrations")[0].dose_unit is MeasureUnit.MG
    assert book.findings == []


def test_a_dose_whose_unit_disagrees_with_dose_unit_is_refused_loudly():
    book = read(["E1", "A1", "infliximab", "750 mg", "mcg", None, "IV", None, None, None],
                ["E1", "A2", "saline", "1000", "mL", "50 mg", "IV", None, None, None])
    assert book.rows("Administrations") == []
    assert [(f.rule_id, f.severity, f.cell, f.value, f.encounter_id) for f in book.findings] == [
        ("reader.unit-conflict", Severity.ERROR, "D2", "750 mg", "E1"),
        ("reader.unit-conflict", Severity.ERROR, "F3", "50 mg", "E1"),
    ]
    assert "(mg) disagrees with Dose Unit (mcg)" in book.findings[0].message


def test_an_unknown_unit_in_the_dose_cell_names_the_allowed_units():
    book = read(["E1", "A1", "acetaminophen", "650 tablets", None, None, "PO", None, None, None])
    (f,) = book.findings
    assert (f.rule_id, f.cell) == ("reader.unknown-value", "D2")
    assert "mg, mcg, g, units, mL" in f.message
