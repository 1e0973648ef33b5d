"""The whole demo month (clinic AND hospital department), billed, paid by the simulated payers, reconciled.

The claims and posting tests work on a 240-encounter clinic month; this module runs the demo as
``make demo`` does (1,500 clinic encounters plus the hospital department's facility claims) once, and
checks what the issues ask of the demo itself:

* every 837 it writes (837P per payer and the hospital's 837I) validates with pyx12 with zero errors,
  reads back with ``read_837`` to the cent, and parses with x12sdk;
* its Reconciliation is additive on every adjudicated line, to the cent; every remit line is matched;
* importing the same remits again, or reconciling again, changes nothing; a back-dated as-of date
  shows the month as it stood then.

x12sdk and the 837I drug loop: x12sdk's 005010X223A3 model declares the 2410 ``REF`` (prescription
or compound drug association number, REF01 ``XZ``) required. The TR3 005010X223A2 makes that segment
situational (usage S; pyx12's map agrees): it is sent when the drug was dispensed under a pharmacy
prescription number, or to link the ingredients of a compound (``VY``), and otherwise must not be
sent. An infusion given in the hospital's outpatient department from its stock has neither, so the
writer rightly sends no 2410 REF and inventing a prescription number would be false data. The test
therefore accepts from x12sdk exactly one objection per drug line (``loop_2410.ref_segment`` missing)
and nothing else: any other x12sdk complaint fails it.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from claims.clinic_book import records
from pydantic import ValidationError
from pyx12_check import pyx12_835_errors, pyx12_errors
from x12sdk.io import X12ModelReader

from infusion_billing.claims.reader import read_837
from infusion_billing.demo.clinic import DEFAULT_ENCOUNTERS, DEFAULT_SEED, Clinic, write_clinic
from infusion_billing.pipeline import ALL_STAGES, RunOptions, available_stages, run_workbook
from infusion_billing.posting.answer_key import read_key, score
from infusion_billing.values import to_money

pytestmark = pytest.mark.slow

STAGES = ("claims", "export-837", "simulate-payer", "import-era", "reconcile")
MONEY = ("Charge", "Allowed", "Contractual Adjustment", "Denied Amount", "Other Adjustment", "Paid",
         "Patient Responsibility", "Sequestration")


class DemoMonth:
    def __init__(self, folder: Path):
        clinic = Clinic(seed=DEFAULT_SEED, encounters=DEFAULT_ENCOUNTERS)
        self.clinic = clinic
        self.folder = folder
        source = write_clinic(clinic, folder / "demo-input.xlsx")
        self.remits = folder / "835"
        self.out_837 = folder / "837"
        self.result = folder / "demo.xlsx"
        self.run = run_workbook(source, available_stages((*ALL_STAGES, *STAGES)), out=self.result, options=RunOptions(
            out_dir=self.out_837, remit_dir=self.remits, remit_sources=(self.remits,), seed=DEFAULT_SEED,
            month_close=True))

    def table(self, name: str):
        return next(t for t in self.run.tables if t.name == name)

    def sheet(self, name: str) -> list[dict]:
        return records(self.result, name)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> DemoMonth:
    return DemoMonth(tmp_path_factory.mktemp("demo"))


def _money(value) -> Decimal:
    return Decimal("0.00") if value is None else to_money(value)


# ---------------------------------------------------------------------------- the 837 files
def test_the_demo_writes_837p_per_payer_and_the_hospitals_837i(demo):
    names = sorted(p.name.split("_")[1] for p in demo.out_837.glob("*.837"))
    assert Counter(names) == {"837P": 5, "837I": 1}
    claims = demo.sheet("Claims")
    facility = [c for c in claims if c["Claim Type"] == "837I"]
    assert len(facility) == 12 and {c["Status"] for c in facility} == {"Submitted"}
    assert {c["Payer ID"] for c in facility} == {"MCR"}


def test_every_demo_837_validates_with_pyx12_and_reads_back_to_the_cent(demo):
    claims = {c["Claim ID"]: c for c in demo.sheet("Claims") if c["Status"] == "Submitted"}
    lines = demo.sheet("ClaimLines")
    read_ids: list[str] = []
    for path in sorted(demo.out_837.glob("*.837")):
        assert pyx12_errors(path) == [], path.name
        read = read_837(path)
        assert read.findings == [], path.name
        assert set(read.claims.balanced) == {"Y"}
        for row in read.claims.itertuples():
            assert row.total_charge == _money(claims[row.claim_id]["Total Charge"]), row.claim_id
            assert row.claim_type == claims[row.claim_id]["Claim Type"]
        read_ids += list(read.claims.claim_id)
    assert sorted(read_ids) == sorted(claims)
    billed = sum((_money(ln["Charge"]) for ln in lines if ln["Claim ID"] in claims), Decimal("0.00"))
    assert sum((_money(c["Total Charge"]) for c in claims.values()), Decimal("0.00")) == billed


def test_x12sdk_parses_every_demo_837(demo):
    """837P parses cleanly; the 837I with exactly the documented 2410 REF tolerance (module docstring)."""
    for path in sorted(demo.out_837.glob("*.837")):
        institutional = "_837I_" in path.name
        try:
            with X12ModelReader(str(path)) as reader:
                models = list(reader.models())
        except ValidationError as refused:
            assert institutional, f"{path.name}: {refused}"
            assert {e["loc"][-2:] for e in refused.errors()} == {("loop_2410", "ref_segment")}
            drug_lines = sum(1 for ln in read_837(path).lines.itertuples() if ln.ndc)
            assert drug_lines > 0 and refused.error_count() == drug_lines
            continue
        assert not institutional or not any(ln.ndc for ln in read_837(path).lines.itertuples())
        assert [type(m).__name__ for m in models] == ["HealthCareClaimProfessional"], path.name


def test_the_hospital_claims_carry_type_of_bill_revenue_codes_and_their_drug_ndcs(demo):
    path = next(demo.out_837.glob("*_837I_*.837"))
    read = read_837(path)
    assert set(read.claims.type_of_bill) == {"131"}
    assert read.lines.revenue_code.notna().all()
    drugs = read.lines[read.lines.ndc.notna()]
    assert len(drugs) > 0 and set(drugs.revenue_code) == {"0636"}
    assert path.read_text().count("LIN**N4*") == len(drugs)


# ---------------------------------------------------------------------------- the remits and reconciliation
def test_every_demo_835_validates_and_every_planted_outcome_is_recovered(demo):
    for path in sorted(demo.remits.glob("*.835")):
        assert pyx12_835_errors(path) == [], path.name
    recon = demo.table("Reconciliation")
    result = score(read_key(demo.remits), recon.columns, recon.rows, demo.sheet("EraProviderAdjustments"))
    assert result.misses == [] and result.complete and result.planted > 500


def test_the_demo_reconciliation_is_additive_on_every_adjudicated_line(demo):
    rows = demo.sheet("Reconciliation")
    adjudicated = [r for r in rows if r["Status"] not in ("Not yet paid", "Reversed")]
    assert len(rows) == len(demo.sheet("ClaimLines")) - _held_lines(demo)
    assert len(adjudicated) > 4000
    for row in adjudicated:
        m = {k: _money(row[k]) for k in MONEY}
        key = (row["Claim ID"], row["Line Control Number"])
        adjustments = m["Contractual Adjustment"] + m["Denied Amount"] + m["Other Adjustment"]
        assert m["Charge"] == m["Allowed"] + adjustments, key
        assert m["Allowed"] == m["Paid"] + m["Patient Responsibility"] + m["Sequestration"], key
        if row["Payer ID"] != "MCR":
            assert m["Sequestration"] == 0, key  # CO-253 is Medicare's, and never contractual
    # The hospital's facility lines are among them.
    facility = {c["Claim ID"] for c in demo.sheet("Claims") if c["Claim Type"] == "837I"}
    assert any(r["Claim ID"] in facility for r in adjudicated)


def _held_lines(demo: DemoMonth) -> int:
    held = {c["Claim ID"] for c in demo.sheet("Claims") if c["Status"] != "Submitted"}
    return sum(1 for ln in demo.sheet("ClaimLines") if ln["Claim ID"] in held)


def test_every_demo_remit_line_is_matched_or_listed(demo):
    era_lines = demo.sheet("EraLines")
    unmatched = demo.sheet("Unmatched Remits")
    recon = demo.table("Reconciliation")
    status = recon.columns.index("Status")
    matched = {(r[0], r[1]) for r in recon.rows if r[status] != "Not yet paid"}
    listed = {(r["Patient Control Number"], r["Line Control Number"]) for r in unmatched}
    assert {(r["Patient Control Number"], r["Line Control Number"]) for r in era_lines} == matched | listed
    assert unmatched == [] and len(era_lines) > 4500


def test_importing_the_demo_remits_again_and_reconciling_again_changes_nothing(demo, tmp_path):
    again = run_workbook(demo.result, ["import-era", "reconcile"], out=tmp_path / "again.xlsx",
                         options=RunOptions(remit_sources=(demo.remits,), month_close=True))
    assert again.results["import-era"].summary["payments added"] == 0
    for name in ("Reconciliation", "Underpayments", "Unmatched Remits", "Claim Status", "EraLines", "EraAdjustments"):
        assert records(tmp_path / "again.xlsx", name) == demo.sheet(name), name


def test_a_back_dated_as_of_shows_the_demo_month_as_it_stood(demo, tmp_path):
    key = read_key(demo.remits)
    dates = sorted({date.fromisoformat(k["Check Date"]) for k in key if k["Check Date"]})
    cut = dates[len(dates) // 2]
    then = run_workbook(demo.result, ["reconcile"], out=tmp_path / "then.xlsx", options=RunOptions(as_of=cut))
    table = next(t for t in then.tables if t.name == "Reconciliation")
    at = table.columns.index
    rows = {(r[0], r[1]): r for r in table.rows}
    for k in key:
        if not k["Line Control Number"] or not k["Check Date"]:
            continue
        row = rows[(k["Claim ID"], k["Line Control Number"])]
        if date.fromisoformat(k["Check Date"]) > cut and k["Outcome"] == "paid as contracted":
            assert row[at("Status")] == "Not yet paid" and row[at("Paid")] is None
        if date.fromisoformat(k["Check Date"]) <= cut and k["Expected Status"] == "Reversed":
            assert row[at("Status")] == "Reversed"
    assert all(r[at("Paid Date")] is None or r[at("Paid Date")] <= cut for r in rows.values())
    assert then.results["reconcile"].summary["as of"] == cut.isoformat()
    paid_then = sum((r[at("Paid")] or Decimal(0) for r in rows.values()), Decimal("0.00"))
    assert Decimal("0.00") < paid_then < sum((_money(r["Paid"]) for r in demo.sheet("Reconciliation")), Decimal(0))


def test_every_demo_claim_names_its_rendering_or_attending_provider_from_providers(demo):
    roster = {p["NPI"]: p for p in records(demo.folder / "demo-input.xlsx", "Providers")}
    assert len(roster) == 3
    for path in sorted(demo.out_837.glob("*.837")):
        segments = [s.strip().split("*") for s in path.read_text().split("~") if s.strip()]
        claims = sum(1 for s in segments if s[0] == "CLM")
        role = "71" if "_837I_" in path.name else "82"
        named = [s for s in segments if s[0] == "NM1" and s[1] == role]
        assert len(named) == claims, path.name
        for s in named:
            provider = roster[s[9]]
            assert (s[3], s[4], s[8]) == (provider["Last Name"], provider["First Name"], "XX")
