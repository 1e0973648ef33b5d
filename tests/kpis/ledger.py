"""The demo workbook's sheets read with openpyxl, for tests that check the KPIs by hand.

Cells are read with the ERA ledger's own cell helpers (text, day); every KPI formula in the tests is
their own.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from infusion_billing.denials.remits import day, text

__all__ = ["cents", "day", "month", "sheets", "text"]


def sheets(path: Path, names: tuple[str, ...]) -> dict[str, list[dict[str, Any]]]:
    """Sheet -> its rows as {header: value} (blank rows left out)."""
    wb = load_workbook(path, read_only=True, data_only=True)
    out = {}
    for name in names:
        rows = list(wb[name].iter_rows(values_only=True)) if name in wb.sheetnames else [()]
        header = [str(h) if h is not None else "" for h in rows[0]] if rows else []
        out[name] = [dict(zip(header, r, strict=False)) for r in rows[1:] if any(c is not None for c in r)]
    wb.close()
    return out


def cents(value: Any) -> Decimal:
    return Decimal("0.00") if value in (None, "") else Decimal(str(value)).quantize(Decimal("0.01"))


def month(value: Any) -> str:
    d = day(value)
    return "" if d is None else f"{d.year:04d}-{d.month:02d}"
