"""What the reader hands the stages: raw grids, typed tables and the whole book with its Findings."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ... import values as v
from ...findings import Finding, Severity
from ...reference.catalog import builtin_drugs
from ...rules.reader import TABLE_MISSING
from ...rules.spec import RuleSpec
from ...schema import Drug, SheetRow, TableSpec
from ...settings import Settings


class WorkbookError(Exception):
    """A file that cannot be read as a workbook at all. ``str(error)`` is one sentence for the user."""


@dataclass
class Grid:
    """A rectangle of cell values as the user sees it: header row first.

    Attributes:
        sheet: sheet name.
        rows: cell values, header row first ("" or None for an empty cell).
        top: Excel row number of the header row.
        left: Excel column number (1 = A) of the first column.
        formulas: (excel_row, excel_col) of cells holding a formula.
        merged: merged ranges as ((row, col), (row, col)) Excel numbers, inclusive.
        table_name: the Excel Table the grid came from, if any.
    """

    sheet: str
    rows: list[list[Any]]
    top: int = 1
    left: int = 1
    formulas: set[tuple[int, int]] = field(default_factory=set)
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    table_name: str = ""


# ----------------------------------------------------------------------------- typed result


@dataclass
class TableData:
    """One input table after reading: its valid rows and where every column sits in Excel."""

    spec: TableSpec
    sheet: str = ""
    rows: list[SheetRow] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # header -> column letter
    keys_seen: set[tuple] = field(default_factory=set)  # keys of every row, valid or not
    present: bool = False
    usable: bool = False
    #: Excel row of the table's last non-empty row (its header row when it has none): a row to add
    #: goes on the next one.
    end_row: int = 0

    def cell(self, excel_row: int | None, header: str) -> str:
        """A1 address of ``header`` on ``excel_row`` ("" when the column or row is unknown)."""
        letter = self.columns.get(header, "")
        return f"{letter}{excel_row}" if letter and excel_row else ""


@dataclass
class BookData:
    """Everything read from one workbook: typed tables, settings, and the reader's Findings."""

    tables: dict[str, TableData]
    findings: list[Finding]
    settings: Settings
    path: Path | None = None
    _drugs: dict[str, Drug] | None = None
    #: Results derived from this read that several stages use (the coding engine's claim lines feed
    #: the checks' authorization burn-down): computed once per run, keyed by name.
    memo: dict[str, Any] = field(default_factory=dict)
    #: Grids of tables outside the input schema, by name: ledgers earlier runs wrote (EraPayments,
    #: ...) and optional user tables (Adjustment Codes). The macros fill it from the open workbook;
    #: for a saved file ``extra_loader`` reads a table the first time a stage asks for it.
    extra_grids: dict[str, Grid | None] = field(default_factory=dict)
    extra_loader: Callable[[str], Grid | None] | None = None
    #: Every value of a patient-data column as read (rows left out too), in the forms it can take in
    #: text: what :class:`~infusion_billing.privacy.Redactor` keeps out of messages and logs.
    phi_values: set[str] = field(default_factory=set)

    def table(self, name: str) -> TableData:
        return self.tables[name]

    def rows(self, name: str) -> list:
        """The valid rows of a table (empty when the table is absent or unusable)."""
        return self.tables[name].rows

    def has(self, name: str) -> bool:
        return self.tables[name].usable

    def finding(
        self,
        rule: RuleSpec,
        message: str,
        *,
        severity: Severity | None = None,
        table: str = "",
        row: SheetRow | int | None = None,
        column: str = "",
        value: Any = "",
        encounter_id: str = "",
        fix: str | None = None,
    ) -> Finding:
        """A Finding of ``rule`` located on ``table``/``row``/``column`` (row: a row model or an Excel row number).

        Its severity and (unless the message needs its own) fix are the catalogue's (:meth:`RuleSpec.finding`);
        ``severity`` names one of the rule's documented other severities.
        """
        return rule.finding(message, severity=severity, fix=fix, **self._where(table, row, column, value),
                            encounter_id=encounter_id)

    def relocate(self, finding: Finding, *, table: str, row: SheetRow | int | None, column: str,
                 value: Any = "", encounter_id: str | None = None) -> Finding:
        """The same finding (rule, severity, message, fix) pointed at a cell of this book instead, showing
        ``value`` there (blank where the column holds patient identifiers)."""
        where = self._where(table, row, column, value)
        if encounter_id is not None:
            where["encounter_id"] = encounter_id
        return replace(finding, **where)

    def _where(self, table: str, row: SheetRow | int | None, column: str, value: Any) -> dict[str, Any]:
        """Sheet, Excel row, column, A1 cell and value text of a place in a table (PHI columns show no value)."""
        data = self.tables.get(table)
        excel_row = row.excel_row if isinstance(row, SheetRow) else row
        sheet = data.sheet if data and data.sheet else table
        cell = data.cell(excel_row, column) if data else ""
        if data and column:
            try:
                if data.spec.column(column).phi:
                    value = ""
            except KeyError:
                pass
        return {"sheet": sheet, "row": excel_row, "column": column, "cell": cell, "value": value_text(value)}

    def require(self, stage: str, names: Iterable[str]) -> list[Finding]:
        """One Finding for each table ``stage`` needs that the workbook lacks (the stage runs what it can)."""
        out = []
        for name in names:
            data = self.tables[name]
            if not data.usable:
                why = "has missing required columns" if data.present else "was not found"
                out.append(TABLE_MISSING.finding(
                    f"{stage} needs the {name} table, which {why}.", sheet=name,
                    fix=f"Add an Excel Table or sheet named {name} with the columns on the Instructions sheet."))
        return out

    def extra_grid(self, name: str) -> Grid | None:
        """The grid of a table outside the input schema, by name (None when the book has none)."""
        if name not in self.extra_grids:
            self.extra_grids[name] = self.extra_loader(name) if self.extra_loader is not None else None
        return self.extra_grids[name]

    def extra_rows(self, name: str) -> list[dict[str, Any]]:
        """The rows of a table outside the input schema, as ``{header: value}`` (blank rows left out).

        Values come back as Excel stores them (numbers as float or int): a stage turns money back into
        Decimal itself. Used by the ledger stages, which append to what earlier runs wrote.
        """
        return grid_records(self.extra_grid(name))

    @property
    def drugs(self) -> dict[str, Drug]:
        """Built-in drug table overridden row by row by the workbook's own Drugs table, by HCPCS."""
        if self._drugs is None:
            merged = dict(builtin_drugs())
            merged.update({d.hcpcs: d for d in self.rows("Drugs")})
            self._drugs = merged
        return self._drugs


def grid_records(grid: Grid | None) -> list[dict[str, Any]]:
    """The rows of a grid (header first) as ``{header: value}``, blank rows left out."""
    if grid is None or not grid.rows:
        return []
    headers = [str(h).strip() if h is not None else "" for h in grid.rows[0]]
    unnamed = "" in headers
    out = []
    # The blank test written out (not v.is_blank) and a row's blankness read from its record first:
    # this runs for every cell of every ledger a stage reads (300,000 claim lines at the benchmark).
    for row in grid.rows[1:]:
        record = {h: (None if x.__class__ is str and not x.strip() else x) for h, x in zip(headers, row, strict=False)}
        if unnamed:
            record.pop("", None)
        if any(x is not None for x in record.values()) or not all(v.is_blank(x) for x in row):
            out.append(record)
    return out


def value_text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value.value if hasattr(value, "value") and not isinstance(value, str) else value)
    return text if len(text) <= 120 else text[:117] + "..."
