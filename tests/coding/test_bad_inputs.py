"""Inputs the engine must not guess: each is a Finding at the cell to fix, never a traceback.

An error holds the whole encounter (no partial claim); a warning lets it through for review.
"""

from __future__ import annotations

import datetime as dt

import pytest

from coding_builder import (
    DOS, ENCOUNTER_HEADERS, PAYERS, admin, cell, claim, code_one, found, infusion, injection, make_book, push,
)
from infusion_billing.coding.engine import HELD, code_book
from infusion_billing.workbook.reader import Grid, read_grids


def held(result, rule_id, column, severity="error", row=2):
    """The encounter is held, with ``rule_id`` at the Administrations cell of ``column``."""
    assert result.lines == []
    assert result.status["E1"].status == HELD
    assert rule_id in result.status["E1"].errors
    assert (rule_id, severity, f"Administrations!{cell(column, row)}") in found(result)


def test_stop_before_start():
    result = code_one([infusion("A1", "J1756", 200, "mg", "14:00", "13:10")])
    held(result, "coding.stop-before-start", "Stop")


def test_stop_date_before_the_date_of_service():
    result = code_one([infusion("A1", "J1756", 200, "mg", "09:00", "10:00", stop_date=DOS - dt.timedelta(days=1))])
    held(result, "coding.stop-before-start", "Stop Date")


def test_missing_stop_time_is_coded_as_a_push_with_a_warning_and_no_error():
    """The planted demo defect coding.stop-time-fallback: a warning, never an error."""
    result = code_one([infusion("A1", "J1756", 200, "mg", "09:00", None)], payer="COM")
    assert claim(result) == {("96374", 1, ""), ("J1756", 200, "")}
    assert found(result, "error") == set()
    assert ("coding.stop-time-fallback", "warning", f"Administrations!{cell('Stop')}") in found(result)


def test_missing_start_time_is_a_warning_at_the_start_cell():
    result = code_one([infusion("A1", "J1756", 200, "mg", None, "10:00")], payer="COM")
    assert claim(result) == {("96374", 1, ""), ("J1756", 200, "")}
    assert ("coding.stop-time-fallback", "warning", f"Administrations!{cell('Start')}") in found(result)


def test_missing_times_hold_the_encounter_when_the_setting_says_hold():
    result = code_one([infusion("A1", "J1756", 200, "mg", "09:00", None)],
                      settings={"Missing Stop Time Fallback": "Hold"})
    held(result, "coding.times-missing", "Stop")


def test_hydration_without_a_stop_time_is_not_hydration_and_not_an_error():
    result = code_one([admin("A1", "J7030", 1000, "mL", "IV infusion", "09:00", None, purpose="Hydration",
                             necessity="Y")], payer="COM")
    assert claim(result) == {("J7030", 1, "")}
    assert found(result, "error") == set()


def test_unknown_hcpcs():
    result = code_one([infusion("A1", "J9998", 100, "mg", "09:00", "10:00")])
    held(result, "coding.unknown-hcpcs", "HCPCS")


def test_ml_dose_for_a_per_mg_code_without_a_concentration():
    result = code_one([infusion("A1", "J1745", 40, "mL", "09:00", "11:00")])
    held(result, "coding.dose-unit", "Dose Unit")


def test_dose_unit_missing():
    result = code_one([infusion("A1", "J1745", 400, None, "09:00", "11:00")])
    held(result, "coding.dose-unit", "Dose Unit")


@pytest.mark.parametrize("dose", [0, -100])
def test_zero_or_negative_dose(dose):
    result = code_one([infusion("A1", "J1745", dose, "mg", "09:00", "11:00")])
    held(result, "coding.dose-invalid", "Dose")


def test_missing_dose():
    result = code_one([infusion("A1", "J1745", None, "mg", "09:00", "11:00")])
    held(result, "coding.dose-missing", "Dose")


def test_negative_waste():
    result = code_one([infusion("A1", "J1745", 400, "mg", "09:00", "11:00", wasted=-10)])
    held(result, "coding.waste-invalid", "Wasted")


def test_waste_on_a_multi_dose_vial_is_located_and_left_off():
    result = code_one([injection("A1", "J1815", 10, "units", wasted=5)])
    assert claim(result) == {("96372", 1, ""), ("J1815", 2, "")}
    assert ("coding.jw-multi-dose", "warning", f"Administrations!{cell('Wasted')}") in found(result)


def test_a_start_date_before_the_date_of_service():
    result = code_one([push("A1", "J2405", 4, "mg", "09:00", start_date="2026-09-13")])
    held(result, "coding.start-date-invalid", "Start Date")


def test_interruption_longer_than_the_infusion():
    result = code_one([infusion("A1", "J1756", 200, "mg", "09:00", "10:00", interrupted=60)])
    held(result, "coding.interruption-invalid", "Interrupted Minutes")


def test_route_missing():
    result = code_one([admin("A1", "J1756", 200, "mg", None, "09:00", "10:00")])
    held(result, "coding.route-missing", "Route")


def test_neither_hcpcs_nor_drug_class():
    result = code_one([infusion("A1", None, 200, "mg", "09:00", "10:00", drug="something")])
    held(result, "coding.drug-unidentified", "HCPCS")


def test_ambiguous_ten_digit_ndc():
    # 5024204062: 5024-2040-62, 50242-040-62 or 50242-0406-2 (0143989101 would be 4-4-2: only 4-digit labelers start with 0)
    result = code_one([push("A1", "J2405", 8, "mg", "09:00", ndc="5024204062")])
    held(result, "coding.ndc-invalid", "NDC")


def test_every_problem_on_an_encounter_is_reported_not_just_the_first():
    result = code_one([infusion("A1", "J9998", 100, "mg", "09:00", "10:00"),
                       infusion("A2", "J1756", -5, "mg", "11:00", "10:00")])
    assert set(result.status["E1"].errors) == {"coding.unknown-hcpcs", "coding.stop-before-start"}


def test_a_held_encounter_does_not_hold_the_next_one():
    encounters = [{"Encounter ID": e, "Patient ID": "P1", "Payer ID": "MCR", "Date of Service": DOS,
                   "Setting": "Facility"} for e in ("E1", "E2")]
    result = code_book(make_book([infusion("A1", "J9998", 100, "mg", "09:00", "10:00"),
                                  infusion("A2", "J1756", 200, "mg", "09:00", "10:00", encounter="E2")],
                                 encounters=encounters))
    assert result.held == ["E1"] and result.coded == ["E2"]
    assert claim(result) == {("96365", 1, ""), ("J1756", 200, "JZ")}


def test_payer_not_in_a_missing_payers_table_holds_the_encounter_at_its_payer_cell():
    rows = [ENCOUNTER_HEADERS, ["E1", "P1", "NOPE", DOS, "Facility"] + [None] * 5]
    book = read_grids({"Encounters": Grid("Encounters", rows)})
    result = code_book(book)
    assert result.held == ["E1"]
    assert ("coding.payer-missing", "error", "Encounters!C2") in found(result)


def test_encounter_with_nothing_to_code_says_so():
    result = code_one([])
    assert result.status["E1"].status == "nothing to code"
    assert ("coding.no-administrations", "warning", "Encounters!A2") in found(result)


def test_payers_table_is_unchanged_by_coding():
    book = make_book([infusion("A1", "J1756", 200, "mg", "09:00", "10:00")])
    before = [p.model_dump() for p in book.rows("Payers")]
    code_book(book)
    assert [p.model_dump() for p in book.rows("Payers")] == before
    assert len(before) == len(PAYERS) - 1


def test_a_row_the_reader_left_out_holds_its_encounter_instead_of_a_partial_claim():
    """The push's Dose is text, so the reader leaves that row out; coding the infusion alone would be wrong."""
    book = make_book([infusion("A1", "J1756", 200, "mg", "09:00", "10:00"), push("A2", "J2405", "eight", "mg", "08:50")],
                     reader_errors_ok=True)
    result = code_book(book)
    assert result.lines == []
    assert result.status["E1"].errors == ("reader.wrong-type",)


def test_an_encounter_the_engine_stops_on_is_held_alone(monkeypatch):
    from infusion_billing.coding import engine

    encounters = [{"Encounter ID": eid, "Patient ID": "P1", "Payer ID": "MCR", "Date of Service": dt.date(2026, 9, 14),
                   "Setting": "Facility", "Place of Service": "22"} for eid in ("E1", "E2")]
    admins = [{**infusion("A1", "J1745", 400, "mg", "09:00", "11:05"), "Encounter ID": "E1"},
              {**infusion("A2", "J1745", 400, "mg", "09:00", "11:05"), "Encounter ID": "E2"}]
    book = make_book(admins, encounters=encounters)
    real = engine.code_encounter

    def breaks_on_e1(encounter, rows, ctx):
        if encounter.encounter_id == "E1":
            raise ArithmeticError("a value no rule anticipated")
        return real(encounter, rows, ctx)

    monkeypatch.setattr(engine, "code_encounter", breaks_on_e1)
    result = code_book(book)
    assert result.status["E1"].status == HELD and result.status["E1"].errors == ("coding.encounter-failed",)
    assert {line.code for line in result.lines_for("E2")} >= {"96413", "J1745"}
    failed = [f for f in result.findings if f.rule_id == "coding.encounter-failed"]
    assert [(f.sheet, f.cell, f.encounter_id) for f in failed] == [("Encounters", "A2", "E1")]
