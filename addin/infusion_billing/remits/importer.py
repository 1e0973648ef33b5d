"""Import 835 files into the workbook's ERA sheets, once each, appending to earlier imports.

Payment posting starts here. Each import run:

1. reads the 835 files (folders are searched for files that start like X12; other files in them
   are skipped and listed in one info Finding);
2. skips what was imported before, in this run or an earlier one: the **same file** (same SHA-256
   of its bytes, whatever its name) or the **same payment** (same payer ID, trace number and
   amount, e.g. the payer's file downloaded twice under two names). Either way nothing is added and
   one info Finding says so;
3. labels every adjustment with its category and next action (the workbook's own ``Adjustment
   Codes`` rows override the shipped table);
4. appends the new rows to what earlier imports wrote in ``EraPayments``, ``EraClaims``, ``EraLines``,
   ``EraAdjustments``, ``EraRemarks`` and ``EraProviderAdjustments``, and writes them back with the
   ``Findings`` sheet. Importing the same folder twice leaves the tables unchanged.

The merge (:func:`merge_remits`) is pure: it takes the rows already in the book and the new reads
and returns the tables to write, so the pipeline's ``import-era`` stage (:mod:`.stage`, behind the
command line) and the Excel macro (open workbook) share it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import values as v
from ..findings import Finding
from ..rules import era as era_rules
from ..workbook.ownership import declare_result
from ..workbook.writer import OutputTable
from .categories import AdjustmentCodes, classify_adjustments
from .elements import cents
from .tables import (
    ADJUSTMENT_COLUMNS,
    CATEGORY_COLUMNS,
    CLAIM_COLUMNS,
    DATE_FIELDS,
    INT_FIELDS,
    LINE_COLUMNS,
    MONEY_FIELDS,
    PAYMENT_COLUMNS,
    PROVIDER_ADJUSTMENT_COLUMNS,
    QUANTITY_FIELDS,
    REMARK_COLUMNS,
    Columns,
    Remit835,
)

STAGE = "import-era"

#: Workbook table -> (reader table, columns, what the sheet holds).
ERA_TABLES: dict[str, tuple[str, Columns, str]] = {
    "EraPayments": ("payments", PAYMENT_COLUMNS,
                    "One row per 835 payment (check or EFT): Payment Amount = Claim Payments - PLB Total + Variance."),
    "EraClaims": ("claims", CLAIM_COLUMNS, "One row per claim the payer adjudicated (CLP)."),
    "EraLines": ("lines", LINE_COLUMNS, "One row per service line (SVC): code, charge, paid, allowed, units."),
    "EraAdjustments": ("adjustments", ADJUSTMENT_COLUMNS + CATEGORY_COLUMNS,
                       "One row per adjustment (CAS reason and amount) with its category and next action."),
    "EraRemarks": ("remarks", REMARK_COLUMNS, "One row per remark code (RARC) from MOA, MIA or LQ."),
    "EraProviderAdjustments": ("provider_adjustments", PROVIDER_ADJUSTMENT_COLUMNS,
                               "Provider-level adjustments (PLB): a positive amount was taken from the payment."),
}
for _name, (_, _columns, _) in ERA_TABLES.items():
    declare_result(_name, [header for _, header in _columns])
_GENERAL = "General"  # quantities are not money: no currency format
_NUMBER_FORMATS = {"Units Paid": _GENERAL, "Submitted Units": _GENERAL, "Quantity": _GENERAL,
                   "Payment No": _GENERAL, "Claim No": _GENERAL, "Line No": _GENERAL, "Segment": _GENERAL}


@dataclass
class ImportResult:
    """What one import did.

    Attributes:
        tables: the six ERA tables to write, earlier rows first, then this run's.
        findings: every file's findings plus the import's own (duplicates, skipped files).
        files_read: files read this run (duplicates included).
        files_skipped: files not added because the same file was imported before.
        payments_added / payments_skipped: payments (ST) added, and those already imported.
        rows_added: workbook table -> rows added this run.
        output: the workbook written (None until written).
    """

    tables: list[OutputTable]
    findings: list[Finding]
    files_read: int = 0
    files_skipped: int = 0
    payments_added: int = 0
    payments_skipped: int = 0
    rows_added: dict[str, int] = field(default_factory=dict)
    output: Path | None = None


# ----------------------------------------------------------------------------- the pure merge


def merge_remits(
    existing: Mapping[str, list[dict[str, Any]]],
    remits: Iterable[Remit835],
    codes: AdjustmentCodes | None = None,
) -> ImportResult:
    """Append new remits to the rows already in the book, skipping files and payments seen before.

    Args:
        existing: workbook table name (``EraPayments`` ...) -> its rows as ``{header: value}``, as
            :func:`~infusion_billing.workbook.writer.read_output_table` returns them (money may come
            back as float; it is turned back into Decimal).
        remits: the new reads, in order.
        codes: the Adjustment Codes table (default: the shipped one).
    """
    rows = {name: [_typed(row, columns) for row in existing.get(name, [])]
            for name, (_, columns, _) in ERA_TABLES.items()}
    pay_index = {h: i for i, (_, h) in enumerate(PAYMENT_COLUMNS)}
    seen_hashes = {r[pay_index["File Hash"]] for r in rows["EraPayments"] if r[pay_index["File Hash"]]}
    seen_payments = {
        _payment_key(r[pay_index["Payer ID"]], r[pay_index["Trace Number"]], r[pay_index["Payment Amount"]]):
            r[pay_index["File"]]
        for r in rows["EraPayments"] if r[pay_index["Trace Number"]]
    }
    result = ImportResult(tables=[], findings=[], rows_added={name: 0 for name in ERA_TABLES})
    for remit in remits:
        result.files_read += 1
        if remit.file_hash and remit.file_hash in seen_hashes:
            result.files_skipped += 1
            result.findings.append(era_rules.DUPLICATE_FILE.finding(
                f"{remit.name} was imported before (same file contents); nothing was added.", source=remit.name))
            continue
        keep = _new_payments(remit, seen_payments, result)
        if len(remit.payments) and not keep:
            continue  # every payment was imported before: its findings were reported then
        result.findings.extend(remit.findings)
        if not keep:
            continue  # an unreadable file: only its findings
        seen_hashes.add(remit.file_hash)
        tables = remit.tables()
        tables["adjustments"] = classify_adjustments(remit.adjustments, remit.remarks, codes)
        for name, (source, columns, _) in ERA_TABLES.items():
            frame = tables[source]
            if len(frame) == 0:
                continue
            frame = frame[frame["payment_no"].isin(keep)]
            new = frame[[f for f, _ in columns]].values.tolist()
            rows[name].extend(new)
            result.rows_added[name] += len(new)
        result.payments_added += len(keep)
    result.tables = [
        OutputTable(name, [h for _, h in columns], rows[name], number_formats=dict(_NUMBER_FORMATS),
                    description=description)
        for name, (_, columns, description) in ERA_TABLES.items()
    ]
    return result


def _new_payments(remit: Remit835, seen: dict, result: ImportResult) -> list[int]:
    """The payment numbers of ``remit`` not imported before; a Finding for each one skipped."""
    keep = []
    for payment_no, payer, trace, amount in remit.payments[
            ["payment_no", "payer_id", "trace_number", "payment_amount"]].itertuples(index=False, name=None):
        key = _payment_key(payer, trace, amount) if trace else None
        if key is not None and key in seen:
            result.payments_skipped += 1
            result.findings.append(era_rules.DUPLICATE_PAYMENT.finding(
                f"Payment {trace} of {cents(amount)} from payer {payer or '(no ID)'} in {remit.name} was already "
                f"imported from {seen[key]}; nothing was added for it.", source=remit.name))
            continue
        if key is not None:
            seen[key] = remit.name
        keep.append(payment_no)
    return keep


def _payment_key(payer: Any, trace: Any, amount: Any) -> tuple[str, str, Decimal | None]:
    return (str(payer or "").strip(), str(trace or "").strip(), _as_money(amount))


def _as_money(value: Any) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    try:
        return v.to_money(value)
    except Exception:
        return None


def _typed(record: Mapping[str, Any], columns: Columns) -> list[Any]:
    """A row read back from the workbook, in column order, with the reader's types restored."""
    out: list[Any] = []
    for name, header in columns:
        value = record.get(header)
        if value is None or value == "":
            out.append(None)
            continue
        try:
            if name in MONEY_FIELDS:
                value = v.to_money(value) if not isinstance(value, Decimal) else value
            elif name in QUANTITY_FIELDS:
                value = v.to_decimal(value).normalize() if not isinstance(value, Decimal) else value
            elif name in DATE_FIELDS:
                value = value.date() if isinstance(value, datetime) else value if isinstance(value, date) \
                    else v.to_date(value)
            elif name in INT_FIELDS:
                value = v.to_int(value)
            elif not isinstance(value, str):
                value = v.to_text(value)  # a trace number Excel turned into 4926.0 -> "4926"
        except Exception:
            pass  # someone typed over a tool-owned cell: keep what is there
        out.append(value)
    return out


# ----------------------------------------------------------------------------- files and folders


def _looks_like_x12(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(512)
    except OSError:
        return True  # let the reader say why it cannot be read
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = head.decode("utf-16", errors="replace").lstrip("\ufeff \t\r\n")
    separator_at = 3 if text[:3] == "ISA" else 2  # the element separator follows the segment ID
    return (text[:3] == "ISA" or text[:2] in ("ST", "GS")) and len(text) > 3 and not text[separator_at].isalnum()


def collect_sources(sources: Iterable[str | Path]) -> tuple[list[Path], list[Finding]]:
    """Files to read: each file as given, and the X12 files directly inside each folder (by name).

    Other files in a folder (a PDF EOB, a README) are skipped and named in one info Finding.
    """
    files: list[Path] = []
    findings: list[Finding] = []
    for source in sources:
        path = Path(source)
        if not path.is_dir():
            files.append(path)
            continue
        inside = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))
        skipped = [p.name for p in inside if not _looks_like_x12(p)]
        files += [p for p in inside if p.name not in skipped]
        if skipped:
            shown = ", ".join(skipped[:10]) + (f" and {len(skipped) - 10} more" if len(skipped) > 10 else "")
            findings.append(era_rules.NOT_X12_SKIPPED.finding(
                f"{len(skipped)} file(s) in folder {path.name} do not look like 835 files and were skipped: {shown}.",
                source=path.name))
    return files, findings
