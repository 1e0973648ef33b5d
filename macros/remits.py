"""``Import ERA`` button: 835 remittance files into the ERA sheets, each payment once.

On desktop Excel (Windows) the button opens a file picker for one or more 835 files. On Excel for
the web and xlwings Lite, where Python cannot open local files, paste the 835 text into column A of
a sheet named ``EraInbox`` (one segment per row, or whole files; several files may follow one
another) and press the button.

Everything else is :func:`infusion_billing.remits.importer.merge_remits`, shared with
``infusion-billing import-era``: files and payments imported before are skipped with one info
Finding, new rows are appended to ``EraPayments``, ``EraClaims``, ``EraLines``,
``EraAdjustments`` (with category and next action), ``EraRemarks`` and ``EraProviderAdjustments``,
and the ``Findings`` sheet lists what needs attention (unbalanced payments, unreadable files), below
the findings of earlier imports and of the other stages, which stay.
The ``EraInbox`` sheet and every input sheet are left as they are, and so is a clinic's own sheet
that has the name of an ERA sheet (the results go to ``EraPayments (2)`` ..., see
:func:`._runner.write_results`); a ``RunLog`` row records the run.
"""

from __future__ import annotations

import hashlib

import xlwings as xw
from xlwings import script

from infusion_billing.pipeline import findings_sheets
from infusion_billing.remits import read_835
from infusion_billing.remits.categories import BOOK_TABLE, adjustment_codes_from_grid
from infusion_billing.remits.importer import ERA_TABLES, STAGE, ImportResult, merge_remits
from infusion_billing.schema import TABLES_BY_NAME
from infusion_billing.workbook.reader import grid_records, read_grids
from infusion_billing.workbook.sheet_order import work_order

from ._runner import (
    FINDING_SHEETS,
    TITLE,
    StatusBar,
    activate,
    alert,
    is_remote,
    quiet_excel,
    read_book_grids,
    stopped,
    write_results,
)

__all__ = ["import_remits", "import_remits_classic"]

INBOX = "EraInbox"
SETTINGS_TABLE = (TABLES_BY_NAME["Settings"],)
_FILTER = ("835 remittance files (*.835;*.txt;*.edi;*.x12;*.era;*.rmt),*.835;*.txt;*.edi;*.x12;*.era;*.rmt,"
           "All files (*.*),*.*")


@script
def import_remits(book: xw.Book):
    """Import 835 remittance files (picked, or pasted into the EraInbox sheet) into the ERA sheets."""
    run_import_macro(book)


def import_remits_classic():
    """Classic add-in entry point: ``RunPython "import infusion_billing.macros as m; m.import_remits_classic()"``."""
    run_import_macro(xw.Book.caller())


def run_import_macro(book: xw.Book) -> ImportResult | None:
    """Read the chosen or pasted 835s, merge them into the ERA sheets, write them and Findings."""
    status = StatusBar(book)
    try:
        with quiet_excel(book):
            grids = read_book_grids(book, [*ERA_TABLES, BOOK_TABLE, INBOX, "Settings", *FINDING_SHEETS])
            files = pick_files(book)
            if files is None:  # no file picker here: the pasted EraInbox text is the source
                text = inbox_text(grids.get(INBOX))
                if not text:
                    alert(book, f"Paste the 835 file's text into column A of a sheet named {INBOX}, then press "
                                "Import ERA again.")
                    return None
                remits = [read_835(text, name=INBOX)]
            elif not files:
                return None  # the biller cancelled the picker
            else:
                remits = [read_835(path) for path in files]
            status.show(f"{TITLE}: merging {len(remits)} file(s) into the ERA sheets")
            codes, code_findings = adjustment_codes_from_grid(grids.get(BOOK_TABLE))
            existing = {name: grid_records(grids.get(name)) for name in ERA_TABLES}
            result = merge_remits(existing, remits, codes)
            result.findings = code_findings + result.findings
            # Nothing is written before this line: the import is complete in memory.
            data = read_grids({"Settings": grids["Settings"]} if "Settings" in grids else {}, SETTINGS_TABLE)
            data.extra_grids.update(grids)  # earlier findings: other stages' rows and earlier imports' stay
            tables = work_order([*result.tables, *findings_sheets(data, {STAGE: result.findings})])
            digest = hashlib.sha256("".join(r.file_hash for r in remits).encode()).hexdigest()
            placed = write_results(book, tables, STAGE, digest, result.findings, data.settings.date_format)
            activate(book, placed.get("EraPayments", tables[0].name))
    except Exception as exc:  # the biller gets one sentence; the log gets where it happened
        stopped(book, status, "the ERA import", exc)
        return None
    status.show(f"{TITLE}: {result.payments_added} payment(s) imported, {result.payments_skipped} already there "
                "(see the Findings sheet)")
    return result


def pick_files(book: xw.Book) -> list[str] | None:
    """Files chosen in Excel's own Open dialog; [] when cancelled; None where there is no dialog."""
    if is_remote(book):
        return None
    try:
        chosen = book.app.api.GetOpenFilename(_FILTER, 1, "Choose 835 files to import", None, True)
    except Exception:  # macOS and other engines: fall back to the EraInbox sheet
        return None
    if chosen in (None, False):
        return []
    return [str(p) for p in chosen] if isinstance(chosen, (list, tuple)) else [str(chosen)]


def inbox_text(grid) -> str:
    """Column A of the EraInbox sheet as one text: pasted lines are joined back with newlines."""
    if grid is None:
        return ""
    lines = [str(row[0]) for row in grid.rows if row and row[0] not in (None, "")]
    return "\n".join(lines).strip()
