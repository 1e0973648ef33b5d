"""``store.*``: what the columnar store and the portfolio report say about the data they were given.

How the store is laid out and what goes in it: README (Portfolio reporting) and docs/store.md.
"""

from __future__ import annotations

from ..findings import Severity
from .spec import Family

SOURCE = "docs/store.md (the columnar store and portfolio reporting)"
STORE = Family("store")

ROWS_TO_STORE = STORE.finding(
    "store.rows-to-store", Severity.WARNING,
    "A table longer than an Excel sheet: all its rows are in the store, the sheet keeps the latest months",
    fix="Query the store (infusion-billing portfolio, DuckDB or Spark) for the earlier months, or run on a shorter "
        "period.", source=SOURCE)
STORE_UNAVAILABLE = STORE.finding(
    "store.unavailable", Severity.WARNING,
    "The Store Folder is set but the store cannot be written (pyarrow missing, or the folder refused)",
    fix="Install the store extra (pip install \"infusion-billing[store]\") or correct the Store Folder setting; "
        "meanwhile the rows went to a CSV beside the workbook.", source=SOURCE)
SPECS = STORE.specs
