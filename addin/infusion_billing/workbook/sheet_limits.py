"""Keeping every result sheet within what Excel can open.

Excel refuses a whole workbook when one sheet breaks its limits, so the writer checks them itself:

* a cell holds at most 32,767 characters: longer text (a pasted document, a damaged 835 element) is
  cut, ends with a visible mark, and a ``writer.cell-truncated`` Finding names the first such cell;
* a sheet holds at most 1,048,576 rows: a longer table (a year of charges past 290,000 encounters,
  adjustments from a 100 MB 835) goes in full to the practice's store (the Store Folder setting; a
  ``store.rows-to-store`` Finding names the folder) or else to a CSV file beside the workbook (a
  ``writer.rows-to-csv`` Finding names the file), and the sheet keeps the latest months;
* characters XML 1.0 forbids (most control characters, U+FFFE/U+FFFF, stray surrogates from a
  file name that was not UTF-8) never reach a sheet: :func:`~.xlsx.ooxml.text_xml` leaves them out.

Source: Microsoft, "Excel specifications and limits" (rows per sheet, characters per cell).
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import values as v
from ..display import shown
from ..findings import FINDING_COLUMNS, Finding, Severity
from ..rules import store as store_rules
from ..rules import writer as writer_rules
from .output_file import save_atomically

if TYPE_CHECKING:
    from .writer import OutputTable

#: Excel's limits (worksheet rows, characters in one cell).
MAX_SHEET_ROWS = 1_048_576
MAX_CELL_CHARS = 32_767
#: What a cut cell ends with, so nobody takes the shortened text for the whole.
CUT_MARK = " [... cut: longer than an Excel cell holds]"


def fit_cells(table: OutputTable, sheet: str, notes: list[Finding]) -> Iterator[list[Any]]:
    """The table's rows with text over Excel's cell limit cut; one Finding names the first such cell."""
    cut = 0
    first = ""
    limit = MAX_CELL_CHARS
    for r, row in enumerate(table.rows, start=2):
        # A plain loop, not any() over a generator: this looks at every cell the run writes.
        for x in row:
            if x.__class__ is str and len(x) > limit:
                break
        else:
            yield row
            continue
        row = list(row)  # a cell too long for Excel: cut on a copy, the table stays as it is
        for i, x in enumerate(row):
            if x.__class__ is str and len(x) > limit:
                row[i] = x[:limit - len(CUT_MARK)] + CUT_MARK
                cut += 1
                first = first or f"{v.excel_column_letter(i + 1)}{r}"
        yield row
    if cut:
        notes.append(Finding(
            "writer.cell-truncated", Severity.WARNING,
            f"{cut} cell(s) on {sheet} held more than {MAX_CELL_CHARS:,} characters, which Excel cannot show; "
            f"they were cut and end with '{CUT_MARK.strip()}', the first at {first}.",
            sheet=sheet, cell=first, fix="Look at the source of that text (the input cell or the 835 file)."))


def with_notes(table: OutputTable, notes: list[Finding], stage: str = "") -> OutputTable:
    """The Findings table with the writer's own findings (``notes``) as its first rows, whatever its
    columns (a Finding's own, by header; ``Stage`` gets ``stage``)."""
    if not notes:
        return table
    return replace(table, rows=[finding_cells(f, table.columns, stage) for f in notes] + list(table.rows))


def finding_cells(finding: Finding, columns: list[str], stage: str = "") -> list[Any]:
    """``finding`` as a row of a Findings table with ``columns``."""
    by_header = dict(FINDING_COLUMNS)
    row: list[Any] = []
    for header in columns:
        value = stage if header == "Stage" else getattr(finding, by_header[header], None) if header in by_header \
            else None
        row.append(value.value if isinstance(value, Severity) else value)
    return row


def overflow_csv_path(target: Path, table_name: str) -> Path:
    """``Clinic.billing.xlsx`` + EraAdjustments -> ``Clinic.billing.EraAdjustments.csv`` beside it."""
    return target.with_name(f"{target.stem}.{table_name}.csv")


@dataclass(frozen=True)
class Overflow:
    """Where a table too long for a sheet goes in full: the practice's store (``store``, as ``clinic``),
    else a CSV file beside the workbook.

    ``write`` puts the whole table into the store (``write(store, clinic, sheet, columns, rows)`` -> the
    table's folder for the clinic: :func:`infusion_billing.store.export.write_table`); None when the
    store's optional dependency (pyarrow) is not installed.
    """

    store: Path | None = None
    clinic: str = ""
    write: Callable[[Path, str, str, list[str], Sequence[list[Any]]], Path] | None = None


def split_overflow(table: OutputTable, sheet: str, target: Path, mode: int, notes: list[Finding],
                   stage: str = "", overflow: Overflow | None = None) -> OutputTable:
    """The table as it fits one sheet; the whole table, every row, in the store or a CSV beside ``target``.

    The sheet keeps the latest months (by the table's date of service, or its one date column) that fit
    whole, so the month being worked is on the sheet; a table without dates keeps its first rows (the
    Findings sheet lists the worst first). A finding says where the rest is; on the Findings sheet
    itself it is the first row (``stage`` fills its Stage).
    """
    findings_sheet = table.name.casefold() == "findings"
    room = MAX_SHEET_ROWS - 1 - (1 if findings_sheet else 0)  # the header takes a row
    if len(table.rows) <= room:
        return table
    kept, months = latest_rows(table, room)
    shown_months = f"{months[0]} to {months[-1]}" if len(months) > 1 else months[0] if months else ""
    keeps = (f"the sheet {sheet} keeps the latest months ({shown_months}, {len(kept):,} rows)" if months
             else f"the sheet {sheet} keeps the first {len(kept):,}")
    where = _to_store(table, overflow, notes, sheet) if overflow is not None and overflow.store else None
    if where is not None:
        place = f"{shown(where.parents[1])}/{where.parent.name}/{where.name}"  # store/relation/clinic=X
        notes.append(store_rules.ROWS_TO_STORE.finding(
            f"{table.name} has {len(table.rows):,} rows, more than an Excel sheet holds; all of them are in the store "
            f"at {place} and {keeps}.", sheet=sheet, source=place))
    else:
        path = overflow_csv_path(target, table.table_name)
        save_atomically(_CsvRows(table.columns, table.rows), path, mode)
        notes.append(writer_rules.ROWS_TO_CSV.finding(
            f"{table.name} has {len(table.rows):,} rows, more than an Excel sheet holds; all of them are in "
            f"{shown(path)} beside the workbook and {keeps}.",
            sheet=sheet, source=shown(path), fix=f"Open {shown(path)} for the rest, or run on a smaller period."))
    if findings_sheet:
        kept = [finding_cells(notes[-1], table.columns, stage), *kept]
    return replace(table, rows=kept)


def latest_rows(table: OutputTable, room: int) -> tuple[list[list[Any]], list[str]]:
    """At most ``room`` rows of ``table``, in their order: its latest whole months when it has a date of
    service (or one date column), else its first rows. Returns the rows and the months kept, oldest first."""
    at = _date_column(table)
    if at is None:
        return list(table.rows[:room]), []
    month_of = [_month(row[at] if at < len(row) else None) for row in table.rows]
    sizes = Counter(month_of)
    chosen: set[str] = set()
    used = 0
    for month in sorted((m for m in sizes if m), reverse=True):
        if used + sizes[month] > room:
            break
        chosen.add(month)
        used += sizes[month]
    if not chosen:  # the latest month alone is longer than a sheet: its latest days
        latest = max(m for m in sizes if m)
        order = sorted((i for i, m in enumerate(month_of) if m == latest),
                       key=lambda i: _day(table.rows[i][at]), reverse=True)[:room]
        keep = set(order)
        return [row for i, row in enumerate(table.rows) if i in keep], [latest]
    return [row for row, m in zip(table.rows, month_of, strict=True) if m in chosen], sorted(chosen)


def _date_column(table: OutputTable) -> int | None:
    """The column whose month a row belongs to: Date of Service, else the table's only date column."""
    if "Date of Service" in table.columns:
        return table.columns.index("Date of Service")
    sample = table.rows[:50]
    dated = [i for i in range(len(table.columns))
             if any(isinstance(row[i] if i < len(row) else None, date) for row in sample)]
    return dated[0] if len(dated) == 1 else None


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.min


def _month(value: Any) -> str:
    day = _day(value)
    return "" if day == date.min else f"{day.year:04d}-{day.month:02d}"


def _to_store(table: OutputTable, overflow: Overflow, notes: list[Finding], sheet: str) -> Path | None:
    """Write the whole table into the store; the folder it went to, or None (a finding says why)."""
    assert overflow.store is not None
    if overflow.write is None:
        notes.append(store_rules.STORE_UNAVAILABLE.finding(
            f"The Store Folder is set, but pyarrow is not installed, so {table.name} went to a CSV instead.",
            sheet=sheet))
        return None
    try:
        return overflow.write(overflow.store, overflow.clinic, table.name, table.columns, table.rows)
    except (OSError, ValueError) as exc:
        notes.append(store_rules.STORE_UNAVAILABLE.finding(
            f"The store at {shown(overflow.store)} could not be written ({type(exc).__name__}), so {table.name} "
            "went to a CSV instead.", sheet=sheet))
        return None


class _CsvRows:
    """Rows saved as a CSV file (UTF-8 with a byte-order mark, which Excel needs to read it as UTF-8)."""

    def __init__(self, columns: list[str], rows: Iterable[list[Any]]):
        self.columns, self.rows = columns, rows

    def save(self, path: str) -> None:
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(self.columns)
            for row in self.rows:
                out.writerow([_csv_cell(x) for x in row])


def _csv_cell(value: Any) -> Any:
    """A cell for the CSV: text that Excel would take for a formula gets a leading apostrophe."""
    if value is None:
        return ""
    text = str(value.value if hasattr(value, "value") and not isinstance(value, str) else value)
    if isinstance(value, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text
