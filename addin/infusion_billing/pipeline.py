"""The pipeline: read the workbook once, run the stages asked for, write their sheets.

The command line, the Excel macros and the tests all go through these functions, so a stage behaves
the same everywhere. A stage is a function ``run(book, options) -> StageResult``: it takes the typed
workbook (:class:`~infusion_billing.workbook.reader.BookData`), returns the result tables it owns
and its Findings, and never raises for bad data. A stage that crashes anyway becomes one Finding about
itself (``pipeline.stage-failed``) and the run carries on, so month-end still finishes.

Stages, in workflow order:

* ``validate``: the reader's own Findings (types, allowed values, keys, references);
* ``code``: administration codes, drug units, JW/JZ, NDC into the ``Charges`` sheet;
* ``check``: pre-bill checks into ``Encounter Status`` and ``Authorization Usage``;
* ``import-era``: 835 remittance files appended to the ERA ledger sheets (``RunOptions.remit_sources``);
* ``claims``: claims built for the billable encounters and scrubbed, into the ``Claims`` and
  ``ClaimLines`` ledger;
* ``export-837``: the Ready claims written to 837 files (``RunOptions.out_dir``), ``Claim Batches``;
* ``simulate-payer``: the demo's payers answer the submitted claims with 835 files and an answer key
  (``RunOptions.remit_dir``; files only, nothing written to the book);
* ``reconcile``: the imported remits posted to the claim lines, and the ``Reconciliation``,
  ``Underpayments``, ``Unmatched Remits`` and ``Claim Status`` sheets (``RunOptions.as_of``).
* ``denials``: the ``Denials`` worklist (the biller's columns kept) and ``Denials Summary``;
* ``appeals``: a .docx appeal letter (or corrected-claim note) per denial still worked (``RunOptions.out_dir``);
* ``aging``: ``AR Aging`` and ``Aging Summary`` as of a date, on a date basis (``RunOptions.as_of``, ``basis``).
* ``kpis``: the ``KPIs`` sheet by month of service and payer (:mod:`infusion_billing.kpis`; ``RunOptions.month``).
* ``dashboard``: the ``Dashboard`` sheet: KPI cards against targets and native charts.
* ``close``: month close's own notes (no remittance folder, a month without services); ``close`` runs
  every stage above in order (:mod:`infusion_billing.close`).
* ``statements``: a PDF statement per patient who owes after insurance (``RunOptions.statement_dir``), logged on
  the ``Statements`` ledger.

Stages of one run see each other's tables: a table a stage returns is what a later stage of the same
run reads as the book's (``book.extra_rows``), so ``claims`` then ``export-837`` in one run sends the
claims just built; when two stages return a table of the same name, the later one is written.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from .checks import stage as check_stage
from .coding import stage as code_stage
from .findings import Finding, count_by_severity
from .gcpause import paused_cycle_collector
from .privacy import Redactor, redacting_logs
from .rules.runs import STAGE_FAILED, STAGE_MISSING
from .schema import INPUT_TABLES, TableSpec
from .settings import Settings
from .stages import RunOptions, Stage, StageResult, StageSpec, no_progress
from .statements.notices import TABLE as NOTICES
from .workbook.findings_sheet import FINDINGS_SHEET, NOTES_SHEET, finding_sheets, merge_findings
from .workbook.reader import BookData, Grid, read_workbook
from .workbook.sheet_limits import Overflow
from .workbook.writer import OutputTable, output_target, write_outputs

__all__ = ["ALL_STAGES", "STAGES", "RunOptions", "RunResult", "StageResult", "available_stages", "findings_sheets",
           "no_progress",
           "paused_cycle_collector", "run_book", "run_workbook", "stage_function", "tables_needed"]

log = logging.getLogger("infusion_billing")


def validate_stage(book: BookData, options: RunOptions) -> StageResult:
    """The reader already found every bad cell: its Findings are this stage's, plus row counts."""
    summary = {f"{name} rows": len(t.rows) for name, t in book.tables.items() if t.present}
    return StageResult(findings=list(book.findings), summary=summary)


@cache
def _later_stages() -> dict[str, Stage]:
    """The stages after coding and checking, imported the first time one of them runs.

    They bring pandas, pyarrow, DuckDB's relations and fpdf, about 140 MiB of a process (python -c
    "import infusion_billing.pipeline", December 2026), which ``infusion-billing run`` (validate,
    code, check) never uses; a 100,000-encounter run must stay under 800 MiB (bench/bench_run.py).
    They are imported all together, as they were when this module imported them: every result sheet
    they declare (:func:`~infusion_billing.workbook.ownership.declare_result`) is then known before any
    of them reads an earlier run's sheets from the book.
    """
    from . import close  # noqa: PLC0415
    from .aging import stage as aging  # noqa: PLC0415
    from .claims import stage as claims  # noqa: PLC0415
    from .denials import appeals  # noqa: PLC0415
    from .denials import stage as denials  # noqa: PLC0415
    from .kpis import dashboard  # noqa: PLC0415
    from .kpis import stage as kpis  # noqa: PLC0415
    from .posting import reconcile, simulator  # noqa: PLC0415
    from .remits import stage as import_era  # noqa: PLC0415
    from .statements import stage as statements  # noqa: PLC0415

    return {"import-era": import_era.run, "claims": claims.run_claims, "export-837": claims.run_export,
            "simulate-payer": simulator.run, "reconcile": reconcile.run, "denials": denials.run,
            "appeals": appeals.run, "aging": aging.run, "kpis": kpis.run, "dashboard": dashboard.run,
            "close": close.run, "statements": statements.run}


def _later(name: str) -> Stage:
    """Stage ``name`` of :func:`_later_stages`, imported when it is first run."""

    def run(book: BookData, options: RunOptions) -> StageResult:
        return _later_stages()[name](book, options)

    run.__name__ = run.__qualname__ = f"run_{name.replace('-', '_')}"
    return run


#: Stage name -> the stage, in workflow order, with the input tables each reads (None: all of them).
STAGES: dict[str, StageSpec] = {spec.name: spec for spec in (
    StageSpec("validate", validate_stage),
    StageSpec("code", code_stage.run),
    StageSpec("check", check_stage.run),
    StageSpec("import-era", _later("import-era"), tables=(), ledger=True),
    StageSpec("claims", _later("claims")),
    StageSpec("export-837", _later("export-837")),
    StageSpec("simulate-payer", _later("simulate-payer"), tables=("Payers", "FeeSchedule", "Coverage", "Practice")),
    StageSpec("reconcile", _later("reconcile"), tables=("Payers", "FeeSchedule", "PatientPayments")),
    StageSpec("denials", _later("denials"), tables=("Payers", "Coverage")),
    StageSpec("appeals", _later("appeals"), tables=("Payers", "Coverage", "Patients", "Practice")),
    StageSpec("aging", _later("aging"), tables=("Payers", "Coverage", "Encounters", "FeeSchedule", "PatientPayments")),
    StageSpec("kpis", _later("kpis"), tables=("Payers", "Coverage", "Encounters")),
    StageSpec("dashboard", _later("dashboard"), tables=("Payers", "Coverage", "Encounters")),
    StageSpec("close", _later("close"), tables=()),
    StageSpec("statements", _later("statements"), tables=(
        "Payers", "Coverage", "Encounters", "FeeSchedule", "PatientPayments", "Patients", "Practice", NOTICES)),
)}
#: The stages ``make demo`` and ``infusion-billing run`` perform, in order.
ALL_STAGES: tuple[str, ...] = ("validate", "code", "check")


def stage_function(name: str) -> Stage | None:
    """The function behind a stage, or None when no stage has that name."""
    spec = STAGES.get(name)
    return spec.run if spec is not None else None


def tables_needed(stages: Sequence[str]) -> tuple[TableSpec, ...]:
    """The input tables ``stages`` read, in schema order (all of them when any stage reads all).

    Settings is always read: the output sheets follow it (date format, where info findings go).
    """
    specs = [STAGES[name] for name in stages if name in STAGES]
    if any(spec.tables is None for spec in specs):
        return INPUT_TABLES
    wanted = {"Settings", *(table for spec in specs for table in spec.tables or ())}
    return tuple(t for t in INPUT_TABLES if t.name in wanted)


def available_stages(names: Sequence[str] = ALL_STAGES) -> list[str]:
    return [n for n in names if stage_function(n) is not None]


@dataclass
class RunResult:
    """A whole run: the stage results in order, all Findings (reader's first) and the file written."""

    results: dict[str, StageResult]
    findings: list[Finding]
    output: Path | None = None
    book: BookData | None = None

    @property
    def tables(self) -> list[OutputTable]:
        """Every stage's tables; of two with the same name (the check stage's Encounter Status and the
        claims stage's, which adds each claim's outcome), the later stage's."""
        last = {t.name.casefold(): t for r in self.results.values() for t in r.tables}
        return list(last.values())

    @property
    def counts(self) -> dict[str, int]:
        return count_by_severity(self.findings)

    @property
    def findings_by_stage(self) -> dict[str, list[Finding]]:
        """Stage name -> the Findings it reported, stages in the order they ran."""
        return {name: result.findings for name, result in self.results.items()}

    def sheets(self, run_time: datetime | None = None) -> list[OutputTable]:
        """Every sheet the run writes: the stages' tables, then Findings (and Notes) merged with the
        rows earlier runs left there."""
        if self.book is None:
            raise ValueError("this RunResult was not made by run_book; it has no workbook to merge with")
        return [*self.tables, *findings_sheets(self.book, self.findings_by_stage, run_time=run_time)]


#: The options of a plain run (RunOptions is frozen, so one shared default is safe).
DEFAULT_OPTIONS = RunOptions()


def run_book(book: BookData, stages: Sequence[str], options: RunOptions = DEFAULT_OPTIONS) -> RunResult:
    """Run ``stages`` on an already-read workbook. Never raises for bad data or a failing stage.

    A finding two stages both report (the check stage counts the coding engine's findings toward each
    encounter's status) is listed once.
    """
    redactor = Redactor.for_book(book)
    with paused_cycle_collector(), redacting_logs(redactor):
        run = _run_book(book, stages, options)
    # The one way out for everything a stage says: no patient data past this point (privacy.py).
    run.findings = list(dict.fromkeys(redactor.findings(run.findings)))
    for result in run.results.values():
        result.findings = redactor.findings(result.findings)
        result.tables = [redactor.table(t) for t in result.tables]
    run.book = book
    return run


def _run_book(book: BookData, stages: Sequence[str], options: RunOptions) -> RunResult:
    results: dict[str, StageResult] = {}
    # The reader's findings are the validate stage's: a run without it (import-era) does not repeat them.
    findings: list[Finding] = []
    made = _reading_this_runs_tables(book)
    for name in options.progress(list(stages), total=len(stages), desc="stages"):
        func = stage_function(name)
        if func is None:
            results[name] = StageResult(findings=[STAGE_MISSING.finding(STAGE_MISSING.message.format(name=name))])
            findings.extend(results[name].findings)
            continue
        try:
            result = func(book, options)
        except Exception as exc:  # one broken stage must not stop the month
            log.error("stage %s failed: %s", name, type(exc).__name__)
            log.debug("%s", traceback.format_exc())
            result = StageResult(findings=[STAGE_FAILED.finding(
                STAGE_FAILED.message.format(name=name, error=type(exc).__name__))])
        results[name] = result
        findings.extend(result.findings)
        for table in result.tables:  # what a later stage of this run reads as the book's
            made[table.name] = table
            book.extra_grids.pop(table.name, None)
    return RunResult(results, findings)


def _reading_this_runs_tables(book: BookData) -> dict[str, OutputTable]:
    """A dict for the tables this run's stages return, which ``book`` then reads as its own: a later
    stage asking for one by name gets it, not the sheet an earlier run left (``book.extra_grid``).

    Its grid is made only when a stage asks: a table may make its rows as they are read (the Charges
    sheet's, from the claim lines), and no stage of a plain run reads the Charges back.
    """
    made: dict[str, OutputTable] = {}
    earlier = book.extra_loader

    def load(name: str) -> Grid | None:
        table = made.get(name)
        if table is not None:
            return Grid(table.name, [list(table.columns), *table.rows])
        return earlier(name) if earlier is not None else None

    book.extra_loader = load
    return made


def findings_sheets(book: BookData, findings: Mapping[str, Sequence[Finding]], *,
                    run_time: datetime | None = None) -> list[OutputTable]:
    """The Findings (and Notes) sheets after a run: ``findings`` (stage -> this run's Findings) merged
    with the rows earlier runs left on those sheets of ``book``.

    Each stage run replaces its own earlier rows; ledger stages (``import-era``) add to theirs; other
    stages' rows stay as they were (:func:`~infusion_billing.workbook.findings_sheet.merge_findings`).
    The command line and the Excel macros both build the sheets here.
    """
    notes = book.extra_rows(NOTES_SHEET)
    rows = merge_findings([*book.extra_rows(FINDINGS_SHEET), *notes], findings, run_time=run_time,
                          ledger_stages=[spec.name for spec in STAGES.values() if spec.ledger],
                          stage_order=list(STAGES))
    return finding_sheets(rows, book.settings.info_findings, had_notes=bool(notes))


def overflow_for(book_path: Path, settings: Settings) -> Overflow:
    """Where a table too long for a sheet goes: the Store Folder (relative to the book's folder), as the
    clinic named by Practice Name (else the book's file name); without one, a CSV beside the output."""
    if not settings.store_folder:
        return Overflow()
    store = Path(settings.store_folder).expanduser()
    clinic = settings.practice_name or book_path.stem.removesuffix(".billing")
    try:
        from .store.export import write_table  # noqa: PLC0415 — optional dependency (pyarrow)
    except ImportError:
        return Overflow(store if store.is_absolute() else book_path.parent / store, clinic)
    return Overflow(store if store.is_absolute() else book_path.parent / store, clinic, write_table)


def run_workbook(
    book_path: str | Path,
    stages: Sequence[str],
    *,
    out: str | Path | None = None,
    in_place: bool = False,
    options: RunOptions = DEFAULT_OPTIONS,
    write: bool = True,
    force: bool = False,
) -> RunResult:
    """Read ``book_path``, run ``stages``, and write their sheets plus Findings to a new file (or in place).

    An existing ``out`` the tool did not write is only replaced with ``force`` (after a backup); the
    writer's own Findings (a result sheet renamed, rows moved to a CSV) join the run's.

    ``options.progress`` shows the three steps (read, run, write); long stages show their own bar.
    """
    state: dict[str, Any] = {}

    def read():
        state["book"] = read_workbook(book_path, tables_needed(stages))
        if write:  # an output the run may not write is refused before the stages run
            output_target(Path(book_path), out, in_place=in_place, force=force)

    def run():
        state["run"] = run_book(state["book"], stages, options)

    def save():
        result = state["run"]
        result.output = write_outputs(book_path, result.sheets(), result.findings, out=out, in_place=in_place,
                                      stage="+".join(stages), force=force, notes=result.findings,
                                      date_format=state["book"].settings.date_format,
                                      overflow=overflow_for(Path(book_path), state["book"].settings))

    steps = [read, run, save] if write else [read, run]
    # The typed rows, the stages' results and the sheets written are all alive until the file is
    # saved, and none of them builds a reference cycle: an automatic collection would walk them all,
    # again and again, while the Findings are sorted and the sheets written (paused for this call only).
    with paused_cycle_collector():
        for step in options.progress(steps, total=len(steps), desc="read, run, write"):
            step()
    return state["run"]
