"""An independent coder's audit of issue 14: new scenarios for each of its eight classes, Start Date
(services after midnight) and OPPS-packaged drugs without JZ, written apart from the implementer's cases.

Sources are the tags of docs/sources.md: [S61] CPT 2026 descriptors, guidelines and parentheticals
(96360-96549), [S80] CMS article A58527, [S85] Medicare Benefit Policy Manual ch. 15 section 50.3,
[S63] IOM 100-04 ch. 4 section 230.2, [S81] CY2014 OPPS final rule (G0463), [S82] MM5699 / CR 5818,
[S83] NCD 110.21, [S66] JW/JZ policy, [S84] OPPS Addendum B, [S73] CMS place-of-service code set.
MCR is Medicare (JW/JZ), COM a commercial payer with a Payer Drug Classes list (rituximab; ocrelizumab from
the day after the date of service), BIO a commercial payer with Biologics As Chemo Admin = N and XU.
"""

from __future__ import annotations

import datetime as dt

import coding_builder
import pytest
from coding_builder import DOS, admin, claim, code_one, found, hydration, infusion, injection, push

CROHNS, RHEUMATOID, LUNG, LYMPHOMA = "K50.90", "M05.79", "C34.90", "C83.30"


# ----------------------------------------------------------------------------- class 1: antineoplastics


def test_infliximab_for_crohns_moves_at_the_payer_that_moves_biologics():
    """A non-cancer biologic [S80] at a payer with Biologics As Chemo Admin = N: therapeutic 96365 + 96366
    (2 h 10 min: first hour + one additional hour; the last 10 minutes do not reach 31 [S61])."""
    result = code_one([infusion("A1", "J1745", 400, "mg", "09:00", "11:10")], payer="BIO", dx=CROHNS)
    assert claim(result) == {("96365", 1, ""), ("96366", 1, ""), ("J1745", 40, "")}


def test_infliximab_for_crohns_stays_complex_at_a_payer_that_does_not_move_biologics():
    """Boundary: Medicare follows CPT and CR 13468 [S61][S80]: 96413 + 96415 x1; single-dose vial, no
    waste recorded -> JZ [S66]."""
    result = code_one([infusion("A1", "J1745", 400, "mg", "09:00", "11:10")], payer="MCR", dx=CROHNS)
    assert claim(result) == {("96413", 1, ""), ("96415", 1, ""), ("J1745", 40, "JZ")}


def test_pembrolizumab_for_lung_cancer_never_moves():
    """An antineoplastic antibody given for cancer is chemotherapy administration at every payer [S61][S80]:
    30 minutes is 96413 (16+ minutes), even at BIO."""
    result = code_one([infusion("A1", "J9271", 200, "mg", "09:00", "09:30")], payer="BIO", dx=LUNG)
    assert claim(result) == {("96413", 1, ""), ("J9271", 200, "")}


def test_rituximab_for_rheumatoid_arthritis_at_medicare_keeps_cpts_codes():
    """Boundary: a non-cancer use only MAY move; Medicare does not move biologics [S61][S80]."""
    result = code_one([infusion("A1", "J9312", 1000, "mg", "09:00", "12:00")], payer="MCR", dx=RHEUMATOID)
    assert claim(result) == {("96413", 1, ""), ("96415", 2, ""), ("J9312", 100, "JZ")}


def test_rituximab_for_rheumatoid_arthritis_on_the_payers_own_list_moves():
    """COM's dated Payer Drug Classes row names rituximab: for RA it is therapeutic [S80]."""
    result = code_one([infusion("A1", "J9312", 1000, "mg", "09:00", "12:00")], payer="COM", dx=RHEUMATOID)
    assert claim(result) == {("96365", 1, ""), ("96366", 2, ""), ("J9312", 100, "")}


# ----------------------------------------------------------------------------- class 2: facility places


@pytest.mark.parametrize("pos", ["19", "22", "21", "23"])
def test_physician_claim_at_a_facility_place_has_no_drug_or_administration_lines(pos):
    """MBPM ch. 15 section 50.3 [S85]: at a facility place of service [S73] the hospital bills the drug
    (and its staff's administration); the physician keeps the E/M without 25 [S61]."""
    result = code_one([infusion("A1", "J1756", 200, "mg", "09:00", "09:40"), push("A2", "J2405", 8, "mg", "09:45")],
                      setting="Professional", pos=pos, payer="MCR", em="99214", em_separate="Y", primary="A1")
    assert claim(result) == {("99214", 1, "")}
    assert {f.rule_id for f in result.findings if f.severity.value == "error"} == set()


def test_physician_claim_in_the_office_to_medicare_keeps_drug_admin_and_jz():
    """Boundary: POS 11 is the office [S73]; the practice bought the drug [S85]: 99214-25, 96365, 96375,
    the drugs with JZ (single-dose, nothing discarded [S66])."""
    result = code_one([infusion("A1", "J1756", 200, "mg", "09:00", "09:40"), push("A2", "J2405", 8, "mg", "09:45")],
                      setting="Professional", pos="11", payer="MCR", em="99214", em_separate="Y", primary="A1")
    assert claim(result) == {("99214", 1, "25"), ("96365", 1, ""), ("96375", 1, ""), ("J1756", 200, "JZ"),
                             ("J2405", 8, "JZ")}


# ----------------------------------------------------------------------------- class 3: second IV site


def test_a_second_site_with_documented_necessity_uses_the_payers_site_modifier():
    """IOM 100-04 ch. 4 section 230.2 [S63]: a medically necessary second site gets its own initial; BIO's
    Separate Site Modifier is XU. No warning about an undocumented second site."""
    result = code_one([infusion("A1", "J1756", 200, "mg", "09:00", "09:40", site="L forearm"),
                       infusion("A2", "J0690", 1, "g", "09:00", "09:40", site="R forearm")],
                      payer="BIO", second_site="Y")
    assert claim(result) == {("96365", 1, ""), ("96365", 1, "XU"), ("J1756", 200, ""), ("J0690", 2, "")}
    assert "coding.second-site-undocumented" not in {f.rule_id for f in result.findings}


def test_hydration_in_a_second_arm_without_necessity_is_secondary_hydration():
    """[S63]: one initial per encounter; hydration in the other arm is 96361 after the drug initial [S61]."""
    result = code_one([infusion("A1", "J1756", 200, "mg", "09:00", "09:40", site="L forearm"),
                       hydration("A2", "09:45", "10:45", site="R forearm")], payer="COM")
    assert claim(result) == {("96365", 1, ""), ("96361", 1, ""), ("J1756", 200, ""), ("J7030", 1, "")}
    assert result.status["E1"].status == "coded"
    assert "coding.second-site-undocumented" in {f.rule_id for f in result.findings}


# ----------------------------------------------------------------------------- class 4: re-sequencing


def test_hydration_first_then_a_sequential_infusion_under_the_hydration_initial_option():
    """The primary-reason reading [S59][S9] (option Professional Hydration First = Hydration initial):
    96360 stays initial; the 40-minute antibiotic is its add-on 96367."""
    result = code_one([hydration("A1", "10:00", "11:10"), infusion("A2", "J0690", 1, "g", "11:15", "11:55")],
                      setting="Professional", payer="COM", primary="A1",
                      settings={"Professional Hydration First": "Hydration initial"})
    assert claim(result) == {("96360", 1, ""), ("96367", 1, ""), ("J7030", 1, ""), ("J0690", 2, "")}


def test_facility_hydration_first_is_sequenced_by_the_hierarchy_whatever_the_option():
    """Facilities follow the CMS hierarchy, not the primary reason (CPT facility guideline [S61], [S63]):
    push 96374 is initial, 75 minutes of hydration are 96361 x1 (61-120 min [S61])."""
    for value in ("Drug initial", "Hydration initial"):
        result = code_one([hydration("A1", "10:00", "11:15"), push("A2", "J2405", 8, "mg", "11:20")],
                          payer="COM", primary="A1", settings={"Professional Hydration First": value})
        assert claim(result) == {("96374", 1, ""), ("96361", 1, ""), ("J7030", 1, ""), ("J2405", 8, "")}, value


def test_hydration_of_30_minutes_before_a_push_is_not_billable_hydration():
    """Boundary: hydration of 30 minutes or less is not reported [S61]; the push is the only initial."""
    result = code_one([hydration("A1", "10:00", "10:30"), push("A2", "J2405", 8, "mg", "10:35")],
                      setting="Professional", payer="COM", primary="A1")
    assert claim(result) == {("96374", 1, ""), ("J7030", 1, ""), ("J2405", 8, "")}


# ----------------------------------------------------------------------------- class 5: G0463


def _with_payer(monkeypatch, row):
    header = coding_builder.PAYERS[0] + ["Clinic Visit G0463"]
    rows = [header] + [r + [None] for r in coding_builder.PAYERS[1:]] + [row]
    monkeypatch.setattr(coding_builder, "PAYERS", rows)


def test_a_medicare_advantage_plan_flagged_for_g0463_gets_g0463(monkeypatch):
    """CY2014 OPPS final rule [S81]; a payer that follows it (Clinic Visit G0463 = Y) gets G0463-25 beside
    an injection [S59]."""
    _with_payer(monkeypatch, ["MA1", "Synthetic MA", "Medicare Advantage", "N", None, None, None, "Y"])
    result = code_one([injection("A1", "J0897", 60, "mg")], payer="MA1", em="99213", em_separate="Y")
    assert claim(result) == {("G0463", 1, "25"), ("96372", 1, ""), ("J0897", 60, "")}


def test_a_commercial_payer_not_flagged_keeps_the_cpt_level(monkeypatch):
    """Boundary: Clinic Visit G0463 = N keeps the CPT E/M [S81], with 25 beside the injection."""
    _with_payer(monkeypatch, ["C2", "Synthetic commercial", "Commercial", "N", None, None, None, "N"])
    result = code_one([injection("A1", "J0897", 60, "mg")], payer="C2", em="99213", em_separate="Y")
    assert claim(result) == {("99213", 1, "25"), ("96372", 1, ""), ("J0897", 60, "")}


def test_a_new_patient_visit_without_a_procedure_is_g0463_alone():
    """[S81]: 99202-99215, new or established, are G0463 on Medicare facility claims; no procedure -> no 25."""
    result = code_one([], em="99204")
    assert claim(result) == {("G0463", 1, "")}


def test_an_emergency_department_visit_is_not_g0463():
    """Boundary: G0463 replaces only clinic visits 99202-99215 [S81]; 99284 stays."""
    result = code_one([], em="99284")
    assert claim(result) == {("99284", 1, "")}


# ----------------------------------------------------------------------------- class 6: SC pumps


def _sc(admin_id, site, start="09:00", stop="10:00", **kw):
    return admin(admin_id, "J1559", 5, "g", "SC infusion", start, stop, site=site, **kw)


def test_two_sc_sites_on_one_pump_running_105_minutes():
    """CPT [S61]: 96369 covers up to one hour incl. all sites of that pump; 96370 for each additional hour
    (over 30 minutes): 105 minutes -> 96369 + 96370 x1, no 96371."""
    result = code_one([_sc("A1", "L abdomen", "09:00", "10:45", pump="P1"),
                       _sc("A2", "R abdomen", "09:00", "10:45", pump="P1")], payer="COM")
    assert claim(result) == {("96369", 1, ""), ("96370", 1, ""), ("J1559", 100, "")}


def test_two_sc_sites_on_two_pumps_is_96369_plus_96371():
    """CPT [S61]: 96371 is the additional pump set-up with establishment of new site(s)."""
    result = code_one([_sc("A1", "L abdomen", pump="P1"), _sc("A2", "R abdomen", pump="P2")], payer="COM")
    assert claim(result) == {("96369", 1, ""), ("96371", 1, ""), ("J1559", 100, "")}


# ----------------------------------------------------------------------------- class 7: ESA modifiers


def _darbe(**kw):
    return injection("A1", "J0881", 100, "mcg", **kw)


def test_darbepoetin_for_chemotherapy_anemia_is_ea():
    """CR 5818 [S82]: D64.81 -> EA; hemoglobin recorded [S83]; JZ (single-dose, no waste) [S66]."""
    result = code_one([_darbe(hgb="9.1")], dx="C50.911, D63.0, D64.81")
    assert claim(result) == {("96372", 1, ""), ("J0881", 100, "EA JZ")}


def test_darbepoetin_with_only_anemia_in_neoplastic_disease_needs_the_billers_choice():
    """D63.0 (anemia in neoplastic disease) does not say whether chemotherapy caused it [S82][S83]: no
    modifier is guessed; the encounter is held at the ESA Indication cell."""
    result = code_one([_darbe(hgb="9.1")], dx="C50.911, D63.0")
    assert result.status["E1"].status == "held"
    assert ("coding.esa-indication-missing", "error", "Administrations!V2") in found(result)


def test_an_explicit_ec_wins_and_a_professional_claim_gets_it_too():
    """[S82]: exactly one of EA/EB/EC on Medicare non-ESRD ESA lines, physician or hospital claim."""
    result = code_one([_darbe(hct="27", esa="EC")], setting="Professional", dx="D64.81")
    assert claim(result) == {("96372", 1, ""), ("J0881", 100, "EC JZ")}


def test_no_diagnosis_and_no_column_holds():
    """Boundary: neither column nor diagnosis [S82]."""
    result = code_one([_darbe(hgb="9.1")])
    assert result.lines == [] and result.status["E1"].status == "held"


# ----------------------------------------------------------------------------- class 8: same substance


def test_a_repeat_push_exactly_30_minutes_later_is_not_96376_by_default():
    """CPT [S61]: 96376 only for a push MORE than 30 minutes after a reported push of the same drug;
    option 96376 At Exactly 30 Minutes defaults to N."""
    result = code_one([push("A1", "J2405", 4, "mg", "10:00"), push("A2", "J2405", 4, "mg", "10:30")], payer="COM")
    assert claim(result) == {("96374", 1, ""), ("J2405", 8, "")}


def test_a_repeat_push_31_minutes_later_is_96376():
    """Boundary: 31 minutes is more than 30 [S61]: 96374 + 96376 in a facility."""
    result = code_one([push("A1", "J2405", 4, "mg", "10:00"), push("A2", "J2405", 4, "mg", "10:31")], payer="COM")
    assert claim(result) == {("96374", 1, ""), ("96376", 1, ""), ("J2405", 8, "")}


def test_an_infused_drug_pushed_again_in_the_office_is_not_96375():
    """96375 is a NEW substance [S61]; in the office there is no same-drug push code: the antibiotic
    infusion is 96365 and the later dexamethasone push (different drug) 96375, the repeat of the antibiotic
    nothing."""
    result = code_one([infusion("A1", "J1100", 10, "mg", "09:00", "09:30"), push("A2", "J2405", 4, "mg", "09:40"),
                       push("A3", "J1100", 10, "mg", "11:00")], setting="Professional", payer="COM", primary="A1")
    assert claim(result) == {("96365", 1, ""), ("96375", 1, ""), ("J1100", 20, ""), ("J2405", 4, "")}


# ----------------------------------------------------------------------------- Start Date and midnight


def test_a_push_at_00_10_after_an_infusion_started_at_23_30():
    """The infusion belongs to its start date with all its time [S50]; the push after midnight is dated
    the next day [S70]; it is still one encounter, so the push is 96375 after the 96365 initial [S61]."""
    result = code_one([infusion("A1", "J1756", 200, "mg", "23:30", "00:05", stop_date="2026-09-15"),
                       push("A2", "J2405", 4, "mg", "00:10", start_date="2026-09-15")], payer="COM")
    assert {(ln.code, ln.units, ln.date_of_service) for ln in result.lines} == {
        ("96365", 1, DOS), ("J1756", 200, DOS), ("96375", 1, DOS + dt.timedelta(days=1)),
        ("J2405", 4, DOS + dt.timedelta(days=1))}


def test_an_infusion_crossing_midnight_counts_all_its_minutes():
    """[S50][S61]: 23:30 to 01:10 is 100 minutes: 96365 + 96366 x1, both dated the start date."""
    result = code_one([infusion("A1", "J1756", 200, "mg", "23:30", "01:10", stop_date="2026-09-15")], payer="COM")
    assert {(ln.code, ln.units, ln.date_of_service) for ln in result.lines} == {
        ("96365", 1, DOS), ("96366", 1, DOS), ("J1756", 200, DOS)}


# ----------------------------------------------------------------------------- OPPS-packaged: no JZ


def test_a_packaged_drug_with_waste_on_a_medicare_facility_claim_has_no_jw_line():
    """JW/JZ apply to separately payable drugs [S66]; J2405 is packaged under OPPS [S84]."""
    result = code_one([push("A1", "J2405", 8, "mg", "10:00", wasted=2)])
    assert claim(result) == {("96374", 1, ""), ("J2405", 8, "")}


def test_a_separately_payable_drug_on_the_same_facility_claim_keeps_jz():
    """Boundary: iron sucrose is not packaged in the table; facility Medicare claim -> JZ [S66]."""
    result = code_one([infusion("A1", "J1756", 200, "mg", "09:00", "09:40"), push("A2", "J2405", 8, "mg", "09:45")])
    assert claim(result) == {("96365", 1, ""), ("96375", 1, ""), ("J1756", 200, "JZ"), ("J2405", 8, "")}


def test_an_esa_given_in_the_hospital_does_not_hold_the_physicians_claim():
    """Classes 2 and 7 together: at POS 22 the hospital bills the ESA line [S85], so its EA/EB/EC and
    hemoglobin requirement [S82][S83] belong to the hospital's claim; the physician's E/M goes out."""
    result = code_one([injection("A1", "J0885", 40000, "units")], setting="Professional", pos="22", em="99213",
                      em_separate="Y")
    assert claim(result) == {("99213", 1, "")}
    assert result.status["E1"].status == "coded"
    assert found(result, "error") == set()
