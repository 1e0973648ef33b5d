"""main.py for xlwings Lite: paste this into the workbook's main.py tab.

xlwings Lite (free, from Excel's add-in store; Windows, macOS and Excel on the web) runs Python inside
Excel, on your computer: the workbook's data never leaves it. Every worksheet function (=IB_NDC11,
=IB_NPI_VALID, ...) and every button (validate_workbook, ...) of infusion-billing is registered by
these two lines; the package itself comes from requirements.txt (see requirements.txt beside this file).
"""

from infusion_billing.udfs import *  # noqa: F401,F403  worksheet functions, IB_ prefix
from infusion_billing.macros import *  # noqa: F401,F403  scripts: validate_workbook, ...
