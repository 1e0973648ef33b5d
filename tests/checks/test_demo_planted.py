"""The synthetic clinic's planted defects: every one found by its rule at its cell, and no other error.

The demo generator (:mod:`infusion_billing.demo.clinic`) records each mistake it plants as (rule ID,
sheet, column, Excel row, cell). The workbook's tables are read in memory (no .xlsx round trip) and
run through validate, code, check and claims exactly as ``make demo`` does (the claims stage's
scrubber finds the diagnosis planted outside a drug's coverage policy).
"""

from __future__ import annotations

from collections import Counter

import pytest

from infusion_billing.demo.clinic import Clinic
from infusion_billing.pipeline import RunOptions, run_book
from infusion_billing.schema import TABLES_BY_NAME
from infusion_billing.workbook.reader import Grid, read_grids


def demo_run(seed: int, encounters: int):
    clinic = Clinic(seed=seed, encounters=encounters)
    tables = clinic.rows_by_table()
    grids = {name: Grid(name, [TABLES_BY_NAME[name].headers, *rows]) for name, rows in tables.items()}
    run = run_book(read_grids(grids), ["validate", "code", "check", "claims"], RunOptions(as_of=clinic.as_of))
    return clinic, run


@pytest.fixture(scope="module", params=[(20261127, 1500), (7, 600)], ids=["default-clinic", "seed-7"])
def demo(request):
    return demo_run(*request.param)


def test_every_planted_defect_is_found_at_its_cell(demo):
    clinic, run = demo
    found = {(f.rule_id, f.sheet, f.cell) for f in run.findings}
    missed = [p for p in clinic.planted if (p.rule_id, p.sheet, p.cell) not in found]
    assert missed == []
    # The demo plants every kind the checks own.
    kinds = Counter(p.rule_id for p in clinic.planted)
    assert {"coding.stop-time-fallback", "doc.ndc-missing", "elig.coverage-inactive", "auth.units-exceeded"} <= set(kinds)


def test_nothing_else_is_an_error(demo):
    clinic, run = demo
    planted = {(p.rule_id, p.sheet, p.cell) for p in clinic.planted}
    stray = [f.to_text() for f in run.findings if f.severity.value == "error"
             and (f.rule_id, f.sheet, f.cell) not in planted]
    assert stray == []


def test_planted_encounters_are_held_or_reviewed_and_the_rest_ready(demo):
    clinic, run = demo
    # Encounter Status as the claims stage leaves it: the scrubber's holds added to the checks' own
    (status,) = [t for t in run.results["claims"].tables if t.name == "Encounter Status"]
    by_id = {row[0]: row[3] for row in status.rows}
    findings_by_cell = {(f.sheet, f.cell): f.encounter_id for f in run.findings}
    held = {findings_by_cell[(p.sheet, p.cell)] for p in clinic.planted if p.rule_id != "coding.stop-time-fallback"}
    assert {by_id[e] for e in held} == {"Hold"}
    scrubbed = {findings_by_cell[(p.sheet, p.cell)] for p in clinic.planted if p.rule_id.startswith("scrub.")}
    assert scrubbed and run.results["claims"].summary["claims held by the scrubber"] == len(scrubbed)
    summary = run.results["check"].summary
    assert summary["Hold"] == len(held - scrubbed)
    assert summary["Ready"] + summary["Hold"] + summary["Review"] == \
        clinic.encounter_count + clinic.hospital_encounter_count
