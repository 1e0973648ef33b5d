"""``reconcile_remits`` (Reconcile remits button) through xlwings' Office.js engine.

The workbook holds one submitted claim (E100: 96365 and J1745 x 40, Medicare) and its imported
remit: the admin line allowed 4.00 below the contract (Underpaid), the drug line denied CO-16 with
M119 (Denied). The macro must write Reconciliation, Underpayments, Unmatched Remits and Claim Status
with those statuses, and leave the ledger and the ERA sheets alone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from infusion_billing.remits import read_835
from infusion_billing.remits.importer import merge_remits

D = dt.date

REMIT = """ISA*00*          *00*          *ZZ*SIMMCR         *ZZ*CLINIC         *261201*0600*^*00501*000000001*0*T*:~
GS*HP*SIMMCR*CLINIC*20261201*0600*1*X*005010X221A1~
ST*835*0001~
BPR*I*90.55*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20261201~
TRN*1*EFT0001*1512345678~
N1*PR*MEDICARE~
N1*PE*CLINIC*XX*1234567893~
LX*1~
CLP*E100*1*5060.00*90.55*23.10*MB*ICN100*11*1~
SVC*HC:96365*260.00*90.55**1~
DTM*472*20260803~
CAS*CO*45*144.50**253*1.85~
CAS*PR*2*23.10~
REF*6R*E100-1~
AMT*B6*115.50~
SVC*HC:J1745:JZ*4800.00*0.00**40~
DTM*472*20260803~
CAS*CO*16*4800.00~
REF*6R*E100-2~
AMT*B6*0.00~
LQ*HE*M119~
SE*20*0001~
GE*1*1~
IEA*1*000000001~
"""


def _excel(value):
    return float(value) if isinstance(value, Decimal) else value


def workbook() -> dict[str, list[list]]:
    remit = read_835(REMIT, name="mcr.835")
    assert remit.balanced and remit.findings == []
    merged = merge_remits({}, [remit])
    era = {t.name: [t.columns, *[[_excel(v) for v in row] for row in t.rows]] for t in merged.tables}
    return {
        "Settings": [["Setting", "Value"], ["As-Of Date", D(2026, 12, 1)]],
        "Payers": [["Payer ID", "Payer Name", "Payer Type"], ["MCR", "Medicare Part B", "Medicare"]],
        "FeeSchedule": [["Payer ID", "Code", "Allowed Amount", "Effective From"],
                        ["MCR", "96365", 119.50, D(2026, 1, 1)], ["MCR", "J1745", 14.61, D(2026, 1, 1)]],
        "Claims": [["Claim ID", "Encounter ID", "Patient ID", "Payer ID", "Payer Priority", "Claim Type", "Frequency",
                    "Statement From", "Statement To", "Total Charge", "Lines", "Status", "Batch File",
                    "Submitted Date"],
                   ["E100", "E100", "P100", "MCR", "Primary", "837P", "1", D(2026, 8, 3), D(2026, 8, 3), 5060.0, 2,
                    "Submitted", "b1.837", D(2026, 11, 15)]],
        "ClaimLines": [["Claim ID", "Line", "Line Control Number", "Encounter ID", "Date of Service", "Code",
                        "Modifiers", "Units", "Charge"],
                       ["E100", 1, "E100-1", "E100", D(2026, 8, 3), "96365", None, 1, 260.0],
                       ["E100", 2, "E100-2", "E100", D(2026, 8, 3), "J1745", "JZ", 40, 4800.0]],
        **era,
    }


def added_sheets(actions):
    return {a["args"][1]: a["args"][0] for a in actions if a["func"] == "addSheet"}


def values_on(actions, position):
    (write,) = [a for a in actions if a["func"] == "setValues" and a["sheet_position"] == position]
    return write["values"]


def test_reconcile_remits_writes_the_four_sheets(run_script):
    sheets = workbook()
    actions, _book = run_script("reconcile_remits", sheets)
    added = added_sheets(actions)
    assert {"Reconciliation", "Underpayments", "Unmatched Remits", "Claim Status", "RunLog"} <= set(added)
    header, *rows = values_on(actions, added["Reconciliation"])
    at = header.index
    assert [(r[at("Line Control Number")], r[at("Status")], r[at("Expected Allowed")], r[at("Allowed")])
            for r in rows] == [("E100-1", "Underpaid", 119.5, 115.5), ("E100-2", "Denied", 584.4, 0)]
    assert rows[0][at("Explanation")] == "Allowed 115.50, contract 119.50 x 1 on 2026-08-03: underpaid 4.00."
    assert rows[1][at("Reason Codes")] == "CO-16 (M119)"
    assert rows[0][at("Paid")] == 90.55 and rows[0][at("Sequestration")] == 1.85
    header, *status = values_on(actions, added["Claim Status"])
    assert status[0][header.index("Status")] == "Partially paid"
    written = {a["sheet_position"] for a in actions if a["func"] == "setValues"}
    inputs = [n for n in sheets]
    assert not written & {inputs.index(n) for n in ("Claims", "ClaimLines", "EraLines", "EraAdjustments")}
    assert not [a for a in actions if a["func"] == "alert"]
