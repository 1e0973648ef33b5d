"""The six ERA tables the 835 reader produces, their columns and the headers a biller sees.

Each table lists ``(field, header)`` pairs: ``field`` is the pandas column name returned by
:func:`~infusion_billing.remits.read_835`, ``header`` the column header of the workbook's
``Era...`` Excel Table. Every row carries ``file``, ``trace_number`` and the ordinal numbers that
tie it to its payment (``payment_no``: the ST transaction's place in the file), claim
(``claim_no``: the CLP's place in its payment) and line (``line_no``: the SVC's place in its claim),
so a row can be traced back to its segment (``segment``: 1-based count from the file's first
segment, the line number in an editor when the file has one segment per line).

Money columns hold :class:`decimal.Decimal` (object dtype), dates :class:`datetime.date`, and
blank elements ``None``. Patient names and member IDs are not copied from the 835 at all; the
patient control number (CLP01) is the practice's own claim number and is the match key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import Any

import pandas as pd

from ..findings import Finding

Columns = tuple[tuple[str, str], ...]

PAYMENT_COLUMNS: Columns = (
    ("file", "File"),
    ("trace_number", "Trace Number"),
    ("payer_id", "Payer ID"),
    ("payer_name", "Payer Name"),
    ("payment_method", "Payment Method"),
    ("payment_date", "Payment Date"),
    ("payment_amount", "Payment Amount"),
    ("claims", "Claims"),
    ("claim_charges", "Claim Charges"),
    ("claim_payments", "Claim Payments"),
    ("plb_total", "PLB Total"),
    ("balanced", "Balanced"),
    ("variance", "Variance"),
    ("unbalanced_claims", "Unbalanced Claims"),
    ("payment_no", "Payment No"),
    ("handling_code", "Handling Code"),
    ("credit_debit", "Credit/Debit"),
    ("payee_name", "Payee Name"),
    ("payee_id", "Payee ID"),
    ("production_date", "Production Date"),
    ("version", "X12 Version"),
    ("st_control", "ST Control Number"),
    ("segment", "Segment"),
    ("file_hash", "File Hash"),
)

CLAIM_COLUMNS: Columns = (
    ("file", "File"),
    ("trace_number", "Trace Number"),
    ("payment_no", "Payment No"),
    ("claim_no", "Claim No"),
    ("patient_control_number", "Patient Control Number"),
    ("status", "Claim Status"),
    ("status_text", "Status Description"),
    ("charge", "Charge"),
    ("paid", "Paid"),
    ("patient_responsibility", "Patient Responsibility"),
    ("filing_indicator", "Claim Filing Indicator"),
    ("payer_claim_number", "Payer Claim Number"),
    ("facility_type", "Facility Type"),
    ("frequency", "Frequency"),
    ("original_reference", "Original Reference Number"),
    ("statement_from", "Statement From"),
    ("statement_to", "Statement To"),
    ("received_date", "Received Date"),
    ("coverage_amount", "Coverage Amount"),
    ("claim_adjustments", "Claim Adjustments"),
    ("line_adjustments", "Line Adjustments"),
    ("lines", "Lines"),
    ("balanced", "Balanced"),
    ("variance", "Variance"),
    ("segment", "Segment"),
)

LINE_COLUMNS: Columns = (
    ("file", "File"),
    ("trace_number", "Trace Number"),
    ("payment_no", "Payment No"),
    ("claim_no", "Claim No"),
    ("line_no", "Line No"),
    ("patient_control_number", "Patient Control Number"),
    ("qualifier", "Code Type"),
    ("procedure_code", "Procedure Code"),
    ("modifiers", "Modifiers"),
    ("charge", "Charge"),
    ("paid", "Paid"),
    ("allowed", "Allowed"),
    ("units", "Units Paid"),
    ("revenue_code", "Revenue Code"),
    ("submitted_code", "Submitted Code"),
    ("submitted_units", "Submitted Units"),
    ("service_from", "Service From"),
    ("service_to", "Service To"),
    ("line_control_number", "Line Control Number"),
    ("authorization", "Authorization Number"),
    ("adjustments", "Adjustments"),
    ("balanced", "Balanced"),
    ("variance", "Variance"),
    ("segment", "Segment"),
)

@dataclass(slots=True)
class ClaimRow:
    """One CLP claim loop as the parser fills it: a row of the claims table, field for field
    (``CLAIM_COLUMNS``). Opened at CLP; DTM, REF, AMT and CAS fill it in; balanced when it closes."""

    file: str
    trace_number: str | None
    payment_no: int
    claim_no: int
    patient_control_number: str | None
    status: str | None
    status_text: str | None
    charge: Decimal | None
    paid: Decimal | None
    patient_responsibility: Decimal | None
    filing_indicator: str | None
    payer_claim_number: str | None
    facility_type: str | None
    frequency: str | None
    original_reference: str | None
    statement_from: date | None
    statement_to: date | None
    received_date: date | None
    coverage_amount: Decimal | None
    claim_adjustments: Decimal
    line_adjustments: Decimal
    lines: int
    balanced: str | None
    variance: Decimal | None
    segment: int


@dataclass(slots=True)
class LineRow:
    """One SVC service line as the parser fills it: a row of the lines table, field for field
    (``LINE_COLUMNS``). Opened at SVC; DTM, REF, AMT and CAS fill it in; balanced when it closes."""

    file: str
    trace_number: str | None
    payment_no: int
    claim_no: int
    line_no: int
    patient_control_number: str | None
    qualifier: str | None
    procedure_code: str | None
    modifiers: str | None
    charge: Decimal | None
    paid: Decimal | None
    allowed: Decimal | None
    units: Decimal | None
    revenue_code: str | None
    submitted_code: str | None
    submitted_units: Decimal | None
    service_from: date | None
    service_to: date | None
    line_control_number: str | None
    authorization: str | None
    adjustments: Decimal
    balanced: str | None
    variance: Decimal | None
    segment: int


#: Where an adjustment or remark sits: its payment, claim and (for line-level ones) line.
_PLACE: Columns = (
    ("file", "File"),
    ("trace_number", "Trace Number"),
    ("payment_no", "Payment No"),
    ("claim_no", "Claim No"),
    ("line_no", "Line No"),
    ("level", "Level"),
    ("patient_control_number", "Patient Control Number"),
    ("procedure_code", "Procedure Code"),
)

ADJUSTMENT_COLUMNS: Columns = _PLACE + (
    ("group", "Group"),
    ("reason", "CARC"),
    ("amount", "Amount"),
    ("quantity", "Quantity"),
    ("segment", "Segment"),
)

#: Added by :func:`~infusion_billing.remits.categories.classify_adjustments`.
CATEGORY_COLUMNS: Columns = (
    ("remark_codes", "RARCs"),
    ("category", "Category"),
    ("denial", "Denial"),
    ("next_action", "Next Action"),
)

REMARK_COLUMNS: Columns = _PLACE + (
    ("source", "From Segment"),
    ("code", "RARC"),
    ("segment", "Segment"),
)

PROVIDER_ADJUSTMENT_COLUMNS: Columns = (
    ("file", "File"),
    ("trace_number", "Trace Number"),
    ("payment_no", "Payment No"),
    ("provider_id", "Provider ID"),
    ("fiscal_period_end", "Fiscal Period End"),
    ("reason", "Reason"),
    ("description", "Reason Description"),
    ("reference", "Reference"),
    ("amount", "Amount"),
    ("segment", "Segment"),
)

#: Reader table name -> its columns, in the order of the Remit835 attributes.
TABLES: dict[str, Columns] = {
    "payments": PAYMENT_COLUMNS,
    "claims": CLAIM_COLUMNS,
    "lines": LINE_COLUMNS,
    "adjustments": ADJUSTMENT_COLUMNS,
    "remarks": REMARK_COLUMNS,
    "provider_adjustments": PROVIDER_ADJUSTMENT_COLUMNS,
}


#: Field kinds, for turning cells read back from a workbook into the reader's types again.
MONEY_FIELDS = frozenset({
    "payment_amount", "claim_charges", "claim_payments", "plb_total", "variance", "charge", "paid",
    "patient_responsibility", "coverage_amount", "claim_adjustments", "line_adjustments", "allowed", "adjustments",
    "amount",
})
QUANTITY_FIELDS = frozenset({"units", "submitted_units", "quantity"})
DATE_FIELDS = frozenset({
    "payment_date", "production_date", "statement_from", "statement_to", "received_date", "service_from",
    "service_to", "fiscal_period_end",
})
INT_FIELDS = frozenset({"claims", "unbalanced_claims", "payment_no", "claim_no", "line_no", "lines", "segment"})


def index_of(columns: Columns) -> dict[str, int]:
    """Field name -> position in a row list, for the reader that fills rows in place."""
    return {name: i for i, (name, _) in enumerate(columns)}


def frame(rows: Sequence[Sequence[Any]], columns: Columns) -> pd.DataFrame:
    """Rows as a DataFrame of Python objects: Decimals, dates, ``None`` stay exactly as read."""
    return pd.DataFrame(rows, columns=[name for name, _ in columns], dtype=object)


def record_frame(records: Sequence[ClaimRow] | Sequence[LineRow], columns: Columns) -> pd.DataFrame:
    """Claim or line records as a DataFrame, their fields in ``columns`` order (the names are the fields)."""
    values = attrgetter(*(name for name, _ in columns))
    return frame([values(r) for r in records], columns)


@dataclass
class Remit835:
    """Everything read from one 835 file (or one batch of a large file).

    Attributes:
        name: the file name used in the ``file`` column and as the ``source`` of every Finding.
        file_hash: SHA-256 of the file's bytes, the key that stops the same file importing twice.
        payments: one row per ST transaction, i.e. per check or EFT (BPR/TRN), with its totals and
            whether it balances: ``Payment Amount = Claim Payments - PLB Total``.
        claims: one row per CLP claim loop: charge, paid, patient responsibility, status.
        lines: one row per SVC service line: procedure code, modifiers, charge, paid, allowed,
            units, service dates, line control number (REF*6R).
        adjustments: one row per CAS reason/amount triplet, at claim or line ``level``.
        remarks: one row per remark code (RARC) from MOA, MIA (claim) or LQ (line).
        provider_adjustments: one row per PLB reason/amount pair (recoupments, interest, ...);
            a positive amount reduces the payment.
        findings: every balancing, control-number and format problem found, in file order.
    """

    name: str
    file_hash: str = ""
    payments: pd.DataFrame = field(default_factory=lambda: frame([], PAYMENT_COLUMNS))
    claims: pd.DataFrame = field(default_factory=lambda: frame([], CLAIM_COLUMNS))
    lines: pd.DataFrame = field(default_factory=lambda: frame([], LINE_COLUMNS))
    adjustments: pd.DataFrame = field(default_factory=lambda: frame([], ADJUSTMENT_COLUMNS))
    remarks: pd.DataFrame = field(default_factory=lambda: frame([], REMARK_COLUMNS))
    provider_adjustments: pd.DataFrame = field(default_factory=lambda: frame([], PROVIDER_ADJUSTMENT_COLUMNS))
    findings: list[Finding] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        """True when every payment in the file balances to the cent (and there is at least one)."""
        return len(self.payments) > 0 and bool((self.payments["balanced"] == "Y").all())

    def tables(self) -> dict[str, pd.DataFrame]:
        """The six tables by reader name (``payments``, ``claims``, ...)."""
        return {name: getattr(self, name) for name in TABLES}
