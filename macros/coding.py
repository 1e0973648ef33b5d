"""``Code & Units`` button: code every encounter into the Charges sheet.

Runs the same ``validate`` and ``code`` pipeline stages as ``infusion-billing code`` on a saved file:
one Charges row per claim line (code, modifiers, units, charge, NDC, the administrations it comes
from, the rule IDs and a one-sentence explanation), every problem on the Findings sheet at the cell
to fix, and a RunLog row. Encounters with an error are held (no lines) until the cell is fixed.
Input sheets are never written.
"""

from __future__ import annotations

import xlwings as xw
from xlwings import script

from ._runner import run_stage_macro

__all__ = ["code_encounters", "code_encounters_classic"]

STAGES = ["validate", "code"]


@script
def code_encounters(book: xw.Book):
    """Code every encounter and write the Charges and Findings sheets."""
    run_stage_macro(book, STAGES)


def code_encounters_classic():
    """Classic add-in entry point: ``RunPython "import infusion_billing.macros as m; m.code_encounters_classic()"``."""
    run_stage_macro(xw.Book.caller(), STAGES)
