"""``Reconcile Remits`` button: expected vs paid for every claim line, underpayments, unmatched remits.

Runs the ``reconcile`` stage on the open workbook, exactly as ``infusion-billing reconcile`` does on
a saved file: the imported remits (the ``Era...`` sheets, filled by the Import ERA button) are posted
to the claim ledger (``Claims``, ``ClaimLines``) and ``PatientPayments``, and the ``Reconciliation``,
``Underpayments``, ``Unmatched Remits`` and ``Claim Status`` sheets are rebuilt (a column you added
to their right is kept by row). The ledger and the input sheets are not changed; a ``RunLog`` row
records the run.
"""

from __future__ import annotations

import xlwings as xw
from xlwings import script

from infusion_billing.claims.ledger import CLAIM_LINES, CLAIMS
from infusion_billing.posting.reconcile import CLAIM_STATUS, RECONCILIATION, UNDERPAYMENTS, UNMATCHED
from infusion_billing.remits.importer import ERA_TABLES

from ._runner import run_stage_macro

__all__ = ["reconcile_remits", "reconcile_remits_classic"]

STAGES = ["reconcile"]
#: The tool sheets the stage reads besides the input tables: the ledger, the remits, its own sheets.
TOOL_SHEETS = (CLAIMS, CLAIM_LINES, *ERA_TABLES, RECONCILIATION, UNDERPAYMENTS, UNMATCHED, CLAIM_STATUS)


@script
def reconcile_remits(book: xw.Book):
    """Post the imported remits to the claim lines and rebuild the reconciliation sheets."""
    run_stage_macro(book, STAGES, tool_sheets=TOOL_SHEETS)


def reconcile_remits_classic():
    """Classic add-in entry point: ``RunPython "import infusion_billing.macros as m; m.reconcile_remits_classic()"``."""
    run_stage_macro(xw.Book.caller(), STAGES, tool_sheets=TOOL_SHEETS)
