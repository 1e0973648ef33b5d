"""A small synthetic clinic month as a workbook, and helpers to spoil it and read results back.

The clinic is the demo's (seeded, every person made up), cut to a few hundred encounters so a whole
month (check, claims, 837 files) runs in seconds.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from infusion_billing.demo import clinic as demo_clinic
from infusion_billing.demo.clinic import Clinic
from infusion_billing.schema import TABLES_BY_NAME
from infusion_billing.workbook.reader import load_grids
from infusion_billing.workbook.reader.book import grid_records
from infusion_billing.workbook.template import WorkbookBuilder
from infusion_billing.workbook.writer import OutputTable

SEED = 20261127
ENCOUNTERS = 240
AS_OF = date(2026, 11, 15)
MONTH = ("validate", "code", "check", "claims", "export-837")


def clinic_rows(encounters: int = ENCOUNTERS) -> dict[str, list[list[Any]]]:
    """The clinic's tables without the diagnosis the demo plants for the scrubber: these tests plant
    their own scrubber defects, and a clean month must give the scrubber nothing to hold.

    The clinic alone (837P claims), to keep the month small: the demo's hospital department and its
    837I files are validated on the whole demo month in tests/posting/test_full_demo.py (which also
    documents why x12sdk's 837I model objects to the situational 2410 REF the writer rightly omits).
    """
    saved = demo_clinic.RATE_DX_UNCOVERED
    demo_clinic.RATE_DX_UNCOVERED = 0.0
    try:
        return Clinic(seed=SEED, encounters=encounters, hospital=False).rows_by_table()
    finally:
        demo_clinic.RATE_DX_UNCOVERED = saved


def write_rows(path: Path, rows: dict[str, list[list[Any]]], extra: list[OutputTable] = ()) -> Path:
    """The rows (each a list in the table's column order) as an input workbook."""
    with WorkbookBuilder(path) as book:
        for name, table_rows in rows.items():
            if name in book.sheets:
                book.extend(name, table_rows)
        for table in extra:
            book.add_table(table)
    return path


def column(table: str, header: str) -> int:
    """The 0-based position of ``header`` in ``table``'s rows."""
    return [c.header for c in TABLES_BY_NAME[table].columns].index(header)


def records(path: Path, sheet: str) -> list[dict[str, Any]]:
    return grid_records(load_grids(path, [sheet]).get(sheet))


def sheet_xml(path: Path, sheet: str) -> bytes:
    """The raw XML of a sheet, found through the workbook's relationships."""
    import re

    with zipfile.ZipFile(path) as z:
        workbook = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(rf'<sheet [^>]*name="{re.escape(sheet)}"[^>]*r:id="([^"]+)"', workbook)
        assert rid, f"no sheet {sheet}"
        target = re.search(rf'Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels) or re.search(
            rf'Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels)
        assert target
        name = target.group(1).lstrip("/")
        return z.read(name if name.startswith("xl/") else f"xl/{name}")


def rows_xml(xml: bytes) -> list[bytes]:
    """The ``<row>`` elements of a sheet's XML, in order."""
    import re

    return re.findall(rb"<row [^>]*>.*?</row>", xml, flags=re.S)


def find(rows: list[list[Any]], table: str, test: Callable[[dict[str, Any]], bool]) -> int:
    """The index of the first row of ``table`` for which ``test(row as dict)`` holds."""
    headers = [c.header for c in TABLES_BY_NAME[table].columns]
    for i, row in enumerate(rows):
        if test(dict(zip(headers, row, strict=True))):
            return i
    raise LookupError(f"no {table} row matches")
