"""``close_month`` (Close month button) through xlwings' Office.js engine.

The workbook of the reconcile macro test: one submitted Medicare claim (E100, 2026-08-03) and its
imported remit (the drug line denied CO-16, the admin line paid 4.00 under the contract). Closing the
month must rebuild every derived sheet and write the KPIs and Dashboard: the claim's first remit
carries a denial, so the initial denial rate of 2026-08 is 1 of 1.
"""

from __future__ import annotations

from .test_reconcile_macro import added_sheets, values_on, workbook


def test_close_month_writes_every_derived_sheet_and_the_kpis(run_script):
    actions, _book = run_script("close_month", workbook())
    added = added_sheets(actions)
    assert {"Reconciliation", "Denials", "AR Aging", "KPIs", "Dashboard", "RunLog"} <= set(added)
    header, *rows = values_on(actions, added["KPIs"])
    at = header.index
    rate = {(r[at("Month")], r[at("Payer ID")], r[at("KPI ID")]): r for r in rows}
    # A month is text that Excel would turn into a date: the runner writes it with the text prefix.
    denial = rate[("'2026-08", "All payers", "initial_denial_rate_count")]
    assert denial[at("Rate")] == 1 and denial[at("Numerator")] == 1 and denial[at("Denominator")] == 1
    assert denial[at("Status")] == "Red"
    dollars = rate[("'2026-08", "MCR", "initial_denial_rate_dollars")]
    assert dollars[at("Numerator")] == 5060 and dollars[at("Rate")] == 1
    header, *cards = values_on(actions, added["Dashboard"])
    shown = {(str(r[header.index("Label")]), str(r[header.index("Value")]).lstrip("'")) for r in cards}
    assert ("Initial denial rate (count) (2026-08)", "100.0 %") in shown, sorted(shown)[:5]
    assert not [a for a in actions if a["func"] == "alert"]
