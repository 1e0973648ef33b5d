"""Before a report: is every partition the manifest records still in the store, with all its rows?

A portfolio over a store with a month's file deleted (a clean-up script, a partial copy, a sync tool
that lost a folder) would simply count that month as empty: Claims 0, Charges 0.00, or no clinic at
all, with nothing to say figures are missing. The manifest records, for every clinic, the rows each
partition of each table held when ``export-store`` last wrote it (:func:`.manifest.note_clinic`), so
the report first compares those counts with the Parquet files' footers (their row counts, read
without reading any data) for the tables it reads, and stops with one sentence naming the first
partition that is gone or short, relative to the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..display import counted, shown
from ..workbook.reader import WorkbookError
from .engines import damaged_message, footer_rows
from .layout import partition_dir

#: Footers read at once (small reads, mostly waiting on the disk).
THREADS = 4


def recorded(manifest: dict[str, Any], relations: Iterable[str]) -> Iterator[tuple[str, str, str, int]]:
    """(relation, clinic, month, rows) for every partition the manifest records of ``relations``
    (month ``""`` for a table by clinic only)."""
    wanted = set(relations)
    for clinic, entry in sorted(manifest.get("clinics", {}).items()):
        for relation, counts in sorted((entry.get("rows") or {}).items()):
            if relation in wanted:
                for month, rows in sorted(counts.items()):
                    yield relation, clinic, month, int(rows)


def partition_rows(store: Path, folder: Path, flat: bool) -> int | None:
    """The rows the Parquet files of one partition folder hold (its own files only when ``flat``: a
    table by clinic only); None when the folder has none. A damaged file is WorkbookError naming it."""
    files = sorted(folder.glob("*.parquet")) if flat else sorted(folder.rglob("*.parquet"))
    if not files:
        return None
    total = 0
    for file in files:
        rows = footer_rows(file)
        if rows is None:
            raise WorkbookError(damaged_message(store, file))
        total += rows
    return total


def check_partitions(store: Path, manifest: dict[str, Any], relations: Iterable[str]) -> None:
    """Refuse a store missing a partition (or rows of one) the manifest records for ``relations``."""
    store = Path(store)
    expected = list(recorded(manifest, relations))

    def found(item: tuple[str, str, str, int]) -> int | None:
        relation, clinic, month, _ = item
        folder = partition_dir(store, relation, clinic, month or None)
        return partition_rows(store, folder, flat=not month) if folder.is_dir() else None

    with ThreadPoolExecutor(THREADS) as pool:
        counts = list(pool.map(found, expected))
    problems = [(item, rows) for item, rows in zip(expected, counts, strict=True) if rows is None or rows < item[3]]
    if not problems:
        return
    (relation, clinic, month, rows), there = problems[0]
    where = partition_dir(Path(), relation, clinic, month or None).as_posix()
    what = (f"The store has lost {shown(where, whole=True)} (the manifest records {counted(rows, 'row')} there)"
            if there is None else
            f"The store's {shown(where, whole=True)} holds {counted(there, 'row')} where the manifest records "
            f"{rows:,}")
    more = f", and {counted(len(problems) - 1, 'other partition')} as well" if len(problems) > 1 else ""
    raise WorkbookError(f"{what}{more}, so the portfolio would be short; restore the store from a backup, or delete "
                        "that clinic's folders and export its book again.")
