"""``Validate`` button: check every input table and list each bad cell on the Findings sheet.

This is the first thing a biller runs on a new or pasted-into workbook: wrong types, unknown values,
duplicate IDs, missing required columns and values, administrations whose encounter does not exist.
Each problem is one row on ``Findings`` with its rule ID, sheet, Excel row, column and A1 cell
(``Administrations!M14``), so it can be fixed where it is. The ``Encounter Status`` sheet shows which
visits those cells hold (Hold), before any pre-bill check runs. Nothing on the input sheets changes;
a ``RunLog`` row records the run.
"""

from __future__ import annotations

import xlwings as xw
from xlwings import script

from ._runner import run_stage_macro

__all__ = ["validate_workbook", "validate_workbook_classic"]


@script
def validate_workbook(book: xw.Book):
    """Check all input tables and write the Findings and Encounter Status sheets."""
    run_stage_macro(book, ["validate"], status=True)


def validate_workbook_classic():
    """Classic add-in entry point.

    ``RunPython "import infusion_billing.macros as m; m.validate_workbook_classic()"``
    """
    run_stage_macro(xw.Book.caller(), ["validate"], status=True)
