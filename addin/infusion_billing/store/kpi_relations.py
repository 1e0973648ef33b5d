"""The KPI SQL's relations of one book, for the store: what makes the portfolio's KPIs the KPIs sheet's.

The KPIs sheet runs ``kpis.sql`` over relations built from the book
(:func:`infusion_billing.kpis.relations.book_relations`: claims, ERA claims, lines and adjustments,
Reconciliation, Claim Status, Denials, AR Aging, the report date). ``export-store`` writes those same
relations, typed as :data:`~infusion_billing.kpis.relations.RELATIONS` declares them, to
``STORE/kpi_<relation>/``, by clinic and month of service where the relation has one; the portfolio
report runs the same SQL over them. Money stays ``decimal(18,2)``, day numbers are integers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from ..assess.report import Hasher
from ..denials.remits import read_era_ledger
from ..denials.stage import as_of_date
from ..kpis.relations import RELATIONS, book_relations
from ..stages import RunOptions
from ..workbook.reader import BookData
from .columns import MONEY
from .tables import DERIVED, MonthFrom, StoreTable

#: The relations' SQL types as Arrow types.
ARROW_TYPES: dict[str, pa.DataType] = {"DECIMAL(18,2)": MONEY, "INTEGER": pa.int32(), "VARCHAR": pa.string()}
#: Columns holding a claim, encounter or claim line number: hashed in a de-identified store.
IDENTIFIERS = frozenset({"claim_id", "encounter_id", "original_claim_id", "line_control_number"})
MONTH_COLUMN = "service_month"


def kpi_relations(book: BookData, hasher: Hasher | None = None,
                  options: RunOptions | None = None) -> Iterator[tuple[StoreTable, pa.Table, list[str | None] | None]]:
    """Each KPI relation of ``book``: how the store keeps it, its rows, and each row's month (None: by clinic)."""
    options = options or RunOptions()
    as_of = as_of_date(book, options, read_era_ledger(book))
    relations = book_relations(book, as_of)
    for name, columns in RELATIONS.items():
        names = [c for c, _ in columns]
        rows: list[tuple[Any, ...]] = list(relations.rows.get(name, []))
        if hasher is not None:
            hashed = [i for i, c in enumerate(names) if c in IDENTIFIERS]
            rows = [tuple(hasher(x) if i in hashed and x is not None else x for i, x in enumerate(r)) for r in rows]
        arrays = [pa.array([r[i] for r in rows], type=ARROW_TYPES[sql_type]) for i, (_, sql_type) in enumerate(columns)]
        table = pa.Table.from_arrays(arrays, names=names)
        by_month = MONTH_COLUMN in names
        spec = StoreTable(f"kpi_{name}", DERIVED, month=MonthFrom(MONTH_COLUMN) if by_month else None)
        months = [r[names.index(MONTH_COLUMN)] for r in rows] if by_month else None
        yield spec, table, months
