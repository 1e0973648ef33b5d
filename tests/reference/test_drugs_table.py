"""The built-in Drugs table: billing units a biller can rely on, each row with its source."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import pytest

from infusion_billing.reference.drugs import (
    DRUG_COLUMNS,
    builtin_drugs_by_hcpcs,
    load_builtin_drugs,
    reference_header,
)
from infusion_billing.reference.tables import parse_versioned_csv

BILLING_UNITS = {"mg", "mcg", "g", "units", "mL"}
DRUG_CLASSES = {"Chemo/Complex", "Therapeutic", "Hydration fluid"}
CONTAINERS = {"Single-dose", "Multi-dose"}
NDC_UNITS = {"UN", "ML", "GR", "F2", "ME"}
# 10-digit labeler-product-package forms 4-4-2, 5-3-2, 5-4-1, and the 11-digit billing form 5-4-2.
NDC_HYPHENATED = re.compile(r"^(\d{4}-\d{4}-\d{2}|\d{5}-\d{3}-\d{2}|\d{5}-\d{4}-\d{1}|\d{5}-\d{4}-\d{2})$")
HCPCS_SHAPE = re.compile(r"^[A-Z]\d{4}$")

DRUGS = load_builtin_drugs()
BY_CODE = builtin_drugs_by_hcpcs()


def _decimal(text):
    try:
        return Decimal(text)
    except (InvalidOperation, TypeError):
        return None


# --- table shape ------------------------------------------------------------------------------


def test_header_names_the_source_quarter_and_version():
    header = reference_header()
    assert header["effective"] == "2026-10-01"
    assert header["version"] == "2026Q4"
    assert "docs/coding-rules.md section 13" in header["source"]
    assert "CMS HCPCS quarterly" in header["source"]


def test_columns_are_exactly_the_workbook_drugs_headers():
    assert DRUG_COLUMNS[:9] == (
        "HCPCS", "Drug Name", "Billing Unit Quantity", "Billing Unit", "Drug Class", "Container",
        "NDC", "NDC Unit", "NDC Quantity Per Billing Unit",
    )
    assert all(tuple(row) == DRUG_COLUMNS for row in DRUGS)


def test_at_least_sixty_drugs_with_unique_well_formed_codes():
    codes = [row["HCPCS"] for row in DRUGS]
    assert len(codes) >= 60
    assert len(codes) == len(set(codes))
    assert [c for c in codes if not HCPCS_SHAPE.match(c)] == []


def test_every_row_cites_a_source_and_a_status():
    assert [r["HCPCS"] for r in DRUGS if not r["Source"]] == []
    assert {r["Status"] for r in DRUGS} == {"V", "K"}
    # V means a retrieved source was seen: those rows carry an [Sn] tag listed in docs/sources.md.
    assert [r["HCPCS"] for r in DRUGS if r["Status"] == "V" and not re.search(r"\[S\d+\]", r["Source"])] == []


def test_billing_unit_quantities_are_positive_decimals():
    bad = [r["HCPCS"] for r in DRUGS if (_decimal(r["Billing Unit Quantity"]) or 0) <= 0]
    assert bad == []


def test_units_classes_containers_and_flags_use_allowed_values():
    assert {r["Billing Unit"] for r in DRUGS} <= BILLING_UNITS
    assert {r["Drug Class"] for r in DRUGS} == DRUG_CLASSES
    assert {r["Container"] for r in DRUGS} == CONTAINERS
    assert {r["Up To"] for r in DRUGS} == {"Y", "N"}
    assert {r["Hormonal Antineoplastic"] for r in DRUGS} == {"Y", "N"}


def test_every_ndc_is_hyphenated_10_or_11_digits_with_its_unit_and_quantity():
    with_ndc = [r for r in DRUGS if r["NDC"]]
    assert {r["HCPCS"]: r["NDC"] for r in with_ndc} == {"J9312": "50242-051-21", "J2469": "58063-797-25"}
    for row in with_ndc:
        assert NDC_HYPHENATED.match(row["NDC"]), row["NDC"]
        assert row["NDC Unit"] in NDC_UNITS
        assert _decimal(row["NDC Quantity Per Billing Unit"]) > 0
    # Without an NDC there is no package to measure, so unit and quantity stay blank.
    assert [r["HCPCS"] for r in DRUGS if not r["NDC"] and (r["NDC Unit"] or r["NDC Quantity Per Billing Unit"])] == []


# --- anchors a biller checks first ------------------------------------------------------------


@pytest.mark.parametrize(
    "code, quantity, unit, drug_class",
    [
        ("J1745", "10", "mg", "Chemo/Complex"),     # infliximab 400 mg -> 40 units [S28]
        ("J9312", "10", "mg", "Chemo/Complex"),     # rituximab 679 mg -> 68 units [S37]
        ("J9035", "10", "mg", "Chemo/Complex"),     # bevacizumab 1,600 mg -> 160 units [S32]
        ("J9263", "0.5", "mg", "Chemo/Complex"),    # oxaliplatin, FOLFOX day [S54]
        ("J9190", "500", "mg", "Chemo/Complex"),    # fluorouracil [S54]
        ("J2405", "1", "mg", "Therapeutic"),        # ondansetron 8 mg -> 8 units [S56]
        ("J2469", "25", "mcg", "Therapeutic"),      # palonosetron 0.25 mg -> 10 units [S38]
        ("J1200", "50", "mg", "Therapeutic"),       # diphenhydramine, up to 50 mg
        ("J1439", "1", "mg", "Therapeutic"),        # ferric carboxymaltose [S39]
        ("J1756", "1", "mg", "Therapeutic"),        # iron sucrose [S39]
        ("J2506", "0.5", "mg", "Therapeutic"),      # pegfilgrastim, replaces J2505 6 mg [S39]
        ("J0640", "50", "mg", "Therapeutic"),       # leucovorin is not chemo administration [S17]
        ("J0885", "1000", "units", "Therapeutic"),  # epoetin alfa per 1,000 units
        ("J2543", "1.125", "g", "Therapeutic"),     # piperacillin-tazobactam 1 g/0.125 g
        ("J1642", "10", "units", "Therapeutic"),    # heparin lock flush
        ("J7050", "250", "mL", "Hydration fluid"),  # normal saline 250 mL bag [S37]
        ("J7030", "1000", "mL", "Hydration fluid"),
    ],
)
def test_anchor_billing_units(code, quantity, unit, drug_class):
    row = BY_CODE[code]
    assert (Decimal(row["Billing Unit Quantity"]), row["Billing Unit"], row["Drug Class"]) == (
        Decimal(quantity), unit, drug_class,
    )


def test_up_to_descriptors_are_flagged():
    up_to = {r["HCPCS"] for r in DRUGS if r["Up To"] == "Y"}
    assert {"J1200", "J2920", "J2930", "J3420", "J7120"} <= up_to
    assert "J2405" not in up_to and "J7050" not in up_to  # "per 1 mg" and "250 cc" are exact units


def test_hormonal_antineoplastics_drive_96402_and_non_oncologic_leuprolide_does_not():
    hormonal = {r["HCPCS"] for r in DRUGS if r["Hormonal Antineoplastic"] == "Y"}
    assert "J9217" in hormonal
    assert all(BY_CODE[c]["Drug Class"] == "Chemo/Complex" for c in hormonal)
    assert BY_CODE["J1950"]["Drug Class"] == "Therapeutic" and "J1950" not in hormonal


def test_payer_listed_therapeutics_and_ivig_are_not_chemo():
    # docs/coding-rules.md section 8: denosumab, omalizumab, J1950 leuprolide on the never-chemo list; IVIG therapeutic.
    for code in ("J0897", "J2357", "J1950", "J1569", "J1561", "J1459", "J1568"):
        assert BY_CODE[code]["Drug Class"] == "Therapeutic", code


def test_multi_dose_containers_are_the_known_ones():
    multi = {r["HCPCS"] for r in DRUGS if r["Container"] == "Multi-dose"}
    assert multi == {"J1642", "J1644", "J1815", "J3420"}
    assert all(r["Container"] == "Single-dose" for r in DRUGS if r["Drug Class"] == "Hydration fluid")


def test_coding_rules_section_13_is_covered():
    section_13 = """J1745 Q5103 Q5104 Q5121 J9312 J9310 Q5115 Q5119 Q5123 J9035 J9271 J9299 J9022 J9355 J9306
        J9144 J3262 J0129 J2350 J2323 J3380 J1300 J1303 J3358 J1602 J0490 J9000 J9070 J9190 J9263 J9045
        J9060 J9267 J9171 J9201 J9370 J9041 J9217 J1950 J0897 J2357 J1569 J1561 J1459 J1568 J1439 J1756
        Q0138 J1437 J1750 J2506 Q5108 Q5111 Q5120 Q5122 J1442 Q5101 Q5110 J0881 J0885 J3489 J1100 J2920
        J2930 J1200 J2405 J2469 J1453 J0640 J0690 J3370 J3420 J0696 J7030 J7040 J7050 J7120 J3490""".split()
    assert [code for code in section_13 if code not in BY_CODE] == []


def test_callers_cannot_corrupt_the_cached_table():
    first = load_builtin_drugs()
    first[0]["Billing Unit Quantity"] = "999"
    assert load_builtin_drugs()[0]["Billing Unit Quantity"] != "999"


# --- the generic versioned-table reader -------------------------------------------------------


def test_versioned_csv_reads_meta_and_turns_blank_cells_into_none():
    meta, rows = parse_versioned_csv(
        "# source: test table\n# effective: 2026-10-01\n# A note (verify: later) is not metadata.\n"
        "Code,Label\nA1, first \nB2,\n"
    )
    assert meta == {"source": "test table", "effective": "2026-10-01"}
    assert rows == [{"Code": "A1", "Label": "first"}, {"Code": "B2", "Label": None}]


@pytest.mark.parametrize(
    "text, message",
    [
        ("# effective: 2026-10-01\nCode\nA\n", "missing the '# source: ...' line"),
        ("# source: x\nCode\nA\n", "missing the '# effective: ...' line"),
        ("# source: x\n# effective: Oct 2026\nCode\nA\n", "is not YYYY-MM-DD"),
        ("# source: x\n# effective: 2026-10-01\nCode,Label\nA,1,extra\n", "t.csv line 4: 3 cells for 2 columns"),
        ("# source: x\n# effective: 2026-10-01\nCode,Code\n", "repeated column"),
    ],
)
def test_versioned_csv_rejects_a_broken_table(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_versioned_csv(text, origin="t.csv")
