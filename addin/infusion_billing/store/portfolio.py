"""``portfolio``: every clinic of the store on one workbook, with the KPIs of each clinic's own KPIs sheet.

The KPI definitions are the very SQL the KPIs sheet runs (``infusion_billing/kpis/kpis.sql``), over the
same relations (:data:`infusion_billing.kpis.relations.RELATIONS`), which ``export-store`` wrote into
the store (``STORE/kpi_<relation>/``). Every relation carries its clinic (the folder's name; one
constant in a workbook) and the SQL joins and groups within a clinic, so the report runs it once over
every clinic and a clinic's portfolio figures are its KPIs sheet's, to the cent. The few figures the
KPI SQL does not give (encounters, claims, the Charges sheet's total, denied dollars, AR split by who
owes it) and the two breakdowns come from three more portable SQL files beside this module, over the
same views.

Sheets:

* ``Portfolio``: one row per clinic and month of service: Encounters, Claims, Charges, Billed, Payments,
  Contractual, Denied, Initial Denial Rate, Net Collection Rate, Days in AR, Insurance AR, Patient AR,
  Underpaid (the columns below, each named after the KPI it comes from);
* ``Portfolio Denials``: denied dollars by category (rows) and clinic (columns);
* ``Portfolio Aging``: open AR by clinic (rows) and aging bucket (columns);
* ``Portfolio Dashboard``: billed and paid by clinic, and AR by clinic and bucket, as native charts.

The engine is DuckDB on this machine or Spark (:mod:`.engines`); the SQL is the same text on both.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from ..display import counted, shown
from ..kpis.definitions import definitions
from ..kpis.engine import ALL_PAYERS, KpiRow, figure, kpi_sql
from ..kpis.relations import RELATIONS
from ..workbook.output_file import save_atomically, work_folder
from ..workbook.ownership import PORTFOLIO
from ..workbook.reader import WorkbookError
from ..workbook.writer import OutputTable, write_outputs
from .engines import Engine

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
#: Portfolio column -> (KPI, what of it: figure, numerator or denominator).
FROM_KPIS: dict[str, tuple[str, str]] = {
    "Billed": ("gross_collection_rate", "denominator"),
    "Payments": ("net_collection_rate", "numerator"),
    "Initial Denial Rate": ("initial_denial_rate_count", "figure"),
    "Net Collection Rate": ("net_collection_rate", "figure"),
    "Days in AR": ("days_in_ar_gross", "figure"),
    "Underpaid": ("underpayment_identified", "figure"),
}
COLUMNS = ("Clinic", "Month", "Encounters", "Claims", "Charges", "Billed", "Payments", "Contractual", "Denied",
           "Initial Denial Rate", "Net Collection Rate", "Days in AR", "Insurance AR", "Patient AR", "Underpaid")
#: The store tables the portfolio's own SQL reads: view name -> (folder, columns).
SHEET_VIEWS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "sheet_encounters": ("encounters", (("clinic", "VARCHAR"), ("month", "VARCHAR"))),
    "sheet_charges": ("charges", (("clinic", "VARCHAR"), ("month", "VARCHAR"), ("charge", "DECIMAL(18,2)"))),
    "sheet_ar_aging": ("ar_aging", (("clinic", "VARCHAR"), ("bucket", "VARCHAR"), ("age", "BIGINT"),
                                    ("balance", "DECIMAL(18,2)"))),
}


def check_months(months: Sequence[str]) -> None:
    """Each month asked for is a month like 2026-10 (one sentence for the first that is not)."""
    for month in months:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise WorkbookError(f"{month!r} is not a month like 2026-10.")


def check_portfolio_output(output: Path) -> None:
    """The portfolio is an .xlsx workbook: another name is one sentence giving the right one."""
    if output.suffix.lower() != ".xlsx":
        raise WorkbookError(f"The portfolio is an .xlsx workbook; name it {shown(output.with_suffix('.xlsx'))}.")


def kpi_folder(relation: str) -> str:
    """Where the store keeps a KPI relation: ``kpi_claims`` beside the sheets' ``claims``."""
    return f"kpi_{relation}"


def folders_read() -> list[str]:
    """Every store folder the report reads: the KPI relations and the sheets' tables."""
    return [*(kpi_folder(r) for r in RELATIONS), *(folder for folder, _ in SHEET_VIEWS.values())]


def check_store(store: Path) -> None:
    """Before a report on a store on this machine: its manifest is sound and every partition it records of
    the folders the report reads is there with all its rows (:func:`.integrity.check_partitions`)."""
    from .integrity import check_partitions  # noqa: PLC0415 — only a local store is checked
    from .manifest import FILE, load  # noqa: PLC0415

    if not (store / FILE).exists():
        raise WorkbookError(f"{shown(store)} is not a store (no manifest.json); fill it with export-store first.")
    check_partitions(store, load(store), folders_read())


@cache
def sql(name: str) -> str:
    """One of the portfolio's SQL files, exactly as shipped."""
    return files("infusion_billing.store").joinpath(name).read_text(encoding="utf-8")


@dataclass
class Portfolio:
    """What the report found: the Portfolio rows, the breakdowns, and each clinic's KPI figures."""

    rows: list[list[Any]]
    denials: OutputTable
    aging: OutputTable
    #: (clinic, month) -> KPI -> its all-payers row, as the KPI SQL returned it.
    kpis: dict[tuple[str, str], dict[str, KpiRow]] = field(default_factory=dict)

    def tables(self) -> list[OutputTable]:
        return [portfolio_table(self.rows), self.denials, self.aging]

    def row(self, clinic: str, month: str) -> dict[str, Any]:
        """One Portfolio row by header (KeyError when the portfolio has no such clinic and month)."""
        for r in self.rows:
            if r[0] == clinic and r[1] == month:
                return dict(zip(COLUMNS, r, strict=True))
        raise KeyError((clinic, month))


def clinics(engine: Engine) -> list[str]:
    """The clinics the store holds (those with a report date: every clinic export-store wrote)."""
    engine.view("store_clinics", kpi_folder("report"), (("clinic", "VARCHAR"),))
    return sorted(str(c) for (c,) in engine.rows("SELECT DISTINCT clinic FROM store_clinics"))


def all_payers_kpis(engine: Engine) -> list[KpiRow]:
    """The KPI SQL over every clinic the views hold, in one pass: each clinic's all-payers rows, as its KPIs
    sheet shows them (the payers' own rows are summed in the engine and not brought back)."""
    return [KpiRow.of(row) for row in engine.rows(f"SELECT * FROM (\n{kpi_sql()}\n) kpis "
                                                  f"WHERE payer_id = '{ALL_PAYERS}'")]


def build(engine: Engine, clinics: Sequence[str], months: Sequence[str] = ()) -> Portfolio:
    """The portfolio of ``clinics`` (every month, or only ``months``) on ``engine``."""
    for relation, columns in RELATIONS.items():
        engine.view(relation, kpi_folder(relation), (*columns, ("clinic", "VARCHAR")), clinics)
    for view, (folder, columns) in SHEET_VIEWS.items():
        engine.view(view, folder, columns, clinics)
    kpis: dict[tuple[str, str], dict[str, KpiRow]] = {}
    for row in all_payers_kpis(engine):
        kpis.setdefault((row.clinic, row.month), {})[row.kpi] = row
    extras = {(c, m): rest for c, m, *rest in engine.rows(sql("portfolio.sql"))}
    keys = sorted(k for k in {*kpis, *extras} if not months or k[1] in months)
    rows = [portfolio_row(clinic, month, kpis.get((clinic, month), {}), extras.get((clinic, month)))
            for clinic, month in keys]
    denial_rows = engine.rows(sql("portfolio_denials.sql"))
    aging_rows = engine.rows(sql("portfolio_aging.sql"))
    return Portfolio(rows, denials_table(denial_rows, clinics), aging_table(aging_rows, clinics),
                     {k: v for k, v in kpis.items() if k in set(keys)})


def portfolio_row(clinic: str, month: str, kpis: dict[str, KpiRow], extras: Sequence[Any] | None) -> list[Any]:
    encounters, claims, charges, denied, insurance_ar, patient_ar = extras or (0, 0, ZERO, ZERO, ZERO, ZERO)
    values: dict[str, Any] = {}
    for column, (kpi, part) in FROM_KPIS.items():
        row = kpis.get(kpi)
        if row is None:
            values[column] = None
        elif part == "figure":
            values[column] = figure(row, definitions()[kpi].unit)
        else:
            amount = row.numerator if part == "numerator" else row.denominator
            values[column] = None if amount is None else _money(amount)
    gross, net = kpis.get("gross_collection_rate"), kpis.get("net_collection_rate")
    contractual = (_money(gross.denominator) - _money(net.denominator)
                   if gross is not None and net is not None and gross.denominator is not None
                   and net.denominator is not None else None)
    return [clinic, month, int(encounters or 0), int(claims or 0), _money(charges), values["Billed"],
            values["Payments"], contractual, _money(denied), values["Initial Denial Rate"],
            values["Net Collection Rate"], values["Days in AR"], _money(insurance_ar), _money(patient_ar),
            values["Underpaid"]]


def _money(value: Any) -> Decimal:
    return ZERO if value is None else Decimal(str(value)).quantize(CENT)


def portfolio_table(rows: list[list[Any]]) -> OutputTable:
    money = dict.fromkeys(("Charges", "Billed", "Payments", "Contractual", "Denied", "Insurance AR", "Patient AR",
                           "Underpaid"), "#,##0.00")
    return OutputTable("Portfolio", list(COLUMNS), rows,
                       number_formats={**money, "Initial Denial Rate": "0.0%", "Net Collection Rate": "0.0%",
                                       "Days in AR": "0.0", "Encounters": "0", "Claims": "0", "Month": "@"},
                       widths={"Clinic": 22},
                       description="One row per clinic and month of service; rates and days in AR as each clinic's "
                                   "KPIs sheet computes them (the same SQL).")


def denials_table(rows: Sequence[Sequence[Any]], clinics: Sequence[str]) -> OutputTable:
    """Denied dollars: one row per category, one column per clinic, and the total."""
    by: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for clinic, category, _count, denied in rows:
        by[str(category)][clinic] = _money(denied)
    out = []
    for category in sorted(by, key=lambda c: (-sum(by[c].values()), c)):
        cells = [by[category].get(c, ZERO) for c in clinics]
        out.append([category, *cells, sum(cells, ZERO)])
    columns = ["Category", *clinics, "Total"]
    return OutputTable("Portfolio Denials", columns, out, number_formats=dict.fromkeys(columns[1:], "#,##0.00"),
                       widths={"Category": 28},
                       description="Denied dollars on each clinic's Denials worklist, by category.")


def aging_table(rows: Sequence[Sequence[Any]], clinics: Sequence[str]) -> OutputTable:
    """Open AR: one row per clinic, one column per bucket (youngest first), and the total."""
    first: dict[str, int] = {}
    by: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for clinic, bucket, first_age, balance in rows:
        name = str(bucket)
        first[name] = min(first.get(name, 10**9), int(first_age) if first_age is not None else 10**9)
        by[clinic][name] = _money(balance)
    buckets = sorted(first, key=lambda b: (first[b], b))
    out = []
    for clinic in clinics:
        cells = [by[clinic].get(b, ZERO) for b in buckets]
        out.append([clinic, *cells, sum(cells, ZERO)])
    columns = ["Clinic", *buckets, "Total"]
    return OutputTable("Portfolio Aging", columns, out, number_formats=dict.fromkeys(columns[1:], "#,##0.00"),
                       widths={"Clinic": 22},
                       description="Open AR on each clinic's AR Aging sheet (as of its own date), by bucket.")


# ----------------------------------------------------------------------------- the workbook


def write_portfolio(portfolio: Portfolio, output: Path, *, engine: str, store: str, force: bool = False) -> Path:
    """The portfolio workbook: an About sheet, the three tables, and the dashboard's charts."""
    import openpyxl  # noqa: PLC0415 — only the report builds a workbook from nothing

    with work_folder() as tmp:
        base = Path(tmp) / "portfolio.xlsx"
        wb = openpyxl.Workbook()
        ws = wb.worksheets[0]
        ws.title = "About"
        ws["A1"] = "Portfolio report"
        ws["A2"] = f"Built by infusion-billing on {engine} from the store {Path(store).name}: " \
                   f"{counted(len({r[0] for r in portfolio.rows}), 'clinic')}."
        ws["A3"] = "Rates and days in AR are each clinic's own KPIs (the same SQL as its KPIs sheet)."
        wb.save(base)
        path = write_outputs(base, portfolio.tables(), out=output, force=force, kind=PORTFOLIO)
    add_dashboard(path, portfolio)
    return path


def add_dashboard(path: Path, portfolio: Portfolio) -> None:
    """A ``Portfolio Dashboard`` sheet: billed and paid by clinic, and AR by clinic and bucket, as native
    column charts over cells of the workbook (Excel and LibreOffice both draw them)."""
    import openpyxl  # noqa: PLC0415 — only the report builds charts
    from openpyxl.chart import BarChart, Reference  # noqa: PLC0415

    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("Portfolio Dashboard", 1)
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    for r in portfolio.rows:
        row = dict(zip(COLUMNS, r, strict=True))
        t = totals[row["Clinic"]]
        t[0] += row["Billed"] or ZERO
        t[1] += row["Payments"] or ZERO
        t[2] += row["Denied"] or ZERO
    ws.append(["Clinic", "Billed", "Payments", "Denied"])
    for clinic, (billed, paid, denied) in totals.items():
        ws.append([clinic, billed, paid, denied])
    n = len(totals)
    for row in ws.iter_rows(min_row=2, min_col=2, max_col=4):
        for c in row:
            c.number_format = "#,##0.00"
    money = BarChart()
    money.type, money.title, money.y_axis.title = "col", "Billed, paid and denied by clinic", "Dollars"
    money.add_data(Reference(ws, min_col=2, max_col=4, min_row=1, max_row=n + 1), titles_from_data=True)
    money.set_categories(Reference(ws, min_col=1, min_row=2, max_row=n + 1))
    money.width, money.height = 22, 9
    ws.add_chart(money, "F2")
    aging = wb["Portfolio Aging"]
    buckets = len(portfolio.aging.columns) - 2
    if buckets > 0:
        ar = BarChart()
        ar.type, ar.grouping, ar.overlap, ar.title = "col", "stacked", 100, "Open AR by clinic and bucket"
        ar.add_data(Reference(aging, min_col=2, max_col=1 + buckets, min_row=1, max_row=len(portfolio.aging.rows) + 1),
                    titles_from_data=True)
        ar.set_categories(Reference(aging, min_col=1, min_row=2, max_row=len(portfolio.aging.rows) + 1))
        ar.width, ar.height = 22, 9
        ws.add_chart(ar, "F21")
    save_atomically(wb, path)


def summary(portfolio: Portfolio) -> dict[str, Any]:
    """A few totals for the terminal."""
    billed = sum((r[5] or ZERO for r in portfolio.rows), ZERO)
    paid = sum((r[6] or ZERO for r in portfolio.rows), ZERO)
    return {"clinics": len({r[0] for r in portfolio.rows}), "clinic-months": len(portfolio.rows),
            "billed": f"{billed:,.2f}", "payments": f"{paid:,.2f}"}

