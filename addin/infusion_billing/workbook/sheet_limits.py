"""Keeping every result sheet within what Excel can open.

Excel refuses a whole workbook when one sheet breaks its limits, so the writer checks them itself:

* a cell holds at most 32,767 characters: longer text (a pasted document, a damaged 835 element) is
  cut, ends with a visible mark, and a ``writer.cell-truncated`` Finding names the first such cell;
* a sheet holds at most 1,048,576 rows: the rows past that (Findings from a million bad rows,
  adjustments from a 100 MB 835) go to a CSV file beside the workbook, and a
  ``writer.rows-to-csv`` Finding names the file;
* characters XML 1.0 forbids (most control characters, U+FFFE/U+FFFF, stray surrogates from a
  file name that was not UTF-8) never reach a sheet: :func:`~.xlsx.ooxml.text_xml` leaves them out.

Source: Microsoft, "Excel specifications and limits" (rows per sheet, characters per cell).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import values as v
from ..display import shown
from ..findings import FINDING_COLUMNS, Finding, Severity
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
        if any(x.__class__ is str and len(x) > limit for x in row):
            row = list(row)
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


def split_overflow(table: OutputTable, sheet: str, target: Path, mode: int, notes: list[Finding],
                   stage: str = "") -> OutputTable:
    """The table as it fits one sheet; the rows past Excel's row limit written to a CSV beside ``target``.

    On the Findings sheet itself the finding saying so is the first row (``stage`` fills its Stage).
    """
    findings_sheet = table.name.casefold() == "findings"
    room = MAX_SHEET_ROWS - 1 - (1 if findings_sheet else 0)  # the header takes a row
    if len(table.rows) <= room:
        return table
    path = overflow_csv_path(target, table.table_name)
    save_atomically(_CsvRows(table.columns, table.rows[room:]), path, mode)
    notes.append(Finding(
        "writer.rows-to-csv", Severity.WARNING,
        f"{table.name} has {len(table.rows):,} rows, more than an Excel sheet holds; the first {room:,} are on the "
        f"sheet {sheet} and the other {len(table.rows) - room:,} are in {shown(path)} beside the workbook.",
        sheet=sheet, source=shown(path), fix=f"Open {shown(path)} for the rest, or run on a smaller period."))
    kept = table.rows[:room]
    if findings_sheet:
        kept = [finding_cells(notes[-1], table.columns, stage), *kept]
    return replace(table, rows=kept)


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
