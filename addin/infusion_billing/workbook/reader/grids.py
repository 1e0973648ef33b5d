"""Opening a file: is it a workbook, and the raw grid of each input table (Excel Table or sheet).

Each table's cells are read straight from its sheet's XML, a few megabytes at a time, with the
cells holding formulas noted in the same pass (:mod:`.sheetxml`): at a clinic-year that is a tenth
of the memory of a cell library's copy. A sheet written in a way that reader does not take apart is
read by python-calamine when it is installed, or openpyxl, the pure-Python fallback (xlwings Lite /
Pyodide), to the same values; their formula cells are then found by streaming the sheet's XML.
"""

from __future__ import annotations

import html
import os
import re
import stat
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from ... import values as v
from ...display import shown
from ...schema import TABLES_BY_NAME
from . import sheetxml
from .book import Grid, WorkbookError
from .bounds import check_package

_T = TypeVar("_T")


#: Files already found whole, by identity (path, inode, size, modification and change times): a run
#: reads its input several times (the tables, earlier results, the writer's copy) and unpacks it to
#: check every part once, not once per read. A file written since has a new change time and is
#: checked again. Only the last few files are remembered.
_CHECKED: dict[tuple, None] = {}
_CHECKED_KEEP = 16


def check_is_workbook(path: Path) -> None:
    """Raise WorkbookError with one clear sentence when ``path`` is not a readable .xlsx/.xlsm.

    Only a regular file is opened (a named pipe or a device would never end); every part is then
    unpacked once to check it is whole and within bounds (:mod:`.bounds`), and not again while the
    file stays as it was.
    """
    name = shown(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise WorkbookError(f"{name}: no such file.") from None
    except OSError as exc:
        raise WorkbookError(f"{name} cannot be opened ({exc.strerror or type(exc).__name__}).") from None
    if stat.S_ISDIR(st.st_mode):
        raise WorkbookError(f"{name} is a folder, not a workbook.")
    if not stat.S_ISREG(st.st_mode):
        raise WorkbookError(f"{name} is not a regular file (a device, pipe or socket); give the path of a saved "
                            "workbook.")
    identity = (os.path.realpath(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    if identity in _CHECKED:
        return
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise WorkbookError(
            f"{name} is password-protected or an old .xls workbook: remove the password "
            "(File > Info > Protect Workbook) or save it as .xlsx, then run again.")
    if not head.startswith(b"PK"):
        raise WorkbookError(f"{name} is not an Excel workbook (.xlsx or .xlsm).{_what_it_is(head)}")
    try:
        with zipfile.ZipFile(path) as z:
            if "xl/workbook.xml" not in z.namelist():
                raise WorkbookError(f"{name} is a zip file but not an Excel workbook.")
            check_package(path, z)
    except zipfile.BadZipFile:
        raise WorkbookError(f"{name} is damaged and cannot be opened; restore it from a backup.") from None
    _CHECKED[identity] = None
    while len(_CHECKED) > _CHECKED_KEEP:
        del _CHECKED[next(iter(_CHECKED))]


def _what_it_is(head: bytes) -> str:
    """A hint for a file that is not a workbook, from its first bytes ("" when there is no good guess)."""
    for magic, what in ((b"%PDF", "a PDF document"), (b"\x89PNG", "a PNG picture"),
                        (b"\xff\xd8\xff", "a JPEG picture"), (b"<?xml", "an XML file"),
                        (b"{\\rtf", "an RTF document"), (b"ISA", "an X12 file (use import-era for 835s)")):
        if head.startswith(magic):
            return f" It is {what}."
    text = head.lstrip(b"\xef\xbb\xbf")
    if text and all(32 <= b < 127 or b in (9, 10, 13) or b >= 128 for b in text[:512]) and \
            any(sep in text for sep in (b",", b";", b"\t")) and b"\n" in text:
        return " It looks like a CSV or text file renamed to .xlsx; open it in Excel and save as .xlsx."
    return ""


def load_grids(path: Path, names: Sequence[str], *, sheets: bool = False) -> dict[str, Grid]:
    """The raw grid of each named table found in the file (absent names are left out).

    With ``sheets`` each name is a sheet's own name (any case), read whole: how the tool reads a sheet
    it owns, so that no Excel Table of the user's (``tblFindings``) stands in for it.
    """
    grids = WorkbookGrids(path, names, sheets=sheets)
    return {name: grids[name] for name in grids}


class WorkbookGrids(Mapping[str, Grid]):
    """The raw grids of the named tables of one workbook file, each read from the file when asked for.

    The file is checked (:func:`check_is_workbook`) and opened once, and where each table is (an Excel
    Table or a sheet) is settled up front. A grid is not kept once handed out, so the typed read
    (:func:`.tables.read_grids`) holds one table's raw cells at a time, not every table's. The cells
    are streamed from the sheet's XML (:mod:`.sheetxml`), equal cells sharing one value: at 100,000
    encounters the Administrations grid is about 100 MB that way, against 700 MB as python-calamine's
    cells and their Python copy. A sheet that reader does not take apart is read by python-calamine
    when it is installed, openpyxl otherwise (``pure_python`` asks for openpyxl alone). With
    ``sheets`` each name is a sheet's own name (:func:`load_grids`).
    """

    def __init__(self, path: Path, names: Sequence[str], *, sheets: bool = False, pure_python: bool = False) -> None:
        check_is_workbook(path)
        self.path = path
        self._cells = _open_cells(path, pure_python)
        self._where = {name: found for name in names
                       if (found := _read_safely(path, self._cells.locate, name, sheets))}
        self._formulas: dict[str, set[tuple[int, int]]] = {}
        self._package = None if pure_python else _open_package(path)

    def __getitem__(self, name: str) -> Grid:
        kind, found = self._where[name]
        grid = self._streamed(kind, found)
        if grid is not None:
            return grid
        grid = _read_safely(self.path, self._cells.grid, kind, found)
        if grid.sheet not in self._formulas:
            self._formulas[grid.sheet] = _formula_cells(self.path, {grid.sheet}).get(grid.sheet, set())
        grid.formulas = self._formulas[grid.sheet]
        return grid

    def _streamed(self, kind: str, found: str) -> Grid | None:
        """The grid read straight from the sheet's XML (:mod:`.sheetxml`), or None when that reader
        does not take this sheet apart for certain (the cell library reads it then, to the same values)."""
        if self._package is None:
            return None
        table = self._package.tables.get(found) if kind == "table" else None
        if kind == "table" and table is None:
            return None
        try:
            with zipfile.ZipFile(self.path) as z:
                return sheetxml.read_grid(z, self._package, table.sheet if table else found, table)
        except (sheetxml.Unsupported, KeyError, ValueError, IndexError, UnicodeDecodeError):
            return None
        except (zipfile.BadZipFile, OSError) as exc:
            raise WorkbookError(f"{shown(self.path)} could not be read ({type(exc).__name__}); open and re-save it "
                                "in Excel.") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


def _open_package(path: Path) -> sheetxml.Package | None:
    """Where the sheets and Tables of the file are, for reading them straight from their XML (None when
    its parts are written in a way :mod:`.sheetxml` does not take apart: the cell library reads it all)."""
    try:
        with zipfile.ZipFile(path) as z:
            return sheetxml.open_package(z)
    except Exception:  # noqa: BLE001 - any surprise in the parts: the cell library reads the file as before
        return None


def _read_safely(path: Path, read: Callable[..., _T], *args: Any) -> _T:
    """``read(*args)``, with a library choking on a damaged part turned into one clear sentence."""
    try:
        return read(*args)
    except WorkbookError:
        raise
    except Exception as exc:  # a library choking on a damaged part: one clear sentence, no traceback
        raise WorkbookError(
            f"{shown(path)} could not be read ({type(exc).__name__}); open and re-save it in Excel.") from None


def _open_cells(path: Path, pure_python: bool) -> _CalamineCells | _OpenpyxlCells:
    if not pure_python:
        try:
            import python_calamine  # noqa: F401, PLC0415 - optional (the "fast" extra); absent in Pyodide
        except ImportError:
            pass
        else:
            return _read_safely(path, _CalamineCells, path)
    return _read_safely(path, _OpenpyxlCells, path)


def match_table_name(names: Iterable[str], wanted: str) -> str | None:
    """The first of ``names`` that is ``wanted`` or ``tblWanted``, leniently."""
    keys = {v.norm_key(wanted), v.norm_key("tbl" + wanted)}
    return next((n for n in names if v.norm_key(n) in keys), None)


def _locate(table_names: Iterable[str], sheet_names: Iterable[str], wanted: str,
            sheets: bool) -> tuple[str, str] | None:
    if sheets:
        found = next((n for n in sheet_names if n.casefold() == wanted.casefold()), None)
        return ("sheet", found) if found is not None else None
    return locate_table(table_names, sheet_names, wanted)


def locate_table(table_names: Iterable[str], sheet_names: Iterable[str], wanted: str) -> tuple[str, str] | None:
    """Where an input table is: ``("table", name)`` for an Excel Table, ``("sheet", name)`` for a sheet.

    The table's own name wins (an Excel Table, then a sheet); then the names practices give it, in the
    schema's order (``Visits``, ``Encounter Log`` ... for Encounters), again Tables before sheets.
    """
    tables, sheets = list(table_names), list(sheet_names)
    spec = TABLES_BY_NAME.get(wanted)
    for name in (wanted, *(spec.synonyms if spec else ())):
        for kind, names in (("table", tables), ("sheet", sheets)):
            found = match_table_name(names, name)
            if found:
                return kind, found
    return None


class _CalamineCells:
    """A workbook's cells by python-calamine (fast): its Tables and sheets, one grid at a time."""

    def __init__(self, path: Path) -> None:
        import python_calamine as pc  # noqa: PLC0415 - optional (the "fast" extra); absent in Pyodide

        def open_book(**kw):
            try:
                os.fsdecode(path).encode("utf-8")
            except UnicodeEncodeError:  # a file name that is not UTF-8: calamine takes the bytes instead
                with open(path, "rb") as fh:
                    return pc.CalamineWorkbook.from_filelike(fh, **kw)
            return pc.CalamineWorkbook.from_path(str(path), **kw)

        try:
            self.wb = open_book(load_tables=True)
            self.table_names = list(self.wb.table_names)
        except Exception:
            self.wb = open_book()
            self.table_names = []

    def locate(self, wanted: str, sheets: bool) -> tuple[str, str] | None:
        return _locate(self.table_names, self.wb.sheet_names, wanted, sheets)

    def grid(self, kind: str, found: str) -> Grid:
        if kind == "table":
            # The table object carries its own cells: one parse of the sheet, not two. Excel never
            # lets cells inside a Table be merged, so there is no merged-header check to make here.
            t = self.wb.get_table_by_name(found)
            (r0, c0), (_, c1) = t.start, t.end
            header = list(t.columns)
            if len(header) != c1 - c0 + 1 or any(v.is_blank(h) for h in header):
                # A table part without column names (some generators write them): use the header cells.
                sheet_rows = self.wb.get_sheet_by_name(t.sheet).to_python(skip_empty_area=False)
                header = list(sheet_rows[r0 - 1][c0:c1 + 1])
            rows = t.to_python()  # a fresh list of row lists: the grid takes it as it is
            rows.insert(0, header)
            # calamine's start is the first data row (0-based), which is the header's Excel row number.
            return Grid(t.sheet, rows, top=r0, left=c0 + 1, table_name=found)
        sheet = self.wb.get_sheet_by_name(found)
        return Grid(found, sheet.to_python(skip_empty_area=False), merged=_merged(sheet))


def _merged(sheet) -> list:
    try:
        return [((a + 1, b + 1), (c + 1, d + 1)) for (a, b), (c, d) in (sheet.merged_cell_ranges or [])]
    except Exception:
        return []


class _OpenpyxlCells:
    """The fallback without python-calamine (e.g. in Pyodide): slower, same grids."""

    def __init__(self, path: Path) -> None:
        # Only this fallback reads with openpyxl: importing it costs 0.2 s that a run with calamine never pays.
        import openpyxl  # noqa: PLC0415 - see above

        self.wb = openpyxl.load_workbook(path, data_only=True)
        self.tables = {t: (ws, ws.tables[t]) for ws in self.wb.worksheets for t in ws.tables}

    def locate(self, wanted: str, sheets: bool) -> tuple[str, str] | None:
        return _locate(self.tables, self.wb.sheetnames, wanted, sheets)

    def grid(self, kind: str, found: str) -> Grid:
        from openpyxl.utils.cell import range_boundaries  # noqa: PLC0415 - see above

        if kind == "table":
            ws, t = self.tables[found]
            c0, r0, c1, r1 = range_boundaries(t.ref)
            rows = [[c.value for c in r] for r in ws.iter_rows(min_row=r0, max_row=r1, min_col=c0, max_col=c1)]
            merged = [((m.min_row, m.min_col), (m.max_row, m.max_col)) for m in ws.merged_cells.ranges]
            # a whole-column ref (A:C) has no first row: it starts at row 1
            return Grid(ws.title, rows, top=r0 or 1, left=c0 or 1, merged=merged, table_name=found)
        ws = self.wb[found]
        merged = [((m.min_row, m.min_col), (m.max_row, m.max_col)) for m in ws.merged_cells.ranges]
        return Grid(found, [list(r) for r in ws.iter_rows(values_only=True)], merged=merged)


_SHEET_ENTRY = re.compile(rb'<sheet\b[^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"')
_REL_ENTRY = re.compile(rb'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"')
_REL_ENTRY_REV = re.compile(rb'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"')


def _formula_cells(path: Path, sheets: set[str]) -> dict[str, set[tuple[int, int]]]:
    """Cells holding a formula, for the named sheets only, found by streaming each sheet's XML.

    A 100,000-encounter Administrations sheet is hundreds of MB of XML: it is scanned in chunks,
    never held whole, and sheets no table lives on are not read at all.
    """
    out: dict[str, set[tuple[int, int]]] = {}
    try:
        with zipfile.ZipFile(path) as z:
            wb_xml = z.read("xl/workbook.xml")
            rels_xml = z.read("xl/_rels/workbook.xml.rels")
            rels = {i.decode(): t.decode() for i, t in _REL_ENTRY.findall(rels_xml)}
            rels.update({i.decode(): t.decode() for t, i in _REL_ENTRY_REV.findall(rels_xml)})
            for name, rid in _SHEET_ENTRY.findall(wb_xml):
                sheet = html.unescape(name.decode())
                if sheet not in sheets:
                    continue
                target = rels.get(rid.decode(), "")
                part = target.lstrip("/") if target.startswith("/") else "xl/" + target
                try:
                    cells = _scan_formulas(z, part)
                except KeyError:
                    continue
                if cells:
                    out[sheet] = cells
    except Exception:
        return out
    return out


def _scan_formulas(z: zipfile.ZipFile, part: str) -> set[tuple[int, int]]:
    cells: set[tuple[int, int]] = set()
    for piece in sheetxml.stream(z, part):  # pieces end at a row's end: no cell is cut in two
        if b"<f" in piece:
            cells.update((int(row), sheetxml.col_number(col.decode()))
                         for col, row in sheetxml.FORMULA_CELL.findall(piece))
    return cells
