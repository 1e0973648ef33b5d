"""Subcutaneous infusion pumps, ESA indication modifiers, services given after midnight, and drugs the
hospital outpatient PPS packages (no JW/JZ on facility claims).

Each case is one synthetic visit with its exact claim (code, units, modifiers); MCR is Medicare (JW/JZ),
COM a commercial payer.
"""

from __future__ import annotations

import datetime as dt

from coding_builder import DOS, admin, claim, code_one, found, infusion, injection, push


def _sc(admin_id: str, site: str, **kw):
    return admin(admin_id, "J1559", 5, "g", "SC infusion", "09:00", "10:00", site=site, **kw)


# ----------------------------------------------------------------------------- class 6: SC infusion pumps


def test_two_sc_sites_on_one_pump_are_one_set_up():
    """CPT descriptors [S61]: 96369 includes the pump set-up and the establishment of the site(s); a second
    site on the same pump is not 96371, and an info finding says so."""
    result = code_one([_sc("A1", "L abdomen", pump="Pump 1"), _sc("A2", "R abdomen", pump="Pump 1")], payer="COM")
    assert claim(result) == {("96369", 1, ""), ("J1559", 100, "")}
    assert ("coding.sc-same-pump", "info", "Administrations!O3") in found(result)


def test_a_second_pump_is_96371_once():
    """96371 is an additional pump set-up with new site(s) [S61]: two pumps, three sites -> one 96371."""
    result = code_one([_sc("A1", "L abdomen", pump="P1"), _sc("A2", "R abdomen", pump="P2"),
                       _sc("A3", "L thigh", pump="P2")], payer="COM")
    assert claim(result) == {("96369", 1, ""), ("96371", 1, ""), ("J1559", 150, "")}


def test_sc_sites_without_a_pump_label_are_one_pump():
    """Boundary: no second pump is documented, so no additional set-up is billed [S61]; the Bag label
    counts as the pump identity when Pump is blank."""
    no_label = code_one([_sc("A1", "L abdomen"), _sc("A2", "R abdomen")], payer="COM")
    assert claim(no_label) == {("96369", 1, ""), ("J1559", 100, "")}
    by_bag = code_one([_sc("A1", "L abdomen", bag="syringe 1"), _sc("A2", "R abdomen", bag="syringe 2")],
                      payer="COM")
    assert claim(by_bag) == {("96369", 1, ""), ("96371", 1, ""), ("J1559", 100, "")}


# ----------------------------------------------------------------------------- class 7: ESA modifiers


def _epoetin(**kw):
    return injection("A1", "J0885", 40000, "units", **kw)


def test_epoetin_for_chemotherapy_induced_anemia_carries_ea_from_the_diagnosis():
    """MM5699 / CR 5818 [S82]: D64.81 (anemia due to antineoplastic chemotherapy) -> EA; the hemoglobin is
    on the administration [S83]; JZ follows (single-dose, nothing discarded) [S66]."""
    result = code_one([_epoetin(hgb="9.4")], dx="C50.911, D64.81")
    assert claim(result) == {("96372", 1, ""), ("J0885", 40, "EA JZ")}
    assert "coding.esa-modifier" in next(ln.rule_ids for ln in result.lines if ln.code == "J0885")


def test_the_esa_indication_column_wins_over_the_diagnoses():
    """[S82]: exactly one of EA, EB, EC; the biller's explicit EB (radiotherapy) is used."""
    result = code_one([_epoetin(hct="28", esa="EB")], setting="Professional", dx="C61, D64.81")
    assert claim(result) == {("96372", 1, ""), ("J0885", 40, "EB JZ")}


def test_anemia_of_chronic_kidney_disease_is_ec():
    """[S82]: anemia not caused by cancer treatment (D63.1, CKD not on dialysis) -> EC."""
    result = code_one([_epoetin(hgb="9.8")], dx="N18.4, D63.1")
    assert claim(result) == {("96372", 1, ""), ("J0885", 40, "EC JZ")}


def test_an_esa_without_indication_or_lab_holds_the_encounter_at_its_cells():
    """Boundary: neither column nor a deciding diagnosis [S82], and no hemoglobin or hematocrit [S83]."""
    result = code_one([_epoetin()], dx="C50.911")
    assert result.lines == [] and result.status["E1"].status == "held"
    assert {("coding.esa-indication-missing", "error", "Administrations!V2"),
            ("coding.esa-lab-missing", "error", "Administrations!W2")} <= found(result)


def test_esa_to_a_commercial_payer_has_no_indication_modifier():
    """The EA/EB/EC requirement is Medicare's [S82]."""
    result = code_one([_epoetin()], payer="COM", dx="D64.81")
    assert claim(result) == {("96372", 1, ""), ("J0885", 40, "")}


# ----------------------------------------------------------------------------- Start Date: after midnight


def test_a_push_after_midnight_is_dated_the_next_day():
    """An infusion crossing midnight stays on its start date with its whole time [S50]; a push given after
    midnight belongs to that date: each claim line carries the date its service was given [S70]."""
    result = code_one([infusion("A1", "J1756", 200, "mg", "23:00", "00:30", stop_date="2026-09-15"),
                       push("A2", "J2405", 4, "mg", "00:40", start_date="2026-09-15")], payer="COM")
    assert claim(result) == {("96365", 1, ""), ("96375", 1, ""), ("J1756", 200, ""), ("J2405", 4, "")}
    dates = {ln.code: ln.date_of_service for ln in result.lines}
    next_day = DOS + dt.timedelta(days=1)
    assert dates == {"96365": DOS, "J1756": DOS, "96375": next_day, "J2405": next_day}


def test_the_same_drug_on_two_dates_is_two_drug_lines():
    """Repeated doses are summed per date of service [S52]; a dose after midnight is its own line [S70]."""
    result = code_one([push("A1", "J2405", 4, "mg", "22:00"), push("A2", "J2405", 4, "mg", "01:00",
                                                                   start_date="2026-09-15")], payer="COM")
    assert sorted((ln.code, ln.units, ln.date_of_service) for ln in result.lines if ln.code == "J2405") == [
        ("J2405", 4, DOS), ("J2405", 4, DOS + dt.timedelta(days=1))]


def test_a_start_date_equal_to_the_date_of_service_changes_nothing():
    """Boundary: Start Date = date of service is the same as blank [S50]."""
    result = code_one([push("A1", "J2405", 4, "mg", "10:00", start_date=DOS)], payer="COM")
    assert claim(result) == {("96374", 1, ""), ("J2405", 4, "")}
    assert {ln.date_of_service for ln in result.lines} == {DOS}


# ----------------------------------------------------------------------------- OPPS packaged drugs: no JZ


def test_a_packaged_drug_on_a_medicare_facility_claim_has_no_jz():
    """JW/JZ apply to separately payable drugs; OPPS-packaged drugs (status N) need neither [S66][S31]."""
    result = code_one([push("A1", "J2405", 8, "mg", "10:00")])
    assert claim(result) == {("96374", 1, ""), ("J2405", 8, "")}
    assert "packaged" in next(ln.explanation for ln in result.lines if ln.code == "J2405")


def test_the_same_drug_on_a_medicare_physician_claim_keeps_jz():
    """Boundary: packaging is a hospital outpatient PPS rule; the office claim keeps JZ [S66]."""
    result = code_one([push("A1", "J2405", 8, "mg", "10:00")], setting="Professional")
    assert claim(result) == {("96374", 1, ""), ("J2405", 8, "JZ")}


def test_packaging_is_dated_in_the_drugs_table():
    """Boundary: a workbook Drugs row packaged only from the day after the visit leaves JZ on [S84]."""
    row = {"HCPCS": "J2405", "Drug Name": "ondansetron", "Billing Unit Quantity": 1, "Billing Unit": "mg",
           "Drug Class": "Therapeutic", "Container": "Single-dose", "OPPS Packaged From": DOS + dt.timedelta(days=1)}
    result = code_one([push("A1", "J2405", 8, "mg", "10:00")], drugs=[row])
    assert claim(result) == {("96374", 1, ""), ("J2405", 8, "JZ")}
