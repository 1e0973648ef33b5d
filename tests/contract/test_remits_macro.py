"""``import_remits`` (Import ERA button) through xlwings' Office.js engine: pasted 835 in, ERA sheets out.

On Excel for the web there is no file picker, so the biller pastes the 835 into column A of the
``EraInbox`` sheet. The macro must write the ERA sheets and Findings, leave EraInbox alone, and on a
second press with the earlier ERA sheets present add nothing.
"""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "remits" / "data"


def inbox(name: str) -> list[list]:
    return [[line] for line in (DATA / name).read_text().splitlines()]


def added_sheets(actions):
    return {a["args"][1]: a["args"][0] for a in actions if a["func"] == "addSheet"}


def values_on(actions, position):
    (write,) = [a for a in actions if a["func"] == "setValues" and a["sheet_position"] == position]
    return write["values"]


def test_pasted_835_becomes_era_sheets(run_script):
    actions, _book = run_script("import_remits", {"EraInbox": inbox("infusion_two_payments_split.835")})
    added = added_sheets(actions)
    assert list(added) == ["Findings", "EraPayments", "EraClaims", "EraLines", "EraAdjustments", "EraRemarks",
                           "EraProviderAdjustments", "RunLog"]
    header, *payments = values_on(actions, added["EraPayments"])
    assert header[:13] == ["File", "Trace Number", "Payer ID", "Payer Name", "Payment Method", "Payment Date",
                           "Payment Amount", "Claims", "Claim Charges", "Claim Payments", "PLB Total", "Balanced",
                           "Variance"]
    assert [(r[0], r[1], r[6], r[11]) for r in payments] == [
        ("EraInbox", "EFT20261121B", 3777.7, "Y"), ("EraInbox", "CHK0049177", 90.0, "Y")]
    header, *adjustments = values_on(actions, added["EraAdjustments"])
    category = header.index("Category")
    assert sorted({r[category] for r in adjustments}) == ["Contractual", "Patient Responsibility",
                                                          "Prior Authorization"]
    touched = {a["sheet_position"] for a in actions if a["sheet_position"] is not None}
    assert 0 not in touched  # EraInbox (position 0) is never written
    assert not [a for a in actions if a["func"] == "alert"]


def test_second_press_adds_nothing(run_script):
    first, book = run_script("import_remits", {"EraInbox": inbox("infusion_medicare_partb.835")})
    payments = values_on(first, added_sheets(first)["EraPayments"])
    # Excel stores "'0001" as the text 0001 and gives it back without the apostrophe.
    shown = [[c[1:] if isinstance(c, str) and c.startswith("'") else c for c in row] for row in payments]
    assert "0001" in shown[1] and "'0001" in payments[1]
    sheets = {"EraInbox": inbox("infusion_medicare_partb.835"), "EraPayments": shown}
    again, _book = run_script("import_remits", sheets)
    assert values_on(again, 1) == payments  # EraPayments rewritten with the same single row
    added = added_sheets(again)
    assert values_on(again, added["Findings"])[1:] == []  # nothing needs work
    notes = values_on(again, added["Notes"])  # what the tool did on purpose goes to Notes
    assert [(r[1], r[11]) for r in notes[1:]] == [("era.duplicate-file", "import-era")]


def test_empty_inbox_explains_what_to_do(run_script):
    actions, _book = run_script("import_remits", {"EraInbox": [[""]]})
    alerts = [a for a in actions if a["func"] == "alert"]
    assert alerts and "EraInbox" in alerts[0]["args"][0]
    assert not added_sheets(actions)


FINDINGS_HEADER = ["Severity", "Rule ID", "Sheet", "Row", "Column", "Cell", "Encounter ID", "Value", "Message",
                   "Suggested Fix", "Source File", "Stage", "Run Time"]


def test_import_keeps_the_pre_bill_findings_and_the_earlier_imports_errors(run_script):
    check_row = ["error", "elig.coverage-inactive", "Encounters", 3, "Date of Service", "D3", "E002", "",
                 "Coverage ended before the visit.", "", "", "check", "2026-11-20 09:00:00"]
    earlier_import = ["error", "era.payment-unbalanced", "", "", "", "", "", "", "Payment does not balance.", "",
                      "october.835", "import-era", "2026-11-20 09:05:00"]
    sheets = {"EraInbox": inbox("infusion_medicare_partb.835"),
              "Findings": [FINDINGS_HEADER, check_row, earlier_import]}
    actions, _book = run_script("import_remits", sheets)
    header, *rows = values_on(actions, 1)  # the Findings sheet, rewritten where it stands
    assert header == FINDINGS_HEADER
    assert [(r[1], r[11]) for r in rows] == [("elig.coverage-inactive", "check"),
                                             ("era.payment-unbalanced", "import-era")]
    assert rows[0][5] == "D3" and rows[1][10] == "october.835"
