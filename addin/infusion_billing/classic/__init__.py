"""The classic xlwings add-in's workbook: the template with macros, buttons and its xlwings.conf sheet.

:func:`.workbook.build` is ``infusion-billing excel-workbook``. It reads xlwings' quickstart files
from disk and never imports xlwings; :mod:`.vba` and :mod:`.cfb` rewrite the quickstart's VBA project.
"""

from .workbook import BUTTONS, ClassicWorkbookError, build

__all__ = ["BUTTONS", "ClassicWorkbookError", "build"]
