"""Run the KPI SQL on DuckDB over a workbook's relations, and turn its rows into figures.

DuckDB is the engine in the workbook (and in xlwings Lite, where Pyodide ships a DuckDB build); the
store's portfolio report runs the same ``kpis.sql`` on DuckDB or Spark over Parquet files with the
same relation names and columns (:mod:`.relations`). The engine returns exact numerators and
denominators; :func:`figure` divides them here with Decimal, so the cents never depend on an engine's
decimal-division rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib.resources import files
from typing import Any

from .relations import RELATIONS, Relations, frames

#: The all-payers row's Payer ID.
ALL_PAYERS = "All payers"
#: The clinic column of a single workbook's relations (the store's hold each clinic's name).
THIS_BOOK = "This book"
RATE_PLACES, DAYS_PLACES, CENTS = Decimal("0.0001"), Decimal("0.1"), Decimal("0.01")


@cache
def kpi_sql() -> str:
    """The KPI query, exactly as shipped in the package (``kpis.sql``)."""
    return files("infusion_billing.kpis").joinpath("kpis.sql").read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class KpiRow:
    """One KPI for one clinic, month and payer, as the engine returned it."""

    clinic: str
    month: str
    payer_id: str
    kpi: str
    numerator: Decimal | None
    denominator: Decimal | None
    factor: int

    @classmethod
    def of(cls, row: tuple[Any, ...]) -> KpiRow:
        clinic, month, payer, kpi, numerator, denominator, factor = row
        return cls(str(clinic), str(month), str(payer), str(kpi), _decimal(numerator), _decimal(denominator),
                   int(factor or 1))


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def figure(row: KpiRow, unit: str) -> Decimal | None:
    """The KPI's value: a rate as a fraction to four places, days to a tenth, money to the cent.

    None when the denominator is zero or missing (nothing to measure that month).
    """
    if unit == "money":
        return None if row.numerator is None else row.numerator.quantize(CENTS, ROUND_HALF_UP)
    if row.numerator is None or not row.denominator:
        return None
    value = row.numerator * row.factor / row.denominator
    return value.quantize(RATE_PLACES if unit == "rate" else DAYS_PLACES, ROUND_HALF_UP)


def typed_select(name: str, source: str) -> str:
    """``SELECT 'This book' AS clinic, CAST(col AS type) AS col, ...`` from a text-celled ``source``: how every
    relation of a workbook is loaded (one clinic, the same column the store's relations get from their folders)."""
    casts = ", ".join(f"CAST({col} AS {sql_type}) AS {col}" for col, sql_type in RELATIONS[name])
    return f"SELECT '{THIS_BOOK}' AS clinic, {casts} FROM {source}"


def run_duckdb(relations: Relations) -> list[KpiRow]:
    """Register the relations in an in-memory DuckDB, typed per :data:`RELATIONS`, and run ``kpis.sql``."""
    import duckdb  # noqa: PLC0415 — imported where used: the rest of the package works without it

    con = duckdb.connect(":memory:")
    try:
        for name, frame in frames(relations).items():
            con.register(f"{name}_text", frame)
            con.execute(f"CREATE TABLE {name} AS {typed_select(name, f'{name}_text')}")
            con.unregister(f"{name}_text")
        return [KpiRow.of(row) for row in con.execute(kpi_sql()).fetchall()]
    finally:
        con.close()
