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
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Sequence

from .. import __version__
from .. import values as v
from ..findings import FINDING_COLUMNS, Finding, count_by_severity, findings_to_rows
from ..schema import TABLES_BY_NAME
from .xlsx.ooxml import ColumnLayout, is_date_format, row_xml
from .xlsx.package import TABLE_STYLE, StyleSheet, WorkbookPackage
from .reader import WorkbookError, check_is_workbook, load_grids

__all__ = ["OutputTable", "findings_table", "write_outputs", "read_output_table", "save_atomically",
           "default_output_path", "RUN_LOG_COLUMNS", "HEADER_FILL", "TABLE_STYLE"]

#: Dark blue header fill (white bold text) of every tool-owned sheet.
HEADER_FILL = "1F4E78"
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
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
    """

    name: str
    columns: list[str]
    rows: list[list[Any]]
    number_formats: dict[str, str] = field(default_factory=dict)
    widths: dict[str, float] = field(default_factory=dict)
    description: str = ""

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
) -> Path:
    """Write ``tables`` (and a Findings sheet when ``findings`` is given) next to the book's own sheets.

    ``findings`` are this run's (counted on the RunLog); a caller that built the Findings sheet itself
    (the pipeline, keeping other stages' rows) passes it among ``tables`` instead.

    Returns the path written. With ``in_place`` a backup ``<name>.backup-YYYYmmdd-HHMMSS.xlsx`` is
    written first. Every part of the input is copied unchanged; only tool-owned sheets are replaced.
    With ``stage`` the RunLog sheet gets one more row.
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

    if in_place:
        target = book_path
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = book_path.with_name(f"{book_path.stem}.backup-{stamp}{book_path.suffix}")
        shutil.copy2(book_path, backup)
    else:
        target = Path(out) if out else default_output_path(book_path)
        if target.resolve() == book_path.resolve():
            raise WorkbookError("The output file is the input file; use --in-place to write into it.")

    input_hash = file_hash(book_path) if stage else ""
    with WorkbookPackage(book_path) as package:
        if stage:
            all_tables.append(_run_log_table(package, stage, input_hash, all_tables, finding_list))
        for t in all_tables:
            _put_table(package, t)
        save_atomically(package, target)
    return target


def _check_sheet_name(name: str) -> None:
    """Sheet and Table names Excel would reject are a programming error, caught before anything is written."""
    if not name.strip() or len(name) > _MAX_SHEET_NAME or _BAD_SHEET_CHARS & set(name) or name.startswith("'"):
        raise ValueError(f"{name!r} is not a sheet name Excel accepts (1-31 characters, none of [ ] : * ? / \\)")
    table = OutputTable(name, [], []).table_name
    if not re.fullmatch(r"[^\W\d]\w*", table) or re.fullmatch(r"[A-Za-z]{1,3}\d+|[RrCc]", table):
        raise ValueError(f"{name!r} gives the Table name {table!r}, which Excel does not accept (it must start with a "
                         "letter and must not look like a cell address)")


def _put_table(package: WorkbookPackage, table: OutputTable) -> None:
    """Stream ``table`` into a new sheet of ``package``: styled header, formatted cells, one Excel Table."""
    styles = package.styles
    headers = _unique_headers(table.columns)
    header_style = f' s="{styles.cell_format(bold_color="FFFFFF", fill=HEADER_FILL, wrap_top=True)}"'
    header_layout = [(v.excel_column_letter(i), *[header_style] * 5) for i in range(1, len(headers) + 1)]
    layout = _column_layout(styles, table)
    widths = [table.widths.get(h) or guess_width(h, table.rows, i) for i, h in enumerate(table.columns)]
    rows = itertools.chain([row_xml(1, headers, header_layout)],
                           (row_xml(r, row, layout) for r, row in enumerate(table.rows, start=2)))
    package.put_sheet(table.name, table.table_name, headers, widths, rows, last_row=len(table.rows) + 1)


def _column_layout(styles: StyleSheet, table: OutputTable) -> list[ColumnLayout]:
    """Each column's cell styles: its number format, and date/time formats for date and time values."""

    def style(fmt: str) -> str:
        return "" if fmt == "General" else f' s="{styles.cell_format(fmt)}"'

    quoted = f' s="{styles.cell_format(quote_prefix=True)}"'
    layout = []
    for i, header in enumerate(table.columns):
        fmt = table.number_formats.get(header) or guess_format(table.rows, i)
        dated = is_date_format(fmt)
        layout.append((v.excel_column_letter(i + 1), style(fmt), style(fmt if dated else DATE_FORMAT),
                       style(fmt if dated else TIME_FORMAT), style(fmt if dated else DATETIME_FORMAT), quoted))
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


def save_atomically(book, target: Path) -> None:
    """Save ``book`` (anything with ``save(path)``) to a temporary file in the target's folder, then
    rename it over the target: a crash or a full disk never leaves half a workbook behind."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~ib-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        book.save(tmp)
        # mkstemp makes the file private (0600); give it the permissions the user would expect: the
        # old file's when it is replaced, else what a newly created file gets under the umask.
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _mode_for(target: Path) -> int:
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def guess_format(rows: list[list[Any]], i: int) -> str:
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


def guess_width(header: str, rows: list[list[Any]], i: int) -> float:
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
        out.append({h: (None if v.is_blank(x) else x) for h, x in zip(headers, row) if h})
    return out


# ----------------------------------------------------------------------------- audit trail


RUN_LOG_COLUMNS = ["Run At (UTC)", "Stage", "Tool Version", "Input SHA-256", "Tables Written", "Rows Written",
                   "Errors", "Warnings", "Info"]


def file_hash(path: Path) -> str:
    """SHA-256 of the input file: the audit trail says exactly which workbook a run read."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _run_log_table(package: WorkbookPackage, stage: str, input_hash: str, tables: list[OutputTable],
                   findings: list[Finding] | None) -> OutputTable:
    """The RunLog sheet: the rows of earlier runs plus this one (when, which stage, which tool version,
    which input, how much came out)."""
    counts = count_by_severity(findings or [])
    row = [datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None), stage, __version__, input_hash,
           ", ".join(t.name for t in tables), sum(len(t.rows) for t in tables),
           counts["error"], counts["warning"], counts["info"]]
    return OutputTable("RunLog", RUN_LOG_COLUMNS, _previous_runs(package) + [row],
                       number_formats={"Run At (UTC)": "yyyy-mm-dd hh:mm:ss"}, widths={"Input SHA-256": 20})


def _previous_runs(package: WorkbookPackage) -> list[list[Any]]:
    """The RunLog rows already in the workbook, matched to today's columns by header text."""
    rows = package.read_rows("RunLog")
    if not rows:
        return []
    where = {str(h).strip(): i for i, h in enumerate(rows[0]) if h is not None}
    positions = [where.get(h) for h in RUN_LOG_COLUMNS]
    return [[row[i] if i is not None and i < len(row) else None for i in positions]
            for row in rows[1:] if any(x is not None for x in row)]
