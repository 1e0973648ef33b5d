"""A month of claims on a synthetic clinic: built, scrubbed, sent as 837s, and the ledger kept.

The clinic (seeded, made up) is coded and checked; every Ready encounter gets a claim, the scrubber
finds nothing on clean data, the claims go out in one 837P per payer, and what the files hold is
exactly what the ledger says (IDs, codes, modifiers, units, cents, NDCs).
"""

from __future__ import annotations

import shutil
from collections import Counter
from decimal import Decimal

import pytest
from pyx12_check import pyx12_errors

from infusion_billing.claims.reader import read_837
from infusion_billing.pipeline import RunOptions, run_workbook
from infusion_billing.values import to_money

from .clinic_book import AS_OF, MONTH, clinic_rows, records, rows_xml, sheet_xml, write_rows


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    """(folder, input book, result book, 837 folder, run) of the clean month."""
    folder = tmp_path_factory.mktemp("month")
    source = write_rows(folder / "clinic.xlsx", clinic_rows())
    out_dir = folder / "837"
    run = run_workbook(source, MONTH, out=folder / "billed.xlsx",
                       options=RunOptions(out_dir=out_dir, as_of=AS_OF))
    return folder, source, folder / "billed.xlsx", out_dir, run


def _files(out_dir):
    return sorted(out_dir.glob("*.837"))


def test_every_ready_encounter_ends_up_billed_or_held(month):
    _, _, billed, _, run = month
    ready = run.results["check"].summary["Ready"]
    statuses = Counter(r["Status"] for r in records(billed, "Encounter Status"))
    claims = records(billed, "Claims")
    assert ready > 200 and statuses["Billed"] == len({c["Encounter ID"] for c in claims}) == ready
    assert statuses["Ready"] == 0  # nothing Ready was left without a claim outcome
    assert run.results["claims"].summary["claims held by the scrubber"] == 0


def test_clean_claims_raise_nothing(month):
    *_, run = month
    scrub = [f for f in run.findings if f.rule_id.startswith(("scrub.", "claim.", "x12."))
             and f.severity.value != "info"]
    assert scrub == []


def test_one_837p_per_payer_each_valid_for_pyx12(month):
    _, _, billed, out_dir, _ = month
    files = _files(out_dir)
    payers = {c["Payer ID"] for c in records(billed, "Claims")}
    assert [f.name.split("_")[0] for f in files] == sorted(payers)
    for path in files:
        assert pyx12_errors(path) == [], path.name


def test_x12sdk_parses_every_file(month):
    from x12sdk.io import X12ModelReader

    *_, out_dir, _ = month
    for path in _files(out_dir):
        with X12ModelReader(str(path)) as reader:
            assert list(reader.models())


def test_read_837_gives_back_the_ledger(month):
    _, _, billed, out_dir, _ = month
    claims = {c["Claim ID"]: c for c in records(billed, "Claims")}
    lines = {(r["Claim ID"], r["Line Control Number"]): r for r in records(billed, "ClaimLines")}
    seen_claims, seen_lines = 0, 0
    for path in _files(out_dir):
        read = read_837(path)
        assert [f for f in read.findings if f.severity.value == "error"] == []
        for c in read.claims.to_dict("records"):
            row = claims[c["claim_id"]]
            assert (c["total_charge"], c["lines"], c["payer_id"], c["frequency"]) == (
                to_money(row["Total Charge"]), int(row["Lines"]), row["Payer ID"], str(row["Frequency"]))
            assert row["Batch File"] == path.name and row["Status"] == "Submitted"
            seen_claims += 1
        for ln in read.lines.to_dict("records"):
            row = lines[(ln["claim_id"], ln["line_control_number"])]
            assert ln["code"] == row["Code"]
            assert (ln["modifiers"] or "") == (row["Modifiers"] or "")
            assert ln["units"] == Decimal(str(row["Units"]))
            assert ln["charge"] == to_money(row["Charge"])
            assert (ln["ndc"] or "") == (row["NDC"] or "")
            if row["NDC"]:
                assert (ln["ndc_unit"], ln["ndc_quantity"]) == (row["NDC Unit"], Decimal(str(row["NDC Quantity"])))
            seen_lines += 1
    assert seen_claims == len(claims) and seen_lines == len(lines)


def test_charges_agree_to_the_cent(month):
    _, _, billed, out_dir, _ = month
    in_files = sum((read_837(p).claims["total_charge"].sum() for p in _files(out_dir)), Decimal("0.00"))
    on_claims = sum(to_money(c["Total Charge"]) for c in records(billed, "Claims"))
    on_lines = sum(to_money(r["Charge"]) for r in records(billed, "ClaimLines"))
    assert in_files == on_claims == on_lines > Decimal("100000")


def test_every_line_has_its_own_6r_and_every_ndc_line_lin_ctp(month):
    *_, out_dir, _ = month
    refs: list[str] = []
    for path in _files(out_dir):
        segments = path.read_text().replace("\n", "").split("~")
        line_at = [i for i, s in enumerate(segments) if s.startswith("LX*")] + [len(segments)]
        for start, end in zip(line_at, line_at[1:], strict=False):
            loop = segments[start:end]
            refs += [s.split("*")[2] for s in loop if s.startswith("REF*6R*")]
            lin = [s for s in loop if s.startswith("LIN*")]
            assert len([s for s in loop if s.startswith("REF*6R*")]) == 1
            if lin:
                assert lin[0].split("*")[2] == "N4" and len(lin[0].split("*")[3]) == 11
                assert any(s.startswith("CTP*") for s in loop)
    assert len(refs) == len(set(refs)) > 500


def test_control_numbers_increase_and_are_stored(month):
    _, _, billed, out_dir, _ = month
    batches = records(billed, "Claim Batches")
    isa = [int(b["Interchange Control"]) for b in batches]
    assert isa == list(range(1, len(_files(out_dir)) + 1))
    for b in batches:
        text = (out_dir / b["Batch File"]).read_text()
        assert f"*{int(b['Interchange Control']):09d}*" in text.split("~")[0]


def test_running_claims_and_export_again_adds_nothing(month, tmp_path):
    _, _, billed, out_dir, _ = month
    again_dir = tmp_path / "837"
    again = run_workbook(billed, ["claims", "export-837"], out=tmp_path / "again.xlsx",
                         options=RunOptions(out_dir=again_dir, as_of=AS_OF))
    assert again.results["claims"].summary["claims built"] == 0
    assert again.results["export-837"].summary["claims written"] == 0
    assert list(again_dir.glob("*.837")) == []
    for sheet in ("Claims", "ClaimLines", "Claim Batches"):
        assert records(tmp_path / "again.xlsx", sheet) == records(billed, sheet)
        # a submitted claim's row is the same row, byte for byte, when the ledger is written again
        assert rows_xml(sheet_xml(tmp_path / "again.xlsx", sheet)) == rows_xml(sheet_xml(billed, sheet))


@pytest.mark.parametrize("stages", [("validate", "check"), ("validate", "code"), ("import-era",)])
def test_submitted_claims_survive_every_other_command(month, tmp_path, stages):
    _, _, billed, _, _ = month
    out = tmp_path / "other.xlsx"
    run_workbook(billed, stages, out=out)
    for sheet in ("Claims", "ClaimLines", "Claim Batches"):
        assert sheet_xml(out, sheet) == sheet_xml(billed, sheet)


def test_resend_writes_a_batch_again_with_new_control_numbers(month, tmp_path):
    _, _, billed, out_dir, _ = month
    first = _files(out_dir)[0]
    run = run_workbook(billed, ["export-837"], out=tmp_path / "resent.xlsx",
                       options=RunOptions(out_dir=tmp_path / "837", resend=(first.name,), as_of=AS_OF))
    [again] = list((tmp_path / "837").glob("*.837"))
    assert run.results["export-837"].summary["batches resent"] == 1
    assert read_837(again).claims["claim_id"].tolist() == read_837(first).claims["claim_id"].tolist()
    batches = records(tmp_path / "resent.xlsx", "Claim Batches")
    assert batches[-1]["Resend Of"] == first.name
    assert int(batches[-1]["Interchange Control"]) == max(int(b["Interchange Control"]) for b in batches[:-1]) + 1
    assert records(tmp_path / "resent.xlsx", "Claims") == records(billed, "Claims")


def test_a_corrected_claim_is_frequency_7_and_points_at_the_original(month, tmp_path):
    _, _, billed, _, _ = month
    original = records(billed, "Claims")[0]["Claim ID"]
    work = tmp_path / "work.xlsx"
    shutil.copy(billed, work)
    run = run_workbook(work, ["claims", "export-837"], out=tmp_path / "corrected.xlsx",
                       options=RunOptions(correct=(original,), out_dir=tmp_path / "837", as_of=AS_OF))
    claims = records(tmp_path / "corrected.xlsx", "Claims")
    replacement = claims[-1]
    assert (replacement["Claim ID"], str(replacement["Frequency"]), replacement["Original Claim ID"]) == (
        f"{original}R1", "7", original)
    assert replacement["Status"] == "Submitted"
    assert claims[0] == records(billed, "Claims")[0]  # the original is never changed
    assert "claim.no-payer-claim-number" in {f.rule_id for f in run.findings}
    [path] = list((tmp_path / "837").glob("*.837"))
    read = read_837(path)
    assert read.claims.loc[0, "frequency"] == "7" and read.claims.loc[0, "original_claim_number"] == original
    assert pyx12_errors(path) == []


def test_the_checks_show_an_encounter_with_a_submitted_claim_as_billed(month, tmp_path):
    _, _, billed, _, _ = month
    run = run_workbook(billed, ("validate", "check"), out=tmp_path / "checked.xlsx")
    sent = {c["Encounter ID"] for c in records(billed, "Claims") if c["Status"] == "Submitted"}
    status = {r["Encounter ID"]: r["Status"] for r in records(tmp_path / "checked.xlsx", "Encounter Status")}
    assert {e for e, s in status.items() if s == "Billed"} == sent
    assert run.results["check"].summary["Billed"] == len(sent) and "Ready" not in set(status.values())


def test_facility_encounters_go_out_as_837i_type_of_bill_131_with_revenue_codes(tmp_path):
    from .clinic_book import column

    rows = clinic_rows(60)
    setting, pos = column("Encounters", "Setting"), column("Encounters", "Place of Service")
    for e in rows["Encounters"][::3]:  # every third visit in the hospital outpatient department
        e[setting], e[pos] = "Facility", "22"
    source = write_rows(tmp_path / "clinic.xlsx", rows)
    run_workbook(source, MONTH, out=tmp_path / "billed.xlsx", options=RunOptions(out_dir=tmp_path / "837",
                                                                                  as_of=AS_OF))
    claims = records(tmp_path / "billed.xlsx", "Claims")
    facility = [c for c in claims if c["Claim Type"] == "837I"]
    assert facility and all(c["Status"] == "Submitted" for c in claims)
    institutional = sorted((tmp_path / "837").glob("*_837I_*.837"))
    assert institutional
    revenue = {r["Line Control Number"]: r["Revenue Code"] for r in records(tmp_path / "billed.xlsx", "ClaimLines")}
    for path in institutional:
        assert pyx12_errors(path) == [], path.name
        read = read_837(path)
        assert set(read.claims["type_of_bill"]) == {"131"}
        for ln in read.lines.to_dict("records"):
            assert ln["revenue_code"] == revenue[ln["line_control_number"]] and len(ln["revenue_code"]) == 4
    assert len(facility) == sum(len(read_837(p).claims) for p in institutional)


def _book_with_ledger(source, billed, extra=None):
    """The input book read afresh, holding the ledger sheets of ``billed`` (and ``extra`` grids)."""
    from infusion_billing.workbook.reader import Grid, load_grids, read_workbook

    book = read_workbook(source)
    grids = load_grids(billed, ["Claims", "ClaimLines", "Claim Batches"])
    book.extra_grids.update(grids)
    for name, rows in (extra or {}).items():
        book.extra_grids[name] = Grid(name, rows)
    return book


def test_a_coding_change_after_submission_is_a_finding_on_the_claim(month, tmp_path):
    from infusion_billing.pipeline import run_book

    from .clinic_book import column

    _, _, billed, _, _ = month
    rows = clinic_rows()
    claims = records(billed, "Claims")
    target = claims[3]
    units = column("Administrations", "Dose")
    ec = column("Administrations", "Encounter ID")
    drug = next(a for a in rows["Administrations"] if a[ec] == target["Encounter ID"] and a[units])
    drug[units] = drug[units] * 3  # a late chart correction: three times the dose
    source = write_rows(tmp_path / "corrected-chart.xlsx", rows)
    run = run_book(_book_with_ledger(source, billed), ["claims"], RunOptions(as_of=AS_OF))
    [f] = [f for f in run.findings if f.rule_id == "claim.coding-changed"]
    assert (f.sheet, f.cell, f.encounter_id) == ("Claims", "A5", target["Encounter ID"])
    assert f"--correct {target['Claim ID']}" in f.fix
    assert run.results["claims"].summary["claims built"] == 0


def test_a_void_repeats_the_claim_and_names_the_payer_claim_number_from_the_835(month, tmp_path):
    from infusion_billing.pipeline import run_book

    _, source, billed, _, _ = month
    original = records(billed, "Claims")[1]
    era = [["Patient Control Number", "Payer Claim Number"], [original["Claim ID"], "26300012345"]]
    book = _book_with_ledger(source, billed, {"EraClaims": era})
    run = run_book(book, ["claims", "export-837"],
                   RunOptions(void=(original["Claim ID"],), out_dir=tmp_path / "837", as_of=AS_OF))
    claims_table = next(t for t in run.results["claims"].tables if t.name == "Claims")
    void = claims_table.rows[-1]
    assert void[0] == f"{original['Claim ID']}V1" and (void[6], void[7], void[8]) == ("8", original["Claim ID"],
                                                                                        "26300012345")
    assert void[11] == to_money(original["Total Charge"])
    [path] = list((tmp_path / "837").glob("*.837"))
    read = read_837(path)
    assert (read.claims.loc[0, "frequency"], read.claims.loc[0, "original_claim_number"]) == ("8", "26300012345")
    assert "claim.no-payer-claim-number" not in {f.rule_id for f in run.findings}
