"""Facility (hospital outpatient, UB-04) encounters coded by the CPT facility hierarchy.

Each case is one synthetic visit; the claim is asserted as the exact set of (code, units, modifiers).
Medicare (MCR) wants JZ on single-dose drugs with no waste; the commercial payer (COM) does not.
"""

from __future__ import annotations

from coding_builder import claim, code_one, found, hydration, infusion, injection, push, rules_of, admin


def test_infliximab_130_minutes_earns_one_additional_hour():
    """Infliximab 400 mg 10:00-12:10 (130 min): 70 minutes past the first hour -> one 96415."""
    result = code_one([infusion("A1", "J1745", 400, "mg", "10:00", "12:10")])
    assert claim(result) == {("96413", 1, ""), ("96415", 1, ""), ("J1745", 40, "JZ")}
    assert rules_of(result, "96413") == {"coding.initial-infusion"}
    assert rules_of(result, "96415") == {"coding.addon-hour"}


def test_iron_sucrose_95_minutes_is_96365_plus_one_96366():
    result = code_one([infusion("A1", "J1756", 300, "mg", "13:00", "14:35")], payer="COM")
    assert claim(result) == {("96365", 1, ""), ("96366", 1, ""), ("J1756", 300, "")}


def test_ivig_exactly_90_minutes_has_no_additional_hour_and_grams_convert():
    """IVIG 30 g 14:00-15:30: 90 min is the initial hour only; 30 g = 30,000 mg = 60 units of 500 mg."""
    result = code_one([infusion("A1", "J1569", 30, "g", "14:00", "15:30")], payer="COM")
    assert claim(result) == {("96365", 1, ""), ("J1569", 60, "")}


def test_ivig_91_minutes_earns_the_additional_hour():
    result = code_one([infusion("A1", "J1569", 30, "g", "14:00", "15:31")], payer="COM")
    assert claim(result) == {("96365", 1, ""), ("96366", 1, ""), ("J1569", 60, "")}


def test_a_15_minute_piggyback_is_a_push():
    """Ceftriaxone 1 g IVPB 10:00-10:15 runs 15 minutes: coded as the push 96374."""
    result = code_one([infusion("A1", "J0696", 1, "g", "10:00", "10:15")], payer="COM")
    assert claim(result) == {("96374", 1, ""), ("J0696", 4, "")}
    assert rules_of(result, "96374") == {"coding.initial-push"}


def test_a_16_minute_piggyback_is_an_infusion():
    result = code_one([infusion("A1", "J0696", 1, "g", "10:00", "10:16")], payer="COM")
    assert claim(result) == {("96365", 1, ""), ("J0696", 4, "")}


def test_hydration_alone_for_90_minutes_is_96360_only():
    result = code_one([hydration("A1", "09:00", "10:30")], payer="COM")
    assert claim(result) == {("96360", 1, ""), ("J7030", 1, "")}
    assert rules_of(result, "96360") == {"coding.initial-hydration"}


def test_hydration_alone_for_91_minutes_adds_96361():
    result = code_one([hydration("A1", "09:00", "10:31")], payer="COM")
    assert claim(result) == {("96360", 1, ""), ("96361", 1, ""), ("J7030", 1, "")}
    assert rules_of(result, "96361") == {"coding.addon-hour"}


def test_hydration_of_30_minutes_is_not_reportable():
    result = code_one([hydration("A1", "09:00", "09:30")], payer="COM")
    assert claim(result) == {("J7030", 1, "")}
    assert ("coding.hydration-short", "info", "Administrations!L2") in found(result)


def test_hydration_without_documented_necessity_is_not_billed_as_hydration():
    result = code_one([hydration("A1", "09:00", "11:00", necessity="N")], payer="COM")
    assert claim(result) == {("J7030", 1, "")}
    assert ("coding.hydration-necessity", "warning", "Administrations!R2") in found(result)


def test_kvo_fluid_beside_an_infusion_is_neither_hydration_nor_a_fluid_line():
    result = code_one([hydration("A1", "09:00", "12:00", purpose="KVO"),
                       infusion("A2", "J1756", 200, "mg", "09:10", "10:10")], payer="COM")
    assert claim(result) == {("96365", 1, ""), ("J1756", 200, "")}


def test_hydration_before_and_after_chemo_is_summed_into_one_secondary_hydration():
    """20 min before and 25 min after doxorubicin: 45 minutes of hydration -> 96361 x 1 (secondary)."""
    admins = [hydration("A1", "08:00", "08:20"), infusion("A2", "J9000", 100, "mg", "08:20", "10:00"),
              hydration("A3", "10:00", "10:25")]
    result = code_one(admins, payer="COM")
    assert claim(result) == {("96413", 1, ""), ("96415", 1, ""), ("96361", 1, ""), ("J9000", 10, ""),
                             ("J7030", 2, "")}
    assert rules_of(result, "96361") == {"coding.hydration-secondary"}


def test_payer_refusing_to_sum_hydration_segments_gets_no_96361():
    admins = [hydration("A1", "08:00", "08:20"), infusion("A2", "J9000", 100, "mg", "08:20", "10:00"),
              hydration("A3", "10:00", "10:25")]
    result = code_one(admins, payer="COM", settings={"Hydration Sum Segments": "N"})
    assert claim(result) == {("96413", 1, ""), ("96415", 1, ""), ("J9000", 10, ""), ("J7030", 2, "")}
    assert {f.rule_id for f in result.findings if f.severity.value == "info"} == {"coding.hydration-short"}


def test_hydration_running_alongside_chemo_counts_only_its_own_minutes():
    """Fluid 09:00-12:00 while chemo ran 09:30-11:00: 90 of its 180 minutes count -> 96361 x 1."""
    result = code_one([hydration("A1", "09:00", "12:00"), infusion("A2", "J9000", 60, "mg", "09:30", "11:00")],
                      payer="COM")
    assert claim(result) == {("96413", 1, ""), ("96361", 1, ""), ("J9000", 6, ""), ("J7030", 1, "")}


def test_two_overlapping_therapeutic_bags_are_initial_plus_concurrent():
    result = code_one([infusion("A1", "J1756", 200, "mg", "09:00", "10:00"),
                       infusion("A2", "J3370", 1, "g", "09:30", "10:30")], payer="COM")
    assert claim(result) == {("96365", 1, ""), ("96368", 1, ""), ("J1756", 200, ""), ("J3370", 2, "")}
    assert rules_of(result, "96368") == {"coding.concurrent"}


def test_concurrent_infusion_is_reported_once_per_encounter():
    result = code_one([infusion("A1", "J1756", 200, "mg", "09:00", "11:00"),
                       infusion("A2", "J3370", 1, "g", "09:30", "10:30"),
                       infusion("A3", "J0690", 1, "g", "10:00", "10:40")], payer="COM")
    assert claim(result) == {("96365", 1, ""), ("96366", 1, ""), ("96368", 1, ""), ("J1756", 200, ""),
                             ("J3370", 2, ""), ("J0690", 2, "")}


def test_chemo_overlapping_chemo_is_flagged_not_coded():
    result = code_one([infusion("A1", "J9000", 60, "mg", "09:00", "10:00"),
                       infusion("A2", "J9070", 600, "mg", "09:30", "10:30")], payer="COM")
    assert claim(result) == {("96413", 1, ""), ("J9000", 6, ""), ("J9070", 6, "")}
    assert ("coding.concurrent-chemo", "warning", "Administrations!K3") in found(result)


def test_rituximab_with_an_earlier_antiemetic_infusion_is_96413_96415_and_96367():
    """Fosaprepitant 150 mg 09:20-09:50, then rituximab 10:00-13:00: the chemo is initial regardless of order."""
    result = code_one([infusion("A1", "J1453", 150, "mg", "09:20", "09:50"),
                       infusion("A2", "J9312", 700, "mg", "10:00", "13:00")], payer="COM")
    assert claim(result) == {("96413", 1, ""), ("96415", 2, ""), ("96367", 1, ""), ("J1453", 150, ""),
                             ("J9312", 70, "")}
    assert rules_of(result, "96367") == {"coding.sequential"}


def test_a_long_sequential_infusion_earns_its_own_additional_hour():
    result = code_one([infusion("A1", "J9000", 60, "mg", "09:00", "10:00"),
                       infusion("A2", "J1569", 25, "g", "10:00", "11:40")], payer="COM")
    assert claim(result) == {("96413", 1, ""), ("96367", 1, ""), ("96366", 1, ""), ("J9000", 6, ""),
                             ("J1569", 50, "")}


def test_folfox_day_one():
    """Oxaliplatin 09:00-11:00 with leucovorin alongside (separate bag), 5-FU bolus push, 5-FU pump."""
    admins = [infusion("A1", "J9263", 170, "mg", "09:00", "11:00"),
              infusion("A2", "J0640", 400, "mg", "09:00", "11:00"),
              push("A3", "J9190", 400, "mg", "11:05"),
              admin("A4", "J9190", 2400, "mg", "Prolonged pump", "11:10")]
    result = code_one(admins, payer="COM")
    assert claim(result) == {("96413", 1, ""), ("96415", 1, ""), ("96368", 1, ""), ("96411", 1, ""),
                             ("96416", 1, ""), ("J9263", 340, ""), ("J0640", 8, ""), ("J9190", 6, "")}
    assert rules_of(result, "96411") == {"coding.push-additional"}
    assert rules_of(result, "96416") == {"coding.prolonged-pump"}


def test_two_pushes_of_different_drugs_are_96374_and_96375():
    result = code_one([push("A1", "J2405", 8, "mg", "09:00"), push("A2", "J1100", 12, "mg", "09:05")],
                      payer="COM")
    assert claim(result) == {("96374", 1, ""), ("96375", 1, ""), ("J2405", 8, ""), ("J1100", 12, "")}


def test_chemo_push_outranks_a_therapeutic_infusion():
    """Vincristine push 10:00 and ondansetron 16 mg over 20 minutes: 96409 is initial, the infusion 96367."""
    result = code_one([infusion("A1", "J2405", 16, "mg", "09:30", "09:50"), push("A2", "J9370", 2, "mg", "10:00")],
                      payer="COM")
    assert claim(result) == {("96409", 1, ""), ("96367", 1, ""), ("J2405", 16, ""), ("J9370", 2, "")}


def test_same_drug_pushed_again_after_45_minutes_is_96376():
    result = code_one([push("A1", "J2405", 4, "mg", "09:00"), push("A2", "J2405", 4, "mg", "09:45")], payer="COM")
    assert claim(result) == {("96374", 1, ""), ("96376", 1, ""), ("J2405", 8, "")}
    assert rules_of(result, "96376") == {"coding.push-same-drug"}


def test_same_drug_pushed_again_after_exactly_30_minutes_is_flagged_and_not_coded_by_default():
    result = code_one([push("A1", "J2405", 4, "mg", "09:00"), push("A2", "J2405", 4, "mg", "09:30")], payer="COM")
    assert claim(result) == {("96374", 1, ""), ("J2405", 8, "")}
    assert ("coding.push-same-drug-30", "warning", "Administrations!K3") in found(result)


def test_exactly_30_minutes_qualifies_when_the_setting_says_so():
    result = code_one([push("A1", "J2405", 4, "mg", "09:00"), push("A2", "J2405", 4, "mg", "09:30")], payer="COM",
                      settings={"96376 At Exactly 30 Minutes": "Y"})
    assert claim(result) == {("96374", 1, ""), ("96376", 1, ""), ("J2405", 8, "")}


def test_same_drug_pushed_again_within_30_minutes_earns_nothing_more():
    result = code_one([push("A1", "J2405", 4, "mg", "09:00"), push("A2", "J2405", 4, "mg", "09:29")], payer="COM")
    assert claim(result) == {("96374", 1, ""), ("J2405", 8, "")}
    assert rules_of(result, "J2405") == {"coding.drug-units", "coding.drug-same-day"}


def test_same_drug_push_without_a_time_cannot_be_checked():
    result = code_one([push("A1", "J2405", 4, "mg", "09:00"), push("A2", "J2405", 4, "mg", None)], payer="COM")
    assert claim(result) == {("96374", 1, ""), ("J2405", 8, "")}
    assert ("coding.push-time-missing", "warning", "Administrations!K3") in found(result)


def test_port_flush_alone_is_96523():
    result = code_one([admin("A1", "J1642", 500, "units", "Port flush", purpose="Flush", site="port")])
    assert claim(result) == {("96523", 1, ""), ("J1642", 50, "")}
    assert rules_of(result, "96523") == {"coding.port-flush"}


def test_port_flush_after_an_infusion_is_not_billed():
    result = code_one([infusion("A1", "J1756", 200, "mg", "09:00", "10:00", site="port"),
                       admin("A2", "J1642", 500, "units", "Port flush", purpose="Flush", site="port")], payer="COM")
    assert claim(result) == {("96365", 1, ""), ("J1756", 200, ""), ("J1642", 50, "")}
    assert ("coding.port-flush-bundled", "info", "Administrations!J3") in found(result)


def test_denosumab_sc_injection_is_96372():
    result = code_one([injection("A1", "J0897", 120, "mg")], payer="COM")
    assert claim(result) == {("96372", 1, ""), ("J0897", 120, "")}
    assert rules_of(result, "96372") == {"coding.injection"}


def test_leuprolide_for_cancer_is_the_hormonal_chemo_injection_96402():
    result = code_one([injection("A1", "J9217", 22.5, "mg", route="IM injection")], payer="COM")
    assert claim(result) == {("96402", 1, ""), ("J9217", 3, "")}


def test_bortezomib_sc_is_the_non_hormonal_chemo_injection_96401():
    result = code_one([injection("A1", "J9041", 2.6, "mg")], payer="COM")
    assert claim(result) == {("96401", 1, ""), ("J9041", 26, "")}


def test_two_im_injections_are_96372_times_two():
    result = code_one([injection("A1", "J3420", 1000, "mcg", route="IM injection"),
                       injection("A2", "J0696", 1, "g", route="IM injection")], payer="COM")
    assert claim(result) == {("96372", 2, ""), ("J3420", 1, ""), ("J0696", 4, "")}


def test_an_injection_beside_an_infusion_keeps_its_own_code():
    result = code_one([infusion("A1", "J1756", 200, "mg", "09:00", "10:00"), injection("A2", "J0897", 60, "mg")],
                      payer="COM")
    assert claim(result) == {("96365", 1, ""), ("96372", 1, ""), ("J1756", 200, ""), ("J0897", 60, "")}


def test_intra_arterial_injection_is_96373():
    result = code_one([injection("A1", "J1100", 10, "mg", route="Intra-arterial injection")], payer="COM")
    assert claim(result) == {("96373", 1, ""), ("J1100", 10, "")}


def test_sc_immune_globulin_at_two_sites_from_two_pumps_for_105_minutes():
    result = code_one([admin("A1", "J1559", 10, "g", "SC infusion", "09:00", "10:45", site="L abdomen", pump="P1"),
                       admin("A2", "J1559", 10, "g", "SC infusion", "09:00", "10:45", site="R abdomen", pump="P2")],
                      payer="COM")
    assert claim(result) == {("96369", 1, ""), ("96370", 1, ""), ("96371", 1, ""), ("J1559", 200, "")}
    assert rules_of(result, "96369") == {"coding.sc-infusion"}


def test_two_drugs_in_one_bag_are_one_infusion_with_two_drug_lines():
    result = code_one([infusion("A1", "J2405", 8, "mg", "09:00", "09:20", bag="B1"),
                       infusion("A2", "J1100", 12, "mg", "09:00", "09:20", bag="B1")], payer="COM")
    assert claim(result) == {("96365", 1, ""), ("J2405", 8, ""), ("J1100", 12, "")}


def test_the_same_drug_over_two_bags_sums_its_minutes():
    """Vancomycin 1 g 09:00-09:50 and again 10:30-11:20: 100 minutes -> 96365 + 96366."""
    result = code_one([infusion("A1", "J3370", 1, "g", "09:00", "09:50"),
                       infusion("A2", "J3370", 1, "g", "10:30", "11:20")], payer="COM")
    assert claim(result) == {("96365", 1, ""), ("96366", 1, ""), ("J3370", 4, "")}


def test_an_infusion_past_midnight_counts_its_whole_time_on_the_start_date():
    """22:30 to 01:10 the next day is 160 minutes: 96365 + 96366 x 2."""
    result = code_one([infusion("A1", "J0878", 500, "mg", "22:30", "01:10", stop_date="2026-09-15")], payer="COM")
    assert claim(result) == {("96365", 1, ""), ("96366", 2, ""), ("J0878", 500, "")}
    assert {ln.date_of_service.isoformat() for ln in result.lines} == {"2026-09-14"}


def test_interruption_minutes_are_not_infusion_time():
    """Cyclophosphamide 10:00-13:00 stopped 40 minutes for a reaction: 140 minutes -> one 96415."""
    result = code_one([infusion("A1", "J9070", 1000, "mg", "10:00", "13:00", interrupted=40)], payer="COM")
    assert claim(result) == {("96413", 1, ""), ("96415", 1, ""), ("J9070", 10, "")}
    assert result.lines[0].explanation == (
        "Cyclophosphamide 10:00-13:00 less 40 min interruption = 140 min: 96413 + 1 x 96415")


def test_payer_coding_biologics_as_therapeutic_moves_infliximab_to_96365():
    result = code_one([infusion("A1", "J1745", 400, "mg", "09:00", "11:30")], payer="BIO")
    assert claim(result) == {("96365", 1, ""), ("96366", 1, ""), ("J1745", 40, "")}
    assert rules_of(result, "96365") == {"coding.initial-infusion", "coding.biologic-therapeutic"}


def test_biologics_option_leaves_cytotoxic_chemo_alone():
    result = code_one([infusion("A1", "J9000", 60, "mg", "09:00", "10:00")], payer="BIO")
    assert claim(result) == {("96413", 1, ""), ("J9000", 6, "")}


def test_required_second_site_carries_the_payers_modifier():
    result = code_one([infusion("A1", "J9000", 60, "mg", "09:00", "10:00", site="port"),
                       infusion("A2", "J1756", 200, "mg", "09:00", "10:00", site="R forearm")],
                      payer="BIO", second_site="Y")
    assert claim(result) == {("96413", 1, ""), ("96365", 1, "XU"), ("J9000", 6, ""), ("J1756", 200, "")}
    assert rules_of(result, "96365") == {"coding.initial-infusion", "coding.separate-site"}


def test_payer_wanting_59_on_secondary_hydration():
    result = code_one([infusion("A1", "J9000", 60, "mg", "09:00", "10:00"), hydration("A2", "10:00", "11:00")],
                      payer="SEL")
    # Saline is packaged under the hospital outpatient PPS: no JZ on its facility line.
    assert claim(result) == {("96413", 1, ""), ("96361", 1, "59"), ("J9000", 6, "JZ"), ("J7030", 1, "")}
    assert rules_of(result, "96361") == {"coding.hydration-secondary", "coding.hydration-modifier-59"}


def test_white_bagged_infliximab_is_coded_for_administration_only():
    result = code_one([infusion("A1", None, 400, "mg", "09:00", "11:00", drug="infliximab",
                                drug_class="Chemo/Complex")])
    assert claim(result) == {("96413", 1, ""), ("96415", 1, "")}
    assert ("coding.white-bagged", "info", "Administrations!D2") in found(result)


def test_oral_premedication_is_not_billed():
    result = code_one([admin("A1", None, 650, "mg", "Oral", "08:45", drug="acetaminophen", drug_class="Therapeutic"),
                       infusion("A2", "J1756", 200, "mg", "09:00", "10:00")], payer="COM")
    assert claim(result) == {("96365", 1, ""), ("J1756", 200, "")}
    assert ("coding.oral-not-billed", "info", "Administrations!J2") in found(result)


def test_drug_class_on_the_administration_overrides_the_drugs_table():
    result = code_one([infusion("A1", "J9312", 500, "mg", "09:00", "10:30", drug_class="Therapeutic")], payer="COM")
    assert claim(result) == {("96365", 1, ""), ("J9312", 50, "")}


def test_therapeutic_drug_by_prolonged_pump_goes_to_manual_review():
    result = code_one([admin("A1", "J0690", 2, "g", "Prolonged pump", "09:00")], payer="COM")
    assert claim(result) == {("J0690", 4, "")}
    assert ("coding.manual-review", "warning", "Administrations!J2") in found(result)


def test_home_infusion_codes_drug_lines_only_and_says_per_diem_is_out_of_scope():
    result = code_one([infusion("A1", "J0690", 2, "g", "08:00", "08:30")], setting="Home", payer="COM", pos="12")
    assert claim(result) == {("J0690", 4, "")}
    assert ("coding.home-out-of-scope", "info", "Encounters!E2") in found(result)
