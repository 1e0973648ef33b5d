"""The Findings sheet as a work list that accumulates, one block per stage, and the Notes sheet.

Each command a biller runs (Validate, Code, Pre-bill Checks, Import ERA ...) is a *stage*, and its
findings form that stage's block on the ``Findings`` sheet:

* a command replaces only its own stage's rows, so importing an 835 never wipes the pre-bill
  findings, and re-running the checks does not drop what validation found;
* ``import-era`` is a ledger: each import reads new files only, so what an earlier import found about
  its files stays until the biller deletes the row;
* the same problem at the same cell is one row, not two (a later report of it replaces the earlier
  row, keeping whatever the biller typed in columns of their own);
* every row says which stage found it (``Stage``) and when that run was (``Run Time``, UTC, the
  same clock as the RunLog sheet).

Info rows (what the tool did on purpose, e.g. "835 file imported before; nothing added") do not need
work, so by default they go to their own ``Notes`` sheet and ``Findings`` is only what needs fixing
or review. The ``Info Findings`` setting can put them back on Findings, or hide them.

The merge is pure (:func:`merge_findings`: earlier rows and this run's Findings in, rows out) and
rests on :func:`infusion_billing.derived.rebuild_by_stage`, so the command line and the Excel macros
build the same sheets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from .. import values as v
from ..derived import STAGE_COLUMN, rebuild_by_stage, user_columns
from ..findings import FINDING_COLUMNS, Finding, Severity, sort_findings
from ..settings import INFO_HIDDEN, INFO_ON_FINDINGS, INFO_ON_NOTES
from .ownership import declare_result
from .writer import OutputTable

__all__ = ["FINDINGS_SHEET", "NOTES_SHEET", "SHEET_COLUMNS", "INFO_ON_NOTES", "INFO_ON_FINDINGS", "INFO_HIDDEN",
           "merge_findings", "finding_key", "finding_sheets", "finding_row", "run_time_now"]

FINDINGS_SHEET = "Findings"
NOTES_SHEET = "Notes"
RUN_TIME_COLUMN = "Run Time"
#: The Findings sheet's columns: the Finding's own (in the order the IB_ENCOUNTER_STATUS worksheet
#: function expects of a table body), then which stage found it and when.
SHEET_COLUMNS: tuple[str, ...] = (*(h for h, _ in FINDING_COLUMNS), STAGE_COLUMN, RUN_TIME_COLUMN)
declare_result(FINDINGS_SHEET, SHEET_COLUMNS)
declare_result(NOTES_SHEET, SHEET_COLUMNS)
_ATTR = dict(FINDING_COLUMNS)

_WIDTHS = {"Message": 70, "Suggested Fix": 50, "Rule ID": 28, "Value": 18, STAGE_COLUMN: 11, RUN_TIME_COLUMN: 17}
_DESCRIPTIONS = {
    FINDINGS_SHEET: "What needs fixing or review, one block per stage, with the cell to fix.",
    NOTES_SHEET: "What the tool did on purpose (info findings), one block per stage.",
}


def run_time_now() -> datetime:
    """This run's time stamp: UTC to the second, as the RunLog sheet records it."""
    return datetime.now(UTC).replace(microsecond=0, tzinfo=None)


def finding_row(finding: Finding, stage: str, run_time: datetime | None) -> dict[str, Any]:
    """One sheet row (``{header: value}``) for ``finding``, found by ``stage`` in the run at ``run_time``."""
    row: dict[str, Any] = {}
    for header, attr in FINDING_COLUMNS:
        value = getattr(finding, attr)
        row[header] = value.value if isinstance(value, Severity) else value
    row[STAGE_COLUMN] = stage
    row[RUN_TIME_COLUMN] = run_time
    return row


def finding_key(row: Mapping[str, Any]) -> tuple:
    """The same problem at the same place: rule and cell (or, without a cell, rule, row, file and message).

    A rule fires once per cell, so the cell identifies the problem; findings about a whole sheet, row
    or 835 file may be several per rule, and the message tells them apart.
    """
    rule = _text(row.get("Rule ID")).casefold()
    sheet = _text(row.get("Sheet")).casefold()
    cell = _text(row.get("Cell")).upper()
    source = _text(row.get("Source File"))
    if cell:
        return rule, sheet, cell, source
    return rule, sheet, _row_number(row.get("Row")), source, _text(row.get("Encounter ID")).upper(), \
        _text(row.get("Message"))


def merge_findings(
    previous: Iterable[Mapping[str, Any]],
    new: Mapping[str, Iterable[Finding]],
    *,
    run_time: datetime | None = None,
    ledger_stages: Iterable[str] = (),
    stage_order: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """The Findings rows after a run: earlier rows of other stages kept, this run's stages rebuilt.

    Args:
        previous: the rows of the Findings (and Notes) sheets as read back, ``{header: value}``.
        new: stage name -> the Findings that stage reported in this run, stages in the order run.
        run_time: when this run happened (default: now, UTC).
        ledger_stages: stages whose earlier rows stay when they run again (``import-era``).
        stage_order: the order of the blocks (the pipeline's stage order).

    Returns rows in block order, worst first within a block, then by sheet and row.
    """
    when = run_time or run_time_now()
    fresh = {stage: [finding_row(f, stage, when) for f in sort_findings(findings)] for stage, findings in new.items()}
    return rebuild_by_stage(previous, fresh, key=finding_key, tool_columns=SHEET_COLUMNS,
                            ledger_stages=ledger_stages, stage_order=stage_order, order=_within_block)


def finding_sheets(rows: Sequence[Mapping[str, Any]], info: str = INFO_ON_NOTES, *,
                   had_notes: bool = False) -> list[OutputTable]:
    """The ``Findings`` sheet (and the ``Notes`` sheet unless ``info`` says otherwise) holding ``rows``.

    ``info`` is the ``Info Findings`` setting: ``Notes sheet`` (default) moves info rows to Notes,
    ``Findings sheet`` keeps them on Findings, ``Hide`` leaves them out. Notes is written when it has
    rows, or when it had rows before (``had_notes``) that are gone now; an empty one is not added.
    """
    if info == INFO_ON_FINDINGS:
        return [_sheet(FINDINGS_SHEET, rows)]
    work = [r for r in rows if not _is_info(r)]
    if info == INFO_HIDDEN:
        return [_sheet(FINDINGS_SHEET, work)]
    notes = [r for r in rows if _is_info(r)]
    return [_sheet(FINDINGS_SHEET, work), *([_sheet(NOTES_SHEET, notes)] if notes or had_notes else [])]


def _is_info(row: Mapping[str, Any]) -> bool:
    return _text(row.get("Severity")).lower() == Severity.INFO.value


def _sheet(name: str, rows: Sequence[Mapping[str, Any]]) -> OutputTable:
    columns = [*SHEET_COLUMNS, *user_columns(rows, SHEET_COLUMNS)]
    return OutputTable(name, columns, [[_cell(r.get(h)) for h in columns] for r in rows],
                       widths=dict(_WIDTHS), description=_DESCRIPTIONS[name], links={"Cell": "Sheet"})


def _cell(value: Any) -> Any:
    """Values read back from Excel as they should be written again (a whole-number Row stays 14, not 14.0)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _within_block(row: Mapping[str, Any]) -> tuple:
    severity = _text(row.get("Severity")).lower()
    rank = Severity(severity).rank if severity in {s.value for s in Severity} else len(Severity)
    return (rank, _text(row.get("Sheet")), _row_number(row.get("Row")), _text(row.get("Cell")),
            _text(row.get("Rule ID")), _text(row.get("Message")))


def _row_number(value: Any) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return 0


def _text(value: Any) -> str:
    return "" if v.is_blank(value) else str(value).strip()
