"""What the columnar store holds: every table of a book, named, keyed and dated once.

A book's tables go to the store under a **relation name**, the sheet's name in snake_case (``ClaimLines``
-> ``claim_lines``, ``AR Aging`` -> ``ar_aging``), so the KPI SQL reads the same names from a book's
tables and from the store. Each table is one of three kinds, which decides what an export does to
rows already in the store:

* **input** (Encounters, Payers ...) and **derived** (Charges, Reconciliation, AR Aging ...): the book
  is the truth for the months it covers, so the export **replaces** those months' partitions;
* **ledger** (Claims, ClaimLines, the ERA sheets, RunLog): rows accumulate, so the export **appends**
  the rows whose key the store does not hold yet. A ledger is never rewritten once a row is final; a
  row that is not final yet may be updated: a claim still Held or Ready (not sent: the claims stage
  rebuilds it from the current coding on every run) and its lines are replaced by the book's version
  of that claim when it differs, so a claim exported before submission and again after is Submitted
  in the store, while a Submitted claim stays as it was sent whatever a later (or older) book says.
  Exporting the same book twice changes nothing.

Rows are partitioned by clinic and month (``clinic=X/month=YYYY-MM/``, the layout Hive, Spark and
DuckDB all read). A row's month is the month of its date column (the date of service where the table
has one), or of the date on the row it belongs to in another table (an ERA adjustment: its payment's
date); tables without a date (Payers, FeeSchedule, summaries) are partitioned by clinic only.

**Counted to an as-of date.** The back half's results (Reconciliation, Claim Status, Denials, AR Aging,
the KPIs and their relations ...) count only the remits dated by the book's as-of date
(:mod:`infusion_billing.asof`): they are one picture of the clinic on that day, not a history by month.
A clinic's rows of those tables must all come from one book, the one with the latest as-of date, so
when a book with a later as-of date is exported they replace the clinic's **whole** table, not only
the months the book covers (:func:`counts_to_as_of`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..aging.stage import AGING
from ..aging.stage import SUMMARY as AGING_SUMMARY
from ..claims.ledger import HELD, READY
from ..denials.summary import SHEET as DENIALS_SUMMARY
from ..denials.worklist import SHEET as DENIALS
from ..kpis.dashboard import SHEET as DASHBOARD
from ..kpis.stage import SHEET as KPIS
from ..posting.reconcile import CLAIM_STATUS, RECONCILIATION, UNDERPAYMENTS, UNMATCHED
from ..schema import INPUT_TABLES

INPUT, LEDGER, DERIVED = "input", "ledger", "derived"


@dataclass(frozen=True)
class MonthFrom:
    """Where a row's month comes from.

    Attributes:
        column: the date column (on this table, or on ``table`` when set).
        table: another table holding the date, found by ``by`` (this table's columns, which are that
            table's key), e.g. an administration's month is its encounter's date of service.
        by: the columns joining the two tables.
    """

    column: str
    table: str = ""
    by: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotFinal:
    """Which rows of a ledger are not final yet, and so may still be updated by a later export.

    Attributes:
        status: the status column deciding it (on this table, or on ``table`` when set).
        values: the statuses of a row not final yet.
        by: the columns naming the rows that go together (a claim and its lines: Claim ID); a group is
            updated as a whole, from the book's rows of that group.
        table: another table holding the status, found by ``by`` (a claim line: its claim's status).
    """

    status: str
    values: tuple[str, ...]
    by: tuple[str, ...]
    table: str = ""


@dataclass(frozen=True)
class StoreTable:
    """One table as the store keeps it.

    Attributes:
        sheet: the sheet (and Excel Table) name in the book.
        kind: input, ledger or derived.
        key: a ledger's identity columns (a row with the same key is already there).
        month: where a row's month comes from; None partitions by clinic only.
        not_final: a ledger's rows that may still be updated (None: every row is final once written).
    """

    sheet: str
    kind: str
    key: tuple[str, ...] = ()
    month: MonthFrom | None = None
    not_final: NotFinal | None = None

    @property
    def relation(self) -> str:
        return relation_name(self.sheet)


def relation_name(name: str) -> str:
    """A sheet name or header as an SQL name both DuckDB and Spark accept unquoted: ``ClaimLines`` ->
    ``claim_lines``, ``AR Aging`` -> ``ar_aging``, ``Coinsurance %`` -> ``coinsurance``, ``0-30`` -> ``_0_30``."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z][a-z])", "_", name.strip())  # ClaimLines -> Claim_Lines
    text = re.sub(r"[^0-9A-Za-z]+", "_", text).strip("_").lower()
    return f"_{text}" if text[:1].isdigit() else text or "_"


_DOS = MonthFrom("Date of Service")
_PAYMENT = MonthFrom("Payment Date", "EraPayments", ("File", "Payment No"))
_ERA_KEY = ("File", "Payment No")
#: A claim not sent yet (docs/claims.md section 1: Held or Ready claims are rebuilt on every run).
_UNSENT = (HELD, READY)

#: The tables whose kind, key or month the store must know; any other sheet the tool wrote is derived,
#: partitioned by the date of service when it has that column, else by clinic only.
KNOWN: tuple[StoreTable, ...] = (
    StoreTable("Encounters", INPUT, month=_DOS),
    StoreTable("Administrations", INPUT, month=MonthFrom("Date of Service", "Encounters", ("Encounter ID",))),
    StoreTable("PatientPayments", INPUT, month=MonthFrom("Date")),
    StoreTable("Authorizations", INPUT, month=MonthFrom("Start Date")),
    StoreTable("Claims", LEDGER, ("Claim ID",), MonthFrom("Statement From"),
               not_final=NotFinal("Status", _UNSENT, ("Claim ID",))),
    StoreTable("ClaimLines", LEDGER, ("Claim ID", "Line"), _DOS,
               not_final=NotFinal("Status", _UNSENT, ("Claim ID",), table="Claims")),
    StoreTable("Claim Batches", LEDGER, ("Batch File",), MonthFrom("Created")),
    StoreTable("EraPayments", LEDGER, _ERA_KEY, MonthFrom("Payment Date")),
    StoreTable("EraClaims", LEDGER, (*_ERA_KEY, "Claim No"), _PAYMENT),
    StoreTable("EraLines", LEDGER, (*_ERA_KEY, "Claim No", "Line No"), _PAYMENT),
    StoreTable("EraAdjustments", LEDGER, (*_ERA_KEY, "Claim No", "Line No", "Segment", "Group", "CARC"), _PAYMENT),
    StoreTable("EraRemarks", LEDGER, (*_ERA_KEY, "Claim No", "Line No", "Segment", "RARC"), _PAYMENT),
    StoreTable("EraProviderAdjustments", LEDGER, (*_ERA_KEY, "Segment", "Reason", "Reference"), _PAYMENT),
    StoreTable("RunLog", LEDGER, ("Run At (UTC)", "Stage", "Input SHA-256")),
    # A summary by payer and bucket, whose unbilled-encounter section happens to carry a date of service.
    StoreTable("Aging Summary", DERIVED),
)
_KNOWN = {t.sheet.casefold(): t for t in KNOWN}
INPUT_SHEETS = {t.name.casefold() for t in INPUT_TABLES}


def store_table(sheet: str, columns: list[str] | tuple[str, ...] = ()) -> StoreTable:
    """How the store keeps the table on ``sheet`` (with these ``columns``)."""
    known = _KNOWN.get(sheet.casefold())
    if known is not None:
        return known
    kind = INPUT if sheet.casefold() in INPUT_SHEETS else DERIVED
    return StoreTable(sheet, kind, month=_DOS if "Date of Service" in columns else None)


#: The tool's sheets computed as of a date (the remits dated by it, balances and ages on it).
AS_OF_SHEETS = frozenset(s.casefold() for s in (RECONCILIATION, UNDERPAYMENTS, UNMATCHED, CLAIM_STATUS, DENIALS,
                                               DENIALS_SUMMARY, AGING, AGING_SUMMARY, KPIS, DASHBOARD))
#: The KPI SQL's relations in the store (``kpi_claims``, ``kpi_ar_aging``, ``kpi_report`` ...): every one is
#: read by one run of the KPI SQL as of one date, so all of a clinic's come from one book.
KPI_PREFIX = "kpi_"


def counts_to_as_of(spec: StoreTable) -> bool:
    """Whether a table is a picture of the clinic on the book's as-of date (replaced whole when it moves)."""
    return spec.kind == DERIVED and (spec.sheet.casefold() in AS_OF_SHEETS or spec.relation.startswith(KPI_PREFIX))
