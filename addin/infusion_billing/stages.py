"""What a stage is: a function over the typed book that returns its tables and Findings.

Every step of the month (validate, code, check, import-era, and the stages to come) has the same
shape, ``run(book, options) -> StageResult``: it takes the typed workbook
(:class:`~infusion_billing.workbook.reader.BookData`), returns the result tables it owns, its
Findings and a few summary figures, and never raises for bad data. The command line, the Excel macros
and month close all call stages through :mod:`infusion_billing.pipeline`, which imports each stage
module and lists it by name.

This module holds only the contract, so stage modules depend on it and never on the pipeline that
runs them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .findings import Finding
from .workbook.writer import OutputTable

if TYPE_CHECKING:  # the reader's types, for annotations only
    from .workbook.reader import BookData


def no_progress(iterable: Iterable, total: int | None = None, desc: str = "") -> Iterable:
    """The default progress hook: does nothing (the CLI passes a progress bar instead)."""
    return iterable


@dataclass(frozen=True)
class RunOptions:
    """Options for one run.

    Attributes:
        strict: also run the strict pre-bill rule set.
        rules: limit the checks to these rule IDs or families (hledger-style ``check ID``).
        progress: a tqdm-like hook for long loops.
        remit_sources: 835 files and folders for the ``import-era`` stage.
        include_review: ``claims`` also bills encounters whose status is Review (warnings only).
        correct, void: Claim IDs of submitted claims ``claims`` replaces (frequency 7) or voids (8).
        out_dir: the folder ``export-837`` writes its 837 files into.
        resend: batch file names ``export-837`` writes again on purpose.
        as_of: ``--as-of``: the date claims are sent (default: the Settings As-Of Date, else today) and the
            date posting, denials, aging, statements and the KPIs count remits to (default: infusion_billing.asof).
        ncci_folder: a folder of NCCI edits imported with ``refdata import-ncci --cache``.
        claim_ids: only these claims (``appeals --claim``).
        basis: the date AR ages from (``aging --basis``): dos, first-billed or last-billed.
        templates: a folder of the practice's own letter templates (``appeals --templates``).
        remit_dir: the folder ``simulate-payer`` writes its 835 files and answer key into.
        seed: the payer simulator's random seed (same book, same seed: the same files).
        statement_dir: the folder ``statements`` writes the patients' statements into (None: none is written).
        month: the month (YYYY-MM) ``close`` closes: the KPIs and Dashboard report on it (None: the latest
            month of service).
        month_close: the run is a month close: without ``as_of`` its back half counts to the latest of the
            Settings As-Of Date, the month's last day and the latest remit (infusion_billing.asof).
    """

    strict: bool = False
    rules: tuple[str, ...] = ()
    progress: Callable[..., Iterable] = no_progress
    remit_sources: tuple[Path, ...] = ()
    include_review: bool = False
    correct: tuple[str, ...] = ()
    void: tuple[str, ...] = ()
    out_dir: Path | None = None
    resend: tuple[str, ...] = ()
    as_of: date | None = None
    ncci_folder: Path | None = None
    claim_ids: tuple[str, ...] = ()
    basis: str = "dos"
    templates: Path | None = None
    remit_dir: Path | None = None
    seed: int = 1
    month: str | None = None
    month_close: bool = False
    statement_dir: Path | None = None


@dataclass
class StageResult:
    """What a stage hands back: its result tables, its Findings and a few summary figures to print."""

    tables: list[OutputTable] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


class Stage(Protocol):
    """A stage function: ``run(book, options) -> StageResult``, never raising for bad data."""

    def __call__(self, book: BookData, options: RunOptions, /) -> StageResult: ...


@dataclass(frozen=True)
class StageSpec:
    """A stage as the pipeline lists it.

    Attributes:
        name: what the command line and the Findings sheet call it (``check``, ``import-era``).
        run: the stage function.
        tables: the input tables it reads; None for all of them. A run reads only what its stages
            need, so importing remits into a year-long book does not type every administration.
        ledger: the stage looks only at what is new (835 files not imported before), so its earlier
            Findings stay when it runs again; other stages look at the whole book and replace theirs.
    """

    name: str
    run: Stage
    tables: tuple[str, ...] | None = None
    ledger: bool = False
