"""Read a user's workbook into typed rows and located Findings.

The reader accepts any .xlsx/.xlsm a biller made: each input table is an Excel Table of its name
(``Encounters`` or ``tblEncounters``) or else a sheet of that name with headers in row 1. Headers match
case- and space-insensitively, columns may be in any order, extra columns are ignored.

Every bad cell becomes a :class:`~infusion_billing.findings.Finding` with its sheet, Excel row, column
header and A1 cell: wrong types, unknown values, missing required values, duplicate keys, references to
rows that do not exist, formulas with no calculated value, merged header cells, empty rows. A row with
an error is left out of the run and reported; nothing here raises for bad data. The one exception is a
file that is not a workbook at all (a CSV renamed .xlsx, a password-protected or corrupt file): that is
a :class:`WorkbookError` with one sentence the command line prints as it is.

The reader is split by job: :mod:`.grids` opens the file and finds each table's raw cells (streamed
from the sheet's XML by :mod:`.sheetxml`), :mod:`.tables` matches headers to the schema and checks
keys and references, :mod:`.rows` types one row's cells, and :mod:`.book` holds what the stages receive.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ...gcpause import paused_cycle_collector
from ...schema import INPUT_TABLES, TableSpec
from ..ownership import marks_in_file, result_sheet
from .book import BookData, Grid, TableData, WorkbookError, grid_records, value_text
from .grids import WorkbookGrids, check_is_workbook, load_grids, locate_table, match_table_name
from .rows import row_builder
from .tables import read_grids

__all__ = [
    "BookData", "Grid", "TableData", "WorkbookError", "WorkbookGrids", "check_is_workbook", "grid_records",
    "load_grids", "locate_table", "match_table_name", "read_grids", "read_workbook", "row_builder", "value_text",
]


def read_workbook(path: str | Path, tables: Sequence[TableSpec] = INPUT_TABLES) -> BookData:
    """Read every input table from an .xlsx/.xlsm file. Raises only :class:`WorkbookError`."""
    path = Path(path)
    # One bulk read whose typed rows live for the whole run: an automatic collection in the middle of
    # it would walk every row read so far, again and again (the pause ends with the read).
    with paused_cycle_collector():
        book = read_grids(WorkbookGrids(path, [t.name for t in tables]), tables)
    book.path = path
    book.extra_loader = lambda name: load_extra_grid(path, name)
    return book


def load_extra_grid(path: Path, name: str) -> Grid | None:
    """The grid of a table outside the input schema (a ledger, the Findings an earlier run wrote, an
    optional user table), by name.

    A result the tool wrote is read from the sheet the tool owns (found by its mark, see
    :mod:`..ownership`): when a clinic's own sheet called ``Findings`` made an earlier run write to
    ``Findings (2)``, earlier findings come from ``Findings (2)``, and a clinic's own ``Findings`` is
    never read as earlier findings, also on the first run (:func:`..ownership.result_sheet`). A name
    that is not a result the tool writes is read by name as before (a user's ``Adjustment Codes``).
    The tool's sheet is read by its sheet name alone, so a user's Table called ``tblFindings`` on
    another sheet is never taken for it.
    """
    found = marks_in_file(path)
    if found is None:
        return load_grids(path, [name]).get(name)
    cache: dict[str, Grid | None] = {}

    def grid(sheet: str) -> Grid | None:
        if sheet not in cache:
            cache[sheet] = load_grids(path, [sheet], sheets=True).get(sheet)
        return cache[sheet]

    def header_of(sheet: str) -> list:
        got = grid(sheet)
        return got.rows[0] if got is not None and got.rows else []

    marks, sheets = found
    where = result_sheet(marks, sheets, name, header_of)
    if where is None:
        return None
    kind, sheet = where
    return grid(sheet) if kind == "sheet" else load_grids(path, [name]).get(name)
