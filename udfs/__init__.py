"""Excel worksheet functions (UDFs) of infusion-billing.

Every function is a thin wrapper: it converts what Excel passes (:mod:`._convert`), calls the
billing core in :mod:`infusion_billing`, and returns a value, a spilled array, ``#N/A`` when the
question does not apply, or a short text for invalid input; never a traceback.

The same functions serve the classic xlwings add-in (Windows), xlwings Lite (the workbook's
``main.py`` is ``from infusion_billing.udfs import *``) and xlwings Server. Without an xlwings
runtime the decorators do nothing, so these are plain Python functions in tests.

Names are upper case with the ``IB_`` prefix; each module lists its functions in ``__all__``.
"""

from .checks import *  # noqa: F401,F403
from .coding import *  # noqa: F401,F403
from .ndc import *  # noqa: F401,F403
from .npi import *  # noqa: F401,F403
