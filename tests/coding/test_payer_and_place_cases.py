"""Who bills what: antineoplastics under a payer's biologics option, the physician's claim in a hospital
department, and the hospital clinic visit G0463.

Each case is one synthetic visit with its exact claim (code, units, modifiers). The builder's payers:
MCR Medicare, COM commercial (Biologics As Chemo Admin = Y, lists ocrelizumab from 2026-09-15 and
rituximab in its Payer Drug Classes rows), BIO commercial (Biologics As Chemo Admin = N, no list).
"""

from __future__ import annotations

import datetime as dt

from coding_builder import DOS, claim, code_one, found, infusion, injection, push, rules_of

LYMPHOMA, RHEUMATOID, MS = "C83.30", "M05.79", "G35"


# ----------------------------------------------------------------------------- class 1: antineoplastics


def test_rituximab_for_lymphoma_stays_chemotherapy_administration_when_the_payer_moves_biologics():
    """CPT's chemotherapy administration guidelines [S61], quoted in CMS article A58527 [S80]: an
    antineoplastic monoclonal antibody given for cancer is coded 96413 whatever the payer's biologics option."""
    result = code_one([infusion("A1", "J9312", 700, "mg", "09:00", "12:00")], payer="BIO", dx=LYMPHOMA)
    assert claim(result) == {("96413", 1, ""), ("96415", 2, ""), ("J9312", 70, "")}
    assert "coding.biologic-therapeutic" not in rules_of(result, "96413")


def test_rituximab_for_rheumatoid_arthritis_moves_to_therapeutic_codes():
    """The same drug for a non-cancer diagnosis is a non-cancer biologic the payer may move [S41][S80]."""
    result = code_one([infusion("A1", "J9312", 1000, "mg", "09:00", "12:00")], payer="BIO", dx=RHEUMATOID)
    assert claim(result) == {("96365", 1, ""), ("96366", 2, ""), ("J9312", 100, "")}
    assert rules_of(result, "96365") == {"coding.initial-infusion", "coding.biologic-therapeutic"}


def test_a_payer_listing_rituximab_cannot_move_it_for_cancer_and_is_told_so():
    """A payer's list moves non-cancer drugs only [S80]: rituximab for lymphoma keeps 96413, with a warning."""
    result = code_one([infusion("A1", "J9312", 700, "mg", "09:00", "10:30")], payer="COM", dx=LYMPHOMA)
    assert claim(result) == {("96413", 1, ""), ("J9312", 70, "")}
    assert ("coding.antineoplastic-stays-chemo", "warning", "Administrations!D2") in found(result)


def test_a_payer_list_applies_from_its_effective_date():
    """Boundary: COM lists ocrelizumab from 2026-09-15. On 09-14 it is still chemo/complex (CPT [S61]);
    on 09-15 the payer's dated row [S41] makes it therapeutic."""
    day_before = code_one([infusion("A1", "J2350", 300, "mg", "09:00", "11:30")], payer="COM", dx=MS)
    assert claim(day_before) == {("96413", 1, ""), ("96415", 1, ""), ("J2350", 300, "")}
    on_the_day = code_one([infusion("A1", "J2350", 300, "mg", "09:00", "11:30")], payer="COM", dx=MS,
                          encounters=[{"Encounter ID": "E1", "Patient ID": "P1", "Payer ID": "COM",
                                       "Date of Service": DOS + dt.timedelta(days=1), "Setting": "Facility",
                                       "Place of Service": "22", "Diagnosis Codes": MS}])
    assert claim(on_the_day) == {("96365", 1, ""), ("96366", 1, ""), ("J2350", 300, "")}


def test_an_antineoplastic_without_any_diagnosis_keeps_cpts_chemotherapy_codes():
    """Boundary: no diagnosis codes means the engine cannot see a non-cancer use; CPT's reading [S61] wins."""
    result = code_one([infusion("A1", "J9312", 700, "mg", "09:00", "10:00")], payer="BIO")
    assert claim(result) == {("96413", 1, ""), ("J9312", 70, "")}


# ----------------------------------------------------------------------------- class 2: hospital-based physician


def test_physician_claim_at_pos_22_drops_drug_and_jw_lines_with_an_info_each():
    """Medicare Benefit Policy Manual ch. 15 section 50.3 [S85]: the hospital supplies and bills the drug;
    the physician's claim keeps only the E/M, without 25 because no administration code remains [S6][S57]."""
    result = code_one([infusion("A1", "J1745", 350, "mg", "09:00", "11:00", wasted=50)],
                      setting="Professional", pos="22", em="99214", em_separate="Y", primary="A1")
    assert claim(result) == {("99214", 1, "")}
    assert rules_of(result, "99214") == {"coding.em-visit"}
    infos = [f for f in result.findings if f.rule_id == "coding.professional-facility-drug"]
    assert [(f.cell, f.value) for f in infos] == [("D2", "J1745"), ("D2", "J1745")]  # the drug line and its JW line
    assert "J1745-JW x 5" in infos[1].message


def test_physician_claim_at_pos_19_keeps_the_em_and_nothing_else():
    """Off-campus hospital department (POS 19) is a facility place of service too [S73][S85]."""
    result = code_one([push("A1", "J2405", 8, "mg", "10:00"), injection("A2", "J0897", 60, "mg")],
                      setting="Professional", pos="19", payer="COM", em="99213", em_separate="Y", primary="A1")
    assert claim(result) == {("99213", 1, "")}
    assert len([f for f in result.findings if f.rule_id == "coding.professional-facility-drug"]) == 2


def test_physician_claim_in_the_office_keeps_its_drug_lines():
    """Boundary: POS 11 is not a facility [S73]; the office buys the drug and bills it [S62]."""
    result = code_one([push("A1", "J2405", 8, "mg", "10:00")], setting="Professional", pos="11", payer="COM",
                      em="99213", em_separate="Y", primary="A1")
    assert claim(result) == {("99213", 1, "25"), ("96374", 1, ""), ("J2405", 8, "")}


# ----------------------------------------------------------------------------- class 5: G0463


def test_medicare_hospital_clinic_visit_with_an_infusion_is_g0463_with_25():
    """CY2014 OPPS final rule [S81]: Medicare hospital outpatient clinic visits are G0463; modifier 25
    because a procedure (the infusion) is billed the same day [S59]."""
    result = code_one([infusion("A1", "J1756", 200, "mg", "09:00", "09:40")], em="99214", em_separate="Y")
    assert claim(result) == {("G0463", 1, "25"), ("96365", 1, ""), ("J1756", 200, "JZ")}
    line = next(ln for ln in result.lines if ln.code == "G0463")
    assert "99214" in line.explanation and line.rule_ids == ("coding.clinic-visit-g0463", "coding.em-modifier-25")


def test_medicare_hospital_clinic_visit_alone_is_g0463_without_25():
    """Boundary: no procedure the same day, so no modifier 25 [S81]."""
    result = code_one([], em="99213")
    assert claim(result) == {("G0463", 1, "")}


def test_a_commercial_payer_keeps_the_em_code_on_the_facility_claim():
    """Payers not flagged Clinic Visit G0463 keep the CPT E/M level [S81] (the option defaults to Medicare)."""
    result = code_one([infusion("A1", "J1756", 200, "mg", "09:00", "09:40")], payer="COM", em="99214",
                      em_separate="Y")
    assert claim(result) == {("99214", 1, "25"), ("96365", 1, ""), ("J1756", 200, "")}


def test_the_physicians_own_claim_to_medicare_keeps_the_em_code():
    """G0463 is a hospital (facility) code only [S81]: a professional claim keeps 99214."""
    result = code_one([], setting="Professional", em="99214")
    assert claim(result) == {("99214", 1, "")}
