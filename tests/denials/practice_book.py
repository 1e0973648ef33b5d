"""A small practice with four claims and three 835s, as a workbook, for the denial worklist tests.

Every person and number is made up. The remits (``data/``) hold, on purpose:

* ``mcr_20261120.835`` (Medicare, paid 2026-11-20): C1001's J1745 line denied CO-16 with M119 (NDC
  missing, 1,000.00) while its 96365 line is paid with CO-45, CO-253 and PR-2; C1002 denied whole,
  CO-197 at claim level (no precertification, 500.00, zero pay); C1003 cut by CO-999, a reason code
  no table knows (50.00);
* ``com_20261125.835`` (commercial, secondary): C1004 paid with CO-45 and OA-23 only (no denial),
  for a patient with no commercial coverage row;
* ``mcr_20261210_paid.835`` (remit only, BPR16 blank, produced 2026-12-09): C1001's J1745 line paid
  800.00 on the corrected claim.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from infusion_billing.claims.ledger import CLAIM_COLUMNS, LINE_COLUMNS
from infusion_billing.schema import TABLES_BY_NAME
from infusion_billing.workbook.reader import load_grids
from infusion_billing.workbook.reader.book import grid_records
from infusion_billing.workbook.template import WorkbookBuilder
from infusion_billing.workbook.writer import OutputTable

DATA = Path(__file__).resolve().parent / "data"
FIRST = (DATA / "mcr_20261120.835", DATA / "com_20261125.835")
PAID_LATER = DATA / "mcr_20261210_paid.835"


def _row(table: str, **values: Any) -> list[Any]:
    headers = [c.header for c in TABLES_BY_NAME[table].columns]
    unknown = set(values) - {h.replace(" ", "_").replace("-", "_").replace("/", "_") for h in headers}
    assert not unknown, unknown
    return [values.get(h.replace(" ", "_").replace("-", "_").replace("/", "_")) for h in headers]


def _claim(claim_id, encounter, patient, payer, dos, total, lines):
    claim = dict.fromkeys(CLAIM_COLUMNS)
    claim.update({"Claim ID": claim_id, "Encounter ID": encounter, "Patient ID": patient, "Payer ID": payer,
                  "Payer Priority": "Primary", "Claim Type": "837P", "Frequency": "1", "Statement From": dos,
                  "Statement To": dos, "Total Charge": Decimal(total), "Lines": len(lines), "Status": "Submitted",
                  "Submitted Date": date(2026, 11, 10)})
    out = []
    for n, (code, charge) in enumerate(lines, start=1):
        line = dict.fromkeys(LINE_COLUMNS)
        line.update({"Claim ID": claim_id, "Line": n, "Line Control Number": f"{claim_id}-{n}",
                     "Encounter ID": encounter, "Date of Service": dos, "Code": code, "Units": 1,
                     "Charge": Decimal(charge)})
        out.append(list(line.values()))
    return list(claim.values()), out


def write_practice(path: Path) -> Path:
    claims = [
        _claim("C1001", "E1001", "P1", "MCR", date(2026, 11, 2), "1100.00",
               [("J1745", "1000.00"), ("96365", "100.00")]),
        _claim("C1002", "E1002", "P2", "MCR", date(2026, 11, 4), "500.00", [("96413", "500.00")]),
        _claim("C1003", "E1003", "P1", "MCR", date(2026, 11, 5), "200.00", [("96372", "200.00")]),
        _claim("C1004", "E1004", "P3", "COM", date(2026, 11, 6), "300.00", [("96413", "300.00")]),
    ]
    rows = {
        "Practice": [_row("Practice", Billing_Provider_Name="Lakeside Infusion Center", NPI="1234567893",
                          EIN="12-3456789", Taxonomy="261QI0500X", Address_Line_1="100 Main St", City="Springfield",
                          State="IL", ZIP="627011234", Submitter_ID="SYNTHSUB", Contact_Name="Billing Office",
                          Contact_Phone="217-555-0142", Receiver_ID="SYNTHRCV",
                          Receiver_Name="Synthetic Clearinghouse")],
        "Payers": [_row("Payers", Payer_ID="MCR", Payer_Name="Synthetic Medicare", Payer_Type="Medicare",
                        Timely_Filing_Days=365),
                   _row("Payers", Payer_ID="COM", Payer_Name="Synthetic Commercial", Payer_Type="Commercial",
                        Appeal_Days=90)],
        "Patients": [_row("Patients", Patient_ID=p, Last_Name="Testperson", First_Name=n,
                          Date_of_Birth=date(1950, 1, 1)) for p, n in (("P1", "Ann"), ("P2", "Bo"), ("P3", "Cy"))],
        "Coverage": [_row("Coverage", Patient_ID=p, Payer_ID="MCR", Member_ID=f"SYN{p}", Priority="Primary",
                          Effective_From=date(2026, 1, 1), Relationship="Self") for p in ("P1", "P2", "P3")]
        + [_row("Coverage", Patient_ID="P1", Payer_ID="COM", Member_ID="SYNCOM1", Priority="Secondary",
                Effective_From=date(2026, 1, 1), Relationship="Self")],
        "Encounters": [_row("Encounters", Encounter_ID="E1005", Patient_ID="P2", Payer_ID="MCR",
                            Date_of_Service=date(2026, 11, 20), Setting="Professional")],
    }
    with WorkbookBuilder(path) as book:
        for name, table_rows in rows.items():
            book.extend(name, table_rows)
        book.add_table(OutputTable("Claims", list(CLAIM_COLUMNS), [c for c, _ in claims]))
        book.add_table(OutputTable("ClaimLines", list(LINE_COLUMNS), [ln for _, lines in claims for ln in lines]))
    return path


def records(path: Path, sheet: str) -> list[dict[str, Any]]:
    return grid_records(load_grids(path, [sheet]).get(sheet))
