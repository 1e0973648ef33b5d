"""``Close month`` button: the whole month at once, as ``infusion-billing close`` does.

Runs on the open workbook, in order: validate and pre-bill checks, coding, claims (built and
scrubbed; sending them stays the export's job), the 835 import from the Settings ``Remit Folder``
(desktop Excel; in xlwings Lite, where Python cannot read local folders, import with the Import ERA
button first and the close goes on without), reconcile, denials, aging, KPIs and the Dashboard. The
KPIs and Dashboard report on the latest month of service. Every result sheet, the Findings sheet and
one RunLog row are written exactly as by the separate buttons; input sheets are never written.
The Dashboard's cards and figures are written as its table and its four native charts drawn over
them from the same descriptions the command line's file writer draws (:mod:`._charts`: in full in
desktop Excel; in xlwings Lite and Server without series names and share lines, with a note), the
previous run's charts on the Dashboard deleted first, so closing twice leaves exactly four.
"""

from __future__ import annotations

from typing import Any

import xlwings as xw
from xlwings import script

from infusion_billing.aging.stage import AGING, SUMMARY
from infusion_billing.claims.ledger import BATCHES, CLAIM_LINES, CLAIMS
from infusion_billing.close import close_stages, remit_folder
from infusion_billing.denials.summary import SHEET as DENIALS_SUMMARY
from infusion_billing.denials.worklist import SHEET as DENIALS
from infusion_billing.kpis.dashboard import SHEET as DASHBOARD
from infusion_billing.kpis.stage import SHEET as KPIS
from infusion_billing.posting.reconcile import CLAIM_STATUS, RECONCILIATION, UNDERPAYMENTS, UNMATCHED
from infusion_billing.remits.categories import BOOK_TABLE as ADJUSTMENT_CODES
from infusion_billing.remits.importer import ERA_TABLES
from infusion_billing.workbook.reader import BookData

from ._runner import run_stage_macro

__all__ = ["close_month", "close_month_classic"]

#: Every tool sheet a close reads besides the input tables: ledgers, remits and the derived sheets.
TOOL_SHEETS = (CLAIMS, CLAIM_LINES, BATCHES, *ERA_TABLES, ADJUSTMENT_CODES, RECONCILIATION, UNDERPAYMENTS, UNMATCHED,
               CLAIM_STATUS, DENIALS, DENIALS_SUMMARY, AGING, SUMMARY, KPIS, DASHBOARD, "Encounter Status")


def close_options(data: BookData) -> dict[str, Any]:
    """The close's options once the book is read: the Settings Remit Folder, when this computer has it, and
    the month close's as-of date (infusion_billing.asof)."""
    folder = remit_folder(None, data.settings.remit_folder)
    return {"remit_sources": (folder,) if folder is not None and folder.is_dir() else (), "month_close": True}


def run_close_macro(book: xw.Book):
    """Close the month on ``book`` (837 files are not written: sending claims stays its own step)."""
    return run_stage_macro(book, close_stages(send_claims=False, remits=True), tool_sheets=TOOL_SHEETS,
                           options_from=close_options)


@script
def close_month(book: xw.Book):
    """Close the month: every stage in order, then the KPIs and the Dashboard."""
    run_close_macro(book)


def close_month_classic():
    """Classic add-in entry point: ``RunPython "import infusion_billing.macros as m; m.close_month_classic()"``."""
    run_close_macro(xw.Book.caller())
