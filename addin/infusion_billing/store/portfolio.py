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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from ..display import counted, shown
from ..kpis.definitions import definitions
from ..kpis.engine import ALL_PAYERS, KpiRow, figure, kpi_sql
from ..kpis.relations import RELATIONS
from ..workbook.output_file import check_new_output, save_atomically, work_folder
from ..workbook.ownership import PORTFOLIO
from ..workbook.reader import WorkbookError
from ..workbook.writer import OutputTable, write_outputs
from .engines import Engine

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def kpi_name(kpi: str) -> str:
    """A KPI's name as the KPIs sheet shows it (``Days in AR (gross)``): one source for both."""
    return definitions()[kpi].name


IDR, NCR, DAYS_IN_AR, UNDERPAID = (kpi_name(k) for k in ("initial_denial_rate_count", "net_collection_rate",
                                                          "days_in_ar_gross", "underpayment_identified"))
#: Portfolio column -> (KPI, what of it: figure, numerator or denominator).
FROM_KPIS: dict[str, tuple[str, str]] = {
    "Billed": ("gross_collection_rate", "denominator"),
    "Payments": ("net_collection_rate", "numerator"),
    IDR: ("initial_denial_rate_count", "figure"),
    NCR: ("net_collection_rate", "figure"),
    DAYS_IN_AR: ("days_in_ar_gross", "figure"),
    UNDERPAID: ("underpayment_identified", "figure"),
}
#: AR As Of: the clinic's as-of date on the one row of its month that carries its AR (Days in AR, Insurance
#: and Patient AR), blank on the other rows, where AR is not measured.
COLUMNS = ("Clinic", "Month", "Encounters", "Claims", "Charges", "Billed", "Payments", "Contractual", "Denied",
           IDR, NCR, DAYS_IN_AR, "Insurance AR", "Patient AR", UNDERPAID, "AR As Of")
#: The store tables the portfolio's own SQL reads: view name -> (folder, columns).
SHEET_VIEWS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "sheet_encounters": ("encounters", (("clinic", "VARCHAR"), ("month", "VARCHAR"))),
    "sheet_charges": ("charges", (("clinic", "VARCHAR"), ("month", "VARCHAR"), ("charge", "DECIMAL(18,2)"))),
    "sheet_ar_aging": ("ar_aging", (("clinic", "VARCHAR"), ("month", "VARCHAR"), ("bucket", "VARCHAR"),
                                    ("age", "BIGINT"), ("balance", "DECIMAL(18,2)"))),
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


def check_store(store: Path) -> dict[str, Any]:
    """Before a report on a store on this machine: its manifest is sound and every partition it records of
    the folders the report reads is there with all its rows (:func:`.integrity.check_partitions`).
    Returns the manifest."""
    from .integrity import check_partitions  # noqa: PLC0415 — only a local store is checked
    from .manifest import FILE, load  # noqa: PLC0415

    if not (store / FILE).exists():
        raise WorkbookError(f"{shown(store)} is not a store (no manifest.json); fill it with export-store first.")
    manifest = load(store)
    check_partitions(store, manifest, folders_read())
    return manifest


def deidentified_clinics(manifest: dict[str, Any]) -> dict[str, bool]:
    """Clinic -> whether the store holds it de-identified, as the manifest records."""
    return {clinic: bool(entry.get("deidentified")) for clinic, entry in manifest.get("clinics", {}).items()}


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
    #: The months of service chosen (--months); empty: every month the store holds.
    months: tuple[str, ...] = ()
    #: Every month of service the store holds for the clinics reported.
    store_months: tuple[str, ...] = ()
    #: Clinic -> the date its AR is as of (its book's as-of date).
    as_of: dict[str, date] = field(default_factory=dict)

    def tables(self) -> list[OutputTable]:
        return [portfolio_table(self.rows), self.denials, self.aging]

    def row(self, clinic: str, month: str) -> dict[str, Any]:
        """One Portfolio row by header (KeyError when the portfolio has no such clinic and month)."""
        for r in self.rows:
            if r[0] == clinic and r[1] == month:
                return dict(zip(COLUMNS, r, strict=True))
        raise KeyError((clinic, month))

    def chosen(self) -> list[list[Any]]:
        """The rows of the months chosen (not a clinic's as-of row kept only for its AR)."""
        return [r for r in self.rows if not self.months or r[1] in self.months]

    def months_text(self) -> str:
        """Which months of service the report covers, in words."""
        if self.months:
            return ", ".join(sorted(self.months))
        return f"all months, {month_span(self.store_months)}" if self.store_months else "all months"


def month_span(months: Sequence[str]) -> str:
    first, last = min(months), max(months)
    return first if first == last else f"{first} to {last}"


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
    """The portfolio of ``clinics`` (every month, or only ``months``) on ``engine``.

    ``months`` are months of service and apply to every sheet: the Portfolio rows, the denials by
    category, and the open AR by bucket (as of each clinic's date, on services in those months). A
    clinic's AR figures (Days in AR, Insurance AR, Patient AR) are measured as of its date and sit on
    the row of that month, which is kept (marked by its AR As Of date) when ``months`` leave it out. Months
    the store holds nothing of, for any of the clinics, are one sentence (WorkbookError).
    """
    for relation, columns in RELATIONS.items():
        engine.view(relation, kpi_folder(relation), (*columns, ("clinic", "VARCHAR")), clinics)
    for view, (folder, columns) in SHEET_VIEWS.items():
        engine.view(view, folder, columns, clinics)
    kpis: dict[tuple[str, str], dict[str, KpiRow]] = {}
    for row in all_payers_kpis(engine):
        kpis.setdefault((row.clinic, row.month), {})[row.kpi] = row
    extras = {(c, m): rest for c, m, *rest in engine.rows(sql("portfolio.sql"))}
    report = engine.rows(AS_OF_SQL)
    as_of = {str(c): EPOCH + timedelta(days=int(day)) for c, day, _ in report if day is not None}
    as_of_month = {str(c): str(m) for c, _, m in report if m is not None}
    store_months = tuple(sorted({m for _, m in {*kpis, *extras}}))
    if months and not set(months) & set(store_months):
        held = f"it holds {month_span(store_months)}" if store_months else "it holds no month yet"
        raise WorkbookError(f"The store has no month of service {', '.join(sorted(months))} for any clinic ({held}); "
                            "choose months it holds with --months, or leave --months out for all.")
    ar_rows = {(c, m) for c, m in as_of_month.items()}
    keys = sorted(k for k in {*kpis, *extras, *ar_rows} if not months or k[1] in months or k in ar_rows)
    rows = [portfolio_row(clinic, month, kpis.get((clinic, month), {}), extras.get((clinic, month)),
                          as_of.get(clinic) if (clinic, month) in ar_rows else None)
            for clinic, month in keys]
    denial_rows = [r for r in engine.rows(sql("portfolio_denials.sql")) if not months or r[1] in months]
    aging_rows = [r for r in engine.rows(sql("portfolio_aging.sql")) if not months or r[1] in months]
    portfolio = Portfolio(rows, OutputTable("Portfolio Denials", [], []), OutputTable("Portfolio Aging", [], []),
                          {k: v for k, v in kpis.items() if k in set(keys)}, tuple(sorted(months)), store_months,
                          as_of)
    portfolio.denials = denials_table(denial_rows, clinics, portfolio.months_text())
    portfolio.aging = aging_table(aging_rows, clinics, as_of, portfolio.months_text())
    return portfolio


#: Each clinic's as-of date (days since 1970-01-01) and month, from its KPI relation ``report``.
AS_OF_SQL = "SELECT clinic, MAX(as_of_day) AS as_of_day, MAX(as_of_month) AS as_of_month FROM report GROUP BY clinic"
EPOCH = date(1970, 1, 1)


def portfolio_row(clinic: str, month: str, kpis: dict[str, KpiRow], extras: Sequence[Any] | None,
                  as_of: date | None = None) -> list[Any]:
    """One clinic-month; ``as_of`` on the row of the clinic's as-of month, the one that carries its AR (blank
    on the others: AR is measured as of a date, not per month of service)."""
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
    ar = as_of is not None
    return [clinic, month, int(encounters or 0), int(claims or 0), _money(charges), values["Billed"],
            values["Payments"], contractual, _money(denied), values[IDR], values[NCR], values[DAYS_IN_AR],
            _money(insurance_ar) if ar else None, _money(patient_ar) if ar else None, values[UNDERPAID], as_of]


def _money(value: Any) -> Decimal:
    return ZERO if value is None else Decimal(str(value)).quantize(CENT)


def portfolio_table(rows: list[list[Any]]) -> OutputTable:
    money = dict.fromkeys(("Charges", "Billed", "Payments", "Contractual", "Denied", "Insurance AR", "Patient AR",
                           UNDERPAID), "#,##0.00")
    return OutputTable("Portfolio", list(COLUMNS), rows,
                       number_formats={**money, IDR: "0.0%", NCR: "0.0%", DAYS_IN_AR: "0.0", "Encounters": "0",
                                       "Claims": "0", "Month": "@"},
                       widths={"Clinic": 22, **{c: len(c) + 3 for c in (IDR, NCR, DAYS_IN_AR, UNDERPAID)},
                               "AR As Of": 12},
                       description="One row per clinic and month of service; rates and days in AR as each clinic's "
                                   "KPIs sheet computes them (the same SQL). AR (Days in AR, Insurance AR, Patient AR) "
                                   "is measured as of each clinic's date, on the row marked with it.")


def denials_table(rows: Sequence[Sequence[Any]], clinics: Sequence[str], months: str = "all") -> OutputTable:
    """Denied dollars: one row per category, one column per clinic, and the total (rows of the SQL:
    clinic, month of service, category, denials, denied dollars)."""
    by: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for clinic, _month, category, _count, denied in rows:
        cell = by[str(category)]
        cell[clinic] = cell.get(clinic, ZERO) + _money(denied)
    out = []
    for category in sorted(by, key=lambda c: (-sum(by[c].values()), c)):
        cells = [by[category].get(c, ZERO) for c in clinics]
        out.append([category, *cells, sum(cells, ZERO)])
    columns = ["Category", *clinics, "Total"]
    return OutputTable("Portfolio Denials", columns, out, number_formats=dict.fromkeys(columns[1:], "#,##0.00"),
                       widths={"Category": 28},
                       description=f"Denied dollars on each clinic's Denials worklist, by category; months of service: "
                                   f"{months}.")


def aging_table(rows: Sequence[Sequence[Any]], clinics: Sequence[str], as_of: dict[str, date] | None = None,
                months: str = "all") -> OutputTable:
    """Open AR: one row per clinic with the date it is as of and the months of service it covers, one column
    per bucket (youngest first; the AR Aging sheet's default buckets all shown, empty ones too), and the
    total (rows of the SQL: clinic, month of service, bucket, its first age, balance)."""
    from ..aging.stage import bucket_labels  # noqa: PLC0415 — the aging stage's imports only when a report is built
    from ..settings import Settings  # noqa: PLC0415

    first: dict[str, int] = {}
    by: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for clinic, _month, bucket, first_age, balance in rows:
        name = str(bucket)
        first[name] = min(first.get(name, 10**9), int(first_age) if first_age is not None else 10**9)
        by[clinic][name] = by[clinic].get(name, ZERO) + _money(balance)
    defaults = bucket_labels(Settings().aging_buckets)
    if set(first) <= set(defaults):  # the usual buckets: every one of them, so a month's columns stay put
        buckets = defaults
    else:  # a clinic's own Aging Buckets setting: the buckets the store holds, youngest first
        buckets = sorted(first, key=lambda b: (first[b], b))
    out = []
    for clinic in clinics:
        cells = [by[clinic].get(b, ZERO) for b in buckets]
        out.append([clinic, (as_of or {}).get(clinic), months, *cells, sum(cells, ZERO)])
    columns = ["Clinic", "AR As Of", "Months of Service", *buckets, "Total"]
    return OutputTable("Portfolio Aging", columns, out, number_formats=dict.fromkeys([*buckets, "Total"], "#,##0.00"),
                       widths={"Clinic": 22, "AR As Of": 12, "Months of Service": 24},
                       description="Open AR on each clinic's AR Aging sheet as of its own date (AR As Of), by bucket, "
                                   "on services in the months shown.")


# ----------------------------------------------------------------------------- the workbook


def write_portfolio(portfolio: Portfolio, output: Path, *, engine: str, store: str, force: bool = False,
                    deidentified: dict[str, bool] | None = None) -> Path:
    """The portfolio workbook: an About sheet (what the report covers: the months, each clinic's as-of date,
    the engine, whether the store is de-identified, from ``deidentified``: clinic -> de-identified, None when
    the store's manifest is not on this machine), the three tables, and the dashboard's charts."""
    import openpyxl  # noqa: PLC0415 — only the report builds a workbook from nothing

    names = sorted({r[0] for r in portfolio.rows} | set(portfolio.as_of))
    with work_folder() as tmp:
        base = Path(tmp) / "portfolio.xlsx"
        wb = openpyxl.Workbook()
        ws = wb.worksheets[0]
        ws.title = "About"
        for line in about_lines(portfolio, names, engine=engine, store=store, deidentified=deidentified):
            ws.append([line])
        ws.append([])
        ws.append(["Clinic", "AR As Of", "De-identified"])
        for clinic in names:
            shown_as_of = portfolio.as_of.get(clinic)
            ws.append([clinic, shown_as_of.isoformat() if shown_as_of else "",
                       "" if deidentified is None or clinic not in deidentified else
                       "yes" if deidentified[clinic] else "no"])
        ws.column_dimensions["A"].width = 24
        ws.column_dimensions["B"].width = 12
        ws.column_dimensions["C"].width = 14
        wb.save(base)
        path = write_outputs(base, portfolio.tables(), out=output, force=force, kind=PORTFOLIO)
    add_dashboard(path, portfolio)
    return path


def about_lines(portfolio: Portfolio, names: Sequence[str], *, engine: str, store: str,
                deidentified: dict[str, bool] | None) -> list[str]:
    """What the report covers, in a few sentences for the About sheet."""
    if deidentified is None:
        deid = "not known (the store's manifest is not on this machine)"
    else:
        hashed = [c for c in names if deidentified.get(c)]
        deid = ("yes, every clinic (patient, encounter and claim numbers hashed; no names, birth dates or addresses)"
                if hashed and len(hashed) == len(names) else
                "no (the store holds patient identifiers)" if not hashed else
                f"only {', '.join(hashed)} (the other clinics hold patient identifiers)")
    dates = sorted(set(portfolio.as_of.values()))
    as_of = ("no clinic" if not dates else dates[0].isoformat() if len(dates) == 1 else
             f"{dates[0].isoformat()} to {dates[-1].isoformat()}, each clinic its own (below)")
    return [
        "Portfolio report",
        f"Built by infusion-billing on {engine} from the store {Path(store).name}: {counted(len(names), 'clinic')}.",
        f"Months of service: {portfolio.months_text()} (every sheet: Portfolio, Portfolio Denials, Portfolio Aging).",
        f"AR as of: {as_of}. Days in AR, Insurance AR and Patient AR are measured as of that date, on the Portfolio "
        "row of its month (AR As Of), kept even when the months chosen leave it out; Portfolio Aging splits the "
        "open AR of the months chosen by bucket.",
        f"De-identified: {deid}.",
        "Rates and days in AR are each clinic's own KPIs (the same SQL as its KPIs sheet).",
    ]


def add_dashboard(path: Path, portfolio: Portfolio) -> None:
    """A ``Portfolio Dashboard`` sheet: billed and paid by clinic, and AR by clinic and bucket, as native
    column charts over cells of the workbook (Excel and LibreOffice both draw them)."""
    import openpyxl  # noqa: PLC0415 — only the report builds charts
    from openpyxl.chart import BarChart, Reference  # noqa: PLC0415

    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("Portfolio Dashboard", 1)
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    for r in portfolio.chosen():
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
    ws.column_dimensions["A"].width = 22  # a clinic's name, and millions of dollars without ###
    for letter in "BCD":
        ws.column_dimensions[letter].width = 16
    money = BarChart()
    money.type, money.title, money.y_axis.title = "col", "Billed, paid and denied by clinic", "Dollars"
    money.add_data(Reference(ws, min_col=2, max_col=4, min_row=1, max_row=n + 1), titles_from_data=True)
    money.set_categories(Reference(ws, min_col=1, min_row=2, max_row=n + 1))
    money.width, money.height = 22, 9
    ws.add_chart(money, "F2")
    aging = wb["Portfolio Aging"]
    first = portfolio.aging.columns.index("Months of Service") + 2  # the first bucket's column (1-based)
    buckets = len(portfolio.aging.columns) - first
    if buckets > 0:
        ar = BarChart()
        ar.type, ar.grouping, ar.overlap, ar.title = "col", "stacked", 100, "Open AR by clinic and bucket"
        last_row = len(portfolio.aging.rows) + 1
        ar.add_data(Reference(aging, min_col=first, max_col=first + buckets - 1, min_row=1, max_row=last_row),
                    titles_from_data=True)
        ar.set_categories(Reference(aging, min_col=1, min_row=2, max_row=len(portfolio.aging.rows) + 1))
        ar.width, ar.height = 22, 9
        ws.add_chart(ar, "F21")
    save_atomically(wb, path)


def report(store: str, output: Path, months: Sequence[str], make_engine: Callable[[], Engine], *,
           force: bool = False) -> list[str]:
    """The whole ``portfolio`` command, on the engine ``make_engine`` starts (DuckDB, a local Spark, or the
    session spark-submit configured): the output and the months checked first, a store on this machine
    checked against its manifest, the report built and written. Returns the lines for the terminal."""
    check_portfolio_output(output)
    if not force:  # refused before the store is read; with force the writer makes the one backup
        check_new_output(output, PORTFOLIO)
    check_months(months)
    deidentified = None
    if "://" not in store:  # a store on this machine (a cluster's own storage is the cluster's to keep whole)
        deidentified = deidentified_clinics(check_store(Path(store)))
    engine = make_engine()
    try:
        portfolio = build(engine, clinics(engine), tuple(months))
    finally:
        engine.close()
    path = write_portfolio(portfolio, output, engine=engine.name, store=store, force=force, deidentified=deidentified)
    figures = summary(portfolio)
    return [f"Portfolio on {engine.name}: {counted(figures['clinics'], 'clinic')}, "
            f"{counted(figures['clinic-months'], 'clinic-month')} ({portfolio.months_text()}); billed "
            f"${figures['billed']}, payments ${figures['payments']}",
            f"Written: {path}"]


def summary(portfolio: Portfolio) -> dict[str, Any]:
    """A few totals for the terminal."""
    chosen = portfolio.chosen()
    billed = sum((r[5] or ZERO for r in chosen), ZERO)
    paid = sum((r[6] or ZERO for r in chosen), ZERO)
    return {"clinics": len({r[0] for r in portfolio.rows}), "clinic-months": len(chosen),
            "billed": f"{billed:,.2f}", "payments": f"{paid:,.2f}"}

