"""The KPI SQL's relations of one book, for the store: what makes the portfolio's KPIs the KPIs sheet's.

The KPIs sheet runs ``kpis.sql`` over relations built from the book
(:func:`infusion_billing.kpis.relations.book_relations`: claims, ERA claims, lines and adjustments,
Reconciliation, Claim Status, Denials, AR Aging, the report date), counting the remits dated by the
as-of date the KPIs sheet names in its ``As Of`` column (else the book's as-of date,
:mod:`infusion_billing.asof`), so the store holds the figures the book shows. ``export-store`` writes those same
relations, typed as :data:`~infusion_billing.kpis.relations.RELATIONS` declares them, to
``STORE/kpi_<relation>/``, by clinic and month of service where the relation has one; the portfolio
report runs the same SQL over them. Money stays ``decimal(18,2)``, day numbers are integers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pyarrow as pa

from ..asof import as_of_date
from ..assess.report import Hasher
from ..denials.remits import day
from ..kpis.relations import RELATIONS, book_relations
from ..kpis.stage import SHEET as KPIS
from ..stages import RunOptions
from ..workbook.reader import BookData
from .columns import MONEY
from .tables import DERIVED, MonthFrom, StoreTable

#: The relations' SQL types as Arrow types.
ARROW_TYPES: dict[str, pa.DataType] = {"DECIMAL(18,2)": MONEY, "INTEGER": pa.int32(), "VARCHAR": pa.string()}
#: Columns holding a claim, encounter or claim line number: hashed in a de-identified store.
IDENTIFIERS = frozenset({"claim_id", "encounter_id", "original_claim_id", "line_control_number"})
MONTH_COLUMN = "service_month"


def sheet_as_of(book: BookData) -> date | None:
    """The date the book's KPIs sheet counted to (its ``As Of`` column), None without one."""
    for row in book.extra_rows(KPIS):
        found = day(row.get("As Of"))
        if found is not None:
            return found
    return None


def kpi_relations(book: BookData, hasher: Hasher | None = None,
                  options: RunOptions | None = None) -> Iterator[tuple[StoreTable, pa.Table, list[str | None] | None]]:
    """Each KPI relation of ``book``: how the store keeps it, its rows, and each row's month (None: by clinic)."""
    as_of = (options or RunOptions()).as_of or sheet_as_of(book) or as_of_date(book, options or RunOptions())
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
