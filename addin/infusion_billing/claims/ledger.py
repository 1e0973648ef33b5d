"""The claim ledger: the ``Claims`` and ``ClaimLines`` sheets, and the ``Claim Batches`` record of files.

Every claim the tool builds is a row of ``Claims`` with its service lines on ``ClaimLines``; every
837 file written is a row of ``Claim Batches`` holding its ISA/GS/ST control numbers, so the next
file's numbers are higher (a receiver rejects a repeated interchange number as a duplicate).

The ledger is what the payer's 835 is matched against later: the **Claim ID** went out in CLM01 and
comes back in CLP01, the **Line Control Number** went out in REF*6R and comes back in REF*6R of the
835 line. Both are therefore stable (the same encounter always gets the same ID) and unique across
the book's history, and a claim that was **Submitted** is never changed or deleted again: its row is
written back exactly as it was read. A claim not yet sent (**Held** by the scrubber, or **Ready** to
go in the next file) is rebuilt from the current coding on every run.

Rows are read from the book as Excel stores them (money as numbers, dates as dates or serials) and
turned back into Decimal (money to the cent, units and quantities without trailing zeros) and
``date`` here, exactly the values the row was first written from, so a row read and written again is
the same row, byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import Any

from .. import values as v
from ..workbook.ownership import declare_result
from ..workbook.reader import BookData, Grid
from ..workbook.writer import OutputTable

CLAIMS, CLAIM_LINES, BATCHES = "Claims", "ClaimLines", "Claim Batches"

CLAIM_COLUMNS = (
    "Claim ID", "Encounter ID", "Patient ID", "Payer ID", "Payer Priority", "Claim Type", "Frequency",
    "Original Claim ID", "Payer Claim Number", "Statement From", "Statement To", "Total Charge", "Lines", "Status",
    "Batch File", "Submitted Date",
)
LINE_COLUMNS = (
    "Claim ID", "Line", "Line Control Number", "Encounter ID", "Date of Service", "Code", "Modifiers", "Units",
    "Charge", "Revenue Code", "NDC", "NDC Unit", "NDC Quantity", "Diagnosis Pointers",
)
BATCH_COLUMNS = (
    "Batch File", "Payer ID", "Claim Type", "Interchange Control", "Group Control", "Transaction Control",
    "Claims", "Total Charge", "Created", "Resend Of",
)
for _name, _columns in ((CLAIMS, CLAIM_COLUMNS), (CLAIM_LINES, LINE_COLUMNS), (BATCHES, BATCH_COLUMNS)):
    declare_result(_name, _columns)

#: Claim statuses: held by the scrubber or the writer, clean and waiting for the next 837, sent.
HELD, READY, SUBMITTED = "Held", "Ready", "Submitted"
CENTS = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """One ``ClaimLines`` row."""

    claim_id: str
    line: int
    control_number: str
    encounter_id: str
    service_date: date
    code: str
    modifiers: tuple[str, ...]
    units: Decimal
    charge: Decimal
    revenue_code: str = ""
    ndc: str = ""
    ndc_unit: str = ""
    ndc_quantity: Decimal | None = None
    pointers: tuple[int, ...] = (1,)

    def row(self) -> list[Any]:
        return [self.claim_id, self.line, self.control_number, self.encounter_id, self.service_date, self.code,
                " ".join(self.modifiers), self.units, self.charge, self.revenue_code, self.ndc, self.ndc_unit,
                self.ndc_quantity, ",".join(str(p) for p in self.pointers)]

    @property
    def signature(self) -> tuple:
        """What the payer sees of the line: code, modifiers, units, charge and NDC (for 'coding changed')."""
        return (self.service_date, self.code, self.modifiers, self.units, self.charge, self.ndc,
                self.ndc_quantity)


@dataclass(frozen=True, slots=True)
class LedgerClaim:
    """One ``Claims`` row and its lines."""

    claim_id: str
    encounter_id: str
    patient_id: str
    payer_id: str
    priority: str
    claim_type: str
    frequency: str
    original_claim_id: str
    payer_claim_number: str
    statement_from: date | None
    statement_to: date | None
    total_charge: Decimal
    status: str
    batch_file: str = ""
    submitted_date: date | None = None
    lines: tuple[LedgerLine, ...] = ()

    @property
    def submitted(self) -> bool:
        return self.status == SUBMITTED

    def row(self) -> list[Any]:
        return [self.claim_id, self.encounter_id, self.patient_id, self.payer_id, self.priority, self.claim_type,
                self.frequency, self.original_claim_id or None, self.payer_claim_number or None, self.statement_from,
                self.statement_to, self.total_charge, len(self.lines), self.status, self.batch_file or None,
                self.submitted_date]

    def with_status(self, status: str, batch_file: str = "", submitted: date | None = None) -> LedgerClaim:
        return replace(self, status=status, batch_file=batch_file, submitted_date=submitted)


@dataclass(frozen=True, slots=True)
class BatchRow:
    """One ``Claim Batches`` row: an 837 file written and its control numbers."""

    batch_file: str
    payer_id: str
    claim_type: str
    interchange: int
    group: int
    transaction: int
    claims: int
    total_charge: Decimal
    created: date | None
    resend_of: str = ""

    def row(self) -> list[Any]:
        return [self.batch_file, self.payer_id, self.claim_type, self.interchange, self.group, self.transaction,
                self.claims, self.total_charge, self.created, self.resend_of or None]


# ---------------------------------------------------------------------------- reading
def _text(value: Any) -> str:
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _day(value: Any) -> date | None:
    if value.__class__ is date:  # what the book hands back for a date cell: the common case first
        return value
    if v.is_blank(value):
        return None
    try:
        return v.to_date(value)
    except ValueError:
        return None


def _money(value: Any) -> Decimal:
    # Excel gives money back as a float (or int): its shortest repr is the number that was written.
    if type(value) in (float, int):
        return Decimal(repr(value)).quantize(CENTS)
    if isinstance(value, Decimal):
        return value.quantize(CENTS)
    if v.is_blank(value):
        return Decimal("0.00")
    try:
        return v.to_money(value)
    except ValueError:
        return Decimal("0.00")


def _number(value: Any) -> Decimal | None:
    if type(value) in (float, int):
        return Decimal(repr(value)).normalize()
    if isinstance(value, Decimal):
        return value.normalize()
    if v.is_blank(value):
        return None
    try:
        return v.to_decimal(value).normalize()
    except ValueError:
        return None


def pointers_of(text: Any) -> tuple[int, ...]:
    """``"1,2"`` -> (1, 2); blanks and non-numbers left out.

    >>> pointers_of("1,2"), pointers_of(1.0), pointers_of("1; 3 x"), pointers_of(None)
    ((1, 2), (1,), (1, 3), ())
    """
    known = _POINTERS.get(text) if text.__class__ is str else None
    if known is not None:
        return known
    out = []
    for part in _text(text).replace(";", ",").replace(" ", ",").split(","):
        if part.strip().isdigit():
            out.append(int(part))
    return tuple(out)


#: The few pointer lists a ledger holds ("1", "1,2", ...), parsed once each.
_POINTERS = {",".join(str(n) for n in range(1, k + 1)): tuple(range(1, k + 1)) for k in range(1, 13)}


def _record_values(records: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> Iterator[tuple]:
    """Each record's values of ``columns``, in that order (None for a column it lacks)."""
    get = itemgetter(*columns)
    for r in records:
        try:
            yield get(r)
        except KeyError:
            yield tuple(r.get(c) for c in columns)


def _grid_values(grid: Grid | None, columns: Sequence[str]) -> Iterator[tuple]:
    """The same straight from a sheet's grid (header row first), without a record per row: the ledger
    of a large book is read on every claims, export and reconcile run. Blank cells come as they are
    (None or ""): the readers below treat both as blank."""
    if grid is None or not grid.rows:
        return
    header = [str(h).strip() if h is not None else "" for h in grid.rows[0]]
    at = {h: i for i, h in enumerate(header) if h}
    index = [at.get(c) for c in columns]
    if None not in index:
        get = itemgetter(*index)
        for row in grid.rows[1:]:
            try:
                yield get(row)
            except IndexError:  # a short row: the cells past its end are blank
                yield tuple(row[i] if i is not None and i < len(row) else None for i in index)
        return
    for row in grid.rows[1:]:
        yield tuple(row[i] if i is not None and i < len(row) else None for i in index)


def read_lines(records: Iterable[Mapping[str, Any]]) -> dict[str, list[LedgerLine]]:
    """``ClaimLines`` rows by Claim ID, in sheet order."""
    return _lines(_record_values(records, LINE_COLUMNS))


def _lines(rows: Iterable[tuple]) -> dict[str, list[LedgerLine]]:
    out: dict[str, list[LedgerLine]] = {}
    for (claim_id, line_no, control, encounter, day, code, modifiers, units, charge, revenue, ndc, ndc_unit,
         ndc_quantity, pointers) in rows:
        claim_id = _text(claim_id)
        if not claim_id:
            continue
        revenue, ndc = _text(revenue), _text(ndc)
        line = LedgerLine(
            claim_id=claim_id, line=line_no if line_no.__class__ is int else int(_number(line_no) or 0),
            control_number=_text(control), encounter_id=_text(encounter), service_date=_day(day) or date.min,
            code=_text(code), modifiers=tuple(_text(modifiers).split()) if modifiers is not None else (),
            units=_number(units) or Decimal(0), charge=_money(charge),
            revenue_code=revenue.zfill(4) if revenue else "", ndc=ndc.zfill(11) if ndc else "",
            ndc_unit=_text(ndc_unit), ndc_quantity=_number(ndc_quantity), pointers=pointers_of(pointers))
        out.setdefault(claim_id, []).append(line)
    return out


def read_claims(claim_records: Iterable[Mapping[str, Any]],
                line_records: Iterable[Mapping[str, Any]]) -> list[LedgerClaim]:
    """The ledger as the book holds it, in sheet order, each claim with its lines."""
    return _claims(_record_values(claim_records, CLAIM_COLUMNS), read_lines(line_records))


def read_ledger(book: BookData) -> list[LedgerClaim]:
    """The book's claim ledger (``Claims`` and ``ClaimLines`` as earlier runs, or an earlier stage of
    this run, wrote them), read from the sheets' grids: the same as :func:`read_claims` of their rows."""
    return _claims(_grid_values(book.extra_grid(CLAIMS), CLAIM_COLUMNS),
                   _lines(_grid_values(book.extra_grid(CLAIM_LINES), LINE_COLUMNS)))


def _claims(rows: Iterable[tuple], lines: Mapping[str, list[LedgerLine]]) -> list[LedgerClaim]:
    out = []
    for (claim_id, encounter, patient, payer, priority, claim_type, frequency, original, payer_number, start, end,
         total, _count, status, batch, submitted) in rows:
        claim_id = _text(claim_id)
        if not claim_id:
            continue
        out.append(LedgerClaim(
            claim_id=claim_id, encounter_id=_text(encounter), patient_id=_text(patient), payer_id=_text(payer),
            priority=_text(priority) or "Primary", claim_type=_text(claim_type), frequency=_text(frequency) or "1",
            original_claim_id=_text(original), payer_claim_number=_text(payer_number), statement_from=_day(start),
            statement_to=_day(end), total_charge=_money(total), status=_text(status), batch_file=_text(batch),
            submitted_date=_day(submitted), lines=tuple(lines.get(claim_id, ()))))
    return out


def read_batches(records: Iterable[dict[str, Any]]) -> list[BatchRow]:
    out = []
    for r in records:
        name = _text(r.get("Batch File"))
        if not name:
            continue
        out.append(BatchRow(
            batch_file=name, payer_id=_text(r.get("Payer ID")), claim_type=_text(r.get("Claim Type")),
            interchange=int(_number(r.get("Interchange Control")) or 0),
            group=int(_number(r.get("Group Control")) or 0),
            transaction=int(_number(r.get("Transaction Control")) or 0), claims=int(_number(r.get("Claims")) or 0),
            total_charge=_money(r.get("Total Charge")), created=_day(r.get("Created")),
            resend_of=_text(r.get("Resend Of"))))
    return out


# ---------------------------------------------------------------------------- writing
def claims_tables(claims: Iterable[LedgerClaim]) -> list[OutputTable]:
    """The ``Claims`` and ``ClaimLines`` sheets, in ledger order."""
    claim_rows: list[list[Any]] = []
    line_rows: list[list[Any]] = []
    for claim in claims:
        claim_rows.append(claim.row())
        line_rows.extend(line.row() for line in claim.lines)
    return [
        OutputTable(CLAIMS, list(CLAIM_COLUMNS), claim_rows,
                    number_formats={"Statement From": "yyyy-mm-dd", "Statement To": "yyyy-mm-dd",
                                    "Submitted Date": "yyyy-mm-dd", "Total Charge": "#,##0.00", "Lines": "0",
                                    "Frequency": "@"},
                    widths={"Claim ID": 20, "Batch File": 34},
                    description="One row per claim (one encounter billed to one payer): the claim ledger. "
                                "A Submitted claim is never changed."),
        OutputTable(CLAIM_LINES, list(LINE_COLUMNS), line_rows,
                    number_formats={"Date of Service": "yyyy-mm-dd", "Charge": "#,##0.00", "Units": "0.###",
                                    "NDC Quantity": "0.###", "Revenue Code": "@", "NDC": "@", "Line": "0"},
                    widths={"Claim ID": 20, "Line Control Number": 24},
                    description="One row per claim service line; the Line Control Number goes out in REF*6R."),
    ]


def batches_table(batches: Iterable[BatchRow]) -> OutputTable:
    return OutputTable(BATCHES, list(BATCH_COLUMNS), [b.row() for b in batches],
                       number_formats={"Total Charge": "#,##0.00", "Created": "yyyy-mm-dd",
                                       "Interchange Control": "0", "Group Control": "0", "Transaction Control": "0",
                                       "Claims": "0"},
                       widths={"Batch File": 36},
                       description="Every 837 file written, with its control numbers (the next file's are higher).")


#: What each ledger column holds, for the README's schema section.
LEDGER_DOCS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (CLAIMS, "One row per claim: one encounter billed to one payer.", (
        ("Claim ID", "CLM01, returned as CLP01 in the 835: the Encounter ID (R1, V1 for a replacement or void, "
                     "-1, -2 for the parts of a split claim); at most 20 characters"),
        ("Encounter ID", "the encounter billed"), ("Patient ID", "the patient"), ("Payer ID", "the payer billed"),
        ("Payer Priority", "Primary, Secondary or Tertiary (SBR01)"),
        ("Claim Type", "837P (professional) or 837I (facility, type of bill 131)"),
        ("Frequency", "1 original, 7 replacement, 8 void (CLM05-3)"),
        ("Original Claim ID", "the claim a replacement or void corrects"),
        ("Payer Claim Number", "the payer's number for the original claim, from its 835 (REF*F8)"),
        ("Statement From", "first date of service"), ("Statement To", "last date of service"),
        ("Total Charge", "CLM02: the sum of the line charges"), ("Lines", "service lines"),
        ("Status", "Held (an error to fix), Ready (goes in the next 837) or Submitted"),
        ("Batch File", "the 837 file the claim went out in"), ("Submitted Date", "the day it was written"))),
    (CLAIM_LINES, "One row per service line of a claim.", (
        ("Claim ID", "the claim"), ("Line", "line number on the claim"),
        ("Line Control Number", "REF*6R, returned on the 835 line: Claim ID and line number"),
        ("Encounter ID", "the encounter"), ("Date of Service", "DTP*472"), ("Code", "HCPCS/CPT"),
        ("Modifiers", "space-separated, up to four"), ("Units", "service units"), ("Charge", "the line charge"),
        ("Revenue Code", "837I only, from the ChargeMaster"), ("NDC", "11-digit NDC of a drug line (LIN*N4)"),
        ("NDC Unit", "UN, ML, GR, F2 or ME (CTP05)"), ("NDC Quantity", "CTP04"),
        ("Diagnosis Pointers", "positions of the claim's diagnoses the line is for (837P SV107)"))),
    (BATCHES, "One row per 837 file written.", (
        ("Batch File", "the file's name"), ("Payer ID", "the payer"), ("Claim Type", "837P or 837I"),
        ("Interchange Control", "ISA13"), ("Group Control", "GS06"),
        ("Transaction Control", "the last ST02 in the file"), ("Claims", "claims in the file"),
        ("Total Charge", "the sum of their CLM02"), ("Created", "the day it was written"),
        ("Resend Of", "the batch a --resend wrote again"))),
)
