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
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from .. import values as v
from ..findings import Finding, Severity
from ..schema import INPUT_TABLES, TABLES_BY_NAME, Drug, SheetRow, TableSpec
from ..settings import Settings, spec_for

# ----------------------------------------------------------------------------- raw grids


class WorkbookError(Exception):
    """A file that cannot be read as a workbook at all. ``str(error)`` is one sentence for the user."""


@dataclass
class Grid:
    """A rectangle of cell values as the user sees it: header row first.

    Attributes:
        sheet: sheet name.
        rows: cell values, header row first ("" or None for an empty cell).
        top: Excel row number of the header row.
        left: Excel column number (1 = A) of the first column.
        formulas: (excel_row, excel_col) of cells holding a formula.
        merged: merged ranges as ((row, col), (row, col)) Excel numbers, inclusive.
        table_name: the Excel Table the grid came from, if any.
    """

    sheet: str
    rows: list[list[Any]]
    top: int = 1
    left: int = 1
    formulas: set[tuple[int, int]] = field(default_factory=set)
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    table_name: str = ""


# ----------------------------------------------------------------------------- typed result


@dataclass
class TableData:
    """One input table after reading: its valid rows and where every column sits in Excel."""

    spec: TableSpec
    sheet: str = ""
    rows: list[SheetRow] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # header -> column letter
    keys_seen: set[tuple] = field(default_factory=set)  # keys of every row, valid or not
    present: bool = False
    usable: bool = False

    def cell(self, excel_row: int | None, header: str) -> str:
        """A1 address of ``header`` on ``excel_row`` ("" when the column or row is unknown)."""
        letter = self.columns.get(header, "")
        return f"{letter}{excel_row}" if letter and excel_row else ""


@dataclass
class BookData:
    """Everything read from one workbook: typed tables, settings, and the reader's Findings."""

    tables: dict[str, TableData]
    findings: list[Finding]
    settings: Settings
    path: Path | None = None
    _drugs: dict[str, Drug] | None = None
    #: Results derived from this read that several stages use (the coding engine's claim lines feed
    #: the checks' authorization burn-down): computed once per run, keyed by name.
    memo: dict[str, Any] = field(default_factory=dict)

    def table(self, name: str) -> TableData:
        return self.tables[name]

    def rows(self, name: str) -> list:
        """The valid rows of a table (empty when the table is absent or unusable)."""
        return self.tables[name].rows

    def has(self, name: str) -> bool:
        return self.tables[name].usable

    def finding(
        self,
        rule_id: str,
        severity: Severity,
        message: str,
        *,
        table: str = "",
        row: SheetRow | int | None = None,
        column: str = "",
        value: Any = "",
        encounter_id: str = "",
        fix: str = "",
    ) -> Finding:
        """A Finding located on ``table``/``row``/``column`` (row: a row model or an Excel row number)."""
        data = self.tables.get(table)
        excel_row = row.excel_row if isinstance(row, SheetRow) else row
        sheet = data.sheet if data and data.sheet else table
        cell = data.cell(excel_row, column) if data else ""
        if data and column:
            try:
                if data.spec.column(column).phi:
                    value = ""
            except KeyError:
                pass
        return Finding(rule_id, severity, message, sheet=sheet, row=excel_row, column=column, cell=cell,
                       value=_value_text(value), encounter_id=encounter_id, fix=fix)

    def require(self, stage: str, names: Iterable[str]) -> list[Finding]:
        """One Finding for each table ``stage`` needs that the workbook lacks (the stage runs what it can)."""
        out = []
        for name in names:
            data = self.tables[name]
            if not data.usable:
                why = "has missing required columns" if data.present else "was not found"
                out.append(Finding(
                    "reader.table-missing", Severity.ERROR,
                    f"{stage} needs the {name} table, which {why}.", sheet=name,
                    fix=f"Add an Excel Table or sheet named {name} with the columns on the Instructions sheet."))
        return out

    @property
    def drugs(self) -> dict[str, Drug]:
        """Built-in drug table overridden row by row by the workbook's own Drugs table, by HCPCS."""
        if self._drugs is None:
            from ..reference.catalog import builtin_drugs

            merged = dict(builtin_drugs())
            merged.update({d.hcpcs: d for d in self.rows("Drugs")})
            self._drugs = merged
        return self._drugs


def _value_text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value.value if hasattr(value, "value") and not isinstance(value, str) else value)
    return text if len(text) <= 120 else text[:117] + "..."


# ----------------------------------------------------------------------------- opening files


def read_workbook(path: str | Path, tables: Sequence[TableSpec] = INPUT_TABLES) -> BookData:
    """Read every input table from an .xlsx/.xlsm file. Raises only :class:`WorkbookError`."""
    path = Path(path)
    grids = load_grids(path, [t.name for t in tables])
    book = read_grids(grids, tables)
    book.path = path
    return book


def check_is_workbook(path: Path) -> None:
    """Raise WorkbookError with one clear sentence when ``path`` is not a readable .xlsx/.xlsm."""
    if not path.exists():
        raise WorkbookError(f"{path.name}: no such file.")
    if path.is_dir():
        raise WorkbookError(f"{path.name} is a folder, not a workbook.")
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise WorkbookError(
            f"{path.name} is password-protected or an old .xls workbook: remove the password "
            "(File > Info > Protect Workbook) or save it as .xlsx, then run again.")
    if not head.startswith(b"PK"):
        hint = " It looks like a CSV or text file renamed to .xlsx; open it in Excel and save as .xlsx." \
            if all(32 <= b < 127 or b in (9, 10, 13) for b in head) and head else ""
        raise WorkbookError(f"{path.name} is not an Excel workbook (.xlsx or .xlsm).{hint}")
    try:
        with zipfile.ZipFile(path) as z:
            if "xl/workbook.xml" not in z.namelist():
                raise WorkbookError(f"{path.name} is a zip file but not an Excel workbook.")
            bad = z.testzip()
            if bad:
                raise WorkbookError(f"{path.name} is damaged (part {bad} is corrupt); restore it from a backup.")
    except zipfile.BadZipFile:
        raise WorkbookError(f"{path.name} is damaged and cannot be opened; restore it from a backup.") from None


def load_grids(path: Path, names: Sequence[str]) -> dict[str, Grid]:
    """The raw grid of each named table found in the file (absent names are left out)."""
    check_is_workbook(path)
    try:
        return _load_grids_calamine(path, names)
    except ImportError:
        return _load_grids_openpyxl(path, names)
    except WorkbookError:
        raise
    except Exception as exc:  # a library choking on a damaged part: one clear sentence, no traceback
        raise WorkbookError(f"{path.name} could not be read ({type(exc).__name__}); open and re-save it in Excel.") from None


def match_table_name(names: Iterable[str], wanted: str) -> str | None:
    """The first of ``names`` that is ``wanted`` or ``tblWanted``, leniently."""
    keys = {v.norm_key(wanted), v.norm_key("tbl" + wanted)}
    return next((n for n in names if v.norm_key(n) in keys), None)


def _load_grids_calamine(path: Path, names: Sequence[str]) -> dict[str, Grid]:
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(str(path), load_tables=True)
        table_names = list(wb.table_names)
    except Exception:
        wb = pc.CalamineWorkbook.from_path(str(path))
        table_names = []
    sheets: dict[str, Any] = {}

    def sheet(name: str):
        if name not in sheets:
            sheets[name] = wb.get_sheet_by_name(name)
        return sheets[name]

    grids: dict[str, Grid] = {}
    for wanted in names:
        tname = match_table_name(table_names, wanted)
        if tname:
            # The table object carries its own cells: one parse of the sheet, not two. Excel never
            # lets cells inside a Table be merged, so there is no merged-header check to make here.
            t = wb.get_table_by_name(tname)
            (r0, c0), (r1, c1) = t.start, t.end
            header = list(t.columns)
            if len(header) != c1 - c0 + 1 or any(v.is_blank(h) for h in header):
                # A table part without column names (some generators write them): use the header cells.
                header = list(sheet(t.sheet).to_python(skip_empty_area=False)[r0 - 1][c0:c1 + 1])
            rows = [header] + [list(r) for r in t.to_python()]
            # calamine's start is the first data row (0-based), which is the header's Excel row number.
            grids[wanted] = Grid(t.sheet, rows, top=r0, left=c0 + 1,
                                 table_name=tname)
            continue
        sname = match_table_name(wb.sheet_names, wanted)
        if sname:
            sh = sheet(sname)
            rows = [list(r) for r in sh.to_python(skip_empty_area=False)]
            grids[wanted] = Grid(sname, rows, merged=_merged(sh))
    return _attach_formulas(path, grids)


def _merged(sheet) -> list:
    try:
        return [((a + 1, b + 1), (c + 1, d + 1)) for (a, b), (c, d) in (sheet.merged_cell_ranges or [])]
    except Exception:
        return []


def _load_grids_openpyxl(path: Path, names: Sequence[str]) -> dict[str, Grid]:
    """Fallback without python-calamine (e.g. in Pyodide): slower, same result."""
    import openpyxl
    from openpyxl.utils.cell import range_boundaries

    wb = openpyxl.load_workbook(path, data_only=True)
    grids: dict[str, Grid] = {}
    tables = {t: (ws, ws.tables[t]) for ws in wb.worksheets for t in ws.tables}
    for wanted in names:
        tname = match_table_name(tables, wanted)
        if tname:
            ws, t = tables[tname]
            c0, r0, c1, r1 = range_boundaries(t.ref)
            rows = [[c.value for c in r] for r in ws.iter_rows(min_row=r0, max_row=r1, min_col=c0, max_col=c1)]
            merged = [((m.min_row, m.min_col), (m.max_row, m.max_col)) for m in ws.merged_cells.ranges]
            grids[wanted] = Grid(ws.title, rows, top=r0, left=c0, merged=merged, table_name=tname)
            continue
        sname = match_table_name(wb.sheetnames, wanted)
        if sname:
            ws = wb[sname]
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            merged = [((m.min_row, m.min_col), (m.max_row, m.max_col)) for m in ws.merged_cells.ranges]
            grids[wanted] = Grid(sname, rows, merged=merged)
    return _attach_formulas(path, grids)


_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+)([0-9]+)"[^>]*?(?<!/)><f[ >/]')
_SHEET_ENTRY = re.compile(rb'<sheet\b[^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"')
_REL_ENTRY = re.compile(rb'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"')
_REL_ENTRY_REV = re.compile(rb'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"')


def _attach_formulas(path: Path, grids: dict[str, Grid]) -> dict[str, Grid]:
    """Mark the formula cells of the sheets the grids came from (cell readers only see values)."""
    found = _formula_cells(path, {g.sheet for g in grids.values()})
    for grid in grids.values():
        grid.formulas = found.get(grid.sheet, set())
    return grids


def _formula_cells(path: Path, sheets: set[str]) -> dict[str, set[tuple[int, int]]]:
    """Cells holding a formula, for the named sheets only, found by streaming each sheet's XML.

    A 100,000-encounter Administrations sheet is hundreds of MB of XML: it is scanned in chunks,
    never held whole, and sheets no table lives on are not read at all.
    """
    import html

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


def _scan_formulas(z: zipfile.ZipFile, part: str, chunk: int = 1 << 22) -> set[tuple[int, int]]:
    cells: set[tuple[int, int]] = set()
    tail = b""
    with z.open(part) as fh:
        while True:
            block = fh.read(chunk)
            if not block:
                break
            data = tail + block
            if b"<f" in data:
                cells.update((int(row), _col_number(col.decode())) for col, row in _FORMULA_CELL.findall(data))
            tail = data[-512:]  # a cell tag cut by the chunk boundary is whole in the next scan
    return cells


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


# ----------------------------------------------------------------------------- parsing grids


def read_grids(grids: dict[str, Grid], tables: Sequence[TableSpec] = INPUT_TABLES) -> BookData:
    """Turn raw grids (from a file, from xlwings, or from a test) into typed tables and Findings."""
    findings: list[Finding] = []
    data: dict[str, TableData] = {}
    for spec in INPUT_TABLES:
        data[spec.name] = TableData(spec)
    for spec in tables:
        grid = grids.get(spec.name)
        if grid is None:
            continue
        table = _parse_grid(spec, grid, findings)
        data[spec.name] = table

    settings = Settings()
    if data["Settings"].usable:
        settings = _settings_from_rows(data["Settings"], findings)

    _check_references(data, findings)
    return BookData(tables=data, findings=findings, settings=settings)


def _parse_grid(spec: TableSpec, grid: Grid, findings: list[Finding]) -> TableData:
    table = TableData(spec, sheet=grid.sheet, present=True)
    if not grid.rows:
        findings.append(Finding("reader.missing-column", Severity.ERROR,
                                f"The {spec.name} table has no header row.", sheet=grid.sheet, row=grid.top,
                                fix="Put the column headers in the first row of the table."))
        return table
    header_row = grid.rows[0]
    by_key = {v.norm_key(c.header): c for c in spec.columns}
    col_index: dict[str, int] = {}

    for (r0, c0), (r1, c1) in grid.merged:
        if r0 <= grid.top <= r1 and c1 > c0:
            cell = f"{v.excel_column_letter(c0)}{grid.top}"
            findings.append(Finding("reader.merged-header", Severity.ERROR,
                                    f"Header cells {cell}:{v.excel_column_letter(c1)}{r1} are merged; "
                                    "each column needs its own header.", sheet=grid.sheet, row=grid.top, cell=cell,
                                    fix="Unmerge the header cells and type one header per column."))

    for i, raw in enumerate(header_row):
        excel_col = grid.left + i
        letter = v.excel_column_letter(excel_col)
        if v.is_blank(raw):
            continue
        header_text = str(raw).strip()
        colspec = by_key.get(v.norm_key(header_text))
        if colspec is None:
            findings.append(Finding("reader.extra-column", Severity.INFO,
                                    f"Column '{header_text}' is not used by infusion-billing; it was left as it is.",
                                    sheet=grid.sheet, row=grid.top, column=header_text, cell=f"{letter}{grid.top}"))
            continue
        if colspec.header in col_index:
            findings.append(Finding("reader.duplicate-column", Severity.WARNING,
                                    f"Column '{colspec.header}' appears twice; the first one is used.",
                                    sheet=grid.sheet, row=grid.top, column=colspec.header, cell=f"{letter}{grid.top}"))
            continue
        col_index[colspec.header] = i
        table.columns[colspec.header] = letter

    missing_required = [c for c in spec.columns if c.required and c.header not in col_index]
    for c in spec.columns:
        if c.header in col_index:
            continue
        if c.required:
            findings.append(Finding("reader.missing-column", Severity.ERROR,
                                    f"The {spec.name} table has no '{c.header}' column, which is required.",
                                    sheet=grid.sheet, row=grid.top, column=c.header,
                                    fix=f"Add a column headed '{c.header}'."))
    if missing_required:
        return table
    table.usable = True

    key_headers = spec.key
    key_rows: dict[tuple, int] = {}
    columns = [(c, col_index[c.header]) for c in spec.columns if c.header in col_index]
    blank_run: list[int] = []
    build_row = row_builder(spec)
    formulas = grid.formulas
    pairs = [(c.header, i) for c, i in columns]
    for offset, values in enumerate(grid.rows[1:], start=1):
        excel_row = grid.top + offset
        record: dict[str, Any] = {}
        width = len(values)
        # The hot loop of a 100,000-row read: plain comparisons instead of helper calls.
        for header, i in pairs:
            raw = values[i] if i < width else None
            if raw is None or raw == "":
                continue
            if raw.__class__ is str:
                raw = raw.strip()
                if not raw:
                    continue
            record[header] = raw
        formula_notes: list[tuple[str, Any]] = []
        if formulas:
            formula_notes = [(h, values[i] if i < width else None) for h, i in pairs
                             if (excel_row, grid.left + i) in formulas]
        if not record and not any(not v.is_blank(x) for x in values):
            blank_run.append(excel_row)
            continue
        for blank in blank_run:
            findings.append(Finding("reader.empty-row", Severity.INFO,
                                    f"Row {blank} of {spec.name} is empty; it was skipped.",
                                    sheet=grid.sheet, row=blank))
        blank_run = []
        for header, raw in formula_notes:
            cell = table.cell(excel_row, header)
            if v.is_blank(raw):
                findings.append(Finding("reader.formula-no-value", Severity.WARNING,
                                        f"{header} holds a formula with no calculated value; it was read as blank.",
                                        sheet=grid.sheet, row=excel_row, column=header, cell=cell,
                                        fix="Open the workbook in Excel, let it calculate, save, and run again; "
                                            "or type the value."))
            else:
                findings.append(Finding("reader.formula-value-used", Severity.INFO,
                                        f"{header} holds a formula; its last calculated value was used.",
                                        sheet=grid.sheet, row=excel_row, column=header, cell=cell,
                                        value=_value_text(raw)))
        key = tuple(_key_part(record.get(h)) for h in key_headers)
        if key_headers and any(k for k in key):
            table.keys_seen.add(key)
        row, errors = build_row(record, excel_row)
        if errors:
            for e in errors:
                findings.append(_cell_finding(spec, table, excel_row, e, record))
            continue
        if key_headers and all(k is not None for k in key[:1]):
            first = key_rows.get(key)
            if first is not None:
                shown = ", ".join(str(k) for k in key if k)
                findings.append(Finding("reader.duplicate-key", Severity.ERROR,
                                        f"{' + '.join(key_headers)} '{shown}' is already used on row {first}; "
                                        "this row was left out.", sheet=grid.sheet, row=excel_row,
                                        column=key_headers[0], cell=table.cell(excel_row, key_headers[0]),
                                        value=shown, fix="Give each row its own ID, or delete the duplicate.",
                                        encounter_id=_encounter_of(record)))
                continue
            key_rows[key] = excel_row
        table.rows.append(row)
    return table


def row_builder(spec: TableSpec):
    """A function ``(record, excel_row) -> (row model | None, errors)`` for one table's rows.

    Each cell goes through the column's own coercer (the one its Annotated type declares) and Choice
    enum, exactly what pydantic would call, but remembered per distinct raw value: a month's
    administrations repeat the same routes, units, codes and clock times thousands of times, and
    this is what keeps a 100,000-row read within seconds. Models with cross-field validators (Payer's
    type-dependent defaults) still go through ``model_validate``.
    """
    model = spec.model
    if model.__pydantic_decorators__.model_validators:
        def validate(record: dict, excel_row: int):
            try:
                return model.model_validate({**record, "__row__": excel_row}), []
            except ValidationError as err:
                return None, err.errors()
        return validate

    columns = [(c.header, c.field, c.convert, c.choice, c.required) for c in spec.columns]
    caches: dict[str, dict] = {c.header: {} for c in spec.columns}
    construct = _constructor(model)

    def build(record: dict, excel_row: int):
        fields: dict[str, Any] = {"excel_row": excel_row}
        errors = []
        for header, name, convert, choice, required in columns:
            raw = record.get(header)
            if raw is None:
                if required:
                    errors.append({"type": "missing", "loc": (header,), "msg": "Field required"})
                continue
            cache = caches[header]
            key = (raw.__class__, raw)
            try:
                value = cache[key]
            except KeyError:
                value = cache[key] = _convert_cell(raw, convert, choice)
            except TypeError:  # an unhashable cell value (never from a file): convert it directly
                value = _convert_cell(raw, convert, choice)
            if value.__class__ is _CellProblem:
                errors.append({"type": value.kind, "loc": (header,), "msg": value.message})
            else:
                fields[name] = value
        if errors:
            return None, errors
        return construct(fields), []

    return build


def _constructor(model):
    """Build a row model from already-converted field values, as ``model_construct`` does.

    ``model_construct`` walks every field's aliases on every call, which costs more than reading the
    cells; the row models have plain defaults and no private attributes, so the instance is set up
    directly. ``tests/workbook/test_reader_rows.py`` checks it gives what ``model_validate`` gives.
    """
    defaults = {name: f.default for name, f in model.model_fields.items() if not f.is_required()}
    new, setattr_ = model.__new__, object.__setattr__

    def construct(fields: dict):
        row = new(model)
        setattr_(row, "__dict__", {**defaults, **fields})
        setattr_(row, "__pydantic_fields_set__", set(fields))
        setattr_(row, "__pydantic_extra__", None)
        setattr_(row, "__pydantic_private__", None)
        return row

    return construct


class _CellProblem:
    """A cell that did not convert, remembered like a good value so the same bad text costs once."""

    __slots__ = ("kind", "message")

    def __init__(self, kind: str, message: str):
        self.kind, self.message = kind, message


def _convert_cell(raw: Any, convert, choice):
    try:
        value = convert(raw) if convert is not None else raw
        if choice is not None:
            member = choice(value)  # lenient match through Choice._missing_
            return member
        return value
    except PydanticCustomError as err:
        return _CellProblem(err.type, err.message())
    except (ValueError, TypeError):
        if choice is not None:
            return _CellProblem("enum", "Input should be " + " or ".join(repr(v) for v in choice.values()))
        return _CellProblem("wrong_type", "could not be read")


def _key_part(value: Any) -> Any:
    if value.__class__ is str:  # fast path: most keys are typed as text
        return value.upper().replace(" ", "") or None
    if v.is_blank(value):
        return None
    try:
        return v.to_code(value)
    except Exception:
        return str(value)


_RULE_FOR_ERROR = {
    "missing": "reader.missing-value",
    "enum": "reader.unknown-value",
    "unknown_value": "reader.unknown-value",
}


def _cell_finding(spec: TableSpec, table: TableData, excel_row: int, error: dict, record: dict) -> Finding:
    header = str(error["loc"][0]) if error.get("loc") else ""
    rule = _RULE_FOR_ERROR.get(error["type"], "reader.wrong-type")
    try:
        colspec = spec.column(header)
    except KeyError:
        colspec = None
    raw = record.get(header)
    value = "" if colspec is None or colspec.phi else _value_text(raw)
    if rule == "reader.missing-value":
        message = f"{header} is required; this row was left out."
        fix = f"Fill in {header}."
    elif rule == "reader.unknown-value" and colspec is not None and colspec.choices:
        message = f"{header} '{value}' is not one of: {', '.join(colspec.choices)}; this row was left out."
        fix = f"Pick {header} from the drop-down list."
    else:
        message = f"{header}: {error['msg']}; this row was left out."
        fix = f"Correct {header}."
    return Finding(rule, Severity.ERROR, message, sheet=table.sheet, row=excel_row, column=header,
                   cell=table.cell(excel_row, header), value=value, fix=fix,
                   encounter_id=_encounter_of(record) if header != "Encounter ID" else "")


def _encounter_of(record: dict) -> str:
    """The Encounter ID a raw row names: a row left out holds that encounter's claim."""
    return str(_key_part(record.get("Encounter ID")) or "")


def _settings_from_rows(table: TableData, findings: list[Finding]) -> Settings:
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for row in table.rows:
        spec = spec_for(row.setting)
        if spec is None:
            findings.append(Finding("reader.unknown-setting", Severity.WARNING,
                                    f"Setting '{row.setting}' is not known; it was ignored.",
                                    sheet=table.sheet, row=row.excel_row, column="Setting",
                                    cell=table.cell(row.excel_row, "Setting"), value=row.setting))
            extra[row.setting] = row.value
            continue
        if v.is_blank(row.value):
            continue
        try:
            values[spec.attr] = spec.parse(row.value)
        except Exception as exc:
            msg = getattr(exc, "message", lambda: str(exc))()
            findings.append(Finding("reader.wrong-type", Severity.ERROR,
                                    f"Setting '{spec.name}': {msg}; the default was used.",
                                    sheet=table.sheet, row=row.excel_row, column="Value",
                                    cell=table.cell(row.excel_row, "Value"), value=_value_text(row.value)))
    return Settings(**values, extra=extra)


def _check_references(data: dict[str, TableData], findings: list[Finding]) -> None:
    """Rows pointing at a key that no row of the referenced table has: reported and left out."""
    for spec in INPUT_TABLES:
        table = data[spec.name]
        if not table.usable or not spec.references:
            continue
        bad_rows: set[int] = set()
        for header, (target_name, target_header) in spec.references.items():
            target = data[target_name]
            if not target.usable:
                continue
            pos = TABLES_BY_NAME[target_name].key.index(target_header)
            known = {k[pos] for k in target.keys_seen}
            for row in table.rows:
                value = getattr(row, spec.column(header).field)
                if value not in known:
                    bad_rows.add(row.excel_row)
                    findings.append(Finding(
                        "reader.dangling-reference", Severity.ERROR,
                        f"{header} '{value}' is not in the {target_name} table; this row was left out.",
                        sheet=table.sheet, row=row.excel_row, column=header,
                        cell=table.cell(row.excel_row, header), value=str(value),
                        fix=f"Add {value} to {target_name}, or correct the {header}.",
                        encounter_id=getattr(row, "encounter_id", "") or ""))
        if bad_rows:
            table.rows = [r for r in table.rows if r.excel_row not in bad_rows]
