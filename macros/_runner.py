"""The one runner every macro goes through: read the open workbook, run stages, write result sheets.

A macro button (``Validate``, ``Code & Units``, ``Pre-bill Checks`` ...) is one call::

    @script
    def validate_workbook(book: xw.Book):
        run_stage_macro(book, ["validate"])

and behaves exactly like ``infusion-billing run`` on a saved file, because both go through
:func:`infusion_billing.workbook.reader.read_grids` and :func:`infusion_billing.pipeline.run_book`.
The runner is a small transaction:

1. read every input table from the open workbook (an Excel Table named ``Encounters`` or
   ``tblEncounters``, else the sheet of that name from A1), values only;
2. run the stages; everything is computed before the first cell is written, so a crash leaves
   the workbook as it was;
3. write each result table on its own tool-owned sheet (created, or cleared and rewritten), then the
   ``Findings`` and ``Notes`` sheets (this run's stages replace their own earlier rows; other stages'
   rows stay), then one ``RunLog`` row (UTC time, stage, version, input hash, counts).
   Input sheets are never written, and neither is any other sheet the tool did not create: the tool's
   sheets carry the same hidden marks as the command line's (:mod:`infusion_billing.workbook.ownership`),
   earlier results are read only from marked sheets, and a result whose name a clinic's own sheet,
   Table or defined name holds goes to ``Name (2)`` with a ``writer.sheet-renamed`` finding (the
   file writer's rule, :func:`~infusion_billing.workbook.ownership.place`).
   Text starting with ``= + - @`` is written as text;
4. tell the user what happened on the status bar (desktop Excel) and, if anything unexpected went
   wrong, in one plain-English dialog: never a traceback.

Only the part of the xlwings Book API that every engine has is used (values, ``used_range``,
``sheets.add``, ``clear``, number formats, charts: :mod:`._charts` says what each engine draws):
xlwings Lite and Server replay these calls in Excel as Office.js actions, the classic add-in makes
them over COM. Cosmetic calls (colours, widths, frozen
header, status bar) are allowed to fail on an engine that lacks them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from functools import partial
from typing import Any

import xlwings as xw

from infusion_billing import __version__
from infusion_billing import values as v
from infusion_billing.checks.context import CheckContext
from infusion_billing.checks.stage import encounter_status
from infusion_billing.findings import Finding, count_by_severity
from infusion_billing.pipeline import RunOptions, RunResult, run_book
from infusion_billing.schema import INPUT_TABLES, TABLES_BY_NAME
from infusion_billing.workbook import ownership
from infusion_billing.workbook.findings_sheet import FINDINGS_SHEET, NOTES_SHEET
from infusion_billing.workbook.reader import BookData, Grid, locate_table, read_grids
from infusion_billing.workbook.sheet_limits import fit_cells, with_notes
from infusion_billing.workbook.sheet_order import work_order
from infusion_billing.workbook.writer import (
    DEFAULT_DATE_FORMAT,
    HEADER_FILL,
    RUN_LOG_COLUMNS,
    OutputTable,
    guess_format,
    guess_width,
    localized_format,
)
from infusion_billing.workbook.xlsx.package import TABLE_STYLE

from ._charts import chart_notes, replace_charts

__all__ = ["run_stage_macro", "read_book_grids", "write_results", "write_output_sheet", "append_run_log",
           "excel_value", "place_results", "FINDING_SHEETS"]

log = logging.getLogger("infusion_billing.macros")

TITLE = "infusion-billing"
STATUS_SHEET = "Encounter Status"
RUN_LOG = "RunLog"
#: The sheets whose earlier rows a run merges with its own findings (one block per stage).
FINDING_SHEETS = (FINDINGS_SHEET, NOTES_SHEET)
#: Excel column widths are characters on the desktop and points in Office.js; one character ~ 5.6 pt.
POINTS_PER_CHARACTER = 5.6
#: Hyperlinks the macros add per sheet (each is a call into Excel); the file writer links every row.
MAX_MACRO_LINKS = 500


# ----------------------------------------------------------------------------- the macro


def run_stage_macro(book: xw.Book, stages: Sequence[str], *, strict: bool = False,
                    status: bool = False, tool_sheets: Sequence[str] = (), options: Mapping[str, Any] | None = None,
                    more_tables: Callable[[RunResult], list[OutputTable]] | None = None,
                    options_from: Callable[[BookData], Mapping[str, Any]] | None = None) -> RunResult | None:
    """Run ``stages`` (pipeline names: "validate", "code", "check", ...) on the open ``book``.

    Writes each stage's result tables and the ``Findings`` sheet as Excel Tables with filters (as
    the command line does), appends a ``RunLog`` row, and returns the
    :class:`~infusion_billing.pipeline.RunResult` (None if something unexpected stopped the run; the
    user then sees one dialog and the workbook is unchanged). ``status=True`` also writes the
    ``Encounter Status`` sheet when no stage did (the Validate button: which visits a bad cell holds).
    ``tool_sheets`` are the tool's own sheets the stages read besides the input tables (the claim
    ledger, the ERA sheets, a derived sheet whose added columns are kept). ``options`` are further
    :class:`~infusion_billing.pipeline.RunOptions` fields (the Export 837 button's ``out_dir``);
    ``more_tables`` makes sheets of the macro's own from the finished run (its 837 Outbox);
    ``options_from`` makes more options from the book once it is read (month close: the Remit Folder).
    """
    bar = StatusBar(book)
    label = " + ".join(stages)
    try:
        with quiet_excel(book):
            bar.show(f"{TITLE}: reading the input tables")
            grids = read_book_grids(book)
            data = read_grids(grids)
            data.extra_grids.update(read_book_grids(book, FINDING_SHEETS))  # earlier stages' findings stay
            data.extra_grids.update(read_book_grids(book, tool_sheets))
            more = options_from(data) if options_from is not None else {}
            run_options = RunOptions(strict=strict, progress=bar.progress, **(options or {}), **more)
            bar.show(f"{TITLE}: running {label}")
            run = run_book(data, stages, run_options)
            tables = run.sheets()  # the stages' tables, Findings and Notes (earlier stages' rows kept)
            if more_tables is not None:
                tables += more_tables(run)
            if status and not any(table.name == STATUS_SHEET for table in tables):
                tables.append(status_table(data, run.findings))
            tables = work_order(tables)
            # Nothing is written before this line: the run is complete in memory.
            placed = write_results(book, tables, "+".join(stages), input_hash(grids), run.findings,
                                   data.settings.date_format, bar)
            activate(book, placed[tables[0].name])
    except Exception as exc:  # the biller gets one sentence; the log gets where it happened
        stopped(book, bar, f"'{label}'", exc)
        return None
    counts = run.counts
    bar.show(f"{TITLE}: {label} done: {counts['error']} errors, {counts['warning']} warnings "
                "(see the Findings sheet)")
    return run


def status_table(data, findings) -> OutputTable:
    """``Encounter Status`` from the findings known so far: Hold for a visit a bad cell concerns.

    The same table and rule as the ``check`` stage's; after validation alone, Ready means "no bad
    cell", not "checked": the Pre-bill Checks button says that.
    """
    return encounter_status(data, CheckContext(data), findings)


# ----------------------------------------------------------------------------- reading


def read_book_grids(book: xw.Book, names: Iterable[str] | None = None) -> dict[str, Grid]:
    """The named tables of an open workbook as reader Grids, located like the file reader does.

    An input table: an Excel Table named like it (``Encounters`` or ``tblEncounters``) wins; otherwise
    the sheet of that name is read from A1 to the end of its used range (the reader finds the header
    row under a title block); then the same for the names practices use (``Visits``, ``MAR`` ...).

    A result the tool writes (``Findings``, ``Claims``, an ``Era...`` ledger) is read only from the
    tool's own sheet, found by its mark (``Findings (2)`` when a clinic's sheet holds ``Findings``),
    never from a clinic's sheet or Table of that name
    (:func:`~infusion_billing.workbook.ownership.result_sheet`, as for a saved file).
    """
    wanted = list(names) if names is not None else [spec.name for spec in INPUT_TABLES]
    sheets = {sheet.name: sheet for sheet in book.sheets}
    marks = book_marks(book)
    tables: dict[str, tuple] | None = None
    grids: dict[str, Grid] = {}
    for name in wanted:
        where = ownership.result_sheet(marks, list(sheets), name, lambda s: _header(sheets[s]))
        if where is None:
            continue
        if where[0] == "sheet":
            grids[name] = _sheet_grid(sheets[where[1]])
            continue
        if tables is None:
            tables = _excel_tables(sheets.values())
        kind, found = locate_table(tables, sheets, name) or ("", "")
        if kind == "table":
            tname = found
            sheet, table = tables[tname]
            rng = table.range
            grids[name] = Grid(sheet.name, _rows(rng), top=rng.row, left=rng.column, table_name=tname)
        elif kind == "sheet":
            grids[name] = _sheet_grid(sheets[found])
    return grids


def _sheet_grid(sheet) -> Grid:
    """A whole sheet from A1 to the end of its used range."""
    used = sheet.used_range
    last_row = used.row + used.shape[0] - 1
    last_col = used.column + used.shape[1] - 1
    return Grid(sheet.name, _rows(sheet.range((1, 1), (last_row, last_col))))


def _header(sheet) -> list[Any]:
    """A sheet's first row, as far as its used range goes."""
    used = sheet.used_range
    last_col = used.column + used.shape[1] - 1
    values = sheet.range((1, 1), (1, last_col)).options(ndim=1).value
    return list(values) if values else []


# ----------------------------------------------------------------------------- which sheets are the tool's


def book_marks(book: xw.Book) -> list[str]:
    """What each of the tool's sheet marks refers to (``='Findings (2)'!$A$1``): the workbook-level
    names ``_InfusionBilling_Sheet<n>`` (a sheet-level copy Excel makes when a sheet is copied is not
    one)."""
    out = []
    for item in book.names:
        try:
            name, refers_to = item.name, item.refers_to
        except Exception:  # a name an engine cannot describe (a constant without a definition)
            continue
        if name.startswith(ownership.SHEET_MARK) and "!" not in name and refers_to:
            out.append(refers_to)
    return out


def place_results(book: xw.Book, tables: Sequence[OutputTable],
                  extra: dict[str, Sequence[str]] | None = None) -> tuple[dict[str, str], list[Finding]]:
    """Which sheet each result goes to in the open ``book`` (``extra``: more results by name -> columns,
    the RunLog), by the file writer's rule (:func:`~infusion_billing.workbook.ownership.place`): the
    tool's own (marked) sheets are reused; a name held by a clinic's sheet, Table or defined name gives
    ``Name (2)`` and a ``writer.sheet-renamed`` Finding. An unmarked sheet whose header row is the
    result's (written by a version that did not mark its sheets) is the tool's."""
    columns: dict[str, Sequence[str]] = {t.name: t.columns for t in tables}
    columns.update(extra or {})
    sheets = {sheet.name.casefold(): sheet for sheet in book.sheets}
    ours = {s.casefold() for s in (ownership.sheet_of(m) for m in book_marks(book)) if s}
    for name, headers in columns.items():
        sheet = sheets.get(name.casefold())
        if sheet is not None and name.casefold() not in ours and ownership.header_matches(_header(sheet), headers):
            ours.add(name.casefold())
    user_names = [name for key, sheet in sheets.items() if key not in ours
                  for name in _excel_tables([sheet])]
    user_names += [name.rsplit("!", 1)[-1] for name in _defined_names(book)]
    return ownership.place(list(columns), [sheet.name for sheet in book.sheets], ours, user_names)


def _defined_names(book: xw.Book) -> list[str]:
    out = []
    for item in book.names:
        try:
            out.append(item.name)
        except Exception:  # a name an engine cannot describe
            continue
    return out


def mark_sheet(book: xw.Book, sheet: str) -> None:
    """Mark ``sheet`` as the tool's (once): a workbook-level name referring to its A1, hidden where the
    engine can hide a name (desktop Excel), like the file writer's."""
    marks = book_marks(book)
    if sheet.casefold() in {s.casefold() for s in (ownership.sheet_of(m) for m in marks) if s}:
        return
    taken = set(_defined_names(book))
    n = len(marks) + 1
    while f"{ownership.SHEET_MARK}{n}" in taken:
        n += 1
    quoted = sheet.replace("'", "''")
    name = book.names.add(f"{ownership.SHEET_MARK}{n}", f"='{quoted}'!$A$1")
    cosmetic(partial(setattr, name.api, "Visible", False))


def _excel_tables(sheets: Iterable) -> dict[str, tuple]:
    found = {}
    for sheet in sheets:
        try:
            for table in sheet.tables:
                found[table.name] = (sheet, table)
        except NotImplementedError:  # an engine without Excel Tables: sheets by name still work
            return {}
    return found


def _rows(rng) -> list[list[Any]]:
    values = rng.options(ndim=2).value
    return [list(row) for row in values] if values else []


def input_hash(grids: dict[str, Grid]) -> str:
    """SHA-256 of the input tables' values as read: the RunLog says exactly which data a run used."""
    payload = {name: grids[name].rows for name in sorted(grids)}
    return hashlib.sha256(json.dumps(payload, default=str, sort_keys=True).encode()).hexdigest()


# ----------------------------------------------------------------------------- writing


def excel_value(value: Any) -> Any:
    """A result value as a cell takes it, on every engine.

    Money leaves the engine as Decimal and becomes a number here (a cell holds a double either way;
    two decimals round-trip exactly). Clock times become fractions of a day. A value set on a cell is
    read by Excel as if typed (Office.js and COM alike), so text Excel would turn into something else
    gets the apostrophe prefix that makes Excel store it as the text it is: a formula (``=``, ``+``,
    ``-``, ``@``, e.g. ``-5`` adjustment text from an 835), a number or date (revenue code ``0260``
    would become 260, place of service ``02`` 2, a 20-digit payer claim number 1.2E+19, ``2026-01`` a
    date), ``TRUE``/``FALSE``, a month and day (``Jan 5``), and text that starts with an apostrophe.

    >>> excel_value(Decimal("1234.50")), excel_value(time(14, 30)), excel_value("=HYPERLINK()")
    (1234.5, 0.6041666666666666, "'=HYPERLINK()")
    >>> excel_value("0260"), excel_value("1E+308"), excel_value("true"), excel_value("Jan 5"), excel_value("'Q4")
    ("'0260", "'1E+308", "'true", "'Jan 5", "''Q4")
    >>> excel_value("J1745"), excel_value("october.835"), excel_value("March Health Plan")
    ('J1745', 'october.835', 'March Health Plan')
    """
    if value is None or isinstance(value, (bool, int, float, datetime, date)):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, time):
        return (value.hour * 60 + value.minute) / (24 * 60) + value.second / 86400
    if isinstance(value, Enum):
        value = value.value
    text = str(value)
    return "'" + text if v.is_formula_like(text) or _RETYPED.match(text) else text


#: Text Excel would store as something else when set as a cell's value (see :func:`excel_value`).
_RETYPED = re.compile(r"\s*(?:[\d.$(']|(?:true|false)\s*$|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
                      r"[a-z]*[\s\-/,]+\d{1,4}(?:[\s\-/,]+\d{1,4})?\s*$)", re.IGNORECASE)


def write_results(book: xw.Book, tables: Sequence[OutputTable], stage: str, digest: str,
                  findings: Iterable[Finding], date_format: str = DEFAULT_DATE_FORMAT,
                  bar: StatusBar | None = None) -> dict[str, str]:
    """Write ``tables`` (among them the Findings sheet) and one RunLog row for ``stage``, each on the
    tool's own sheet (:func:`place_results`); returns result name -> the sheet it went to.

    A result moved off a name the clinic uses (``Findings (2)``) and text cut to Excel's 32,767
    characters per cell are reported at the top of the Findings sheet, as the file writer does. A
    table's charts are drawn on its sheet after the charts there are deleted (:mod:`._charts`), so a
    rerun leaves exactly its own; an engine that draws them only in part, or not at all, gets a note.
    """
    placed, notes = place_results(book, tables, {RUN_LOG: RUN_LOG_COLUMNS})
    # Text longer than a cell holds is cut with a mark (and a finding) before anything is written.
    fitted = [replace(t, rows=list(fit_cells(t, placed[t.name], notes))) for t in tables]
    # Office.js engines cannot change a chart's series from Python: say so before Findings is written.
    series = not is_remote(book)
    notes += chart_notes(book, tables, placed, series=series)
    not_drawn: list[str] = []
    for table in fitted:
        if bar is not None:
            bar.show(f"{TITLE}: writing {placed[table.name]}")
        if table.name.casefold() == FINDINGS_SHEET.casefold():
            table = with_notes(table, notes, stage)
        target = write_output_sheet(book, table, date_format, sheet=placed[table.name])
        not_drawn += replace_charts(target, table.charts, series=series)
    append_run_log(book, stage, digest, tables, [*findings, *notes], sheet=placed[RUN_LOG])
    if not_drawn:
        alert(book, f"{TITLE} wrote every sheet but could not draw {len(not_drawn)} chart(s) in this Excel "
                    f"({', '.join(not_drawn)}); the figures are on the sheet, and infusion-billing close draws the "
                    "charts in the saved file.")
    return placed


def write_output_sheet(book: xw.Book, table: OutputTable, date_format: str = DEFAULT_DATE_FORMAT, *,
                       sheet: str | None = None) -> xw.Sheet:
    """Replace the contents of the tool's own sheet for ``table`` (created at the end when absent).

    ``sheet`` is where :func:`place_results` put it; without it the table is placed here, so a sheet
    the tool did not create is never cleared, whoever calls this. Dates show in ``date_format`` (the
    Settings sheet's Date Format). Raises ValueError if ``table.name`` is an input table: results
    never overwrite user data.
    """
    if v.norm_key(table.name) in {v.norm_key(n) for n in TABLES_BY_NAME}:
        raise ValueError(f"refusing to write over input table {table.name}")
    if sheet is None:
        sheet = place_results(book, [table])[0][table.name]
    target = _sheet(book, sheet)
    if target is None:
        target = book.sheets.add(name=sheet, after=book.sheets[len(book.sheets) - 1])
    else:
        target.clear()
    mark_sheet(book, sheet)
    values = [list(table.columns)] + [[excel_value(x) for x in row] for row in table.rows]
    target.range((1, 1)).value = values
    # A Table with a filter on every header, like the saved-file writer's, named after its sheet; an
    # empty result keeps one blank row, as Excel needs one.
    as_excel_table(target, OutputTable(sheet, [], []).table_name,
                   target.range((1, 1), (max(len(table.rows), 1) + 1, len(table.columns))))
    _format(book, target, table, date_format)
    _links(target, table)
    return target


def as_excel_table(sheet, name: str, rng) -> None:
    """Make ``rng`` the Excel Table ``name`` (with filter buttons): resized when the sheet has it
    from an earlier run, so formulas such as ``Findings[#All]`` keep working; added otherwise."""
    try:
        existing = next((t for t in sheet.tables if t.name.lower() == name.lower()), None)
    except NotImplementedError:  # an engine without Tables: the values are written all the same
        return
    if existing is not None:
        cosmetic(lambda: existing.resize(rng))
        return
    cosmetic(lambda: sheet.tables.add(source=rng, name=name, has_headers=True, table_style_name=TABLE_STYLE))


def _links(sheet, table: OutputTable) -> None:
    """The Cell column of Findings as links to the cell each row names (``#'Administrations'!J7``),
    like the saved-file writer's; one call per link, so only for the first rows of a long sheet."""
    at = {header: i for i, header in enumerate(table.columns)}
    for cell, sheet_column in table.links.items():
        if cell not in at or sheet_column not in at:
            continue
        for r, row in enumerate(table.rows[:MAX_MACRO_LINKS], start=2):
            address, target = row[at[cell]], row[at[sheet_column]]
            if isinstance(address, str) and address and isinstance(target, str) and target:
                link = "#'" + target.replace("'", "''") + "'!" + address
                cosmetic(partial(_add_link, sheet, (r, at[cell] + 1), link, address))


def _format(book: xw.Book, sheet, table: OutputTable, date_format: str = DEFAULT_DATE_FORMAT) -> None:
    ncols, nrows = len(table.columns), len(table.rows)
    header = sheet.range((1, 1), (1, ncols))
    cosmetic(lambda: setattr(header.font, "bold", True))
    cosmetic(lambda: setattr(header.font, "color", "#FFFFFF"))
    cosmetic(lambda: setattr(header, "color", "#" + HEADER_FILL))
    cosmetic(lambda: sheet.freeze_panes.freeze_at("A2"))
    scale = POINTS_PER_CHARACTER if is_remote(book) else 1.0
    for i, name in enumerate(table.columns):
        column = sheet.range((1, i + 1), (max(nrows, 1) + 1, i + 1))
        width = table.widths.get(name) or guess_width(name, table.rows, i)
        cosmetic(partial(setattr, column, "column_width", width * scale))
        fmt = localized_format(table.number_formats.get(name) or guess_format(table.rows, i), date_format)
        if nrows and fmt and fmt != "General":
            body = sheet.range((2, i + 1), (nrows + 1, i + 1))
            cosmetic(partial(setattr, body, "number_format", fmt))


def append_run_log(book: xw.Book, stage: str, digest: str, tables: Sequence[OutputTable],
                   findings: Iterable[Finding], *, sheet: str | None = None) -> None:
    """Add one row to the tool's ``RunLog`` sheet (created with its header row the first time).

    ``sheet`` is where :func:`place_results` put the RunLog (placed here without it). Columns as in
    the saved-file RunLog (:data:`~infusion_billing.workbook.writer.RUN_LOG_COLUMNS`); the input hash
    is over the tables' values, since an open workbook has no file to hash.
    """
    counts = count_by_severity(findings)
    row = [datetime.now(UTC).replace(microsecond=0, tzinfo=None), stage, __version__, digest,
           ", ".join(t.name for t in tables), sum(len(t.rows) for t in tables),
           counts["error"], counts["warning"], counts["info"]]
    if sheet is None:
        sheet = place_results(book, [], {RUN_LOG: RUN_LOG_COLUMNS})[0][RUN_LOG]
    target = _sheet(book, sheet)
    if target is None:
        target = book.sheets.add(name=sheet, after=book.sheets[len(book.sheets) - 1])
        next_row = 1
    else:
        used = target.used_range
        last = used.row + used.shape[0] - 1
        next_row = 1 if last == 1 and v.is_blank(target.range((1, 1)).value) else last + 1
    mark_sheet(book, sheet)
    if next_row == 1:
        target.range((1, 1)).value = [RUN_LOG_COLUMNS, row]
        cosmetic(lambda: setattr(target.range((1, 1), (1, len(RUN_LOG_COLUMNS))).font, "bold", True))
    else:
        target.range((next_row, 1)).value = [row]
    data_row = max(next_row, 2)
    cosmetic(lambda: setattr(target.range((data_row, 1)), "number_format", "yyyy-mm-dd hh:mm:ss"))
    as_excel_table(target, OutputTable(sheet, [], []).table_name,
                   target.range((1, 1), (data_row, len(RUN_LOG_COLUMNS))))


def _sheet(book: xw.Book, name: str):
    for sheet in book.sheets:
        if sheet.name.lower() == name.lower():
            return sheet
    return None


# ----------------------------------------------------------------------------- Excel state and messages


def is_remote(book: xw.Book) -> bool:
    """True on xlwings Lite/Server (Office.js actions), False on the desktop add-in (COM/AppleScript)."""
    try:
        return book.app.engine.name == "remote"
    except Exception:
        return False


def _add_link(sheet: xw.Sheet, cell: tuple[int, int], link: str, text: str) -> None:
    sheet.range(cell).add_hyperlink(link, text)


def cosmetic(action: Callable[[], Any]) -> None:
    """Run a formatting call that an engine may not support; never let looks stop a run."""
    try:
        action()
    except Exception as exc:
        log.debug("formatting skipped: %s", exc)


@contextmanager
def quiet_excel(book: xw.Book) -> Iterator[None]:
    """Screen updating off and manual calculation while writing, restored afterwards even on error.

    On Office.js engines there is nothing to restore (screen updating resumes at the next sync, and
    the calculation mode is left alone), so only desktop Excel is touched.
    """
    if is_remote(book):
        yield
        return
    app = book.app
    saved: dict[str, Any] = {}
    for attr, quiet in (("screen_updating", False), ("calculation", "manual")):
        try:
            saved[attr] = getattr(app, attr)
            setattr(app, attr, quiet)
        except Exception:
            saved.pop(attr, None)
    try:
        yield
    finally:
        for attr, value in saved.items():
            cosmetic(partial(setattr, app, attr, value))


def activate(book: xw.Book, name: str) -> None:
    sheet = _sheet(book, name)
    if sheet is not None:
        cosmetic(sheet.activate)


def stopped(book: xw.Book, bar: StatusBar, what: str, exc: BaseException) -> None:
    """Something unexpected stopped a macro: one plain sentence in a dialog, and in the log the error's
    type and where it happened (the code lines of its traceback). Never the error's own message, which
    may quote a cell, so a patient's name or member ID cannot reach a log from here."""
    log.error("macro %s stopped (%s); where:\n%s", what, type(exc).__name__,
              "".join(traceback.format_tb(exc.__traceback__)))
    bar.clear()
    alert(book, f"{TITLE} could not finish {what} ({type(exc).__name__}). Your input sheets were not changed. "
                "Please report this with the RunLog sheet.")


def alert(book: xw.Book, message: str) -> None:
    """One dialog with a plain-English sentence (Office.js and desktop both have ``app.alert``)."""
    cosmetic(lambda: book.app.alert(message, title=TITLE))


class StatusBar:
    """Progress text on Excel's status bar; silently absent where the engine has none (Office.js)."""

    def __init__(self, book: xw.Book) -> None:
        self.app = book.app
        self.enabled = not is_remote(book)

    def show(self, text: str | bool) -> None:
        """``text`` on the status bar; ``False`` hands the status bar back to Excel."""
        if not self.enabled:
            return
        try:
            self.app.status_bar = text
        except Exception:
            self.enabled = False

    def clear(self) -> None:
        self.show(False)  # False hands the status bar back to Excel

    def progress(self, iterable: Iterable, total: int | None = None, desc: str = "") -> Iterable:
        """The pipeline's progress hook: ``desc 40%`` at most every 5 % of ``total``."""
        if not self.enabled or not total:
            yield from iterable
            return
        step = max(1, total // 20)
        for i, item in enumerate(iterable):
            if i % step == 0:
                self.show(f"{TITLE}: {desc} {100 * i // total}%")
            yield item
