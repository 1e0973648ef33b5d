"""Excel macros (buttons) of infusion-billing.

Each macro is a ``@script`` function taking the open workbook (``book: xw.Book``), as xlwings Lite
and xlwings Server call it, plus a ``*_classic()`` twin for the desktop add-in's ``RunPython``,
which gets the workbook from ``xw.Book.caller()``. All of them go through
:func:`._runner.run_stage_macro`, which reads the input tables, runs pipeline stages and writes
tool-owned result sheets, the Findings sheet and a RunLog row: the same results as the
``infusion-billing`` command on a saved file.

To add a button: ``@script def my_macro(book: xw.Book): run_stage_macro(book, ["stage"])`` and its
``my_macro_classic()`` twin in their own module, one ``from .my_module import *`` line here, and a
row in :data:`infusion_billing.classic.BUTTONS` for the classic workbook's Buttons sheet (a test
fails when a ``*_classic`` macro has no button there).
"""

from ._runner import run_stage_macro  # noqa: F401
from .check_and_code import *  # noqa: F401,F403
from .checks import *  # noqa: F401,F403
from .claims import *  # noqa: F401,F403
from .close import *  # noqa: F401,F403
from .coding import *  # noqa: F401,F403
from .denials import *  # noqa: F401,F403
from .reconcile import *  # noqa: F401,F403
from .remits import *  # noqa: F401,F403
from .validate import *  # noqa: F401,F403
