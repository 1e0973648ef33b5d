"""``Check & Code`` button: the whole pre-bill run at once, as ``infusion-billing run`` does.

Validates every input table, codes every encounter into ``Charges`` and runs every pre-bill check
into ``Encounter Status`` and ``Authorization Usage``, with one ``Findings`` sheet for all of it (a
problem both the coding and the checks see is listed once) and one ``RunLog`` row. This is the button
a biller presses at month end; the separate Code and Pre-bill Checks buttons remain for fixing one
thing at a time. Input sheets are never written.
"""

from __future__ import annotations

import xlwings as xw
from xlwings import script

from ._runner import run_stage_macro

__all__ = ["check_and_code", "check_and_code_classic"]

STAGES = ["validate", "code", "check"]


@script
def check_and_code(book: xw.Book):
    """Validate, code and check: Charges, Encounter Status, Authorization Usage and Findings."""
    run_stage_macro(book, STAGES)


def check_and_code_classic():
    """Classic add-in entry point: ``RunPython "import infusion_billing.macros as m; m.check_and_code_classic()"``."""
    run_stage_macro(xw.Book.caller(), STAGES)
