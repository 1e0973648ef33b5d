"""Professional (physician office, 837P) encounters: the primary reason picks the initial, E/M rules."""

from __future__ import annotations

from coding_builder import claim, code_one, found, hydration, infusion, injection, push, rules_of

STEROID_AND_ANTIBIOTIC = [
    push("A1", "J2930", 125, "mg", "09:00"),                  # methylprednisolone push: the reason for the visit
    infusion("A2", "J0690", 1, "g", "09:10", "09:40"),        # cefazolin over 30 minutes
]


def test_office_initial_is_the_primary_reason_even_when_a_push():
    result = code_one(STEROID_AND_ANTIBIOTIC, setting="Professional", payer="COM", primary="A1")
    assert claim(result) == {("96374", 1, ""), ("96367", 1, ""), ("J2930", 1, ""), ("J0690", 2, "")}


def test_same_visit_in_a_facility_follows_the_hierarchy_instead():
    result = code_one(STEROID_AND_ANTIBIOTIC, setting="Facility", payer="COM", primary="A1")
    assert claim(result) == {("96365", 1, ""), ("96375", 1, ""), ("J2930", 1, ""), ("J0690", 2, "")}


def test_office_without_primary_admin_id_falls_back_to_the_hierarchy_with_a_warning():
    result = code_one(STEROID_AND_ANTIBIOTIC, setting="Professional", payer="COM")
    assert claim(result) == {("96365", 1, ""), ("96375", 1, ""), ("J2930", 1, ""), ("J0690", 2, "")}
    assert ("coding.primary-admin-fallback", "warning", "Encounters!G2") in found(result)


def test_primary_admin_id_from_another_encounter_is_a_warning():
    result = code_one(STEROID_AND_ANTIBIOTIC, setting="Professional", payer="COM", primary="A99")
    assert ("coding.primary-admin-fallback", "warning", "Encounters!G2") in found(result)
    assert ("96365", 1, "") in claim(result)


def test_a_single_iv_service_needs_no_primary_admin_id():
    result = code_one([infusion("A1", "J1756", 200, "mg", "09:00", "10:00")], setting="Professional", payer="COM")
    assert claim(result) == {("96365", 1, ""), ("J1756", 200, "")}
    assert found(result, "warning", "error") == {("coding.no-chargemaster", "warning", "ChargeMaster!")}


def test_office_has_no_same_drug_push_code():
    result = code_one([push("A1", "J2405", 4, "mg", "09:00"), push("A2", "J2405", 4, "mg", "10:00")],
                      setting="Professional", payer="COM")
    assert claim(result) == {("96374", 1, ""), ("J2405", 8, "")}


def test_separately_identifiable_em_carries_modifier_25():
    result = code_one([infusion("A1", "J1756", 200, "mg", "09:00", "10:00")], setting="Professional", payer="COM",
                      em="99214", em_separate="Y")
    assert claim(result) == {("99214", 1, "25"), ("96365", 1, ""), ("J1756", 200, "")}
    assert rules_of(result, "99214") == {"coding.em-modifier-25"}


def test_em_not_separately_identifiable_is_left_off():
    result = code_one([infusion("A1", "J1756", 200, "mg", "09:00", "10:00")], setting="Professional", payer="COM",
                      em="99213", em_separate="N")
    assert claim(result) == {("96365", 1, ""), ("J1756", 200, "")}
    assert ("coding.em-not-separate", "warning", "Encounters!I2") in found(result)


def test_99211_is_never_billed_with_an_injection():
    result = code_one([injection("A1", "J3420", 1000, "mcg", route="IM injection")], setting="Professional",
                      payer="COM", em="99211", em_separate="Y")
    assert claim(result) == {("96372", 1, ""), ("J3420", 1, "")}
    assert ("coding.em-99211", "info", "Encounters!H2") in found(result)


def test_visit_with_only_an_em_bills_it_without_25():
    result = code_one([], setting="Professional", payer="COM", em="99213")
    assert claim(result) == {("99213", 1, "")}
    assert rules_of(result, "99213") == {"coding.em-visit"}


def test_physician_at_a_hospital_outpatient_place_of_service_drops_administration_codes():
    """POS 19: the hospital bills administration and drugs; the physician keeps the E/M, without 25."""
    result = code_one([infusion("A1", "J1756", 200, "mg", "09:00", "10:30"), push("A2", "J1100", 10, "mg", "08:55")],
                      setting="Professional", payer="COM", pos="19", primary="A1", em="99214", em_separate="Y")
    assert claim(result) == {("99214", 1, "")}
    assert ("coding.professional-facility-pos", "info", "Encounters!F2") in found(result)
