"""The ERA ledger read back as typed adjudications: what each remit said about each claim and line.

The ``import-era`` stage keeps every 835 as rows of ``EraPayments``, ``EraClaims``, ``EraLines`` and
``EraAdjustments``; Excel hands them back as it stores them (money as floats, dates as datetimes).
This module turns them back into Decimal and ``date`` and ties each adjustment to its remit date
and claim, so the worklist and its summary read one model.

The **remit date** is the date the payer's decision reached the practice (:func:`infusion_billing.asof.remit_date`:
the 835's payment date, BPR16, else its production date, DTM*405). Appeal windows run from it, and
the as-of rule (:mod:`infusion_billing.asof`) decides by it which remits a report counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from .. import asof
from .. import values as v
from ..workbook.reader import BookData

#: CLP02 of a reversal: the payer takes back an earlier adjudication (amounts negated).
REVERSAL = "22"
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Where:
    """The sheet and Excel row an ERA row sits on, for a located finding."""

    sheet: str
    row: int


@dataclass(frozen=True, slots=True)
class EraAdjustment:
    """One CAS reason and amount, with its category as the import labelled it."""

    place: tuple[str, int, int]  # (file, payment no, claim no)
    line_no: int | None
    group: str
    carc: str
    amount: Decimal
    rarcs: str
    category: str
    denial: bool
    next_action: str
    where: Where


@dataclass(frozen=True, slots=True)
class EraLine:
    place: tuple[str, int, int]
    line_no: int
    control_number: str
    code: str
    charge: Decimal
    paid: Decimal
    service_date: date | None


@dataclass(frozen=True, slots=True)
class EraClaim:
    """One claim as one remit adjudicated it (CLP), with its payment's payer and date."""

    place: tuple[str, int, int]
    claim_id: str  # CLP01, the practice's Claim ID
    status: str
    charge: Decimal
    paid: Decimal
    payer_id: str  # the payer's own ID from the 835
    remit_date: date | None
    service_date: date | None
    where: Where
    payer_claim_number: str = ""  # CLP07, quoted on appeals and corrected claims

    @property
    def reversal(self) -> bool:
        return self.status == REVERSAL


@dataclass
class EraLedger:
    """Every adjudication in the book, in import order."""

    claims: list[EraClaim]
    lines: dict[tuple[str, int, int], list[EraLine]]
    adjustments: dict[tuple[str, int, int], list[EraAdjustment]]

    def known_by(self, as_of: date) -> EraLedger:
        """The adjudications whose remit counts as of ``as_of`` (:func:`infusion_billing.asof.counts_by`)."""
        claims = [c for c in self.claims if asof.counts_by(c.remit_date, as_of)]
        if len(claims) == len(self.claims):
            return self
        kept = {c.place for c in claims}
        return EraLedger(claims, {p: rows for p, rows in self.lines.items() if p in kept},
                         {p: rows for p, rows in self.adjustments.items() if p in kept})


def _rows(book: BookData, name: str) -> list[tuple[int, dict[str, Any]]]:
    """(Excel row, {header: value}) of a ledger sheet, blank rows left out."""
    grid = book.extra_grid(name)
    if grid is None or not grid.rows:
        return []
    headers = [str(h).strip() if h is not None else "" for h in grid.rows[0]]
    out = []
    for offset, cells in enumerate(grid.rows[1:], start=1):
        if all(v.is_blank(c) for c in cells):
            continue
        record = {h: (None if v.is_blank(c) else c) for h, c in zip(headers, cells, strict=False) if h}
        out.append((grid.top + offset, record))
    return out


def text(value: Any) -> str:
    """A code or ID cell as text (Excel turns CARC 45 into 45.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def money(value: Any) -> Decimal:
    if value is None or value == "":
        return ZERO
    return value if isinstance(value, Decimal) else v.to_money(value)


def day(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    return value if isinstance(value, date) else v.to_date(value)


def _whole(value: Any) -> int:
    return int(float(value)) if value not in (None, "") else 0


def _place(row: Mapping[str, Any]) -> tuple[str, int, int]:
    return (text(row.get("File")), _whole(row.get("Payment No")), _whole(row.get("Claim No")))


def read_era_ledger(book: BookData) -> EraLedger:
    """The ERA sheets of ``book`` as typed adjudications (empty when nothing was imported)."""
    payments = {(text(r.get("File")), _whole(r.get("Payment No"))): r for _, r in _rows(book, "EraPayments")}
    claims = []
    for excel_row, r in _rows(book, "EraClaims"):
        place = _place(r)
        pay = payments.get(place[:2], {})
        claims.append(EraClaim(
            place=place, claim_id=text(r.get("Patient Control Number")), status=text(r.get("Claim Status")),
            charge=money(r.get("Charge")), paid=money(r.get("Paid")), payer_id=text(pay.get("Payer ID")),
            remit_date=asof.remit_date(pay),
            service_date=day(r.get("Statement From")), where=Where("EraClaims", excel_row),
            payer_claim_number=text(r.get("Payer Claim Number"))))
    lines: dict[tuple[str, int, int], list[EraLine]] = {}
    for _, r in _rows(book, "EraLines"):
        place = _place(r)
        lines.setdefault(place, []).append(EraLine(
            place=place, line_no=_whole(r.get("Line No")), control_number=text(r.get("Line Control Number")),
            code=text(r.get("Procedure Code")), charge=money(r.get("Charge")), paid=money(r.get("Paid")),
            service_date=day(r.get("Service From"))))
    adjustments: dict[tuple[str, int, int], list[EraAdjustment]] = {}
    for excel_row, r in _rows(book, "EraAdjustments"):
        place = _place(r)
        line = r.get("Line No")
        adjustments.setdefault(place, []).append(EraAdjustment(
            place=place, line_no=_whole(line) if line not in (None, "") else None,
            group=text(r.get("Group")).upper(), carc=text(r.get("CARC")).upper(), amount=money(r.get("Amount")),
            rarcs=text(r.get("RARCs")), category=text(r.get("Category")),
            denial=text(r.get("Denial")).upper() == "Y", next_action=text(r.get("Next Action")),
            where=Where("EraAdjustments", excel_row)))
    return EraLedger(claims, lines, adjustments)
