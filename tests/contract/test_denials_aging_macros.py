"""``denial_worklist`` and ``aging_report`` (Denial worklist and AR aging buttons) through xlwings' Office.js engine.

The workbook is the Reconcile remits button's (tests/contract/test_reconcile_macro.py): one submitted
Medicare claim, E100 (96365 and J1745 x 40, date of service 2026-08-03), whose remit of 2026-12-01
pays the admin line (CO-45, CO-253, PR-2 23.10 coinsurance) and denies the drug line CO-16 with M119
(4,800.00). The worklist must list that one denial with its category and the Medicare appeal window
(120 days from the remit date), keep what the biller typed on the Denials sheet, and never list the
CO-45, CO-253 or PR-2 adjustments; the aging must leave 4,800.00 with Medicare and 23.10 with the
patient, 120 days old on the As-Of Date.
"""

from __future__ import annotations

from contract.test_reconcile_macro import added_sheets, values_on, workbook


def as_excel_keeps(value):
    """A cell as Excel holds it after the macro wrote it: the apostrophe that keeps '16 text is not content."""
    return value[1:] if isinstance(value, str) and value.startswith("'") else ("" if value is None else value)


def _sheet(actions, sheets, name):
    """The values written on ``name``: a sheet the macro added, or an existing one it rewrote."""
    added = added_sheets(actions)
    position = added[name] if name in added else list(sheets).index(name)
    return values_on(actions, position)


def test_denial_worklist_lists_the_denial_once_with_its_deadline(run_script):
    sheets = workbook()
    actions, _ = run_script("denial_worklist", sheets)
    header, *rows = _sheet(actions, sheets, "Denials")
    at = header.index
    assert [(r[at("Claim ID")], r[at("Line Control Number")], r[at("Group")], r[at("CARC")], r[at("RARCs")],
             r[at("Denied Amount")]) for r in rows] == [("E100", "E100-2", "CO", "'16", "M119", 4800)]
    (row,) = rows  # the CARC goes as text: Excel would make 16 a number
    assert (row[at("Category")], row[at("Preventable By")]) == ("Documentation", "scrub.ndc-required")
    # Office.js receives dates as ISO text: the remit date plus Medicare's 120-day redetermination window.
    assert (row[at("Remit Date")], row[at("Appeal Deadline")]) == ("2026-12-01", "2027-03-31")
    assert row[at("Days Left")] == 120 and row[at("Work Status")] == "Open"
    assert "Denials Summary" in added_sheets(actions)
    assert not [a for a in actions if a["func"] == "alert"]


def test_denial_worklist_keeps_what_the_biller_typed(run_script):
    sheets = workbook()
    actions, _ = run_script("denial_worklist", sheets)
    header, *rows = _sheet(actions, sheets, "Denials")
    typed = [list(header) + ["Owner Note"]]
    for r in rows:
        r = list(r)
        r[header.index("Work Status")] = "Appealed"
        r[header.index("Notes")] = "Sent the NDC and invoice on 12/3"
        typed.append([as_excel_keeps(v) for v in r] + ["call back Friday"])
    sheets["Denials"] = typed
    actions, _ = run_script("denial_worklist", sheets)
    header, *rows = _sheet(actions, sheets, "Denials")
    (row,) = rows
    assert (row[header.index("Work Status")], row[header.index("Notes")], row[header.index("Owner Note")]) == (
        "Appealed", "Sent the NDC and invoice on 12/3", "call back Friday")


def test_aging_report_splits_the_claim_between_medicare_and_the_patient(run_script):
    sheets = workbook()
    actions, _ = run_script("aging_report", sheets)  # bucket labels go as text: Excel would read 91-120 as a date
    added = added_sheets(actions)
    assert {"AR Aging", "Aging Summary", "RunLog"} <= set(added)
    header, *rows = values_on(actions, added["AR Aging"])
    at = header.index
    assert sorted((r[at("Responsible Type")], r[at("Responsible Party")], r[at("Balance")], r[at("Age")],
                   r[at("Bucket")]) for r in rows) == [
        ("Insurance", "MCR", 4800, 120, "'91-120"), ("Patient", "P100", 23.1, 120, "'91-120")]
    header, *summary = values_on(actions, added["Aging Summary"])
    assert ["Basis: dos; as of 2026-12-01"] == [r[0] for r in summary if str(r[0]).startswith("Basis")]
    written = {a["sheet_position"] for a in actions if a["func"] == "setValues"}
    assert not written & {list(sheets).index(n) for n in ("Claims", "ClaimLines", "EraLines", "EraAdjustments")}
    assert not [a for a in actions if a["func"] == "alert"]
