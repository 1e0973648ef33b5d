"""The workbook template, and the one mechanism that writes every input workbook the tool makes.

``infusion-billing template -o InfusionBilling.xlsx`` writes an empty workbook a practice can start
from; ``infusion-billing demo`` writes the synthetic clinic through the very same code, with rows.
Everything on the sheets comes from the one schema declaration (:mod:`infusion_billing.schema`) and
the settings list (:mod:`infusion_billing.settings`); no header text is typed twice.

What a biller gets:

* an **Instructions** sheet first: the monthly workflow (fill the tables, check, code, import
  remittances), every table with each column's meaning, allowed values and whether it is required,
  how to run the tool from a terminal and from Excel, and every setting with its default;
* every input table on its own sheet as an **Excel Table of the same name**, with the exact headers,
  the header row frozen, column widths and number formats from the column's type, required headers
  in a darker fill with a comment explaining the column, and input cells shaded light yellow;
* **drop-down lists** on every column with allowed values and every Y/N column, fed from the
  hidden **Lists** sheet through defined names (``List_Route`` ...). Excel lets a paste bypass a drop-down,
  which is why the tool re-checks every cell when it runs; the drop-downs only warn, so a biller may
  keep a spelling the tool accepts (``push`` for ``IV push``);
* a **Settings** sheet listing every setting the tool knows, Value blank (= the documented default).

Large workbooks: openpyxl keeps every cell of a normal workbook in memory and writes about 100,000
cells a second even in write-only mode, so a million-encounter demo (about 6 million administration
rows) would take most of an hour. :class:`WorkbookBuilder` therefore lets openpyxl write the
workbook's structure (sheets, header cells, styles, comments, Tables, drop-downs, defined names,
frozen panes, column styles) and streams the data rows into each sheet's XML itself, through a small
temporary file per table. Memory stays flat whatever the row count, rows of different tables may be
appended in any order, and every feature works at every size.
"""

from __future__ import annotations

import os
import re
import typing
import warnings
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from .. import __version__
from .. import values as v
from ..reference.tables import read_versioned_csv
from ..schema import INPUT_TABLES, TABLES_BY_NAME, ColumnSpec, TableSpec
from ..settings import SETTING_SPECS, SettingSpec, spec_for
from .output_file import work_folder
from .writer import HEADER_FILL, TABLE_STYLE, OutputTable, save_atomically
from .xlsx.ooxml import COMPRESSLEVEL, is_date_format, row_xml, write_part

INSTRUCTIONS = "Instructions"
LISTS = "Lists"
#: Header fill of optional columns; required columns use the writer's darker HEADER_FILL.
OPTIONAL_HEADER_FILL = "5B87B5"
#: Light yellow: the cells a biller types into.
INPUT_FILL = "FFF8DC"
YES_NO = ("Y", "N")
#: Drop-downs cover the whole column below the header, so rows added later get them too.
LAST_EXCEL_ROW = 1_048_576


# ----------------------------------------------------------------------------- drop-down lists


@dataclass(frozen=True)
class DropDown:
    """One list of allowed values on the Lists sheet, reachable through a defined name."""

    name: str  # the list's title on the Lists sheet, e.g. "Route"
    values: tuple[str, ...]

    @property
    def defined_name(self) -> str:
        return f"List_{self.name}"


def _choice_name(spec: TableSpec, col: ColumnSpec) -> str:
    """The Choice enum's class name behind a column (``Route``), read from the row model."""
    annotation = spec.model.model_fields[col.field].annotation
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, Enum):
            return candidate.__name__
    return re.sub(r"\W", "", col.header)


def column_dropdown(spec: TableSpec, col: ColumnSpec) -> DropDown | None:
    """The drop-down of a column: its allowed values, Y/N, or None for free input."""
    if col.choices:
        return DropDown(_choice_name(spec, col), tuple(col.choices))
    if col.kind.name == "yesno":
        return DropDown("YesNo", YES_NO)
    return None


def setting_dropdown(setting: SettingSpec) -> DropDown | None:
    """The drop-down of one setting's Value cell on the Settings sheet."""
    if setting.choices:
        return DropDown(re.sub(r"\W", "", setting.name.title()), tuple(setting.choices))
    if setting.parse is v.to_yes_no:
        return DropDown("YesNo", YES_NO)
    return None


def dropdowns() -> list[DropDown]:
    """Every list on the Lists sheet, in first-use order (tables first, then settings), no repeats."""
    found: dict[str, DropDown] = {}
    for spec in INPUT_TABLES:
        for col in spec.columns:
            dd = column_dropdown(spec, col)
            if dd:
                found.setdefault(dd.name, dd)
    for setting in SETTING_SPECS:
        dd = setting_dropdown(setting)
        if dd:
            found.setdefault(dd.name, dd)
    return list(found.values())


# ----------------------------------------------------------------------------- instructions text


def _default_text(value: Any) -> str:
    if isinstance(value, bool):
        return "Y" if value else "N"
    if value is None or value == "":
        return ""
    return str(value)


def instruction_rows() -> list[tuple[str, list[str]]]:
    """The Instructions sheet as (style, cells) rows; style is title, heading, subheading, header or text."""
    rows: list[tuple[str, list[str]]] = [
        ("title", [f"Infusion billing workbook (infusion-billing {__version__})"]),
        ("text", ["Everything on this sheet is generated from the tool's own schema; the tables are the next "
                  "sheets, one Excel Table per sheet."]),
        ("text", [""]),
        ("heading", ["How a month goes"]),
        ("text", ["1. Fill the tables", "Type or paste your payers, fee schedule, drugs, charge master, patients, "
                  "coverage, authorizations, encounters and administrations into the Tables on the next sheets. "
                  "Yellow cells are input; darker headers are required columns (hover a header for its meaning). "
                  "Set the As-Of Date on the Settings sheet."]),
        ("text", ["2. Check", "infusion-billing check THIS.xlsx  (Excel: validate_workbook). Every problem goes to "
                  "the Findings sheet with its sheet, row, column and cell; each encounter gets Ready, Hold or "
                  "Review."]),
        ("text", ["3. Code", "infusion-billing code THIS.xlsx. The Charges sheet gets one row per claim line: "
                  "administration codes and units, drug units with JW/JZ and NDC, the rule behind each line."]),
        ("text", ["4. Import remits", "infusion-billing import-era THIS.xlsx remits/. 835 files go to the ERA sheets, "
                  "balanced to the cent, never imported twice."]),
        ("text", [""]),
        ("heading", ["How to run it"]),
        ("text", ["Command line", "pip install infusion-billing, then: infusion-billing run THIS.xlsx "
                  "(check and code), "
                  "or the single commands above. Results go to a new file THIS.billing.xlsx (-o OUT to choose); "
                  "--in-place writes into this file after saving a timestamped backup."]),
        ("text", ["Excel", "With the infusion-billing add-in (xlwings) or xlwings Lite, run the macros "
                  "(validate_workbook ...) from the add-in's buttons; they write the same sheets as the command "
                  "line."]),
        ("text", ["Drop-downs", "Lists come from the hidden Lists sheet. A paste can bypass a drop-down, so the "
                  "tool checks every cell again when it runs; allowed values match ignoring case, spaces and "
                  "hyphens."]),
        ("text", ["Your data", "Inputs are never changed; results go to tool-owned sheets. Patient names, dates of "
                  "birth and member IDs stay in this workbook, never in logs or findings."]),
        ("text", [""]),
        ("heading", ["Settings (Settings sheet: one row per setting; blank Value = the default)"]),
        ("header", ["Setting", "Default", "What it does"]),
    ]
    for s in SETTING_SPECS:
        rows.append(("text", [s.name, _default_text(s.default) or "(none)", s.description]))
    for spec in INPUT_TABLES:
        rows += [("text", [""]), ("heading", [f"{spec.name} table"]), ("text", ["", spec.description])]
        if spec.key:
            refs = "; ".join(f"{h} must exist in {t}.{c}" for h, (t, c) in spec.references.items())
            rows.append(("text", ["Key", " + ".join(spec.key) + " (one row each)" + (f". {refs}." if refs else "")]))
        rows.append(("header", ["Column", "Required", "Type", "Allowed values", "Default", "What it holds"]))
        for col in spec.columns:
            dd = column_dropdown(spec, col)
            holds = col.description + (" Patient data: stays in the workbook." if col.phi else "")
            rows.append(("text", [col.header, "yes" if col.required else "", col.kind.name,
                                  ", ".join(dd.values) if dd else "",
                                  "" if col.required else _default_text(col.default), holds]))
    return rows


# ----------------------------------------------------------------------------- the builder


@dataclass
class _Sheet:
    """A sheet being built: its openpyxl sheet, how rows are laid out, and where the data rows go."""

    name: str
    ws: Any
    headers: list[str]
    layout: list[tuple[str, str, str, str, str, str]]  # letter, style attrs: value, date, time, datetime, =text
    data_path: Path
    data: Any = None  # the open temporary file of row XML
    rows: int = 0
    is_input: bool = False
    fields: tuple[str, ...] = ()


class WorkbookBuilder:
    """Write an input workbook (empty template or filled) with every input table, the Instructions and Lists.

    Usage::

        with WorkbookBuilder(path) as book:
            book.append("Payers", ["MCR", "Medicare Part B", "Medicare", ...])
            excel_row = book.append("Encounters", {"encounter_id": "E000001", ...})

    A row is a list in header order, or a dict keyed by header text or model field name. ``append``
    returns the Excel row the row landed on (header is row 1), which is how the demo records exactly
    where it planted a defect. Rows of different tables can be appended in any order. Extra result
    sheets (``OutputTable``) can be added with :meth:`add_table` and are written after the Lists sheet.
    """

    def __init__(self, path: str | Path, tables: Sequence[TableSpec] = INPUT_TABLES):
        self.path = Path(path)
        self._tmp = work_folder()
        self.wb = Workbook(write_only=True)
        self._styles: dict[tuple[str, str], str] = {}
        self.sheets: dict[str, _Sheet] = {}
        self._closed = False
        self._setting_rows: dict[int, str] = {}
        self._dropdowns = {d.name: d for d in dropdowns()}
        self._write_instructions()
        for spec in tables:
            self._start_input_sheet(spec)
        self._write_lists()

    # -- public API

    def append(self, table: str, row: Sequence[Any] | Mapping[str, Any]) -> int:
        """Add one row to ``table``; returns its Excel row number."""
        sheet = self.sheets[table]
        if type(row) is not list and isinstance(row, Mapping):
            row = self._row_from_mapping(sheet, row)
        elif len(row) > len(sheet.headers):
            raise ValueError(f"{table}: row has {len(row)} cells for {len(sheet.headers)} columns")
        sheet.rows += 1
        excel_row = sheet.rows + 1
        if sheet.name == "Settings" and row and row[0]:
            self._setting_rows[excel_row] = str(row[0])  # its Value cell gets the setting's own drop-down
        sheet.data.write(row_xml(excel_row, row, sheet.layout))
        return excel_row

    def extend(self, table: str, rows: Iterable[Sequence[Any] | Mapping[str, Any]]) -> int:
        """Add many rows; returns how many."""
        n = 0
        for row in rows:
            self.append(table, row)
            n += 1
        return n

    def add_table(self, table: OutputTable) -> None:
        """A tool-owned result sheet (e.g. ``Demo Answer Key``), formatted like the writer's sheets."""
        sheet = self._new_sheet(table.name, list(table.columns), required=set(table.columns),
                                formats={h: table.number_formats.get(h, "General") for h in table.columns},
                                widths={h: table.widths.get(h, max(12, len(h) + 4)) for h in table.columns},
                                shade=False)
        for row in table.rows:
            self.append(table.name, row)
        self._finish_table(sheet, table.table_name)

    def close(self) -> Path:
        """Finish every Table and write the file atomically; returns the path."""
        if self._closed:
            return self.path
        self._closed = True
        try:
            for sheet in self.sheets.values():
                if sheet.is_input:
                    self._finish_table(sheet, excel_table_name(sheet.name))
            save_atomically(_Assembler(self), self.path)
            _readable(self.path)
        finally:
            for sheet in self.sheets.values():
                if sheet.data and not sheet.data.closed:
                    sheet.data.close()
            self._tmp.cleanup()
        return self.path

    def __enter__(self) -> WorkbookBuilder:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:  # leave no half-written file behind
            self._closed = True
            for sheet in self.sheets.values():
                if sheet.data and not sheet.data.closed:
                    sheet.data.close()
            self._tmp.cleanup()
            for ws in self.wb.worksheets:  # and none of openpyxl's own temporary sheet files
                writer = getattr(ws, "_writer", None)
                rows = getattr(ws, "_rows", None)  # the row generator of a write-only sheet, once appended to
                if writer is not None:
                    try:
                        if rows is not None:
                            rows.close()
                        writer.close()
                        writer.cleanup()
                    except Exception:  # pragma: no cover - best effort while another error propagates
                        pass

    # -- sheets

    def _style(self, ws, number_format: str, fill: str | None) -> str:
        """The ` s="N"` attribute of a cell style (number format + optional fill), registered once."""
        key = (number_format, fill or "")
        if key not in self._styles:
            cell = WriteOnlyCell(ws)
            cell.number_format = number_format
            if fill:
                cell.fill = PatternFill("solid", fgColor=fill)
            self._styles[key] = f' s="{cell.style_id}"'
        return self._styles[key]

    def _new_sheet(self, name: str, headers: list[str], *, required: set[str], formats: dict[str, str],
                   widths: dict[str, float], comments: dict[str, str] | None = None, shade: bool = True) -> _Sheet:
        ws = self.wb.create_sheet(name)
        ws.freeze_panes = "A2"
        fill = INPUT_FILL if shade else None
        layout = []
        for i, header in enumerate(headers, start=1):
            letter = v.excel_column_letter(i)
            fmt = formats.get(header) or "General"
            dim = ws.column_dimensions[letter]
            dim.width = widths.get(header, 14)
            if shade:  # the column's own style: cells typed below the data are shaded and formatted too
                dim.fill = PatternFill("solid", fgColor=INPUT_FILL)
                dim.number_format = fmt
            date_fmt = fmt if is_date_format(fmt) else "yyyy-mm-dd"
            time_fmt = fmt if is_date_format(fmt) else "hh:mm"
            plain = self._style(ws, fmt, fill)
            layout.append((letter, plain, self._style(ws, date_fmt, fill),
                           self._style(ws, time_fmt, fill), self._style(ws, "yyyy-mm-dd hh:mm", fill), plain))
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(ws, header)
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor=HEADER_FILL if header in required else OPTIONAL_HEADER_FILL)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if comments and comments.get(header):
                cell.comment = Comment(comments[header], "infusion-billing", width=320, height=150)
            header_cells.append(cell)
        ws.append(header_cells)
        path = Path(self._tmp.name) / f"sheet{len(self.sheets) + 1}.xml"
        sheet = _Sheet(name, ws, list(headers), layout, data_path=path,
                       data=open(path, "w", encoding="utf-8", newline=""))
        self.sheets[name] = sheet
        return sheet

    def _start_input_sheet(self, spec: TableSpec) -> None:
        columns = spec.columns
        comments = {c.header: _header_comment(spec, c) for c in columns}
        sheet = self._new_sheet(
            spec.name, spec.headers, required={c.header for c in columns if c.required},
            formats={c.header: c.kind.number_format for c in columns},
            widths={c.header: max(c.kind.width, min(len(c.header) + 3, 30)) for c in columns}, comments=comments)
        sheet.is_input = True
        sheet.fields = tuple(c.field for c in columns)
        for i, col in enumerate(columns, start=1):
            dd = column_dropdown(spec, col)
            if dd:
                letter = v.excel_column_letter(i)
                self._add_dropdown(sheet.ws, dd, f"{letter}2:{letter}{LAST_EXCEL_ROW}", col.header)

    def _add_dropdown(self, ws, dd: DropDown, ref: str, title: str) -> None:
        dv = DataValidation(type="list", formula1=dd.defined_name, allow_blank=True, showDropDown=False,
                            showErrorMessage=True, errorStyle="warning", errorTitle=title[:32],
                            error=f"Expected one of: {', '.join(dd.values)}"[:255],
                            showInputMessage=False)
        dv.add(ref)
        ws.data_validations.append(dv)

    def _finish_table(self, sheet: _Sheet, table_name: str) -> None:
        if sheet.name == "Settings":
            self._settings_value_dropdowns(sheet)
        last_row = max(2, sheet.rows + 1)
        ref = f"A1:{v.excel_column_letter(len(sheet.headers))}{last_row}"
        # a write-only sheet cannot name a Table's columns from its cells: the headers are given here
        columns = [TableColumn(id=i, name=header) for i, header in enumerate(sheet.headers, start=1)]
        table = Table(displayName=table_name, ref=ref, tableColumns=columns, autoFilter=AutoFilter(ref=ref),
                      tableStyleInfo=TableStyleInfo(name=TABLE_STYLE, showRowStripes=True))
        with warnings.catch_warnings():  # openpyxl warns that write-only tables need their columns: done above
            warnings.filterwarnings("ignore", message="In write-only mode")
            sheet.ws.add_table(table)
        sheet.data.close()

    def _settings_value_dropdowns(self, sheet: _Sheet) -> None:
        """Each Settings row whose setting has allowed values gets that list on its Value cell."""

        value_letter = v.excel_column_letter(sheet.headers.index("Value") + 1)
        for excel_row, name in self._setting_rows.items():
            setting = spec_for(name)
            dd = setting_dropdown(setting) if setting is not None else None
            if setting is not None and dd:
                self._add_dropdown(sheet.ws, dd, f"{value_letter}{excel_row}", setting.name)

    def _row_from_mapping(self, sheet: _Sheet, row: Mapping[str, Any]) -> list[Any]:
        out = [None] * len(sheet.headers)
        positions = {h: i for i, h in enumerate(sheet.headers)}
        positions.update({f: i for i, f in enumerate(sheet.fields)})
        for key, value in row.items():
            out[positions[key]] = value
        return out

    def _write_instructions(self) -> None:
        ws = self.wb.create_sheet(INSTRUCTIONS)
        for letter, width in zip("ABCDEF", (30, 12, 11, 40, 12, 90), strict=True):
            ws.column_dimensions[letter].width = width
        fonts = {"title": Font(bold=True, size=16), "heading": Font(bold=True, size=13, color=HEADER_FILL),
                 "header": Font(bold=True, color="FFFFFF")}
        header_fill = PatternFill("solid", fgColor=HEADER_FILL)
        top = Alignment(vertical="top", wrap_text=False)
        for style, cells in instruction_rows():
            out = []
            for text in cells:
                cell = WriteOnlyCell(ws, text)
                if style in fonts:
                    cell.font = fonts[style]
                if style == "header":
                    cell.fill = header_fill
                cell.alignment = top
                out.append(cell)
            ws.append(out)

    def _write_lists(self) -> None:
        ws = self.wb.create_sheet(LISTS)
        # Hidden: the drop-downs read it, nobody types in it (Home > Format > Unhide Sheet shows it).
        ws.sheet_state = "hidden"
        lists = list(self._dropdowns.values())
        for i, dd in enumerate(lists, start=1):
            ws.column_dimensions[v.excel_column_letter(i)].width = max(12, len(dd.name) + 2,
                                                                       *(len(x) + 2 for x in dd.values))
        header = []
        for dd in lists:
            cell = WriteOnlyCell(ws, dd.name)
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        for r in range(max(len(dd.values) for dd in lists)):
            ws.append([dd.values[r] if r < len(dd.values) else None for dd in lists])
        for i, dd in enumerate(lists, start=1):
            letter = v.excel_column_letter(i)
            ref = f"{LISTS}!${letter}$2:${letter}${len(dd.values) + 1}"
            self.wb.defined_names[dd.defined_name] = DefinedName(dd.defined_name, attr_text=ref)


def excel_table_name(sheet_name: str) -> str:
    """The Excel Table on a sheet: its name without spaces (``Payer Rules`` -> ``PayerRules``)."""
    return "".join(ch for ch in sheet_name if ch.isalnum() or ch == "_")


def _header_comment(spec: TableSpec, col: ColumnSpec) -> str:
    dd = column_dropdown(spec, col)
    lines = [("Required. " if col.required else "Optional. ") + col.description]
    if dd:
        lines.append("Allowed: " + ", ".join(dd.values))
    if not col.required and col.default not in (None, ""):
        lines.append("Default: " + _default_text(col.default))
    return "\n".join(lines)


# ----------------------------------------------------------------------------- streaming the rows


class _Assembler:
    """Saves the openpyxl structure, then copies it into the target with each sheet's rows spliced in."""

    def __init__(self, builder: WorkbookBuilder):
        self.builder = builder

    def save(self, target: str) -> None:
        buffer = BytesIO()
        self.builder.wb.save(buffer)
        buffer.seek(0)
        parts = _sheet_parts(buffer)
        by_part = {parts[name]: sheet for name, sheet in self.builder.sheets.items() if name in parts}
        with zipfile.ZipFile(buffer) as src, \
                zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESSLEVEL) as dst:
            for info in src.infolist():
                data = src.read(info.filename)
                sheet = by_part.get(info.filename)
                if sheet is None or sheet.rows == 0:
                    dst.writestr(info.filename, data)
                    continue
                # openpyxl wrote the header row only (and no <dimension>, which is optional).
                head, tail = data.split(b"</sheetData>", 1)
                write_part(dst, info.filename, [head, sheet.data_path, b"</sheetData>" + tail])


def _readable(path: Path) -> None:
    """Give the new file the usual permissions (the temporary file it was renamed from is private)."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


def _sheet_parts(buffer: BytesIO) -> dict[str, str]:
    """Sheet name -> zip part (``xl/worksheets/sheet3.xml``), from the workbook's relationships."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
    with zipfile.ZipFile(buffer) as z:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    # openpyxl wrote these parts: every relationship has its Id and Target, every sheet its name and r:id
    targets = {rel.get("Id", ""): rel.get("Target", "") for rel in rels.findall("p:Relationship", ns)}
    out = {}
    for sheet in book.iter(f"{{{ns['m']}}}sheet"):
        target = targets[sheet.get(f"{{{ns['r']}}}id", "")]
        out[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    buffer.seek(0)
    return out


# ----------------------------------------------------------------------------- entry points


def settings_rows() -> list[dict[str, Any]]:
    """One Settings row per known setting: its name, a blank value (= the default) and a note saying it."""
    rows = []
    for s in SETTING_SPECS:
        default = _default_text(s.default)
        if default:
            note = f"Default: {default}."
        else:
            note = "No default: set it." if s.default is None else "Blank by default."
        rows.append({"setting": s.name, "value": None, "notes": note})
    return rows


def statement_notice_rows() -> list[dict[str, Any]]:
    """The shipped dunning notices (reference/statement_notices.csv), so the template shows the texts to edit."""
    _, rows = read_versioned_csv("infusion_billing.reference", "statement_notices.csv")
    return [{"Notice": r["Notice"], "Earlier Statements": int(r["Earlier Statements"] or 0),
             "Days Since Billed": int(r["Days Since Billed"] or 0), "Message": r["Message"]} for r in rows]


def build_workbook(
    path: str | Path,
    rows_by_table: Mapping[str, Iterable[Sequence[Any] | Mapping[str, Any]]] | None = None,
    *,
    extra_tables: Sequence[OutputTable] = (),
) -> Path:
    """Write an input workbook with every table of the schema, filled with ``rows_by_table``.

    Tables not in ``rows_by_table`` are written empty (headers, drop-downs and all); the Settings
    sheet, when not given, lists every known setting with a blank value, and Statement Notices the
    shipped dunning texts. Returns the path written.
    """
    rows_by_table = dict(rows_by_table or {})
    unknown = set(rows_by_table) - set(TABLES_BY_NAME)
    if unknown:
        raise KeyError(f"not input tables: {', '.join(sorted(unknown))}")
    rows_by_table.setdefault("Settings", settings_rows())
    rows_by_table.setdefault("Statement Notices", statement_notice_rows())
    with WorkbookBuilder(path) as book:
        for name, rows in rows_by_table.items():
            book.extend(name, rows)
        for table in extra_tables:
            book.add_table(table)
    return Path(path)


def write_template(path: str | Path) -> Path:
    """The empty template: every input table, Instructions, Lists, and the Settings names."""
    return build_workbook(path)
