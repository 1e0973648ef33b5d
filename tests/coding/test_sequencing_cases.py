"""Sequencing: one initial per encounter without a required second site, add-ons re-sequenced to a valid
primary, and a push of a substance that was already infused.

Each case is one synthetic visit with its exact claim (code, units, modifiers); MCR is Medicare, COM a
commercial payer (no JW/JZ).
"""

from __future__ import annotations

from coding_builder import claim, code_one, found, hydration, infusion, push, rules_of


# ----------------------------------------------------------------------------- class 3: second IV site


def test_a_second_site_without_documented_necessity_does_not_hold_the_encounter():
    """IOM 100-04 ch. 4 section 230.2 [S63][S2]: one initial service per encounter unless a second site
    was medically necessary; everything else is sequenced after it, and a warning says why."""
    result = code_one([infusion("A1", "J9000", 60, "mg", "09:00", "10:00", site="port"),
                       infusion("A2", "J1756", 200, "mg", "10:05", "11:05", site="R forearm")], payer="COM")
    assert claim(result) == {("96413", 1, ""), ("96367", 1, ""), ("J9000", 6, ""), ("J1756", 200, "")}
    assert ("coding.second-site-undocumented", "warning", "Administrations!O3") in found(result)
    assert result.status["E1"].status == "coded"


def test_a_second_site_push_without_necessity_is_an_additional_push():
    """[S63][S7]: the antiemetic pushed in the other arm is 96375 after the infusion, not a second 96374."""
    result = code_one([infusion("A1", "J1756", 200, "mg", "09:00", "09:40", site="L forearm"),
                       push("A2", "J2405", 8, "mg", "09:50", site="R hand")], payer="COM")
    assert claim(result) == {("96365", 1, ""), ("96375", 1, ""), ("J1756", 200, ""), ("J2405", 8, "")}
    assert [f.rule_id for f in result.findings if f.encounter_id] == ["coding.second-site-undocumented"]


def test_a_documented_second_site_still_gets_its_own_initial_with_the_modifier():
    """Boundary: with Second Site Necessary = Y the second site's initial stands, with 59 [S7][S48]."""
    result = code_one([infusion("A1", "J1756", 200, "mg", "09:00", "09:40", site="L forearm"),
                       push("A2", "J2405", 8, "mg", "09:50", site="R hand")], payer="COM", second_site="Y")
    assert claim(result) == {("96365", 1, ""), ("96374", 1, "59"), ("J1756", 200, ""), ("J2405", 8, "")}
    assert "coding.second-site-undocumented" not in {f.rule_id for f in result.findings}


# ----------------------------------------------------------------------------- class 4: re-sequencing


def test_hydration_as_the_primary_reason_then_a_push_is_re_sequenced_to_the_push():
    """CPT parentheticals [S61]: 96375 takes only 96365, 96374, 96409 or 96413, never 96360. Default
    option Professional Hydration First = Drug initial: 96374 + secondary hydration 96361 (70 min) [S24]."""
    result = code_one([hydration("A1", "10:00", "11:10"), push("A2", "J2405", 4, "mg", "11:15")],
                      setting="Professional", payer="COM", primary="A1")
    assert claim(result) == {("96374", 1, ""), ("96361", 1, ""), ("J7030", 1, ""), ("J2405", 4, "")}
    assert "re-sequenced" in next(ln.explanation for ln in result.lines if ln.code == "96374")
    assert ("coding.addon-resequenced", "info", "Encounters!G2") in found(result)


def test_hydration_first_kept_under_the_named_option():
    """The other reading (primary reason for the encounter, CR 3631 [S59][S9]): Hydration initial keeps
    96360 as the initial and the push as its add-on 96375."""
    result = code_one([hydration("A1", "10:00", "11:10"), push("A2", "J2405", 4, "mg", "11:15")],
                      setting="Professional", payer="COM", primary="A1",
                      settings={"Professional Hydration First": "Hydration initial"})
    assert claim(result) == {("96360", 1, ""), ("96375", 1, ""), ("J7030", 1, ""), ("J2405", 4, "")}


def test_hydration_primary_then_a_sequential_antibiotic_becomes_96365_plus_96361():
    """96367 takes only 96365, 96374, 96409 or 96413 [S61]: the 30-minute antibiotic is the initial."""
    result = code_one([hydration("A1", "10:00", "11:10"), infusion("A2", "J0690", 1, "g", "11:15", "11:45")],
                      setting="Professional", payer="COM", primary="A1")
    assert claim(result) == {("96365", 1, ""), ("96361", 1, ""), ("J7030", 1, ""), ("J0690", 2, "")}


def test_a_chemo_push_as_the_primary_reason_before_a_chemo_infusion_is_re_sequenced():
    """96417 and 96415 take 96413 [S61]: the infusion becomes the initial and the push is 96411."""
    result = code_one([push("A1", "J9190", 400, "mg", "09:00"),
                       infusion("A2", "J9263", 150, "mg", "09:10", "11:15")],
                      setting="Professional", payer="COM", primary="A1")
    assert claim(result) == {("96413", 1, ""), ("96415", 1, ""), ("96411", 1, ""), ("J9190", 1, ""),
                             ("J9263", 300, "")}


def test_an_add_on_that_no_initial_can_carry_is_left_off():
    """Boundary: a chemo push then two overlapping therapeutic infusions. 96368 needs 96365/96366/96413/
    96415/96416 [S61]; with 96409 initial it has none, and no other initial makes a valid set (96411
    needs 96409 or 96413), so the facility hierarchy stands and 96368 is left off with a warning."""
    result = code_one([push("A1", "J9190", 400, "mg", "09:00"),
                       infusion("A2", "J1756", 200, "mg", "09:10", "10:10", bag="1"),
                       infusion("A3", "J3370", 1, "g", "09:30", "10:30", bag="2")], payer="COM")
    assert claim(result) == {("96409", 1, ""), ("96367", 1, ""), ("J9190", 1, ""), ("J1756", 200, ""),
                             ("J3370", 2, "")}
    assert ("coding.addon-without-primary", "warning", "Encounters!G2") in found(result)


# ----------------------------------------------------------------------------- class 8: same substance


def test_facility_push_of_a_substance_already_infused_is_96376():
    """96375 needs a new substance [S61]; in a facility the later push of the infused substance is 96376,
    whose primaries include the infusion initial 96365, and its first push meets the 30-minute rule [S11]."""
    result = code_one([infusion("A1", "J2405", 8, "mg", "09:00", "09:30"), push("A2", "J2405", 8, "mg", "11:00")],
                      payer="COM")
    assert claim(result) == {("96365", 1, ""), ("96376", 1, ""), ("J2405", 16, "")}
    line = next(ln for ln in result.lines if ln.code == "96376")
    assert line.rule_ids == ("coding.push-after-infusion",) and "same substance" in line.explanation


def test_professional_push_of_a_substance_already_infused_earns_no_code():
    """Physician office: no same-substance push code exists [S52][S61]; the push has no administration code."""
    result = code_one([infusion("A1", "J2405", 8, "mg", "09:00", "09:30"), push("A2", "J2405", 8, "mg", "11:00")],
                      setting="Professional", payer="COM", primary="A1")
    assert claim(result) == {("96365", 1, ""), ("J2405", 16, "")}
    assert ("coding.push-same-substance-professional", "info", "Administrations!J3") in found(result)


def test_a_push_of_a_different_drug_after_the_infusion_is_still_96375():
    """Boundary: a new substance after the infusion is 96375 [S61]."""
    result = code_one([infusion("A1", "J2405", 8, "mg", "09:00", "09:30"), push("A2", "J1100", 10, "mg", "11:00")],
                      payer="COM")
    assert claim(result) == {("96365", 1, ""), ("96375", 1, ""), ("J2405", 8, ""), ("J1100", 10, "")}


def test_a_second_push_of_the_infused_substance_follows_the_30_minute_rule():
    """Boundary: after 96376 for the first push, another push 20 minutes later is not reported [S11][S61]."""
    result = code_one([infusion("A1", "J2405", 8, "mg", "09:00", "09:30"), push("A2", "J2405", 4, "mg", "11:00"),
                       push("A3", "J2405", 4, "mg", "11:20")], payer="COM")
    assert claim(result) == {("96365", 1, ""), ("96376", 1, ""), ("J2405", 16, "")}
