"""Secondary claims: once the primary's remit is posted, the patient's secondary payer gets a claim.

After the simulated payers' month is imported and reconciled, running ``claims`` again builds a
secondary claim (Payer Priority Secondary, the secondary payer, the same lines) for every posted
primary claim whose patient has secondary coverage on the date of service and still owes something;
``export-837`` writes it with the primary's adjudication in loops 2320/2330 and each line's in 2430
(SVD, CAS, DTP*573). The file validates with pyx12, and on every line the primary's paid amount and
adjustments add up to the line's charge, so on the claim they add up to the claim charge.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from claims.clinic_book import records
from posting.remit_month import billed_book, remit_month
from pyx12_check import pyx12_835_errors, pyx12_errors

from infusion_billing.pipeline import RunOptions, run_workbook
from infusion_billing.posting.answer_key import read_key, score
from infusion_billing.remits import read_835
from infusion_billing.values import to_money


@pytest.fixture(scope="module")
def secondary(tmp_path_factory):
    folder = tmp_path_factory.mktemp("secondary")
    month = remit_month(billed_book(folder), folder, 1)
    out = folder / "secondary.xlsx"
    run = run_workbook(month.result, ["claims", "export-837"], out=out,
                       options=RunOptions(out_dir=folder / "837-secondary"))
    return month, out, folder / "837-secondary", run


def _segments(path):
    return [s.strip().split("*") for s in path.read_text().split("~") if s.strip()]


def test_posted_primaries_with_secondary_coverage_get_a_secondary_claim(secondary):
    month, out, _, run = secondary
    claims = records(out, "Claims")
    second = [c for c in claims if c["Payer Priority"] == "Secondary"]
    assert second and run.results["claims"].summary["secondary claims"] == len(second)
    primary = {c["Claim ID"]: c for c in claims if c["Payer Priority"] == "Primary"}
    coverage = {(r["Patient ID"], r["Priority"]): r["Payer ID"] for r in records(month.result, "Coverage")}
    for c in second:
        first = primary[c["Claim ID"][:-1]]
        assert c["Payer ID"] == coverage[(c["Patient ID"], "Secondary")] != first["Payer ID"]
        assert to_money(c["Total Charge"]) == to_money(first["Total Charge"])
    # Sent by export-837, unless the secondary payer's own rules hold it (its prior authorization).
    sent = [c for c in second if c["Status"] == "Submitted"]
    assert sent and all(c["Status"] in ("Submitted", "Held") for c in second)
    held = {c["Claim ID"] for c in second if c["Status"] == "Held"}
    reasons = {f.rule_id for f in run.findings if any(h in f.message for h in held)}
    assert reasons <= {"scrub.auth-missing"}
    # Only claims the primary adjudicated: none of them is still Not yet paid or Reversed there.
    status = {r["Claim ID"]: r["Status"] for r in month.sheet("Claim Status")}
    assert {status[c["Claim ID"][:-1]] for c in second} <= {"Paid", "Partially paid", "Denied"}


def test_the_secondary_837_validates_and_the_primary_adds_up_to_each_charge(secondary):
    _, out, folder, _ = secondary
    files = sorted(folder.glob("*.837"))
    with_cob = [f for f in files if any(s[0] == "SVD" for s in _segments(f))]
    assert with_cob
    checked = 0
    for f in with_cob:
        assert pyx12_errors(f) == [], f.name
        claim, charge, line = None, {}, None
        paid: dict[tuple, Decimal] = defaultdict(Decimal)
        totals: dict[str, Decimal] = {}
        in_svd = False
        for s in _segments(f):
            if s[0] == "CLM":
                claim, totals[s[1]] = s[1], Decimal(s[2])
                in_svd = False
            elif s[0] in ("SV1", "SV2"):
                line = (claim, len([k for k in charge if k[0] == claim]) + 1)
                charge[line] = Decimal(s[2] if s[0] == "SV1" else s[3])
                in_svd = False
            elif s[0] == "SVD":
                paid[line] += Decimal(s[2])
                in_svd = True
            elif s[0] == "CAS" and in_svd:
                paid[line] += sum(Decimal(s[i]) for i in range(3, len(s), 3) if s[i])
            elif s[0] == "LX":
                in_svd = False
        for key, value in charge.items():
            if paid.get(key) is None:
                continue
            assert paid[key] == value, key  # the primary's paid + adjustments = the line charge
            checked += 1
        for claim_id, total in totals.items():
            lines = [k for k in charge if k[0] == claim_id]
            if all(k in paid for k in lines):
                assert sum(paid[k] for k in lines) == total
    assert checked > 0


# ---------------------------------------------------------------------------- the secondary payer answers
@pytest.fixture(scope="module")
def coordinated(secondary):
    """The simulated payers run again on the book with the secondary claims sent: the primaries' 835s
    come out the same, the secondary payers' remits (``_COB``) are new; import-era and reconcile."""
    month, out, folder, _ = secondary
    before = {p.name: p.read_bytes() for p in month.remits.glob("*.835")}
    result = folder / "coordinated.xlsx"
    run = run_workbook(out, ["simulate-payer", "import-era", "reconcile"], out=result,
                       options=RunOptions(remit_dir=month.remits, remit_sources=(month.remits,), seed=1,
                                          month_close=True))
    return month, before, result, run


def test_the_primaries_remits_are_unchanged_and_the_secondary_payers_answer_in_their_own_files(coordinated):
    month, before, _, run = coordinated
    after = {p.name: p.read_bytes() for p in month.remits.glob("*.835")}
    assert {n: after[n] for n in before} == before
    cob = sorted(set(after) - set(before))
    assert cob and all(n.endswith("_COB.835") for n in cob)
    assert run.results["import-era"].summary["payments added"] == len(cob)
    for name in cob:
        remit = read_835(month.remits / name)
        assert remit.balanced and [f.rule_id for f in remit.findings] == [], name
        assert set(remit.claims.status) <= {"2", "4"}  # processed as secondary (or denied)
        assert pyx12_835_errors(month.remits / name) == [], name


def test_reconciliation_recovers_the_secondary_payers_planted_outcomes(coordinated):
    month, _, result, run = coordinated
    recon = next(t for t in run.tables if t.name == "Reconciliation")
    key = read_key(month.remits)
    scored = score(key, recon.columns, recon.rows, records(result, "EraProviderAdjustments"))
    assert scored.misses == [] and scored.complete
    secondary = [k for k in key if k["Outcome"].startswith("secondary:")]
    outcomes = Counter(k["Expected Status"] for k in secondary)
    assert outcomes["Paid as expected"] > outcomes["Underpaid"] >= 1 and outcomes["Denied"] >= 1
    # The underpaid total (primaries and secondaries) equals what was planted, to the cent.
    at = recon.columns.index
    found = sum(-r[at("Variance")] for r in recon.rows if r[at("Status")] == "Underpaid")
    assert found == sum(Decimal(k["Shortfall"]) for k in key if k["Expected Status"] == "Underpaid")


def test_a_secondary_line_is_expected_to_pay_what_the_primary_left_and_adds_up(coordinated):
    _, _, result, _ = coordinated
    rows = records(result, "Reconciliation")
    by_line = {(r["Claim ID"], r["Line Control Number"].rsplit("-", 1)[-1]): r for r in rows}
    checked = 0
    for row in rows:
        if not row["Claim ID"].endswith("S") or row["Status"] != "Paid as expected":
            continue
        first = by_line[(row["Claim ID"][:-1], row["Line Control Number"].rsplit("-", 1)[-1])]
        m = {k: to_money(row[k] or 0) for k in ("Charge", "Allowed", "Paid", "Other Adjustment", "Expected Allowed",
                                                "Patient Responsibility")}
        left = to_money(first["Patient Responsibility"] or 0)
        assert m["Expected Allowed"] <= left and m["Allowed"] == m["Paid"] == m["Expected Allowed"]
        assert m["Charge"] == m["Allowed"] + m["Other Adjustment"] and m["Patient Responsibility"] == 0
        if m["Other Adjustment"]:
            assert row["Reason Codes"] == "OA-23"
        assert "after the primary paid" in row["Explanation"]
        checked += 1
    assert checked > 10
    status = {r["Claim ID"]: r["Status"] for r in records(result, "Claim Status")}
    assert {s for c, s in status.items() if c.endswith("S")} >= {"Paid", "Partially paid"}
