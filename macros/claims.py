"""``Build Claims`` and ``Export 837`` buttons: the claim ledger and the 837 files, inside Excel.

``Build Claims`` runs the ``claims`` stage on the open workbook, exactly as ``infusion-billing claims``
does on a saved file: a claim for every Ready encounter that has none yet (and, once a primary's remit
is posted, the secondary claim), scrubbed; the ``Claims`` and ``ClaimLines`` ledger sheets, ``Encounter
Status`` (Billed or Hold, with the reason) and ``Findings`` are written. A claim already sent is never
changed.

``Export 837`` runs the ``export-837`` stage: the Ready claims go into one 837P or 837I file per payer,
the claims become Submitted with the file's name and date, and ``Claim Batches`` records the control
numbers. On desktop Excel the files are written to a folder named ``837`` beside the workbook. On
Excel for the web and xlwings Lite, where Python cannot write to your disk, the files' text is put on
the ``837 Outbox`` sheet instead (one segment per row, each file after its name): copy column B of a
file's rows into a text file, or paste them into the clearinghouse's upload box.

Input sheets are never changed; a ``RunLog`` row records each run.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import xlwings as xw
from xlwings import script

from infusion_billing.claims.ledger import BATCHES, CLAIM_LINES, CLAIMS
from infusion_billing.claims.ncci import MUE_SHEET, PTP_SHEET
from infusion_billing.claims.stage import STATUS_SHEET
from infusion_billing.pipeline import RunResult
from infusion_billing.remits.importer import ERA_TABLES
from infusion_billing.workbook.writer import OutputTable

from ._runner import is_remote, run_stage_macro

__all__ = ["build_claims", "build_claims_classic", "export_837", "export_837_classic"]

OUTBOX = "837 Outbox"
#: The tool sheets the claim stages read besides the input tables: the ledger, the batches, the
#: encounters' status, imported NCCI edits and the posted remits (for secondary claims).
TOOL_SHEETS = (CLAIMS, CLAIM_LINES, BATCHES, STATUS_SHEET, PTP_SHEET, MUE_SHEET, *ERA_TABLES)


@script
def build_claims(book: xw.Book):
    """Build and scrub a claim for every Ready encounter without one (Claims, ClaimLines, Encounter Status)."""
    run_stage_macro(book, ["claims"], tool_sheets=TOOL_SHEETS)


def build_claims_classic():
    """Classic add-in entry point: ``RunPython "import infusion_billing.macros as m; m.build_claims_classic()"``."""
    run_stage_macro(xw.Book.caller(), ["claims"], tool_sheets=TOOL_SHEETS)


@script
def export_837(book: xw.Book):
    """Write the Ready claims to 837 files (beside the workbook, or on the 837 Outbox sheet on the web)."""
    run_export(book)


def export_837_classic():
    """Classic add-in entry point: ``RunPython "import infusion_billing.macros as m; m.export_837_classic()"``."""
    run_export(xw.Book.caller())


def run_export(book: xw.Book) -> RunResult | None:
    folder, outbox = outbox_folder(book)
    return run_stage_macro(book, ["export-837"], tool_sheets=TOOL_SHEETS, options={"out_dir": folder},
                           more_tables=(lambda run: [outbox_table(folder, run)]) if outbox else None)


def outbox_folder(book: xw.Book) -> tuple[Path, bool]:
    """Where the 837 files go, and whether their text must also go on the ``837 Outbox`` sheet: the
    ``837`` folder beside a saved workbook on the desktop; a scratch folder (and the sheet) otherwise."""
    if not is_remote(book):
        try:
            folder = Path(book.fullname).parent
        except Exception:  # an engine without a file name
            folder = Path()
        if str(folder) not in ("", ".") and folder.is_dir():
            return folder / "837", False
    return Path(tempfile.mkdtemp(prefix="infusion-billing-837-")), True


def outbox_table(folder: Path, run: RunResult) -> OutputTable:
    """The text of the 837 files this run wrote, one segment per row under its file's name."""
    batches = next((t for t in run.tables if t.name == BATCHES), None)
    written = [row[0] for row in batches.rows] if batches is not None else []
    rows: list[list[str]] = []
    for name in written:
        path = folder / str(name)
        if not path.exists():
            continue  # a batch of an earlier run: already sent
        segments = [s.strip() for s in path.read_text(encoding="ascii").split("~") if s.strip()]
        rows += [[str(name), f"{s}~"] for s in segments]
    return OutputTable(OUTBOX, ["File", "Segment"], rows, widths={"File": 34, "Segment": 110},
                       description="The 837 files of the last Export 837 run: copy a file's segments into a text file "
                                   "or the clearinghouse's upload box.")
