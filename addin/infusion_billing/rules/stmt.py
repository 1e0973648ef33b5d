"""``stmt.*``: what preparing patient statements finds.

A statement asks a patient for money, so it goes out only for what the posting says the patient owes
(docs/statements.md). A statement that could not be addressed or should not be sent, and a patient
the practice owes money to, are located findings; the statement itself names the patient, the
findings never do (they name the Patient ID and the cell).
"""

from __future__ import annotations

from ..findings import Severity
from .spec import Family

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
SOURCE = "docs/statements.md (patient statements, cycles and notices) [S120]"
STMT = Family("stmt")

NO_FOLDER = STMT.finding(
    "stmt.no-folder", E, "Statements asked for without a folder to write them to",
    fix="Give the folder: infusion-billing statements BOOK --out-dir DIR. Nothing was sent or logged.",
    source=SOURCE)
CREDIT_BALANCE = STMT.finding(
    "stmt.credit-balance", W, "A patient paid more than their share: a credit balance, not a statement",
    fix="Refund the patient or apply the credit to a later visit (a PatientPayments row with the Claim ID); "
        "no statement is sent while the balance is a credit.", source=SOURCE)
NO_ADDRESS = STMT.finding(
    "stmt.no-address", W, "A statement for a patient with no mailing address",
    fix="Fill Address Line 1, City, State and ZIP on the patient's row; the statement was written without an "
        "address block.", source=SOURCE)
PATIENT_UNKNOWN = STMT.finding(
    "stmt.patient-unknown", E, "A balance for a Patient ID the Patients table does not hold",
    fix="Add the patient to the Patients table (or correct the claim's Patient ID); no statement was written.",
    source=SOURCE)
NO_PRACTICE = STMT.finding(
    "stmt.no-practice", W, "Statements without a Practice row: no return address or phone number",
    fix="Fill the Practice table (name, address, contact phone); the statements name only the Practice Name "
        "setting.", source=SOURCE)
NOT_DUE = STMT.finding(
    "stmt.not-due", INFO, "Patients with a balance who get no statement this time (within the cycle, or below "
                          "the minimum)",
    fix="Nothing to do: they are billed on a later cycle (Settings: Statement Cycle Days, Statement Minimum "
        "Balance).", source=SOURCE)
NOTICES_TABLE = STMT.finding(
    "stmt.notices-table", W, "A Statement Notices row that cannot be used",
    fix="Give every row a Notice name, Earlier Statements and Days Since Billed (whole numbers) and a Message; "
        "the shipped texts are used for the levels the table lacks.", source=SOURCE)

SPECS = STMT.specs
