"""The pipeline: read the workbook once, run the stages asked for, write their sheets.

The command line, the Excel macros and the tests all go through these functions, so a stage behaves
the same everywhere. A stage is a function ``run(book, options) -> StageResult``: it takes the typed
workbook (:class:`~infusion_billing.workbook.reader.BookData`), returns the result tables it owns
and its Findings, and never raises for bad data. A stage that crashes anyway becomes one Finding about
itself (``pipeline.stage-failed``) and the run carries on, so month-end still finishes.

Stages, in workflow order:

* ``validate``: the reader's own Findings (types, allowed values, keys, references);
* ``code``: administration codes, drug units, JW/JZ, NDC into the ``Charges`` sheet;
* ``check``: pre-bill checks into ``Encounter Status`` and ``Authorization Usage``.
"""

from __future__ import annotations

import gc
import importlib
import logging
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from .findings import Finding, Severity, count_by_severity
from .workbook.reader import BookData, read_workbook
from .workbook.writer import OutputTable, write_outputs

log = logging.getLogger("infusion_billing")


def no_progress(iterable: Iterable, total: int | None = None, desc: str = "") -> Iterable:
    """The default progress hook: does nothing (the CLI passes a progress bar instead)."""
    return iterable


@dataclass(frozen=True)
class RunOptions:
    """Options for one run. ``rules`` limits the checks to these rule IDs (hledger-style ``check ID``)."""

    strict: bool = False
    rules: tuple[str, ...] = ()
    progress: Callable[..., Iterable] = no_progress


@dataclass
class StageResult:
    """What a stage hands back: its result tables, its Findings and a few summary lines to print."""

    tables: list[OutputTable] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


#: Stage name -> "module:function". Looked up lazily so a stage's imports cost nothing until used.
STAGES: dict[str, str] = {
    "validate": "infusion_billing.pipeline:validate_stage",
    "code": "infusion_billing.coding.stage:run",
    "check": "infusion_billing.checks.stage:run",
}
#: The stages ``make demo`` and ``infusion-billing run`` perform, in order.
ALL_STAGES: tuple[str, ...] = ("validate", "code", "check")


def validate_stage(book: BookData, options: RunOptions) -> StageResult:
    """The reader already found every bad cell; this stage only reports row counts."""
    summary = {f"{name} rows": len(t.rows) for name, t in book.tables.items() if t.present}
    return StageResult(findings=[], summary=summary)


def stage_function(name: str) -> Callable[[BookData, RunOptions], StageResult] | None:
    """The function behind a stage, or None when that stage is not installed in this version."""
    target = STAGES.get(name)
    if target is None:
        return None
    module_name, func_name = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith(module_name):
            return None
        raise
    return getattr(module, func_name, None)


def available_stages(names: Sequence[str] = ALL_STAGES) -> list[str]:
    return [n for n in names if stage_function(n) is not None]


@dataclass
class RunResult:
    """A whole run: the stage results in order, all Findings (reader's first) and the file written."""

    results: dict[str, StageResult]
    findings: list[Finding]
    output: Path | None = None

    @property
    def tables(self) -> list[OutputTable]:
        return [t for r in self.results.values() for t in r.tables]

    @property
    def counts(self) -> dict[str, int]:
        return count_by_severity(self.findings)


def run_book(book: BookData, stages: Sequence[str], options: RunOptions = RunOptions()) -> RunResult:
    """Run ``stages`` on an already-read workbook. Never raises for bad data or a failing stage.

    A finding two stages both report (the check stage counts the coding engine's findings toward each
    encounter's status) is listed once.
    """
    with paused_cycle_collector():
        run = _run_book(book, stages, options)
    run.findings = list(dict.fromkeys(run.findings))
    return run


@contextmanager
def paused_cycle_collector():
    """Pause Python's cycle collector for a run.

    The engines build no reference cycles, and with a month of typed rows in memory every automatic
    collection walks all of them: pausing it halves a large run. Nested pauses are harmless.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run_book(book: BookData, stages: Sequence[str], options: RunOptions) -> RunResult:
    results: dict[str, StageResult] = {}
    findings: list[Finding] = list(book.findings)
    for name in stages:
        func = stage_function(name)
        if func is None:
            findings.append(Finding("pipeline.stage-missing", Severity.WARNING,
                                    f"The '{name}' stage is not available in this version; it was skipped."))
            continue
        try:
            result = func(book, options)
        except Exception as exc:  # one broken stage must not stop the month
            log.error("stage %s failed: %s", name, type(exc).__name__)
            log.debug("%s", traceback.format_exc())
            result = StageResult(findings=[Finding(
                "pipeline.stage-failed", Severity.ERROR,
                f"The '{name}' stage stopped with an internal error ({type(exc).__name__}); "
                "its results are missing. Please report this with the RunLog sheet.")])
        results[name] = result
        findings.extend(result.findings)
    return RunResult(results, findings)


def run_workbook(
    book_path: str | Path,
    stages: Sequence[str],
    *,
    out: str | Path | None = None,
    in_place: bool = False,
    options: RunOptions = RunOptions(),
    write: bool = True,
) -> RunResult:
    """Read ``book_path``, run ``stages``, and write their sheets plus Findings to a new file (or in place).

    ``options.progress`` shows the three steps (read, run, write); long stages show their own bar.
    """
    state: dict[str, Any] = {}

    def read():
        state["book"] = read_workbook(book_path)

    def run():
        state["run"] = run_book(state["book"], stages, options)

    def save():
        result = state["run"]
        result.output = write_outputs(book_path, result.tables, result.findings, out=out, in_place=in_place,
                                      stage="+".join(stages))

    steps = [read, run, save] if write else [read, run]
    for step in options.progress(steps, total=len(steps), desc="read, run, write"):
        step()
    return state["run"]
