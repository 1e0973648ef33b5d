"""Derived sheets rebuilt stage by stage, keeping the rows other stages wrote.

Some tool sheets gather rows from several stages that run at different times: the ``Findings``
sheet holds what validate, code, check and each 835 import found, each from its own command. A
command must not wipe what another command found, so such a sheet is rebuilt like this:

* every row names the stage that wrote it (a ``Stage`` column);
* a stage that looks at the whole book again (validate, code, check) **replaces** its own earlier
  rows: what it no longer finds has been fixed;
* a ledger stage (``import-era``) looks only at the new files, so its earlier rows **stay** and
  the new ones are added: a problem with a file imported last week holds until the biller clears
  the row;
* rows of stages not run now are kept exactly as they were;
* a row is identified by a key (for Findings: the same problem at the same cell). A key reported
  again replaces the old row, so a problem is listed once, and any column the biller typed on the
  old row (a note, who is working it) moves to the new row: user columns are never lost.

:func:`rebuild_by_stage` is pure (rows in, rows out), so the command line and the Excel macros
rebuild the same sheet the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any

from . import values as v

Row = dict[str, Any]

#: The column naming the stage that wrote a row.
STAGE_COLUMN = "Stage"


def rebuild_by_stage(
    previous: Iterable[Mapping[str, Any]],
    new: Mapping[str, Sequence[Row]],
    *,
    key: Callable[[Mapping[str, Any]], Hashable],
    tool_columns: Sequence[str],
    ledger_stages: Iterable[str] = (),
    stage_order: Sequence[str] = (),
    order: Callable[[Mapping[str, Any]], Any] | None = None,
) -> list[Row]:
    """The sheet's rows after a run of the stages in ``new``, one block per stage.

    Args:
        previous: the sheet's rows as read back (``{header: value}``), from earlier runs.
        new: stage name -> this run's rows, stages in the order they ran. Every row must carry
            ``Stage``. Within this run the first stage to report a key keeps it (the check stage
            repeats the coding findings it counts; they stay with ``code``).
        key: a row's identity (rows with equal keys are the same thing reported twice).
        tool_columns: the columns the tool writes; any other non-blank column of an earlier row is
            the biller's and is carried to the row that replaces it.
        ledger_stages: stages whose earlier rows are kept when they run again.
        stage_order: the order of the blocks; stages not listed follow in the order first seen.
        order: how rows sort within a block (default: kept rows, then this run's, as they came).

    A row with a blank Stage was written before sheets had stages; any run replaces it.
    """
    ran = set(new)
    ledger = set(ledger_stages)
    fresh: dict[Hashable, Row] = {}
    for stage in new:
        for row in new[stage]:
            fresh.setdefault(key(row), dict(row))
    tool = set(tool_columns)
    kept: dict[Hashable, Row] = {}
    for old in previous:
        stage = _text(old.get(STAGE_COLUMN))
        if not stage or (stage in ran and stage not in ledger):
            _carry_user_columns(old, fresh.get(key(old)), tool)
            continue
        k = key(old)
        if k in fresh:  # reported again: one row, the newer, with the biller's own columns
            _carry_user_columns(old, fresh[k], tool)
        else:
            kept.setdefault(k, dict(old))
    rows = [*kept.values(), *fresh.values()]
    rank: dict[str, int] = {}
    for name in [*stage_order, *new, *(_text(row.get(STAGE_COLUMN)) for row in rows)]:
        rank.setdefault(name, len(rank))
    if order is None:
        return sorted(rows, key=lambda row: rank[_text(row.get(STAGE_COLUMN))])
    return sorted(rows, key=lambda row: (rank[_text(row.get(STAGE_COLUMN))], order(row)))


def user_columns(rows: Iterable[Mapping[str, Any]], tool_columns: Sequence[str]) -> list[str]:
    """Columns the biller added to the sheet (non-blank somewhere), in the order first seen."""
    tool = set(tool_columns)
    out: dict[str, None] = {}
    for row in rows:
        for header, value in row.items():
            if header and header not in tool and not v.is_blank(value):
                out.setdefault(header, None)
    return list(out)


def _carry_user_columns(old: Mapping[str, Any], new: Row | None, tool: set[str]) -> None:
    if new is None:
        return
    for header, value in old.items():
        if header and header not in tool and not v.is_blank(value) and v.is_blank(new.get(header)):
            new[header] = value


def _text(value: Any) -> str:
    return "" if v.is_blank(value) else str(value).strip()


def carry_over(previous: Iterable[Mapping[str, Any]], columns: Sequence[str], rows: Sequence[Sequence[Any]], *,
               key: Sequence[str], editable: Sequence[str] = (),
               keep_gone: Callable[[Mapping[str, Any]], Sequence[Any] | None] | None = None,
               ) -> tuple[list[str], list[list[Any]]]:
    """A derived sheet rebuilt: this run's ``rows`` (in ``columns`` order) with the biller's words kept.

    The tool rebuilds a derived sheet (Reconciliation, Denials, AR Aging ...) on every run, but what a
    biller typed on it is data: the ``editable`` columns the tool offers (a Work Status, Notes) and any
    column added to the right are carried from the previous row with the same ``key`` values to the
    new one. A value this run computed for an editable column (blank = nothing to say) is kept only
    where the biller left the cell blank: the biller's word wins.

    A previous row whose key this run no longer produces is dropped, unless ``keep_gone`` turns it
    into a row to keep (``columns`` order; None drops it): the Denials sheet keeps a denial the payer
    later paid, marked Resolved, until the biller deletes the row. Kept rows follow the new ones and
    keep their added columns too.

    Returns the columns (the tool's, then the biller's added ones, in the order first seen) and the
    rows to write. Pure: rows in, rows out, the same for the command line and the Excel macros.
    """
    previous = list(previous)
    index = {name: i for i, name in enumerate(columns)}
    keep = [c for c in editable if c in index]
    added = user_columns(previous, columns)
    out_columns = [*columns, *added]
    if not previous:
        return out_columns, [list(r) for r in rows]

    def key_of(values: Callable[[str], Any]) -> tuple[str, ...]:
        return tuple(key_text(values(k)) for k in key)

    old: dict[tuple[str, ...], Mapping[str, Any]] = {}
    for record in previous:
        old.setdefault(key_of(record.get), record)
    out: list[list[Any]] = []
    seen: set[tuple[str, ...]] = set()
    for r in rows:
        row = list(r) + [None] * len(added)
        k = key_of(lambda name, r=r: r[index[name]])  # type: ignore[misc]
        seen.add(k)
        was = old.get(k)
        if was is not None:
            for name in keep:
                if not v.is_blank(was.get(name)):
                    row[index[name]] = was.get(name)
            for n, name in enumerate(added, start=len(columns)):
                row[n] = was.get(name)
        out.append(row)
    if keep_gone is not None:
        for k, was in old.items():
            if k in seen:
                continue
            gone = keep_gone(was)
            if gone is not None:
                out.append([*gone, *(was.get(name) for name in added)])
    return out_columns, out


def key_text(value: Any) -> str:
    """A key cell as text, the same whether it came from this run or back from Excel (a date read back
    as a datetime, a number as 12.0)."""
    if hasattr(value, "date") and callable(value.date) and not isinstance(value, str):
        value = value.date()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _text(value)
