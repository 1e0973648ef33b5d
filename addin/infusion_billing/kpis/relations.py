"""The relations the KPI SQL reads: one per tool sheet or ledger, snake_case, typed for any SQL engine.

The KPI definitions (``kpis.sql``) are written once and run unchanged on DuckDB (here, over the
workbook) and on Spark SQL (over the Parquet store of many clinics). Both engines see the same
relations with the same columns and types, declared in :data:`RELATIONS`:

* money is ``DECIMAL(18,2)``, never a float;
* dates are **day numbers** (``INTEGER``, days since 1970-01-01) and months are ``YYYY-MM`` text
  (``VARCHAR``), computed here, so the SQL needs no engine's date functions;
* flags are ``INTEGER`` 0 or 1;
* a remit (one claim's adjudication in one 835 payment) is a number, ``remit_key``: the book's remits
  numbered 1, 2, ... in the order of their file, payment and claim number texts, so the engines join and
  order whole numbers instead of long texts (the ERA relations, which alone carry it, are always written
  together, so a number means the same remit in all three);
* every relation also has a ``clinic`` column (``VARCHAR``, not declared below): one constant over a
  workbook, the clinic's folder name in the store, so one pass of the SQL measures every clinic of a
  portfolio, each within itself.

Relations and where their rows come from (sheet names as the workbook shows them):

``claims`` (the ``Claims`` ledger, one row per claim built)
    claim_id, encounter_id, payer_id, frequency (1 original, 7 corrected, 8 void), original_claim_id
    (the claim a corrected or void claim replaces, else NULL), status (Held, Ready, Submitted),
    service_month (of Statement From), service_day, submitted_day (NULL until sent), total_charge.
``era_claims`` (``EraClaims`` with ``EraPayments``, one row per claim per remit dated by the as-of date)
    remit_key (the number of its file, payment and claim number: one adjudication), claim_id (CLP01),
    claim_status (CLP02), is_reversal (CLP02 = 22), charge, paid, remit_day (payment date, else production
    date).
``era_lines`` (``EraLines``): remit_key, claim_id, line_no, line_control_number, charge, paid,
    unpaid_allowed (the part of the allowed amount the payer did not pay: the sum of the line's patient
    share, group PR, and sequestration, CARC 253, adjustments; NULL without any, so paid + unpaid_allowed
    is what the payer allowed on the line).
``era_adjustments`` (``EraAdjustments``, one CAS reason and amount)
    remit_key, claim_id, line_no (NULL for a claim-level adjustment), group_code, carc, category,
    amount, is_denial (1 when the Adjustment Codes table calls it a denial and it is not patient
    cost share and reduces pay: PR, CO-45/253 and OA-23 are never denials).
``reconciliation`` (the ``Reconciliation`` sheet, one row per submitted claim line, net of every remit)
    claim_id, line_control_number, payer_id, service_month, service_day, charge, expected_allowed,
    allowed, paid, contractual_adjustment, sequestration, denied_amount, status, tolerance (how far the
    allowed amount may fall short before it is an underpayment: the Underpayment Tolerance setting).
``claim_status`` (the ``Claim Status`` sheet): claim_id, patient_paid.
``denials`` (the ``Denials`` worklist, its remits dated by the as-of date): claim_id, line_control_number,
    payer_id, service_month, category, carc, denied_amount, work_status (the biller's: Open, Appealed, Written off ...).
``ar_aging`` (the ``AR Aging`` sheet, as of the report's date): claim_id, responsible_type (Insurance or
    Patient), responsible_party (the payer's ID; NULL for a patient, whose ID stays in the book), age,
    balance, is_credit.
``report`` (one row: the period the figures are for)
    as_of_day, as_of_month, window_first_day, window_days (the trailing window of average daily
    charges for days in AR: the 91 days ending on the as-of date).

A relation with no rows is still registered, with its columns, so every query runs on any book.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd

from .. import values as v
from ..aging.model import INSURANCE
from ..aging.stage import AGING, CREDIT
from ..asof import counts_by
from ..claims.ledger import CLAIM_LINES, CLAIMS, read_claims
from ..denials.remits import EraAdjustment, day, money, read_era_ledger, text
from ..denials.worklist import SHEET as DENIALS
from ..denials.worklist import is_denial
from ..posting.contract import Tolerance
from ..posting.reconcile import CLAIM_STATUS, RECONCILIATION
from ..workbook.reader import BookData

EPOCH = date(1970, 1, 1)
#: The trailing window of average daily charges behind days in AR (about three months).
WINDOW_DAYS = 91
MONEY, DAY, TEXT, FLAG, NUMBER = "DECIMAL(18,2)", "INTEGER", "VARCHAR", "INTEGER", "INTEGER"
#: CAS adjustments that are part of the allowed amount the payer did not pay: patient share and sequestration.
PATIENT_SHARE_GROUP, SEQUESTRATION_CARC = "PR", "253"

#: Relation -> ((column, SQL type), ...): the one declaration the SQL, the loaders and the store share.
RELATIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "claims": (("claim_id", TEXT), ("encounter_id", TEXT), ("payer_id", TEXT), ("frequency", TEXT),
               ("original_claim_id", TEXT), ("status", TEXT), ("service_month", TEXT), ("service_day", DAY),
               ("submitted_day", DAY), ("total_charge", MONEY)),
    "era_claims": (("remit_key", NUMBER), ("claim_id", TEXT), ("claim_status", TEXT), ("is_reversal", FLAG),
                   ("charge", MONEY), ("paid", MONEY), ("remit_day", DAY)),
    "era_lines": (("remit_key", NUMBER), ("claim_id", TEXT), ("line_no", DAY), ("line_control_number", TEXT),
                  ("charge", MONEY), ("paid", MONEY), ("unpaid_allowed", MONEY)),
    "era_adjustments": (("remit_key", NUMBER), ("claim_id", TEXT), ("line_no", DAY), ("group_code", TEXT),
                        ("carc", TEXT), ("category", TEXT), ("amount", MONEY), ("is_denial", FLAG)),
    "reconciliation": (("claim_id", TEXT), ("line_control_number", TEXT), ("payer_id", TEXT),
                       ("service_month", TEXT), ("service_day", DAY), ("charge", MONEY),
                       ("expected_allowed", MONEY), ("allowed", MONEY), ("paid", MONEY),
                       ("contractual_adjustment", MONEY), ("sequestration", MONEY), ("denied_amount", MONEY),
                       ("status", TEXT), ("tolerance", MONEY)),
    "claim_status": (("claim_id", TEXT), ("patient_paid", MONEY)),
    "denials": (("claim_id", TEXT), ("line_control_number", TEXT), ("payer_id", TEXT), ("service_month", TEXT),
                ("category", TEXT), ("carc", TEXT), ("denied_amount", MONEY), ("work_status", TEXT)),
    "ar_aging": (("claim_id", TEXT), ("responsible_type", TEXT), ("responsible_party", TEXT), ("age", DAY),
                 ("balance", MONEY), ("is_credit", FLAG)),
    "report": (("as_of_day", DAY), ("as_of_month", TEXT), ("window_first_day", DAY), ("window_days", DAY)),
}

Row = tuple[Any, ...]
#: A remit: its 835 file, payment number and claim number in the file.
Remit = tuple[str, int, int]


def day_number(day: date | None) -> int | None:
    """Days since 1970-01-01 (the integer every engine compares and subtracts the same way)."""
    return None if day is None else (day - EPOCH).days


def month_of(day: date | None) -> str | None:
    return None if day is None else f"{day.year:04d}-{day.month:02d}"


def _text(value: Any) -> str | None:
    return text(value) or None


def _int(value: Any) -> int | None:
    if v.is_blank(value):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def remit_numbers(*places: Iterable[Remit]) -> dict[Remit, int]:
    """Each remit (file, payment number, claim number) of the book -> its ``remit_key``: 1, 2, ... in the order
    of the ``file|payment|claim`` texts (the order the KPI SQL breaks a tie of remit dates in)."""
    texts = {f"{p[0]}|{p[1]}|{p[2]}": p for group in places for p in group}
    return {texts[t]: n for n, t in enumerate(sorted(texts), start=1)}


def unpaid_allowed(adjustments: Mapping[Remit, Iterable[EraAdjustment]]) -> dict[tuple[Remit, int], Decimal]:
    """(remit, line number) -> the sum of that line's patient share (group PR) and sequestration (CARC 253)
    adjustments; with what the line paid, the amount the payer allowed. A claim-level adjustment (no line
    number) is no line's."""
    out: dict[tuple[Remit, int], Decimal] = {}
    for place, adjs in adjustments.items():
        for a in adjs:
            if a.line_no is not None and (a.group == PATIENT_SHARE_GROUP or a.carc == SEQUESTRATION_CARC):
                out[(place, a.line_no)] = out.get((place, a.line_no), Decimal(0)) + a.amount
    return out


@dataclass(frozen=True)
class Relations:
    """Every relation's rows, in the column order of :data:`RELATIONS`."""

    rows: Mapping[str, list[Row]]

    def records(self, name: str) -> list[dict[str, Any]]:
        """A relation's rows as ``{column: value}`` (what a test or the dashboard reads)."""
        names = [c for c, _ in RELATIONS[name]]
        return [dict(zip(names, row, strict=True)) for row in self.rows.get(name, [])]


def _sheet(book: BookData, name: str, build: Callable[[Mapping[str, Any]], Row | None]) -> list[Row]:
    out = []
    for record in book.extra_rows(name):
        row = build(record)
        if row is not None:
            out.append(row)
    return out


def book_relations(book: BookData, as_of: date) -> Relations:
    """The relations of one workbook as of ``as_of``, from its ledgers and the derived sheets of this run.

    The ERA relations and the Denials rows keep only the remits dated on or before ``as_of`` (the as-of
    rule, :mod:`infusion_billing.asof`); ``Reconciliation``, ``Claim Status`` and ``AR Aging`` already
    count to the same date when ``reconcile`` and ``aging`` ran with it (``close`` runs them in order).
    """
    claims = read_claims(book.extra_rows(CLAIMS), book.extra_rows(CLAIM_LINES))
    claim_rows = [(c.claim_id, c.encounter_id, c.payer_id, c.frequency or "1", c.original_claim_id or None, c.status,
                   month_of(c.statement_from), day_number(c.statement_from), day_number(c.submitted_date),
                   c.total_charge) for c in claims]
    era = read_era_ledger(book).known_by(as_of)
    key = remit_numbers([c.place for c in era.claims], era.lines, era.adjustments)
    era_claims = [(key[c.place], c.claim_id, c.status, int(c.reversal), c.charge, c.paid, day_number(c.remit_date))
                  for c in era.claims]
    claim_of = {c.place: c.claim_id for c in era.claims}
    unpaid = unpaid_allowed(era.adjustments)
    era_lines = [(key[place], claim_of.get(place), ln.line_no, ln.control_number or None, ln.charge, ln.paid,
                  unpaid.get((place, ln.line_no))) for place, lines in era.lines.items() for ln in lines]
    era_adjustments = [(key[place], claim_of.get(place), a.line_no, a.group, a.carc, a.category or None, a.amount,
                        int(is_denial(a))) for place, adjs in era.adjustments.items() for a in adjs]
    tolerance = Tolerance.parse(book.settings.underpayment_tolerance)

    def reconciliation(r: Mapping[str, Any]) -> Row | None:
        dos = day(r.get("Date of Service"))
        expected = money(r.get("Expected Allowed"))
        if _text(r.get("Claim ID")) is None:
            return None
        return (_text(r.get("Claim ID")), _text(r.get("Line Control Number")), _text(r.get("Payer ID")),
                month_of(dos), day_number(dos), money(r.get("Charge")), expected, money(r.get("Allowed")),
                money(r.get("Paid")), money(r.get("Contractual Adjustment")), money(r.get("Sequestration")),
                money(r.get("Denied Amount")), _text(r.get("Status")), tolerance.of(expected))

    def claim_status(r: Mapping[str, Any]) -> Row | None:
        cid = _text(r.get("Claim ID"))
        return None if cid is None else (cid, money(r.get("Patient Paid")))

    def denial(r: Mapping[str, Any]) -> Row | None:
        cid = _text(r.get("Claim ID"))
        return None if cid is None or not counts_by(day(r.get("Remit Date")), as_of) else (
            cid, _text(r.get("Line Control Number")), _text(r.get("Payer ID")),
            month_of(day(r.get("Date of Service"))), _text(r.get("Category")), _text(r.get("CARC")),
            money(r.get("Denied Amount")), _text(r.get("Work Status")))

    def aging(r: Mapping[str, Any]) -> Row | None:
        cid = _text(r.get("Claim ID"))
        kind = _text(r.get("Responsible Type"))
        party = _text(r.get("Responsible Party")) if kind == INSURANCE else None
        return None if cid is None else (cid, kind, party, _int(r.get("Age")), money(r.get("Balance")),
                                         int(_text(r.get("Bucket")) == CREDIT))

    as_of_day = (as_of - EPOCH).days
    return Relations({
        "claims": claim_rows, "era_claims": era_claims, "era_lines": era_lines, "era_adjustments": era_adjustments,
        "reconciliation": _sheet(book, RECONCILIATION, reconciliation),
        "claim_status": _sheet(book, CLAIM_STATUS, claim_status),
        "denials": _sheet(book, DENIALS, denial),
        "ar_aging": _sheet(book, AGING, aging),
        "report": [(as_of_day, month_of(as_of), as_of_day - WINDOW_DAYS + 1, WINDOW_DAYS)],
    })


def frames(relations: Relations) -> dict[str, pd.DataFrame]:
    """Each relation as a pandas DataFrame of text cells (NULL as None), the loader casts them to their type.

    Text keeps Decimal money exact on its way into the engine (a float column would not).
    """
    out = {}
    for name, columns in RELATIONS.items():
        names = [c for c, _ in columns]
        rows: Iterable[Row] = relations.rows.get(name, [])
        data = [[None if x is None else str(x) for x in row] for row in rows]
        out[name] = pd.DataFrame(data, columns=names, dtype=object)
    return out
