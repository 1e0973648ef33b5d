"""Where things are in the store: one folder per relation, one per clinic, one per month (Hive style).

::

    STORE/<relation>/clinic=<clinic>/month=<YYYY-MM>/part-0000.parquet   (tables with a month)
    STORE/<relation>/clinic=<clinic>/part-0000.parquet                   (tables by clinic only)
    STORE/manifest.json

DuckDB (``hive_partitioning``) and Spark (partition discovery) both turn ``clinic=`` and ``month=``
into columns, so a query filters on them without opening the other partitions' files.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyarrow.parquet as pq


def partition_dir(store: Path, relation: str, clinic: str, month: str | None) -> Path:
    base = store / relation / f"clinic={clinic}"
    return base if month is None else base / f"month={month}"


def row_counts(store: Path, relation: str, clinic: str) -> dict[str, int]:
    """Rows per partition of one clinic's table (``month`` -> rows; ``""`` for a clinic-only table)."""
    base = store / relation / f"clinic={clinic}"
    out: dict[str, int] = {}
    for file in sorted(base.rglob("*.parquet")) if base.exists() else []:
        month = file.parent.name.removeprefix("month=") if file.parent != base else ""
        out[month] = out.get(month, 0) + pq.ParquetFile(file).metadata.num_rows
    return out


def relations_in(store: Path) -> Iterable[str]:
    """The relations (table folders) the store holds."""
    if not store.is_dir():
        return []
    return sorted(p.name for p in store.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


def by_month(relation_dir: Path) -> bool:
    """Whether a relation's folder is partitioned by month as well as clinic."""
    return any(p.name.startswith("month=") for c in relation_dir.glob("clinic=*") for p in c.iterdir() if p.is_dir())
