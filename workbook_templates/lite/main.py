"""main.py for xlwings Lite: paste this whole file into the workbook's main.py tab.

xlwings Lite (free, from Excel's add-in store; Windows, macOS and Excel on the web) runs Python inside
Excel, on your computer: the workbook's data never leaves it. These two lines register every worksheet
function of infusion-billing (=IB_NDC11, =IB_NPI_VALID, ... listed in docs/udfs.md) and every script
(validate_workbook, check_and_code, import_remits, ...: the buttons in Lite's task pane). The package
itself comes from requirements.txt beside this file; README.md beside it says how to point that at a
wheel you host while the package is not on the public index.
"""

from infusion_billing.udfs import *  # noqa: F401,F403  worksheet functions, IB_ prefix
from infusion_billing.macros import *  # noqa: F401,F403  scripts: validate_workbook, check_and_code, ...
