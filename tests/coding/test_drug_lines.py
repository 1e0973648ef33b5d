"""Drug lines: units, repeated doses, JW/JZ waste lines, NDC, 340B and charges."""

from __future__ import annotations

from decimal import Decimal

from coding_builder import claim, code_one, found, infusion, injection, push, rules_of


def line(result, code, modifiers=""):
    return next(ln for ln in result.lines if ln.code == code and " ".join(ln.modifiers) == modifiers)


def test_medicare_waste_from_single_dose_vials_gets_a_jw_line():
    """Infliximab 530 mg from six 100 mg vials, 70 mg discarded: J1745 x 53 and J1745-JW x 7."""
    result = code_one([infusion("A1", "J1745", 530, "mg", "09:00", "11:00", wasted=70)])
    assert claim(result) == {("96413", 1, ""), ("96415", 1, ""), ("J1745", 53, ""), ("J1745", 7, "JW")}
    assert rules_of(result, "J1745") == {"coding.drug-units", "coding.jw-waste"}
    assert line(result, "J1745", "JW").explanation == (
        "Infliximab 70 mg discarded from a single-dose container: ceil(600/10) - ceil(530/10) = 7 x J1745-JW")


def test_waste_inside_the_rounded_up_unit_is_jz_by_default():
    """Cyclophosphamide 75 mg from a 100 mg vial (per 100 mg code): one unit covers dose and waste."""
    result = code_one([infusion("A1", "J9070", 75, "mg", "09:00", "09:40", wasted=25)])
    assert claim(result) == {("96413", 1, ""), ("J9070", 1, "JZ")}
    assert rules_of(result, "J9070") == {"coding.drug-units", "coding.jz-no-waste"}


def test_waste_inside_the_rounded_up_unit_has_no_modifier_when_the_setting_says_n():
    result = code_one([infusion("A1", "J9070", 75, "mg", "09:00", "09:40", wasted=25)],
                      settings={"JZ When Waste Within One Unit": "N"})
    assert claim(result) == {("96413", 1, ""), ("J9070", 1, "")}


def test_waste_on_a_multi_dose_vial_is_never_a_jw_line():
    result = code_one([injection("A1", "J3420", 1000, "mcg", route="IM injection", wasted=500)])
    assert claim(result) == {("96372", 1, ""), ("J3420", 1, "")}
    assert ("coding.jw-multi-dose", "warning", "Administrations!H2") in found(result)


def test_commercial_payer_without_jw_jz_gets_neither():
    result = code_one([infusion("A1", "J1745", 530, "mg", "09:00", "11:00", wasted=70)], payer="COM")
    assert claim(result) == {("96413", 1, ""), ("96415", 1, ""), ("J1745", 53, "")}


def test_340b_modifier_goes_on_the_drug_and_the_waste_line():
    result = code_one([infusion("A1", "J9312", 650, "mg", "09:00", "12:00", wasted=50)],
                      settings={"340B Modifier": "JG"})
    assert claim(result) == {("96413", 1, ""), ("96415", 2, ""), ("J9312", 65, "JG"), ("J9312", 5, "JW JG")}
    assert rules_of(result, "J9312") == {"coding.drug-units", "coding.jw-waste", "coding.340b", "coding.ndc"}


def test_ndc_from_the_drugs_table_with_millilitres_drawn():
    """Rituximab 10 mg/mL: 650 mg is 65 mL of NDC 50242-051-21 (billed 50242005121), JW line 5 mL."""
    result = code_one([infusion("A1", "J9312", 650, "mg", "09:00", "12:00", wasted=50)])
    drug, waste = line(result, "J9312"), line(result, "J9312", "JW")
    assert (drug.ndc, drug.ndc_unit, drug.ndc_quantity) == ("50242005121", "ML", Decimal("65"))
    assert (waste.ndc, waste.ndc_unit, waste.ndc_quantity) == ("50242005121", "ML", Decimal("5"))


def test_ndc_on_the_administration_row_is_turned_into_11_digits():
    result = code_one([push("A1", "J2405", 8, "mg", "09:00", ndc="0143-9891-01")], payer="MCD")
    assert line(result, "J2405").ndc == "00143989101"
    assert claim(result) == {("96374", 1, ""), ("J2405", 8, "")}


def test_a_dose_in_ml_converts_through_the_known_concentration():
    result = code_one([infusion("A1", "J9312", 50, "mL", "09:00", "11:00")], payer="COM")
    assert claim(result) == {("96413", 1, ""), ("96415", 1, ""), ("J9312", 50, "")}
    assert (line(result, "J9312").ndc_unit, line(result, "J9312").ndc_quantity) == ("ML", Decimal("50"))


def test_micrograms_and_grams_convert_to_the_billing_unit():
    result = code_one([push("A1", "J2469", 0.075, "mg", "09:00"), infusion("A2", "J0690", 2, "g", "09:10", "09:40")],
                      payer="COM")
    assert claim(result) == {("96365", 1, ""), ("96375", 1, ""), ("J2469", 3, ""), ("J0690", 4, "")}


def test_up_to_descriptor_rounds_up_like_any_other():
    result = code_one([push("A1", "J2930", 200, "mg", "09:00")], payer="COM")
    assert claim(result) == {("96374", 1, ""), ("J2930", 2, "")}


def test_two_doses_of_one_drug_on_one_date_share_one_line():
    result = code_one([push("A1", "J1100", 4, "mg", "09:00"), infusion("A2", "J1100", 6, "mg", "11:00", "11:30")],
                      payer="COM")
    assert claim(result) == {("96365", 1, ""), ("96375", 1, ""), ("J1100", 10, "")}
    assert line(result, "J1100").admin_ids == ("A1", "A2")
    assert rules_of(result, "J1100") == {"coding.drug-units", "coding.drug-same-day"}


def test_unclassified_drug_is_one_unit_with_its_ndc():
    result = code_one([push("A1", "J3490", 30, "mg", "09:00", ndc="12345-6789-01")], payer="MCD")
    assert claim(result) == {("96374", 1, ""), ("J3490", 1, "")}
    assert rules_of(result, "J3490") == {"coding.unclassified-drug", "coding.ndc"}


def test_waste_beyond_what_the_vials_leave_is_capped():
    """230 mg needs three 100 mg vials, which leave 70 mg; 170 mg recorded as wasted is capped at 70."""
    drugs = [{"HCPCS": "J1745", "Drug Name": "infliximab", "Billing Unit Quantity": 10, "Billing Unit": "mg",
              "Drug Class": "Chemo/Complex", "Container": "Single-dose", "Vial Size": 100}]
    result = code_one([infusion("A1", "J1745", 230, "mg", "09:00", "11:00", wasted=170)], drugs=drugs)
    assert claim(result) == {("96413", 1, ""), ("96415", 1, ""), ("J1745", 23, ""), ("J1745", 7, "JW")}
    assert ("coding.waste-exceeds-vials", "warning", "Administrations!H2") in found(result)


def test_workbook_drugs_table_teaches_a_code_the_built_in_table_lacks():
    drugs = [{"HCPCS": "J9229", "Drug Name": "inotuzumab ozogamicin", "Billing Unit Quantity": 0.1,
              "Billing Unit": "mg", "Drug Class": "Chemo/Complex", "Container": "Single-dose"}]
    result = code_one([infusion("A1", "J9229", 1.5, "mg", "09:00", "10:00")], payer="COM", drugs=drugs)
    assert claim(result) == {("96413", 1, ""), ("J9229", 15, "")}


def test_deleted_hcpcs_is_coded_with_a_warning():
    result = code_one([infusion("A1", "J9310", 700, "mg", "09:00", "12:00")], payer="COM")
    assert claim(result) == {("96413", 1, ""), ("96415", 2, ""), ("J9310", 7, "")}
    assert ("coding.deleted-hcpcs", "warning", "Administrations!D2") in found(result)


def test_charge_is_the_chargemaster_amount_times_units_to_the_cent():
    result = code_one([infusion("A1", "J9312", 679, "mg", "11:20", "16:40", interrupted=75)],
                      chargemaster={"96413": "612.50", "96415": "133.33", "J9312": "98.77"})
    charges = {ln.code: ln.charge for ln in result.lines}
    assert charges == {"96413": Decimal("612.50"), "96415": Decimal("399.99"), "J9312": Decimal("6716.36")}
    assert found(result, "warning") == set()


def test_a_code_missing_from_the_chargemaster_holds_the_encounter_at_its_blank_charge():
    result = code_one([push("A1", "J2405", 4, "mg", "09:00"), push("A2", "J1100", 4, "mg", "09:10")],
                      payer="COM", chargemaster={"96374": "150.00"})
    charges = {ln.code: ln.charge for ln in result.lines}
    assert charges == {"96374": Decimal("150.00"), "96375": None, "J2405": None, "J1100": None}  # never 0.00
    missing = [(f.value, f.severity.value, f.location) for f in result.findings if f.rule_id == "coding.charge-missing"]
    line_rows = {ln.code: n for n, ln in enumerate(result.lines, start=2)}
    assert sorted(missing) == sorted((code, "error", f"Charges!G{line_rows[code]}") for code in ("96375", "J2405", "J1100"))
    assert result.held == ["E1"]
    assert "ChargeMaster row 3" in next(f.message for f in result.findings if f.rule_id == "coding.charge-missing")


def test_no_chargemaster_prices_everything_zero_with_one_finding():
    result = code_one([push("A1", "J2405", 4, "mg", "09:00"), push("A2", "J1100", 4, "mg", "09:10")], payer="COM")
    assert {ln.charge for ln in result.lines} == {Decimal("0.00")}
    assert [f.rule_id for f in result.findings] == ["coding.no-chargemaster"]


def test_each_dose_is_counted_once_in_the_billing_measure_for_the_checks():
    """Infliximab 0.53 g with 70 mg wasted, per 10 mg code: the engine counts 530 mg given and 70 mg wasted,
    and the waste and authorization checks read those figures (CodingResult.doses) instead of converting again."""
    result = code_one([infusion("A1", "J1745", Decimal("0.53"), "g", "09:00", "11:00", wasted=Decimal("0.07"))])
    assert claim(result) == {("96413", 1, ""), ("96415", 1, ""), ("J1745", 53, ""), ("J1745", 7, "JW")}
    assert result.doses["A1"] == ("J1745", Decimal(530), Decimal(70))
