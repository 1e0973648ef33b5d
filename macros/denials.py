"""``Denial worklist`` and ``AR aging`` buttons: the denial worklist and the AR aging inside Excel.

``denial_worklist`` runs the ``denials`` stage on the open workbook, exactly as ``infusion-billing
denials`` does on a saved file: the imported remits (the ``Era...`` sheets) and the claim ledger
(``Claims``, ``ClaimLines``) give the ``Denials`` worklist and ``Denials Summary``. What you typed on
the Denials sheet (Work Status, Assigned To, Notes, Follow-up Date, and any column you added to the
right) is read first and carried into the rebuilt sheet by its row's key.

``aging_report`` runs the ``aging`` stage as ``infusion-billing aging`` does: the remits posted to the
claim lines as the Reconciliation sheet posts them, patient payments applied, and the ``AR Aging`` and
``Aging Summary`` sheets rebuilt as of the Settings As-Of Date. Denials you set to Written off on the
Denials sheet leave AR.

Neither changes the ledgers or the input sheets; a ``RunLog`` row records each run.
"""

from __future__ import annotations

import xlwings as xw
from xlwings import script

from infusion_billing.aging.stage import AGING, SUMMARY
from infusion_billing.claims.ledger import CLAIM_LINES, CLAIMS
from infusion_billing.denials.summary import SHEET as DENIALS_SUMMARY
from infusion_billing.denials.worklist import SHEET as DENIALS
from infusion_billing.remits.categories import BOOK_TABLE as ADJUSTMENT_CODES
from infusion_billing.remits.importer import ERA_TABLES

from ._runner import run_stage_macro

__all__ = ["aging_report", "aging_report_classic", "denial_worklist", "denial_worklist_classic"]

#: The tool sheets each stage reads besides the input tables: the ledgers, the remits, its own sheets
#: (the Denials sheet's typed columns; Written off for aging) and the practice's Adjustment Codes.
WORKLIST_SHEETS = (CLAIMS, CLAIM_LINES, *ERA_TABLES, ADJUSTMENT_CODES, DENIALS, DENIALS_SUMMARY)
AGING_SHEETS = (CLAIMS, CLAIM_LINES, *ERA_TABLES, DENIALS, AGING, SUMMARY)


@script
def denial_worklist(book: xw.Book):
    """Rebuild the Denials worklist and Denials Summary; your work columns are kept."""
    run_stage_macro(book, ["denials"], tool_sheets=WORKLIST_SHEETS)


def denial_worklist_classic():
    """Classic add-in entry point: ``RunPython "import infusion_billing.macros as m; m.denial_worklist_classic()"``."""
    run_stage_macro(xw.Book.caller(), ["denials"], tool_sheets=WORKLIST_SHEETS)


@script
def aging_report(book: xw.Book):
    """Rebuild AR Aging and Aging Summary as of the Settings As-Of Date."""
    run_stage_macro(book, ["aging"], tool_sheets=AGING_SHEETS)


def aging_report_classic():
    """Classic add-in entry point: ``RunPython "import infusion_billing.macros as m; m.aging_report_classic()"``."""
    run_stage_macro(xw.Book.caller(), ["aging"], tool_sheets=AGING_SHEETS)
