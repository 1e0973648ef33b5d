"""A clinic's own sheet named like a result (Findings, Charges, an ERA sheet) through the Excel route.

The macros write into the open workbook, so they follow the same rule as the command line's writer
(issue 15, class 1): a sheet the tool did not create is never cleared or written, whatever its name;
the result goes to ``Name (2)`` with a ``writer.sheet-renamed`` finding, the sheet gets the tool's
hidden mark, and the next run finds it by that mark. On the first run the clinic's own ``Findings``
is not read as the tool's earlier findings either.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest

D, T = dt.date, dt.time
MARK = "_InfusionBilling_Sheet"

#: The clinic's own sheets, holding data that must come out exactly as it went in.
CLINIC_FINDINGS = [["Rule ID", "Message", "Who"],
                   ["audit-7", "ask Dr. Lee about the J1745 waste", "Testpatient Alpha"],
                   ["audit-8", "resend the March remit", "front desk"]]
CLINIC_CHARGES = [["Month", "Total", "Note"],
                  ["June", 1234.5, "=not a formula"],
                  ["July", 987.25, "kept"]]


def check_clinic() -> dict[str, list[list]]:
    """Two clean Medicare visits: ondansetron push (E001) and an infliximab infusion (E002)."""
    return {
        "Payers": [["Payer ID", "Payer Name", "Payer Type"], ["MCR", "Medicare Part B", "Medicare"]],
        "Patients": [["Patient ID", "Last Name", "First Name", "Date of Birth"],
                     ["P001", "Testpatient", "Alpha", D(1951, 3, 4)], ["P002", "Testpatient", "Bravo", D(1972, 6, 1)]],
        "Coverage": [["Patient ID", "Payer ID", "Member ID", "Priority", "Effective From"],
                     ["P001", "MCR", "SYNTH0001", "Primary", D(2020, 1, 1)],
                     ["P002", "MCR", "SYNTH0002", "Primary", D(2020, 1, 1)]],
        "Encounters": [["Encounter ID", "Patient ID", "Payer ID", "Date of Service", "Setting", "Place of Service"],
                       ["E001", "P001", "MCR", D(2026, 9, 14), "Facility", "22"],
                       ["E002", "P002", "MCR", D(2026, 9, 15), "Professional", "11"]],
        "Administrations": [["Encounter ID", "Admin ID", "Drug", "HCPCS", "Dose", "Dose Unit", "Route", "Start",
                             "Stop"],
                            ["E001", "A001", "ondansetron", "J2405", 8, "mg", "IV push", T(8, 50), T(8, 52)],
                            ["E002", "A002", "infliximab", "J1745", 400, "mg", "IV infusion", T(10, 0), T(12, 10)]],
    }


def _added(actions):
    return {a["args"][1]: a["args"][0] for a in actions if a["func"] == "addSheet"}


def _values(actions, position):
    (write,) = [a for a in actions if a["func"] == "setValues" and a["sheet_position"] == position]
    return write["values"]


def _touching(actions, position):
    return [a["func"] for a in actions if a.get("sheet_position") == position]


def _marks(actions):
    return {a["args"][0]: a["args"][1] for a in actions if a["func"] == "namesAdd"}


def _clinic_with_own_sheets():
    sheets = check_clinic()
    sheets["Findings"] = copy.deepcopy(CLINIC_FINDINGS)
    sheets["Charges"] = copy.deepcopy(CLINIC_CHARGES)
    return sheets


def test_check_and_code_leaves_the_clinics_findings_and_charges_and_writes_beside_them(run_script):
    sheets = _clinic_with_own_sheets()
    positions = list(sheets)
    actions, book = run_script("check_and_code", sheets)
    assert not [a for a in actions if a["func"] == "alert"]
    # Not one action on the clinic's two sheets, and their cells are as they were.
    for name in ("Findings", "Charges"):
        assert _touching(actions, positions.index(name)) == []
    assert book.sheets["Findings"]["A1:C3"].value == CLINIC_FINDINGS
    assert book.sheets["Charges"]["A1:C3"].value == CLINIC_CHARGES
    added = _added(actions)
    assert list(added)[:3] == ["Findings (2)", "Encounter Status", "Charges (2)"]
    header, *charges = _values(actions, added["Charges (2)"])
    assert header[:4] == ["Encounter ID", "Line", "Date of Service", "Code"]
    assert {r[3] for r in charges} >= {"J2405", "J1745"}
    header, *findings = _values(actions, added["Findings (2)"])
    renamed = [r for r in findings if r[1] == "writer.sheet-renamed"]
    assert [(r[2], r[0]) for r in renamed] == [("Findings (2)", "warning"), ("Charges (2)", "warning")]
    assert "called 'Charges', which was left as it is" in renamed[1][header.index("Message")]
    # The clinic's rows were not taken for earlier findings: none of their words reached the tool's sheet.
    assert not [r for r in findings if {"audit-7", "audit-8"} & set(r) or "Dr. Lee" in str(r)]
    # Each sheet the tool made carries its mark; the clinic's sheets carry none.
    assert set(_marks(actions).values()) == {"='Findings (2)'!$A$1", "='Charges (2)'!$A$1",
                                             "='Encounter Status'!$A$1", "='RunLog'!$A$1"}
    assert set(added) == {"Findings (2)", "Encounter Status", "Charges (2)", "RunLog"}


def test_the_next_run_writes_the_marked_findings_2_again_and_keeps_other_stages_rows(run_script):
    sheets = _clinic_with_own_sheets()
    earlier = [["Severity", "Rule ID", "Sheet", "Row", "Column", "Cell", "Encounter ID", "Message", "Value",
                "Suggested Fix", "Stage", "Run Time"],
               ["warning", "era.unbalanced", "", None, "", "", "", "835 file mcr.835 does not balance.", "", "",
                "import-era", dt.datetime(2026, 10, 1, 9, 0)]]
    sheets["Findings (2)"] = earlier
    positions = list(sheets)
    actions, book = run_script("check_encounters", sheets, names={MARK + "1": "Findings (2)"})
    assert "Findings (2)" not in _added(actions) and "Findings (3)" not in _added(actions)
    assert _touching(actions, positions.index("Findings")) == []
    header, *rows = _values(actions, positions.index("Findings (2)"))
    assert [r[1] for r in rows if r[header.index("Stage")] == "import-era"] == ["era.unbalanced"]
    assert [r for r in rows if r[1] == "writer.sheet-renamed"][0][2] == "Findings (2)"
    assert (MARK + "2") in _marks(actions) and "='Findings (2)'!$A$1" not in _marks(actions).values()


def test_a_clinic_table_named_charges_on_another_sheet_sends_the_result_to_charges_2(run_script):
    sheets = check_clinic()
    sheets["June Billing"] = copy.deepcopy(CLINIC_CHARGES)
    positions = list(sheets)
    actions, book = run_script("check_and_code", sheets, tables={"June Billing": "Charges"})
    assert _touching(actions, positions.index("June Billing")) == []
    added = _added(actions)
    assert "Charges" not in added and "Charges (2)" in added
    header, *findings = _values(actions, added["Findings"])
    (renamed,) = [r for r in findings if r[1] == "writer.sheet-renamed"]
    assert "a table or name of its own called 'Charges'" in renamed[header.index("Message")]


@pytest.mark.parametrize("user_sheet", ["EraPayments", "Findings"])
def test_import_era_leaves_a_clinic_sheet_named_like_an_era_sheet(run_script, user_sheet):
    remit = Path(__file__).resolve().parents[1] / "remits" / "data" / "infusion_medicare_partb.835"
    sheets = {"EraInbox": [[line] for line in remit.read_text().splitlines()],
              user_sheet: [["Deposit", "Amount"], ["2026-10-01 lockbox", 512.0]]}
    actions, book = run_script("import_remits", sheets)
    assert not [a for a in actions if a["func"] == "alert"]
    assert _touching(actions, 1) == []
    assert book.sheets[user_sheet]["A1:B2"].value == [["Deposit", "Amount"], ["2026-10-01 lockbox", 512.0]]
    added = _added(actions)
    assert f"{user_sheet} (2)" in added
    header, *payments = _values(actions, added["EraPayments (2)" if user_sheet == "EraPayments" else "EraPayments"])
    assert header[:2] == ["File", "Trace Number"] and len(payments) == 1


def test_text_longer_than_a_cell_is_cut_with_a_mark_and_a_finding_on_the_excel_route(officejs_book):
    from infusion_billing.macros._runner import write_results
    from infusion_billing.workbook.sheet_limits import CUT_MARK, MAX_CELL_CHARS
    from infusion_billing.workbook.writer import OutputTable, findings_table

    book = officejs_book({"Payers": [["Payer ID"], ["MCR"]]})
    pasted = "X" * 40_000
    placed = write_results(book, [findings_table([]), OutputTable("EraRemarks", ["Code", "Text"], [["M119", pasted]])],
                           "import-era", "0" * 64, [])
    assert placed == {"Findings": "Findings", "EraRemarks": "EraRemarks", "RunLog": "RunLog"}
    actions = book.json()["actions"]
    added = _added(actions)
    (_, (code, text)) = _values(actions, added["EraRemarks"])
    assert code == "M119" and len(text) == MAX_CELL_CHARS and text.endswith(CUT_MARK)
    header, *rows = _values(actions, added["Findings"])
    assert [(r[1], r[2], r[5]) for r in rows] == [("writer.cell-truncated", "EraRemarks", "B2")]


@pytest.mark.parametrize("macro", ["check_and_code", "import_remits"])
def test_an_unexpected_stop_logs_where_it_happened_but_not_what_the_error_quoted(run_script, monkeypatch, caplog,
                                                                                  macro):
    # An error whose message quotes a cell (as library errors do) must not carry a patient's name to a log.
    import logging

    from infusion_billing.macros import _runner

    quoted = "cannot read 'Testpatient Alpha' born 1951-03-04"

    def broken(*args, **kwargs):
        raise ValueError(quoted)

    monkeypatch.setattr(_runner, "place_results", broken)
    sheets = check_clinic() if macro == "check_and_code" else {"EraInbox": [["ISA*00*"]]}
    with caplog.at_level(logging.DEBUG):
        actions, _book = run_script(macro, sheets)
    (alert,) = [a for a in actions if a["func"] == "alert"]
    assert "(ValueError). Your input sheets were not changed." in alert["args"][0]
    assert "Testpatient" not in alert["args"][0]
    assert "ValueError" in caplog.text and "place_results" in caplog.text  # the type and where
    assert "Testpatient" not in caplog.text and "1951" not in caplog.text
    assert not [a for a in actions if a["func"] in ("setValues", "addSheet", "clearContents")]
