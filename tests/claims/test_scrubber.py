"""The scrubber on a clinic month with planted defects: each found at its cell, the clean claims untouched.

Planted (all data synthetic):

* an NCCI pair without a modifier: a denosumab SC injection (96372) on a rituximab infusion day
  (96413); the practitioner PTP edit 96413/96372 has modifier indicator 1 and neither line has 59;
* units over the MUE: an immune globulin dose of 200 g (J1569, 400 units of 500 mg; MUE 300);
* a diagnosis outside the coverage table: an intravenous iron (J1439) visit coded with I10 only;
* a missing member ID on a Coverage row.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest

from infusion_billing.claims.build import BookIndex, ledger_claim, to_claim
from infusion_billing.claims.ncci import shipped
from infusion_billing.claims.scrub import Scrubber
from infusion_billing.coding.lines import ChargeLine
from infusion_billing.pipeline import RunOptions, run_workbook
from infusion_billing.schema import TABLES_BY_NAME
from infusion_billing.workbook.reader import read_workbook

from .clinic_book import AS_OF, MONTH, clinic_rows, column, records, write_rows

SCRUB_RULES = ("scrub.", "claim.")


def _col(table, header):
    return column(table, header)


def _encounter_payers(rows):
    return {e[0]: e[2] for e in rows["Encounters"]}


def _codes_of(rows, encounter_id):
    hc, ec = _col("Administrations", "HCPCS"), _col("Administrations", "Encounter ID")
    return {a[hc] for a in rows["Administrations"] if a[ec] == encounter_id}


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    rows = copy.deepcopy(clinic_rows())
    enc, adm = rows["Encounters"], rows["Administrations"]
    payers = _encounter_payers(rows)
    ec, hc = _col("Administrations", "Encounter ID"), _col("Administrations", "HCPCS")
    dose, waste = _col("Administrations", "Dose"), _col("Administrations", "Wasted")
    dx = _col("Encounters", "Diagnosis Codes")
    plants = {}

    # 1. a denosumab injection on a chemotherapy infusion day (Medicare: no authorization needed)
    chemo = next(e for e in enc if payers[e[0]] == "MCR" and "J9312" in _codes_of(rows, e[0]))
    template = next(a for a in adm if a[ec] == chemo[0])
    shot = list(template)
    headers = [c for c in ("Admin ID", "Drug", "HCPCS", "Drug Class", "Dose", "Dose Unit", "Wasted", "Container",
                           "Route", "Start", "Stop", "Stop Date", "Bag", "Purpose", "NDC", "Lot")]
    values = ("A-PLANT-1", "denosumab", "J0897", None, Decimal(60), "mg", Decimal(0), None, "SC injection",
              dt.time(7, 40), None, None, None, "Primary", None, None)
    for header, value in zip(headers, values, strict=True):
        shot[_col("Administrations", header)] = value
    adm.insert(adm.index(template), shot)
    plants["ncci"] = chemo[0]

    # 2. immune globulin over its MUE
    ivig = next(a for a in adm if a[hc] == "J1569" and payers[a[ec]] == "MCR")
    ivig[dose], ivig[waste] = Decimal(200000) if ivig[_col("Administrations", "Dose Unit")] == "mg" else Decimal(200), \
        Decimal(0)
    plants["mue"] = ivig[ec]

    # 3. a covered drug with a diagnosis outside its policy
    covered = next(e for e in enc if payers[e[0]] == "MCR" and "J1439" in _codes_of(rows, e[0])
                   and e[0] not in plants.values())
    covered[dx] = "I10"
    plants["coverage"] = covered[0]

    # 4. a member ID left blank
    patient = next(e[1] for e in enc if e[0] not in plants.values() and payers[e[0]] == "MCR")
    member = _col("Coverage", "Member ID")
    cov_index = next(i for i, c in enumerate(rows["Coverage"]) if c[0] == patient and c[1] == "MCR")
    rows["Coverage"][cov_index][member] = None
    plants["member"] = (patient, cov_index)

    folder = tmp_path_factory.mktemp("planted")
    source = write_rows(folder / "planted.xlsx", rows)
    run = run_workbook(source, MONTH, out=folder / "billed.xlsx",
                       options=RunOptions(out_dir=folder / "837", as_of=AS_OF))
    return plants, rows, folder / "billed.xlsx", run


def _claim_lines(billed, encounter_id):
    """(Excel row, record) of each ClaimLines row of the encounter's claim."""
    return [(i, r) for i, r in enumerate(records(billed, "ClaimLines"), start=2) if r["Encounter ID"] == encounter_id]


def test_ncci_pair_without_modifier_found_on_its_line(planted):
    plants, _, billed, run = planted
    [(row, line)] = [(i, r) for i, r in _claim_lines(billed, plants["ncci"]) if r["Code"] == "96372"]
    [f] = [f for f in run.findings if f.rule_id == "scrub.ncci-pair"]
    assert (f.sheet, f.cell, f.encounter_id) == ("ClaimLines", f"G{row}", plants["ncci"])
    assert "96413" in f.message and "modifier indicator 1" in f.message


def test_units_over_mue_found_on_the_units_cell(planted):
    plants, _, billed, run = planted
    rows = [(i, r) for i, r in _claim_lines(billed, plants["mue"]) if r["Code"] == "J1569"]
    [f] = [f for f in run.findings if f.rule_id == "scrub.mue"]
    assert (f.sheet, f.cell) == ("ClaimLines", f"H{rows[0][0]}")
    assert "MUE allows 300" in f.message


def test_diagnosis_outside_the_coverage_table_found_on_the_encounter(planted):
    plants, rows, _, run = planted
    row = next(i for i, e in enumerate(rows["Encounters"], start=2) if e[0] == plants["coverage"])
    [f] = [f for f in run.findings if f.rule_id == "scrub.coverage-diagnosis"]
    assert (f.sheet, f.cell, f.value) == ("Encounters", f"I{row}", "I10")


def test_missing_member_id_found_on_the_coverage_row(planted):
    plants, _, _, run = planted
    _, index = plants["member"]
    cells = {(f.rule_id, f.sheet, f.cell) for f in run.findings}
    assert ("elig.member-id-missing", "Coverage", f"C{index + 2}") in cells


def test_held_claims_are_exactly_the_planted_ones_and_not_written(planted):
    plants, _, billed, run = planted
    held = {c["Encounter ID"] for c in records(billed, "Claims") if c["Status"] == "Held"}
    assert held == {plants["ncci"], plants["mue"], plants["coverage"]}
    errors = [f for f in run.findings if f.rule_id.startswith(SCRUB_RULES) and f.severity.value == "error"]
    assert {f.encounter_id for f in errors} == held
    sent = {c["Encounter ID"] for c in records(billed, "Claims") if c["Status"] == "Submitted"}
    assert not held & sent
    status = {r["Encounter ID"]: r for r in records(billed, "Encounter Status")}
    for enc in held:
        assert status[enc]["Status"] == "Hold" and "scrub." in status[enc]["First Blocking Reason"]
    ready = run.results["check"].summary["Ready"]
    assert len(held) + len(sent) == ready


# ---------------------------------------------------------------------------- the scrubber alone
def _book(tmp_path, rows):
    return read_workbook(write_rows(tmp_path / "book.xlsx", rows))


def test_scrubber_points_a_blank_member_id_at_its_coverage_cell(tmp_path):
    rows = copy.deepcopy(clinic_rows(40))
    member = _col("Coverage", "Member ID")
    rows["Coverage"][0][member] = None
    book = _book(tmp_path, rows)
    index = BookIndex(book)
    encounter = next(e for e in book.rows("Encounters") if e.patient_id == rows["Coverage"][0][0]
                     and e.payer_id == rows["Coverage"][0][1])
    lines = [ChargeLine(encounter.encounter_id, 1, encounter.date_of_service, "96365", (), 1, Decimal("210.00"))]
    claim = ledger_claim(encounter.encounter_id, encounter, lines, index, status="Ready")
    found = Scrubber(book, index, shipped(), AS_OF).scrub(claim, to_claim(claim, index))
    assert [(f.finding.rule_id, f.finding.sheet, f.finding.cell) for f in found] == [
        ("claim.subscriber-missing", "Coverage", "C2")]


def test_indicator_0_pair_is_never_passed_and_a_documented_59_passes_indicator_1(tmp_path):
    rows = copy.deepcopy(clinic_rows(40))
    book = _book(tmp_path, rows)
    index = BookIndex(book)
    encounter = book.rows("Encounters")[0]
    day = encounter.date_of_service
    scrubber = Scrubber(book, index, shipped(), AS_OF)

    def scrub(*lines):
        charge = [ChargeLine(encounter.encounter_id, n, day, code, mods, 1, Decimal("100.00"))
                  for n, (code, mods) in enumerate(lines, start=1)]
        claim = ledger_claim(encounter.encounter_id, encounter, charge, index, status="Ready")
        return sorted(f.finding.rule_id for f in scrubber.scrub(claim, to_claim(claim, index))
                      if f.finding.rule_id.startswith("scrub.ncci"))

    assert scrub(("96365", ()), ("96523", ("59",))) == ["scrub.ncci-pair"]  # indicator 0
    assert scrub(("96365", ()), ("96360", ())) == ["scrub.ncci-pair"]  # indicator 1, no modifier
    documented = encounter.second_site_necessary
    assert scrub(("96365", ()), ("96360", ("XU",))) == ([] if documented else ["scrub.ncci-modifier-undocumented"])
    assert scrub(("96365", ()), ("96366", ())) == []  # an add-on with its primary: no edit


def test_the_rendering_provider_is_named_from_providers_and_an_unlisted_npi_holds_the_claim(tmp_path):
    rows = copy.deepcopy(clinic_rows(40))
    npi_at, last_at, first_at = (_col("Providers", h) for h in ("NPI", "Last Name", "First Name"))
    roster = {p[npi_at]: (p[last_at], p[first_at]) for p in rows["Providers"]}
    rendering = _col("Encounters", "Rendering NPI")
    unlisted = next(i for i, e in enumerate(rows["Encounters"]) if e[rendering] in roster)
    rows["Encounters"][unlisted][rendering] = "1234567893"  # a valid NPI no Providers row names
    book = _book(tmp_path, rows)
    index = BookIndex(book)
    scrubber = Scrubber(book, index, shipped(), AS_OF)

    def built(encounter):
        lines = [ChargeLine(encounter.encounter_id, 1, encounter.date_of_service, "96365", (), 1, Decimal("210.00"))]
        claim = ledger_claim(encounter.encounter_id, encounter, lines, index, status="Ready")
        return claim, to_claim(claim, index)

    listed = next(e for e in book.rows("Encounters") if e.rendering_npi in roster)
    _, claim = built(listed)
    assert claim.provider is not None
    assert (claim.provider.npi, claim.provider.last_name, claim.provider.first_name, claim.provider.taxonomy) == (
        listed.rendering_npi, *roster[listed.rendering_npi], "207RH0003X")
    # The billing provider's own NPI as Rendering NPI: no rendering loop at all.
    billing_npi = index.practice_row(listed.payer_id, claim.claim_type).npi
    same = listed.model_copy(update={"rendering_npi": billing_npi})
    assert index.provider_for(same, listed.payer_id, claim.claim_type) is None
    ledger, claim = built(book.rows("Encounters")[unlisted])
    assert claim.provider is None
    [found] = [f.finding for f in scrubber.scrub(ledger, claim) if f.finding.rule_id == "scrub.rendering-provider"]
    header = [c.header for c in TABLES_BY_NAME["Encounters"].columns]
    letter = chr(ord("A") + header.index("Rendering NPI")) if header.index("Rendering NPI") < 26 else None
    assert (found.sheet, found.row, found.value, found.severity.value) == (
        "Encounters", unlisted + 2, "1234567893", "error")
    assert letter is None or found.cell == f"{letter}{unlisted + 2}"
