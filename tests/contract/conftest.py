"""Contract tests: our UDFs and macros through xlwings' own Office.js JSON engine.

xlwings Lite and xlwings Server call Python with JSON the Office.js add-in sends (the workbook's
sheets and values, or a function's arguments) and replay the JSON "actions" Python sends back. These
tests build that JSON the way the client does, run it through ``xlwings.server`` and assert the
actions: the exact cells Excel would receive.

That engine is xlwings PRO, usable here under its noncommercial licence key (testing this open-source
project). It must be switched on before xlwings is first imported, so this folder runs in its own
pytest process (``make test`` does it with ``XLWINGS_ON_SERVER=true XLWINGS_LICENSE_KEY=noncommercial``;
the main run passes ``--ignore=tests/contract``). The tests skip, saying why, only when xlwings
refuses the key.
"""

from __future__ import annotations

import os
import sys

import pytest

# Before any xlwings import: the decorators record Excel metadata only in server mode.
_IMPORTED_TOO_EARLY = "xlwings" in sys.modules and os.environ.get("XLWINGS_ON_SERVER") != "true"
os.environ["XLWINGS_ON_SERVER"] = "true"
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")


def _skip_reason() -> str | None:
    if _IMPORTED_TOO_EARLY:
        return ("xlwings was imported before XLWINGS_ON_SERVER=true was set; run tests/contract in its own "
                "pytest process (make test does)")
    try:
        import xlwings.server  # noqa: F401  (raises LicenseError when the key is refused)
    except Exception as exc:  # LicenseError, or an xlwings without the PRO folder
        return f"xlwings refused the license key, so its Office.js engine is unavailable: {exc}"
    return None


SKIP_REASON = _skip_reason()


def pytest_collection_modifyitems(config, items):
    if SKIP_REASON is None:
        return
    marker = pytest.mark.skip(reason=SKIP_REASON)
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(marker)


# ----------------------------------------------------------------------------- Office.js payloads


def officejs_cell(value):
    """A cell value as the Office.js client sends it: "" for empty, dates/times as ISO text."""
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%dT00:00:00.000Z")
    if isinstance(value, dt.time):  # a time-formatted cell is a date on Excel's day zero
        return f"1899-12-30T{value.strftime('%H:%M:%S')}.000Z"
    return value


def officejs_book_json(sheets: dict[str, list[list]], tables: dict[str, str] | None = None,
                       names: dict[str, str] | None = None, charts: dict[str, list[dict]] | None = None) -> dict:
    """The JSON the Office.js client posts for a script: every sheet's values from A1, rectangular.

    ``tables`` maps a sheet name to the name of an Excel Table covering its whole used range;
    ``names`` a workbook-level defined name to the sheet whose A1 it refers to; ``charts`` a sheet
    name to the charts on it (name, chart type and geometry, as the client describes them).
    """
    import xlwings

    tables = tables or {}
    payload_sheets = []
    for name, rows in sheets.items():
        width = max(len(r) for r in rows)
        values = [[officejs_cell(c) for c in row] + [""] * (width - len(row)) for row in rows]
        entry = {"name": name, "values": values, "pictures": [], "tables": [],
                 "charts": [dict(c) for c in (charts or {}).get(name, [])]}
        if name in tables:
            last = f"{chr(64 + width)}{len(rows)}"
            entry["tables"].append({
                "name": tables[name], "range_address": f"A1:{last}", "header_row_range_address": f"A1:{chr(64 + width)}1",
                "data_body_range_address": f"A2:{last}", "total_row_range_address": None,
                "show_headers": True, "show_totals": False, "table_style": "TableStyleMedium2",
                "show_autofilter": True,
            })
        payload_sheets.append(entry)
    return {
        "client": "Office.js",
        "version": xlwings.__version__,
        "book": {"name": "Clinic.xlsx", "active_sheet_index": 0, "selection": "A1"},
        "sheets": payload_sheets,
        "names": [{"name": name, "sheet_index": list(sheets).index(sheet), "address": "A1", "book_scope": True,
                   "scope_sheet_index": None, "scope_sheet_name": None} for name, sheet in (names or {}).items()],
    }


@pytest.fixture
def server():
    import xlwings.server

    return xlwings.server


@pytest.fixture
def officejs_book(server):
    """``officejs_book(sheets, tables=None)``: an ``xw.Book`` on the remote engine, as a script receives it."""
    import xlwings as xw

    def make(sheets: dict[str, list[list]], tables: dict[str, str] | None = None,
             names: dict[str, str] | None = None, charts: dict[str, list[dict]] | None = None):
        return xw.Book(json=officejs_book_json(sheets, tables, names, charts))

    return make


@pytest.fixture
def run_script(server, officejs_book):
    """``run_script(name, sheets, tables=None, names=None, charts=None) -> (actions, book)``: call a macro as
    Lite/Server do."""
    import asyncio

    import xlwings as xw

    import infusion_billing.macros as macros

    def run(name: str, sheets: dict[str, list[list]], tables: dict[str, str] | None = None,
            names: dict[str, str] | None = None, charts: dict[str, list[dict]] | None = None):
        book = officejs_book(sheets, tables, names, charts)
        returned = asyncio.run(server.custom_scripts_call(macros, name, typehint_to_value={xw.Book: book}))
        return returned.json()["actions"], book

    return run


@pytest.fixture
def call_function(server):
    """``call_function(name, *args)``: a worksheet function call as the Office.js client posts it."""
    import asyncio

    import xlwings as xw

    import infusion_billing.udfs as udfs

    def call(name: str, *args):
        data = {
            "client": "Office.js", "func_name": name,
            "args": [a if isinstance(a, list) else [[a]] for a in args],  # every argument is a matrix
            "caller_address": "[Clinic.xlsx]Administrations!V2", "session_id": "s1",
            "culture_info_name": "en-US", "date_format": "M/d/yyyy", "version": xw.__version__, "runtime": "1.4",
        }
        return asyncio.run(server.custom_functions_call(data, udfs))

    return call
