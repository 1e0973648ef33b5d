"""Write results to tool-owned sheets without ever losing a user's data.

Results (Findings, Charges, Encounter Status, ERA tables ...) go on sheets the tool owns, each holding
one formatted Excel Table of the same name. By default they are written into a **new file** (a copy of
the input plus the result sheets); the input file is only written with ``in_place=True``, and then only
after a timestamped backup copy, through a temporary file renamed over the original so a crash never
leaves half a workbook.

The workbook is never loaded into a spreadsheet library: every part of the input file is copied byte
for byte (sheets, charts, shapes, pictures, pivot tables, slicers, form controls, VBA) and only the
tool's sheets are added or replaced (:mod:`.package`), their rows streamed into the sheet XML one at
a time (:mod:`.ooxml`). Memory therefore follows the largest result table, not the input's size.

Safety rules this module enforces:

* a result table may never replace one of the input tables (Encounters, Payers ...);
* text that starts with ``=``, ``+``, ``-`` or ``@`` (from 835 files, CSVs, user text) is stored as
  text, never as a formula, and shows with a leading apostrophe when edited in Excel;
* money is written from Decimal, so the cents in the cell are the cents computed.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import __version__
from .. import values as v
from ..display import shown
from ..findings import FINDING_COLUMNS, Finding, count_by_severity, findings_to_rows
from ..schema import TABLES_BY_NAME
from . import output_file, ownership, sheet_limits
from .charts import ChartSpec
from .reader import WorkbookError, check_is_workbook, load_grids
from .sheet_order import work_order
from .xlsx.chartspace import sheet_chart
from .xlsx.ooxml import ColumnLayout, is_date_format, row_xml
from .xlsx.package import TABLE_STYLE, StyleSheet, WorkbookPackage

__all__ = ["OutputTable", "findings_table", "write_outputs", "read_output_table", "save_atomically",
           "default_output_path", "RUN_LOG_COLUMNS", "HEADER_FILL", "TABLE_STYLE"]

#: Dark blue header fill (white bold text) of every tool-owned sheet.
HEADER_FILL = "1F4E78"
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
#: How dates show unless the Settings sheet's Date Format says otherwise: as US practices write them.
DEFAULT_DATE_FORMAT = "m/d/yyyy"
_A1 = re.compile(r"\$?[A-Z]{1,3}\$?[1-9]\d{0,6}")
TIME_FORMAT = "hh:mm"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
#: Characters Excel does not allow in a sheet name, and its length limit.
_BAD_SHEET_CHARS = set("[]:*?/\\")
_MAX_SHEET_NAME = 31


@dataclass
class OutputTable:
    """One result table: sheet ``name`` holding an Excel Table named like it (spaces removed).

    Attributes:
        name: sheet name, e.g. ``Encounter Status``.
        columns: header texts in order.
        rows: cell values (str, int, Decimal, date, datetime, time, bool or None).
        number_formats: header -> Excel number format; Decimal columns default to ``#,##0.00``.
        widths: header -> column width; defaults from the header and the first rows.
        description: one line shown above nothing (kept for the Instructions sheet and README).
        phi_columns: headers of columns meant to hold patient data (a claim's patient name): the
            only text cells :class:`~infusion_billing.privacy.Redactor` leaves as they are.
        links: header of a column holding A1 cells -> header of the column naming their sheet; each
            such cell becomes a hyperlink to the cell it names (``Cell`` -> ``Sheet`` on Findings).
        fills: header -> {cell text -> fill colour (RRGGBB)}: a cell holding that text gets that fill
            (a KPI's Green, Amber or Red status).
        charts: native charts drawn over the sheet's cells (:class:`~.charts.ChartSpec`), replaced with
            it: drawn into the saved file as chart parts, and by the Excel macros through xlwings.
    """

    name: str
    columns: list[str]
    rows: Sequence[list[Any]]
    number_formats: dict[str, str] = field(default_factory=dict)
    widths: dict[str, float] = field(default_factory=dict)
    description: str = ""
    phi_columns: tuple[str, ...] = ()
    links: dict[str, str] = field(default_factory=dict)
    fills: dict[str, dict[str, str]] = field(default_factory=dict)
    charts: list[ChartSpec] = field(default_factory=list)

    @property
    def table_name(self) -> str:
        return "".join(ch for ch in self.name if ch.isalnum() or ch == "_")


def findings_table(findings: Iterable[Finding]) -> OutputTable:
    """The ``Findings`` sheet: one row per finding, worst first."""
    return OutputTable("Findings", [h for h, _ in FINDING_COLUMNS], findings_to_rows(findings),
                       widths={"Message": 70, "Suggested Fix": 50, "Rule ID": 28, "Value": 18},
                       description="Every data problem found, with the cell to fix.")


# ----------------------------------------------------------------------------- writing


def default_output_path(book_path: Path) -> Path:
    """``Clinic.xlsx`` -> ``Clinic.billing.xlsx`` beside it (``.xlsm`` stays ``.xlsm``)."""
    return book_path.with_name(f"{book_path.stem}.billing{book_path.suffix}")


def write_outputs(
    book_path: str | Path,
    tables: Sequence[OutputTable],
    findings: Iterable[Finding] | None = None,
    *,
    out: str | Path | None = None,
    in_place: bool = False,
    stage: str = "",
    force: bool = False,
    notes: list[Finding] | None = None,
    date_format: str = DEFAULT_DATE_FORMAT,
    overflow: sheet_limits.Overflow | None = None,
    kind: str = ownership.BILLING,
) -> Path:
    """Write ``tables`` (and a Findings sheet when ``findings`` is given) next to the book's own sheets.

    ``findings`` are this run's (counted on the RunLog); a caller that built the Findings sheet itself
    (the pipeline, keeping other stages' rows) passes it among ``tables`` instead.

    Returns the path written. With ``in_place`` a backup ``<name>.backup-YYYYmmdd-HHMMSS.xlsx`` is
    written first. Every part of the input is copied unchanged; only sheets the tool created are
    replaced (:mod:`.ownership`), and an existing file the tool did not write is only replaced with
    ``force``, after a backup (:mod:`.output_file`). With ``stage`` the RunLog sheet gets one more row.
    The writer's own Findings (a result renamed, cells cut, rows moved to a CSV) go on the Findings
    sheet and are appended to ``notes`` when given.
    Dates show in ``date_format`` (the Settings sheet's Date Format); the tool's sheets are placed
    in work order (:mod:`.sheet_order`). A table longer than a sheet goes in full to ``overflow``'s store,
    else to a CSV beside the output (:func:`.sheet_limits.split_overflow`). A new file is marked as an
    output of ``kind`` (a billing workbook unless the portfolio, assessment or demo writes it), and only
    an earlier output of that kind is replaced without ``force``; a workbook written in place keeps the
    kind it had.
    """
    book_path = Path(book_path)
    check_is_workbook(book_path)
    all_tables = list(tables)
    finding_list = list(findings) if findings is not None else None
    if finding_list is not None and not any(t.name.casefold() == "findings" for t in all_tables):
        all_tables.append(findings_table(finding_list))
    input_names = {v.norm_key(n) for n in TABLES_BY_NAME}
    seen: set[str] = set()
    for t in all_tables:
        if v.norm_key(t.name) in input_names:
            raise ValueError(f"refusing to overwrite input table {t.name}")
        _check_sheet_name(t.name)
        if t.name.casefold() in seen:
            raise ValueError(f"two result tables are both called {t.name}")
        seen.add(t.name.casefold())

    target = output_target(book_path, out, in_place=in_place, force=force, backup=True, kind=kind)
    mode = output_file.output_mode(book_path, target)

    input_hash = file_hash(book_path) if stage else ""
    own_notes: list[Finding] = []
    with WorkbookPackage(book_path) as package:
        wanted = [t.name for t in all_tables] + (["RunLog"] if stage else [])
        columns: dict[str, Sequence[str]] = {t.name: t.columns for t in all_tables}
        columns["RunLog"] = RUN_LOG_COLUMNS
        placed, renamed = ownership.place_sheets(package, wanted, columns)
        own_notes += renamed
        written: list[OutputTable] = []
        for t in all_tables:
            if t.name.casefold() == "findings":  # the writer's own findings head the list
                t = sheet_limits.with_notes(t, own_notes, stage)
            t = sheet_limits.split_overflow(t, placed[t.name], target, mode, own_notes, stage, overflow)
            _put_table(package, t, placed[t.name], own_notes, date_format)
            written.append(t)
        if stage:
            run_log = _run_log_table(package, placed["RunLog"], stage, input_hash, written, finding_list)
            _put_table(package, run_log, placed["RunLog"], own_notes, date_format)
        ownership.mark_sheets(package, [placed[name] for name in wanted])
        if not in_place or ownership.KIND_MARK not in package.workbook_names():
            package.add_defined_name(ownership.KIND_MARK, ownership.kind_value(kind))
        package.arrange(_work_order(package, [placed[name] for name in wanted]))
        output_file.save_atomically(package, target, mode)
    if notes is not None:
        notes.extend(own_notes)
    return target


def _work_order(package: WorkbookPackage, written: Sequence[str]) -> list[str]:
    """The tool's sheets (written now, or marked as the tool's by an earlier run) in work order;
    the biller's own sheets are not in the list, so they never move."""
    ours = ownership.tool_sheets(package)
    earlier = [entry.name for entry in package.sheets if entry.name.casefold() in ours]
    return work_order({name.casefold(): name for name in [*earlier, *written]}.values())


def output_target(book_path: Path, out: str | Path | None = None, *, in_place: bool = False, force: bool = False,
                  backup: bool = False, kind: str = ownership.BILLING) -> Path:
    """The file a run will write, or WorkbookError saying why it will not (checked before a run starts,
    so a refusal costs nothing). With ``backup`` the backups are made: of the input for ``in_place``,
    of a replaced file the tool did not write for ``force``."""
    book_path = Path(book_path)
    if in_place:
        target = output_file.writable_in_place(book_path)
        check_content_extension(book_path, book_path)
        if backup:
            output_file.backup_copy(target)
        return target
    target = Path(out) if out else default_output_path(book_path)
    if target.is_dir():
        raise WorkbookError(f"{shown(target)} is a folder; give the results a file name, e.g. "
                            f"-o {shown(target)}/{default_output_path(book_path).name}.")
    if target.exists() and target.resolve() == book_path.resolve():
        raise WorkbookError("The output file is the input file; use --in-place to write into it.")
    check_content_extension(book_path, target)
    if backup:
        output_file.check_new_output(target, kind, force=force)
    elif not force:
        output_file.check_new_output(target, kind)
    return Path(os.path.realpath(target)) if os.path.islink(target) else target


def check_content_extension(book_path: Path, target: Path) -> None:
    """A workbook with macros must be saved as .xlsm and one without as .xlsx: Excel refuses to open
    a file whose extension does not match what it holds."""
    macros = holds_macros(book_path)
    wanted = ".xlsm" if macros else ".xlsx"
    if target.suffix.lower() != wanted:
        what = "holds macros" if macros else "holds no macros"
        raise WorkbookError(f"{output_file.shown(book_path)} {what}, so Excel only opens the results as a {wanted} "
                            f"file; name the output {output_file.shown(target.with_suffix(wanted))}.")


def holds_macros(book_path: Path) -> bool:
    """Whether the workbook is a macro-enabled one (its main part says so, or it carries VBA)."""
    with zipfile.ZipFile(book_path) as z:
        names = {n.lower() for n in z.namelist()}
        types = z.read("[Content_Types].xml") if "[content_types].xml" in names else b""
    return b"macroEnabled.main+xml" in types or "xl/vbaproject.bin" in names


def _check_sheet_name(name: str) -> None:
    """Sheet and Table names Excel would reject are a programming error, caught before anything is written."""
    if not name.strip() or len(name) > _MAX_SHEET_NAME or _BAD_SHEET_CHARS & set(name) or name.startswith("'"):
        raise ValueError(f"{name!r} is not a sheet name Excel accepts (1-31 characters, none of [ ] : * ? / \\)")
    table = OutputTable(name, [], []).table_name
    if not re.fullmatch(r"[^\W\d]\w*", table) or re.fullmatch(r"[A-Za-z]{1,3}\d+|[RrCc]", table):
        raise ValueError(f"{name!r} gives the Table name {table!r}, which Excel does not accept (it must start with a "
                         "letter and must not look like a cell address)")


def _put_table(package: WorkbookPackage, table: OutputTable, sheet: str | None = None,
               notes: list[Finding] | None = None, date_format: str = DEFAULT_DATE_FORMAT) -> None:
    """Stream ``table`` into sheet ``sheet`` (default: its own name) of ``package``: styled header,
    formatted cells in ``date_format``, one Excel Table named after the sheet, hyperlinks where
    ``table.links`` asks; text too long for a cell is cut (``notes``)."""
    sheet = sheet or table.name
    styles = package.styles
    headers = _unique_headers(table.columns)
    header_style = f' s="{styles.cell_format(bold_color="FFFFFF", fill=HEADER_FILL, wrap_top=True)}"'
    s = header_style
    header_layout = [(v.excel_column_letter(i), s, s, s, s, s) for i in range(1, len(headers) + 1)]
    layout = _column_layout(styles, table, date_format)
    widths = [table.widths.get(h) or guess_width(h, table.rows, i) for i, h in enumerate(table.columns)]
    body = sheet_limits.fit_cells(table, sheet, notes if notes is not None else [])
    links: list[tuple[str, str]] = []
    filled = _filled_layouts(styles, table, layout, date_format)
    rows = itertools.chain([row_xml(1, headers, header_layout)],
                           (row_xml(r, row, filled(row)) for r, row in _linked_rows(table, body, links)))
    package.put_sheet(sheet, OutputTable(sheet, [], []).table_name, headers, widths, rows,
                      last_row=len(table.rows) + 1, links=links,
                      charts=[sheet_chart(chart, sheet) for chart in table.charts])


def _filled_layouts(styles: StyleSheet, table: OutputTable, layout: list[ColumnLayout], date_format: str):
    """row -> its column layout, with the fill of ``table.fills`` on each cell whose text asks for one."""
    if not table.fills:
        return lambda row: layout
    special: dict[tuple[int, Any], ColumnLayout] = {}
    for header, colours in table.fills.items():
        if header not in table.columns:
            continue
        i = table.columns.index(header)
        fmt = localized_format(table.number_formats.get(header) or guess_format(table.rows, i), date_format)
        for text, colour in colours.items():
            s = f' s="{styles.cell_format(fmt, fill=colour)}"'
            special[(i, text)] = (layout[i][0], s, s, s, s, s)

    columns = sorted({i for i, _ in special})

    def pick(row: list[Any]) -> list[ColumnLayout]:
        hits = [(i, row[i]) for i in columns if i < len(row) and (i, row[i]) in special]
        if not hits:
            return layout
        out = list(layout)
        for i, text in hits:
            out[i] = special[(i, text)]
        return out

    return pick


def _linked_rows(table: OutputTable, body: Iterable[list[Any]],
                 links: list[tuple[str, str]]) -> Iterator[tuple[int, list[Any]]]:
    """The ``body`` rows of ``table`` with their Excel row numbers, noting each hyperlink in ``links``:
    a cell address on a row that names its sheet links to that cell (``'Administrations'!J7``)."""
    at = {header: i for i, header in enumerate(table.columns)}
    pairs = [(at[cell], at[sheet], v.excel_column_letter(at[cell] + 1))
             for cell, sheet in table.links.items() if cell in at and sheet in at]
    for r, row in enumerate(body, start=2):
        for cell_i, sheet_i, letter in pairs:
            address, sheet = row[cell_i] if cell_i < len(row) else None, row[sheet_i] if sheet_i < len(row) else None
            if isinstance(address, str) and _A1.fullmatch(address) and isinstance(sheet, str) and sheet:
                links.append((f"{letter}{r}", "'" + sheet.replace("'", "''") + "'!" + address))
        yield r, row


def localized_format(fmt: str, date_format: str) -> str:
    """A number format with its date part shown the practice's way (``yyyy-mm-dd hh:mm`` -> ``m/d/yyyy hh:mm``)."""
    return fmt.replace(DATE_FORMAT, date_format) if date_format else fmt


def _column_layout(styles: StyleSheet, table: OutputTable,
                   date_format: str = DEFAULT_DATE_FORMAT) -> list[ColumnLayout]:
    """Each column's cell styles: its number format, and date/time formats for date and time values."""

    def style(fmt: str, link: bool = False) -> str:
        fmt = localized_format(fmt, date_format)
        return "" if fmt == "General" and not link else f' s="{styles.cell_format(fmt, link=link)}"'

    quoted = f' s="{styles.cell_format(quote_prefix=True)}"'
    layout = []
    for i, header in enumerate(table.columns):
        fmt = table.number_formats.get(header) or guess_format(table.rows, i)
        dated = is_date_format(fmt)
        layout.append((v.excel_column_letter(i + 1), style(fmt, link=header in table.links),
                       style(fmt if dated else DATE_FORMAT), style(fmt if dated else TIME_FORMAT),
                       style(fmt if dated else DATETIME_FORMAT), quoted))
    return layout


def _unique_headers(columns: Sequence[str]) -> list[str]:
    """Header texts as an Excel Table needs them: not blank, no two alike (Excel adds 2, 3 ... too)."""
    out: list[str] = []
    seen: set[str] = set()
    for i, header in enumerate(columns, start=1):
        name = str(header).strip() or f"Column{i}"
        base, n = name, 1
        while name.casefold() in seen:
            n += 1
            name = f"{base}{n}"
        seen.add(name.casefold())
        out.append(name)
    return out


def save_atomically(book, target: Path, mode: int | None = None) -> None:
    """Save ``book`` (anything with ``save(path)``) through a private temporary file renamed over
    ``target`` (:func:`.output_file.save_atomically`)."""
    output_file.save_atomically(book, target, mode)


def guess_format(rows: Sequence[list[Any]], i: int) -> str:
    for row in rows[:50]:
        value = row[i] if i < len(row) else None
        if value is None or value == "":
            continue
        if isinstance(value, Decimal):
            return MONEY_FORMAT
        if isinstance(value, datetime):
            return DATETIME_FORMAT
        if isinstance(value, date):
            return DATE_FORMAT
        if isinstance(value, time):
            return TIME_FORMAT
        return "General"
    return "General"


def guess_width(header: str, rows: Sequence[list[Any]], i: int) -> float:
    longest = len(header)
    for row in rows[:200]:
        if i < len(row) and row[i] is not None:
            longest = max(longest, len(str(row[i])))
    return float(min(max(longest + 2, 9), 60))


# ----------------------------------------------------------------------------- reading results back


def read_output_table(book_path: str | Path, name: str) -> list[dict[str, Any]]:
    """The rows of a tool-owned table written earlier, as dicts by header ([] when absent).

    Values come back as Excel stores them: numbers as float/int, so callers turn money back into
    Decimal with :func:`infusion_billing.values.to_money`.
    """
    grids = load_grids(Path(book_path), [name])
    grid = grids.get(name)
    if grid is None or not grid.rows:
        return []
    headers = [str(h).strip() for h in grid.rows[0]]
    out = []
    for row in grid.rows[1:]:
        if all(v.is_blank(x) for x in row):
            continue
        out.append({h: (None if v.is_blank(x) else x) for h, x in zip(headers, row, strict=False) if h})
    return out


# ----------------------------------------------------------------------------- audit trail


RUN_LOG_COLUMNS = ["Run At (UTC)", "Stage", "Tool Version", "Input SHA-256", "Tables Written", "Rows Written",
                   "Errors", "Warnings", "Info"]
ownership.declare_result("RunLog", RUN_LOG_COLUMNS)


def file_hash(path: Path) -> str:
    """SHA-256 of the input file: the audit trail says exactly which workbook a run read."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _run_log_table(package: WorkbookPackage, sheet: str, stage: str, input_hash: str, tables: list[OutputTable],
                   findings: list[Finding] | None) -> OutputTable:
    """The RunLog sheet: the rows of earlier runs plus this one (when, which stage, which tool version,
    which input, how much came out)."""
    counts = count_by_severity(findings or [])
    row = [datetime.now(UTC).replace(microsecond=0, tzinfo=None), stage, __version__, input_hash,
           ", ".join(t.name for t in tables), sum(len(t.rows) for t in tables),
           counts["error"], counts["warning"], counts["info"]]
    return OutputTable("RunLog", RUN_LOG_COLUMNS, _previous_runs(package, sheet) + [row],
                       number_formats={"Run At (UTC)": "yyyy-mm-dd hh:mm:ss"}, widths={"Input SHA-256": 20})


def _previous_runs(package: WorkbookPackage, sheet: str = "RunLog") -> list[list[Any]]:
    """The RunLog rows already in the workbook (on the tool's own RunLog sheet), matched to today's
    columns by header text."""
    if sheet.casefold() not in ownership.tool_sheets(package) and \
            not ownership.looks_like_ours(package, sheet, RUN_LOG_COLUMNS):
        return []
    rows = package.read_rows(sheet)
    if not rows:
        return []
    where = {str(h).strip(): i for i, h in enumerate(rows[0]) if h is not None}
    positions = [where.get(h) for h in RUN_LOG_COLUMNS]
    return [[row[i] if i is not None and i < len(row) else None for i in positions]
            for row in rows[1:] if any(x is not None for x in row)]
