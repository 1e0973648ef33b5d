"""Write results to tool-owned sheets without ever losing a user's data.

Results (Findings, Charges, Encounter Status, ERA tables ...) go on sheets the tool owns, each holding
one formatted Excel Table of the same name. By default they are written into a **new file** (a copy of
the input plus the result sheets); the input file is only written with ``in_place=True``, and then only
after a timestamped backup copy, through a temporary file renamed over the original so a crash never
leaves half a workbook.

Safety rules this module enforces:

* a result table may never replace one of the input tables (Encounters, Payers ...);
* text that starts with ``=``, ``+``, ``-`` or ``@`` (from 835 files, CSVs, user text) is stored as
  text, never as a formula, and shows with a leading apostrophe when edited in Excel;
* money is written from Decimal, so the cents in the cell are the cents computed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Sequence

from .. import __version__
from .. import values as v
from ..findings import FINDING_COLUMNS, Finding, Severity, count_by_severity, findings_to_rows
from ..schema import TABLES_BY_NAME
from .reader import WorkbookError, check_is_workbook, load_grids

HEADER_FILL = "1F4E78"
TABLE_STYLE = "TableStyleMedium2"
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "hh:mm"


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

    Returns the path written. With ``in_place`` a backup ``<name>.backup-YYYYmmdd-HHMMSS.xlsx`` is
    written first. Input tables are copied cell for cell; only tool-owned sheets are replaced.
    """
    book_path = Path(book_path)
    check_is_workbook(book_path)
    all_tables = list(tables)
    finding_list = list(findings) if findings is not None else None
    if finding_list is not None:
        all_tables.append(findings_table(finding_list))
    for t in all_tables:
        if v.norm_key(t.name) in {v.norm_key(n) for n in TABLES_BY_NAME}:
            raise ValueError(f"refusing to overwrite input table {t.name}")

    at_risk = content_openpyxl_drops(book_path)
    if in_place and at_risk:
        raise WorkbookError(
            f"{book_path.name} has {', '.join(at_risk)} that cannot be kept when the file is rewritten; "
            "write the results to a new file with -o instead of --in-place.")

    if in_place:
        target = book_path
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = book_path.with_name(f"{book_path.stem}.backup-{stamp}{book_path.suffix}")
        shutil.copy2(book_path, backup)
    else:
        target = Path(out) if out else default_output_path(book_path)
        if target.resolve() == book_path.resolve():
            raise WorkbookError("The output file is the input file; use --in-place to write into it.")

    import openpyxl

    keep_vba = book_path.suffix.lower() == ".xlsm"
    try:
        wb = openpyxl.load_workbook(book_path, keep_vba=keep_vba)
    except Exception as exc:
        raise WorkbookError(f"{book_path.name} could not be opened for writing ({type(exc).__name__}).") from None
    input_hash = file_hash(book_path)
    if at_risk and finding_list is not None:
        # The input file is untouched; only this copy lacks them. Say so on the Findings sheet.
        lost = Finding("writer.content-not-copied", Severity.WARNING,
                       f"The output copy does not include the input's {', '.join(at_risk)}; "
                       f"they are still in {book_path.name}.", source=book_path.name)
        all_tables[-1] = findings_table(finding_list + [lost])
    for t in all_tables:
        write_table_sheet(wb, t)
    if stage:
        _append_run_log(wb, stage, input_hash, all_tables, finding_list)
    save_atomically(wb, target)
    return target


def content_openpyxl_drops(path: Path) -> list[str]:
    """Parts of a workbook that openpyxl does not carry over when it rewrites the file.

    Shapes and text boxes, slicers and timelines, form controls, and pictures (without Pillow) are
    dropped by openpyxl. Charts, tables, validations, comments and VBA (.xlsm) are kept.
    """
    import zipfile

    found = []
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        drawings = [n for n in names if n.startswith("xl/drawings/drawing") and n.endswith(".xml")]
        if any(b"<xdr:sp>" in z.read(n) or b"<xdr:sp " in z.read(n) for n in drawings):
            found.append("shapes or text boxes")
        if any(n.startswith(("xl/slicers/", "xl/timelines/", "xl/slicerCaches/")) for n in names):
            found.append("slicers or timelines")
        if any(n.startswith("xl/ctrlProps/") for n in names):
            found.append("form controls")
        if any(n.startswith("xl/media/") for n in names):
            try:
                import PIL  # noqa: F401  (openpyxl keeps pictures only with Pillow)
            except ImportError:
                found.append("pictures")
    return found


def save_atomically(wb, target: Path) -> None:
    """Save to a temporary file in the target's folder, then rename it over the target."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~ib-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        wb.save(tmp)
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


def write_table_sheet(wb, table: OutputTable, *, index: int | None = None):
    """Replace (or create) sheet ``table.name`` with a formatted Excel Table of ``table``."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    if table.name in wb.sheetnames:
        old = wb[table.name]
        index = wb.sheetnames.index(table.name) if index is None else index
        wb.remove(old)
    ws = wb.create_sheet(table.name, index)
    ws.append(list(table.columns))
    as_text: list[tuple[int, int]] = []
    for r, row in enumerate(table.rows, start=2):
        clean = []
        for c, value in enumerate(row, start=1):
            value = _cell_value(value)
            if isinstance(value, str) and v.is_formula_like(value):
                as_text.append((r, c))
            clean.append(value)
        ws.append(clean)
    for r, c in as_text:
        cell = ws.cell(r, c)
        cell.data_type = "s"  # never a formula, whatever the text says
        cell.quotePrefix = True  # Excel keeps it text when the cell is edited

    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    for c, header in enumerate(table.columns, start=1):
        cell = ws.cell(1, c)
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        letter = get_column_letter(c)
        fmt = table.number_formats.get(header) or _guess_format(table.rows, c - 1)
        if fmt and fmt != "General":
            for (cell_,) in ws.iter_rows(min_row=2, max_row=len(table.rows) + 1, min_col=c, max_col=c):
                cell_.number_format = fmt
        ws.column_dimensions[letter].width = table.widths.get(header) or _guess_width(header, table.rows, c - 1)
    ws.freeze_panes = "A2"
    last_row = max(2, len(table.rows) + 1)
    ref = f"A1:{get_column_letter(len(table.columns))}{last_row}"
    xl_table = Table(displayName=table.table_name, ref=ref)
    xl_table.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True)
    ws.add_table(xl_table)
    return ws


def _cell_value(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, Decimal, date, datetime, time, bool)):
        return value.value if isinstance(value, v.Choice) else value
    if isinstance(value, float):
        # Floats only for ratios and counts; money is Decimal by the time it gets here.
        return value
    if hasattr(value, "value"):  # enums
        return value.value
    return str(value)


def _guess_format(rows: list[list[Any]], i: int) -> str:
    for row in rows[:50]:
        value = row[i] if i < len(row) else None
        if value is None or value == "":
            continue
        if isinstance(value, Decimal):
            return MONEY_FORMAT
        if isinstance(value, datetime):
            return "yyyy-mm-dd hh:mm"
        if isinstance(value, date):
            return DATE_FORMAT
        if isinstance(value, time):
            return TIME_FORMAT
        return "General"
    return "General"


def _guess_width(header: str, rows: list[list[Any]], i: int) -> float:
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


def _append_run_log(wb, stage: str, input_hash: str, tables: list[OutputTable], findings: list[Finding] | None):
    """One RunLog row per run: when, which stage, which tool version, which input, how much came out."""
    previous: list[list[Any]] = []
    if "RunLog" in wb.sheetnames:
        ws = wb["RunLog"]
        previous = [list(r) for r in ws.iter_rows(min_row=2, values_only=True) if any(x is not None for x in r)]
    counts = count_by_severity(findings or [])
    row = [datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None), stage, __version__, input_hash,
           ", ".join(t.name for t in tables), sum(len(t.rows) for t in tables),
           counts["error"], counts["warning"], counts["info"]]
    write_table_sheet(wb, OutputTable("RunLog", RUN_LOG_COLUMNS, previous + [row],
                                      number_formats={"Run At (UTC)": "yyyy-mm-dd hh:mm:ss"},
                                      widths={"Input SHA-256": 20}))
