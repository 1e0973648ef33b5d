"""``Pre-bill Checks`` button: which encounters are ready to bill, and what holds the others.

Runs the reader's checks and every pre-bill rule (documentation, eligibility, prior authorization,
timely filing, payer rules) on the open workbook and writes the ``Encounter Status`` sheet (Ready /
Hold / Review per encounter with the first thing to fix), ``Authorization Usage`` and ``Findings``
(each problem at its cell). The input sheets are not changed; a ``RunLog`` row records the run.
Settings ``Rule Set`` = strict adds the strict rules.
"""

from __future__ import annotations

import xlwings as xw
from xlwings import script

from ._runner import run_stage_macro

__all__ = ["check_encounters", "check_encounters_classic"]

STAGES = ["validate", "check"]


@script
def check_encounters(book: xw.Book):
    """Run the pre-bill checks and write Encounter Status, Authorization Usage and Findings."""
    run_stage_macro(book, STAGES)


def check_encounters_classic():
    """Classic add-in entry point: ``RunPython "import infusion_billing.macros as m; m.check_encounters_classic()"``."""
    run_stage_macro(xw.Book.caller(), STAGES)
