"""``export-store``: a book's tables into the columnar store, once, whatever how often it runs.

The store is a folder of Parquet files, one folder per table (its relation name), partitioned the way
Hive, Spark and DuckDB all read::

    STORE/claims/clinic=Northside/month=2026-10/part-0000.parquet
    STORE/payers/clinic=Northside/part-0000.parquet
    STORE/manifest.json

What an export does to a partition depends on the table's kind (:mod:`.tables`): an input or derived
table replaces the partitions of the months the book covers (the book is the truth for them); a ledger
adds only the rows whose key the partition does not hold yet, and updates the rows that are not final
yet (a claim not sent: :class:`.tables.NotFinal`) where the book's differ. A file whose bytes would not change is
not written again, so exporting the same book twice changes nothing, file for file. The manifest names
the tool version, every book exported with its SHA-256, each table's kind, key and columns, and the
rows each partition holds.
"""

from __future__ import annotations

import io
import re
import shutil
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .. import values as v
from ..asof import as_of_date
from ..assess.report import Hasher
from ..derived import key_text
from ..display import counted, shown
from ..schema import INPUT_TABLES
from ..stages import RunOptions
from ..workbook import ownership
from ..workbook.output_file import save_atomically
from ..workbook.reader import BookData, WorkbookError, check_is_workbook, read_workbook
from ..workbook.writer import file_hash
from ..workbook.xlsx.package import WorkbookPackage
from . import manifest as mf
from .columns import KIND_TYPES, arrow_table, column_name
from .deidentify import deidentified, salt_fingerprint
from .kpi_relations import kpi_relations, sheet_as_of
from .layout import partition_dir, row_counts
from .tables import DERIVED, INPUT, LEDGER, StoreTable, counts_to_as_of, store_table

#: The partition of rows whose date is blank.
UNDATED = "undated"
_MOVED = re.compile(r" \(\d+\)$")


@dataclass
class Table:
    """One table of the book, as read: header texts, rows, and what is known about its columns."""

    sheet: str
    columns: list[str]
    rows: list[list[Any]]
    kinds: dict[str, pa.DataType] = field(default_factory=dict)
    formats: dict[int, str] = field(default_factory=dict)


@dataclass
class ExportResult:
    """What one export did: rows written per table (replaced or appended) and rows a ledger already had."""

    clinic: str
    store: Path
    written: dict[str, int] = field(default_factory=dict)
    already: dict[str, int] = field(default_factory=dict)
    #: Ledger rows not final yet that the book's version replaced (a claim exported before it was sent).
    updated: dict[str, int] = field(default_factory=dict)
    files_changed: int = 0

    def lines(self) -> list[str]:
        total = sum(self.written.values())
        if self.files_changed:
            out = [f"Clinic {self.clinic}: {counted(len(self.written), 'table')}, {counted(total, 'row')} written "
                   f"({counted(self.files_changed, 'file')} changed) to {shown(self.store)}"]
        else:  # the same book again: every row is there already
            out = [f"Clinic {self.clinic}: {counted(len(self.written), 'table')}, {counted(total, 'row')}, already "
                   f"in {shown(self.store)}: no file changed"]
        kept = {name: n for name, n in self.already.items() if n}
        if kept:
            out.append("  already in the store (ledger rows not added again): "
                       + ", ".join(f"{name} {n:,}" for name, n in sorted(kept.items())))
        updated = {name: n for name, n in self.updated.items() if n}
        if updated:
            out.append("  updated in the store (ledger rows not final yet, e.g. claims not sent then): "
                       + ", ".join(f"{name} {n:,}" for name, n in sorted(updated.items())))
        return out


def clinic_key(name: str) -> str:
    """A clinic's name as a partition value every engine and file system takes: ``St. Mary's`` -> ``St.-Mary-s``.

    Letters and digits of any script stay (``北京``, ``Zürich-Ωmega``); anything else (a path separator, a
    control character, ``=``, a quote) becomes ``-``, and dots and dashes are trimmed from the ends, so a
    name is never ``..`` nor a path.
    """
    key = re.sub(r"[^\w.-]+", "-", unicodedata.normalize("NFC", name).strip()).strip("-.")
    if not key:
        raise WorkbookError(f"{name!r} cannot name a clinic in the store; use letters and digits (--clinic NAME).")
    return key


def billing_provider(book: BookData) -> dict[str, Any]:
    """Who the book bills as: its Practice sheet's billing provider name, NPIs and Tax IDs (EIN), the
    clinic's identity in the store (a provider's, never a patient's)."""
    rows = book.rows("Practice")
    npis = sorted({str(r.npi).strip() for r in rows if not v.is_blank(r.npi)})
    eins = sorted({_ein(r.ein) for r in rows if not v.is_blank(r.ein)})
    name = next((str(r.name).strip() for r in rows if not v.is_blank(r.name)), "")
    return {"name": name, "npi": npis, "tax_id": eins}


def _ein(value: Any) -> str:
    digits = re.sub(r"\D", "", str(value))
    return f"{digits[:2]}-{digits[2:]}" if len(digits) == 9 else str(value).strip()


def book_as_of(book: BookData) -> date:
    """The date the book's figures count to: its KPIs sheet's As Of (else the book's as-of date)."""
    return sheet_as_of(book) or as_of_date(book, RunOptions())


#: The sheets a closed month has: without them the book was never closed and has no figures to keep.
CLOSED_SHEETS = ("KPIs", "Claims")


def check_closed(book_path: Path, tables: Sequence[Table]) -> None:
    """Refuse a book that was never closed (an input book, or one only ``run``): it has no KPIs, no claims."""
    sheets = {t.sheet.casefold() for t in tables}
    for sheet in CLOSED_SHEETS:
        if sheet.casefold() not in sheets:
            what = "sheet" if sheet == "KPIs" else "ledger"
            raise WorkbookError(f"{book_path.name} has no {sheet} {what}; run `infusion-billing close "
                                f"{book_path.name} --month YYYY-MM` first.")


def read_book_tables(path: Path) -> tuple[BookData, list[Table]]:
    """Every input table (typed by the schema) and every sheet the tool wrote (typed by its cells)."""
    book = read_workbook(path, INPUT_TABLES)
    tables = []
    for spec in INPUT_TABLES:
        data = book.tables.get(spec.name)
        if data is None or not data.present or spec.key_value_table:
            continue
        cols = spec.columns
        kinds = {c.header: KIND_TYPES[c.kind.name] for c in cols if c.kind.name in KIND_TYPES}
        rows = [[getattr(r, c.field) for c in cols] for r in data.rows]
        tables.append(Table(spec.name, [c.header for c in cols], rows, kinds))
    with WorkbookPackage(path) as package:
        ours = ownership.tool_sheets(package)
        for entry in package.sheets:
            if entry.name.casefold() not in ours:
                continue
            formats: dict[int, str] = {}
            grid = package.read_rows(entry.name, formats=formats)
            if not grid or not any(h is not None for h in grid[0]):
                continue
            header = [str(h).strip() if h is not None else "" for h in grid[0]]
            width = max((i + 1 for i, h in enumerate(header) if h), default=0)
            rows = [list(r[:width]) + [None] * (width - len(r)) for r in grid[1:] if any(not v.is_blank(x) for x in r)]
            tables.append(Table(_MOVED.sub("", entry.name), header[:width], rows, formats=formats))
    return book, tables


def export_store(book_path: str | Path, store: str | Path, *, clinic: str | None = None, deidentify: bool = False,
                 salt: str = "", replace_newer: bool = False) -> ExportResult:
    """Write every table of the book at ``book_path`` into ``store`` (see the module docstring).

    ``clinic`` defaults to the Settings sheet's Practice Name, else the book's file name. With
    ``deidentify`` (and its ``salt``) patient data is left out and identifiers hashed (:mod:`.deidentify`).
    A book as of an earlier date than the clinic's in the store is refused unless ``replace_newer``.
    Raises WorkbookError (one sentence) when the book cannot be read or the store refuses it: a book
    never closed, another clinic under this name, a mix of de-identified and identified clinics or of
    salts, an older as-of date.
    """
    book_path, store = Path(book_path), Path(store)
    check_is_workbook(book_path)
    if store.exists() and not store.is_dir():
        raise WorkbookError(f"{shown(store)} is a file; the store is a folder.")
    book, tables = read_book_tables(book_path)
    check_closed(book_path, tables)
    name = clinic or book.settings.practice_name or book_path.stem.removesuffix(".billing")
    key = clinic_key(name)
    manifest = mf.load(store)
    provider, as_of = billing_provider(book), book_as_of(book).isoformat()
    fingerprint = salt_fingerprint(salt) if deidentify else None
    mf.check_name(manifest, key, name)
    mf.check_deidentified(manifest, key, deidentify)
    mf.check_provider(manifest, key, provider)
    mf.check_salt(manifest, key, fingerprint)
    as_of_moves = mf.check_as_of(manifest, key, as_of, replace_newer)
    hasher = Hasher(salt) if deidentify else None
    patients = _patient_ids(tables) if deidentify else set()
    result = ExportResult(key, store)
    book_months = _months_of(tables, "Encounters", "Date of Service")
    by_sheet = {t.sheet: t for t in tables}
    # Which rows are not final yet is decided by the store as it was before this export (a claim's lines
    # go with its status there, whichever of the two tables is written first).
    not_final = {spec.relation: not_final_groups(store, key, spec)
                 for spec in (store_table(t.sheet, t.columns) for t in tables) if spec.not_final is not None}
    for table in tables:
        spec = store_table(table.sheet, table.columns)
        months = _row_months(table, spec, by_sheet)
        columns, rows = table.columns, table.rows
        if hasher is not None:
            columns, rows = deidentified(columns, rows, hasher, patients)
        kinds = {h: t for h, t in table.kinds.items() if h in columns}
        formats = {columns.index(h): table.formats[i] for i, h in enumerate(table.columns)
                   if i in table.formats and h in columns}
        arrow = arrow_table(columns, rows, kinds=kinds, formats=formats, known=mf.known_types(manifest, spec.relation))
        updated, changed = _update_not_final(store, spec, key, arrow, not_final.get(spec.relation, set()))
        covers = _covers(store, spec, key, book_months, as_of_moves)
        written, already, more = _write(store, spec, key, arrow, months, covers)
        result.written[spec.relation] = written
        result.already[spec.relation] = already
        result.updated[spec.relation] = updated
        result.files_changed += changed + more
        mf.note_table(manifest, spec, arrow.schema)
    # The KPI SQL's own relations of this book, so the portfolio runs the KPIs sheet's very SQL.
    for spec, arrow, relation_months in kpi_relations(book, hasher):
        months = [m or UNDATED for m in relation_months] if relation_months is not None else None
        written, already, changed = _write(store, spec, key, arrow, months,
                                           _covers(store, spec, key, book_months, as_of_moves))
        result.written[spec.relation] = written
        result.files_changed += changed
        mf.note_table(manifest, spec, arrow.schema)
    mf.note_clinic(manifest, store, key, name, book_path.name, file_hash(book_path), deidentify, as_of=as_of,
                   provider=provider, salt_fingerprint=fingerprint)
    result.files_changed += mf.save(store, manifest)
    return result


def _covers(store: Path, spec: StoreTable, clinic: str, book_months: set[str], as_of_moves: bool) -> set[str]:
    """The months whose partitions this export replaces beyond those its rows fall in: the book's months
    of service; for a table counted to an as-of date whose date moves, every month the clinic has."""
    if not (as_of_moves and counts_to_as_of(spec)):
        return book_months
    base = store / spec.relation / f"clinic={clinic}"
    held = {p.name.removeprefix("month=") for p in base.glob("month=*")} if base.is_dir() else set()
    return book_months | held


#: The headers naming a patient, whose values are hashed wherever else they turn up in a de-identified store.
PATIENT_ID_HEADERS = ("Patient ID",)


def _patient_ids(tables: Sequence[Table]) -> set[str]:
    """Every patient ID the book holds, in any table (Patients, Encounters, Claim Status, Statements ...)."""
    ids: set[str] = set()
    for table in tables:
        for header in PATIENT_ID_HEADERS:
            if header in table.columns:
                i = table.columns.index(header)
                ids.update(str(r[i]).strip() for r in table.rows if i < len(r) and not v.is_blank(r[i]))
    return ids


def _months_of(tables: Sequence[Table], sheet: str, column: str) -> set[str]:
    table = next((t for t in tables if t.sheet == sheet), None)
    if table is None or column not in table.columns:
        return set()
    i = table.columns.index(column)
    return {month_of(r[i]) for r in table.rows} - {UNDATED}


def month_of(value: Any) -> str:
    """``2026-10-14`` -> ``2026-10``; a blank or unreadable date -> ``undated``."""
    if v.is_blank(value):
        return UNDATED
    try:
        day = v.to_date(value)
    except (ValueError, TypeError):
        return UNDATED
    return f"{day.year:04d}-{day.month:02d}"


def _row_months(table: Table, spec: StoreTable, by_sheet: dict[str, Table]) -> list[str] | None:
    """Each row's month partition, or None for a table partitioned by clinic only."""
    source = spec.month
    if source is None:
        return None
    if not source.table:
        if source.column not in table.columns:
            return [UNDATED] * len(table.rows)
        i = table.columns.index(source.column)
        return [month_of(r[i]) for r in table.rows]
    other = by_sheet.get(source.table)
    if other is None or source.column not in other.columns or not all(c in other.columns for c in source.by):
        return [UNDATED] * len(table.rows)
    their = [other.columns.index(c) for c in source.by]
    date_at = other.columns.index(source.column)
    lookup = {tuple(_key_cell(r[i]) for i in their): month_of(r[date_at]) for r in other.rows}
    mine = [table.columns.index(c) if c in table.columns else None for c in source.by]
    return [lookup.get(tuple(_key_cell(r[i]) if i is not None else "" for i in mine), UNDATED) for r in table.rows]


def _key_cell(value: Any) -> str:
    return key_text(value)


# ----------------------------------------------------------------------------- partitions


def _write(store: Path, spec: StoreTable, clinic: str, table: pa.Table, months: list[str] | None,
           book_months: set[str]) -> tuple[int, int, int]:
    """Write one table's partitions; (rows written, ledger rows already there, files changed)."""
    groups: dict[str | None, list[int]] = {}
    if months is None:
        groups[None] = list(range(table.num_rows))
    else:
        for i, month in enumerate(months):
            groups.setdefault(month, []).append(i)
    written = already = changed = 0
    if spec.kind == LEDGER:
        for group, index in sorted(groups.items(), key=lambda kv: kv[0] or ""):
            part = table.take(pa.array(index, type=pa.int64()))
            folder = partition_dir(store, spec.relation, clinic, group)
            new = _not_yet_there(folder, part, spec.key)
            already += part.num_rows - new.num_rows
            if new.num_rows:
                changed += _put(folder / f"part-{_next_part(folder):04d}.parquet", new)
                written += new.num_rows
        return written, already, changed
    assert spec.kind in (INPUT, DERIVED)
    if months is None:
        folder = partition_dir(store, spec.relation, clinic, None)
        changed += _replace(folder, table, flat=True)
        return table.num_rows, 0, changed
    covered = set(groups) | book_months
    base = store / spec.relation / f"clinic={clinic}"
    for month in sorted(m for m in covered if m is not None):
        folder = partition_dir(store, spec.relation, clinic, month)
        index = groups.get(month, [])
        if index:
            changed += _replace(folder, table.take(pa.array(index, type=pa.int64())))
            written += len(index)
        elif folder.exists():
            shutil.rmtree(folder)
            changed += 1
    if base.exists() and not any(base.iterdir()):
        base.rmdir()
    return written, already, changed


def not_final_groups(store: Path, clinic: str, spec: StoreTable) -> set[tuple[Any, ...]]:
    """The groups (claims) whose rows of ``spec`` the store holds as not final yet (a claim Held or Ready)."""
    rule = spec.not_final
    if rule is None:
        return set()
    base = store / (store_table(rule.table).relation if rule.table else spec.relation) / f"clinic={clinic}"
    by, status = [column_name(c) for c in rule.by], column_name(rule.status)
    groups: set[tuple[Any, ...]] = set()
    for file in sorted(base.rglob("*.parquet")) if base.is_dir() else []:
        names = pq.read_schema(file).names
        if status in names and all(b in names for b in by):
            rows = pq.ParquetFile(file).read(columns=[*by, status]).to_pylist()
            groups.update(tuple(r[b] for b in by) for r in rows if r[status] in rule.values)
    return groups


def _update_not_final(store: Path, spec: StoreTable, clinic: str, table: pa.Table,
                      groups: set[tuple[Any, ...]]) -> tuple[int, int]:
    """Take out of the store the rows of each not-final group the book holds otherwise, so the append
    that follows writes the book's rows in their place (in their month, which may have moved).
    Returns (rows taken out, files changed); a group the book holds the same, or not at all, stays."""
    rule = spec.not_final
    if rule is None or not groups:
        return 0, 0
    by = [column_name(c) for c in rule.by]
    if not all(b in table.column_names for b in by):
        return 0, 0
    names = table.column_names
    book: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    for row in table.to_pylist():
        group = tuple(row[b] for b in by)
        if group in groups:
            book.setdefault(group, []).append(tuple(row[n] for n in names))
    if not book:
        return 0, 0
    base = store / spec.relation / f"clinic={clinic}"
    files = {f: pq.ParquetFile(f).read() for f in sorted(base.rglob("*.parquet"))} if base.is_dir() else {}
    stored: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    for old in files.values():
        for row in old.to_pylist():
            group = tuple(row.get(b) for b in by)
            if group in book:
                stored.setdefault(group, []).append(tuple(row.get(n) for n in names))
    stale = {g for g, rows in book.items() if sorted(rows, key=repr) != sorted(stored.get(g, []), key=repr)}
    taken = changed = 0
    for file, old in files.items():
        keep = [i for i, r in enumerate(old.select(by).to_pylist()) if tuple(r[b] for b in by) not in stale]
        if len(keep) == old.num_rows:
            continue
        taken += old.num_rows - len(keep)
        changed += 1
        if keep:
            _put(file, old.take(pa.array(keep, type=pa.int64())))
            continue
        file.unlink()
        if file.parent != base and not any(file.parent.iterdir()):
            file.parent.rmdir()  # the claim moved to another month
    return taken, changed


def _not_yet_there(folder: Path, part: pa.Table, key: Sequence[str]) -> pa.Table:
    """The rows of ``part`` whose key the partition does not hold (nor an earlier row of ``part``)."""
    names = [column_name(k) for k in key]
    if not all(n in part.column_names for n in names):
        names = list(part.column_names)  # a key column left out (de-identified): the whole row is the key
    seen: set[tuple] = set()
    for file in sorted(folder.glob("*.parquet")) if folder.exists() else []:
        present = [n for n in names if n in pq.read_schema(file).names]
        old = pq.read_table(file, columns=present).to_pylist()
        seen.update(tuple(r.get(n) for n in names) for r in old)
    keep = []
    for i, row in enumerate(part.select(names).to_pylist()):
        k = tuple(row[n] for n in names)
        if k not in seen:
            keep.append(i)
            seen.add(k)
    return part.take(pa.array(keep, type=pa.int64()))


def _next_part(folder: Path) -> int:
    numbers = [int(m.group(1)) for f in folder.glob("part-*.parquet") if (m := re.fullmatch(r"part-(\d+)\.parquet",
                                                                                            f.name))]
    return max(numbers, default=-1) + 1


def _replace(folder: Path, table: pa.Table, flat: bool = False) -> int:
    """The partition holds ``table`` alone (one file); files changed (0 when it already did)."""
    target = folder / "part-0000.parquet"
    stale = [f for f in folder.glob("*.parquet") if f != target] if folder.exists() else []
    for f in stale:
        f.unlink()
    if table.num_rows == 0:
        if target.exists():
            target.unlink()
            return 1 + len(stale)
        return len(stale)
    return len(stale) + _put(target, table)


def parquet_bytes(table: pa.Table) -> bytes:
    """The table as Parquet (snappy, no per-run metadata, so equal tables give equal bytes)."""
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="snappy")
    return buf.getvalue()


def _put(path: Path, table: pa.Table) -> int:
    data = parquet_bytes(table)
    if path.exists() and path.read_bytes() == data:
        return 0
    save_atomically(_Bytes(data), path)
    return 1


class _Bytes:
    """Bytes saved through :func:`~infusion_billing.workbook.output_file.save_atomically`."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def save(self, path: str) -> None:
        Path(path).write_bytes(self.data)


def write_table(store: Path, clinic: str, sheet: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    """One result table, every row, into the store for ``clinic`` (the writer's way out of Excel's row limit).

    Written as :func:`export_store` writes that table (replaced months, or ledger rows appended); the
    manifest lists it. Returns the table's folder for the clinic.
    """
    store = Path(store)
    key = clinic_key(clinic)
    manifest = mf.load(store)
    table = Table(sheet, list(columns), [list(r) for r in rows])
    spec = store_table(sheet, table.columns)
    months = _row_months(table, spec, {sheet: table})
    arrow = arrow_table(table.columns, table.rows, known=mf.known_types(manifest, spec.relation))
    _update_not_final(store, spec, key, arrow, not_final_groups(store, key, spec))
    _write(store, spec, key, arrow, months, set())
    mf.note_table(manifest, spec, arrow.schema)
    entry = manifest["clinics"].setdefault(key, {"name": clinic, "books": [], "deidentified": False})
    entry.setdefault("rows", {})[spec.relation] = row_counts(store, spec.relation, key)
    mf.save(store, manifest)
    return store / spec.relation / f"clinic={key}"
