"""Patient data stays in the workbook: the one place that keeps it out of every message.

A patient's name, date of birth and member ID belong in the Patients and Coverage sheets and
nowhere else the tool writes: not in a Finding's Value, Message or Suggested Fix, not in the
Findings sheet or the Encounter Status reasons, not in ``--json``, the terminal or a log line, and
whatever rule raised the finding (a reader check on a formula cell, a coding rule, a pre-bill
check, the 835 reader quoting a damaged segment). Rules are written not to quote such values, but
the guarantee does not rest on every rule getting it right: every run passes through
:class:`Redactor`, built from the workbook itself, before anything leaves it.

* The Value of a finding located in a column the schema marks as patient data (``phi=True``) is
  blanked, whatever it holds (a formula's cached value included).
* Every value found in such a column (every row, read or left out; as text, and a date also as
  ``2026-01-31``, ``01/31/2026`` and ``1/31/2026``) is replaced by ``[patient data]`` wherever it
  appears as whole words in a finding's text or a result cell (except result columns that are
  meant to hold patient data, :attr:`OutputTable.phi_columns`, and a cell holding one of the tool's
  own words for its column, the keys of :attr:`OutputTable.fills`: a KPI's Green status stays Green
  when a patient is called Green).
* Text quoted from an 835 file is cut at its first element separator: an ``NM1*QC*1*SURNAME``
  fragment becomes ``NM1*...``, so names and member IDs of damaged segments never show.
* Log records pass through the same redactor while a run is on (:func:`redacting_logs`).

HIPAA's minimum-necessary standard (45 CFR 164.502(b)) is the reason: a Findings sheet or a log
is shared with people and systems that do not need to know who the patient is.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from . import values as v
from .schema import TABLES_BY_NAME

if TYPE_CHECKING:
    from .findings import Finding
    from .workbook.reader import BookData, Grid
    from .workbook.writer import OutputTable

REDACTED = "[patient data]"
#: How far down a grid a header row is looked for (as the reader does under a title block).
HEADER_SEARCH_ROWS = 10
_WORD = re.compile(r"\w+")
#: An element separator between word characters: where quoted X12 text starts holding data.
_X12_DATA = re.compile(r"(?<=\w)[*|^~](?=[\w ])[^'\"\n]*")


def patient_key(last_name: Any, first_name: Any, born: date | None) -> str | None:
    """A one-way key for a patient's name and birth date, to match one file's patient to another's.

    The billed claims a consultant receives name the patient (837 loop 2010BA/2010CA NM1 and DMG, or
    a charge export's name and birth date columns) where the infusion log names them too; the key
    lets the two be matched while the name and birth date themselves are dropped where they are read.
    Letters only, upper case (an 837 writes O'BRIEN as OBRIEN, a log may keep O'Brien); None without a
    last name or a birth date.
    """
    last = re.sub(r"[^A-Z]", "", str(last_name or "").upper())
    first = re.sub(r"[^A-Z]", "", str(first_name or "").upper())
    if not last or born is None:
        return None
    return hashlib.sha256(f"{last}|{first}|{born.isoformat()}".encode()).hexdigest()


def value_forms(value: Any) -> set[str]:
    """The ways a cell value can show up in text: as typed, and a date in the usual US and ISO forms."""
    if value is None or isinstance(value, bool):
        return set()
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date) and not isinstance(value, datetime):
        return {value.isoformat(), f"{value.month:02d}/{value.day:02d}/{value.year}",
                f"{value.month}/{value.day}/{value.year}", str(value), f"{value.isoformat()} 00:00:00"}
    if isinstance(value, float):
        forms = {repr(value)}
        if value.is_integer():
            forms.add(str(int(value)))
        return forms
    text = str(value).strip()
    return {text} if text else set()


def phi_values(grids: dict[str, Grid]) -> set[str]:
    """Every value in a patient-data column of the given grids (by table name), in every form."""
    out: set[str] = set()
    for name, grid in grids.items():
        spec = TABLES_BY_NAME.get(name)
        if spec is None or grid is None or not grid.rows:
            continue
        phi = {v.norm_key(c.header) for c in spec.columns if c.phi}
        if not phi:
            continue
        # The header row may sit under a title block (the reader looks in the first rows too).
        found = [(n, [i for i, h in enumerate(header) if h is not None and v.norm_key(h) in phi])
                 for n, header in enumerate(grid.rows[:HEADER_SEARCH_ROWS])]
        start, positions = next(((n, p) for n, p in found if p), (0, []))
        for row in grid.rows[start + 1:]:
            for i in positions:
                if i < len(row):
                    out |= value_forms(row[i])
    return out


class Redactor:
    """Takes patient data out of text, Findings and result rows (see the module docstring)."""

    def __init__(self, values: Iterable[str] = (), phi_cells: Iterable[tuple[str, str]] = ()):
        #: First word (lower case) -> the values starting with it, grouped by length, longest first:
        #: at a word, each length is one slice and one set lookup, however many values share the word
        #: (every date of birth in January starts with "01").
        self.index: dict[str, list[tuple[int, set[str]]]] = {}
        by_length: dict[str, dict[int, set[str]]] = {}
        for value in values:
            words = _WORD.findall(value)
            if not words or len(value) < 2:
                continue
            core = re.sub(r"\W+$", "", value[value.lower().index(words[0].lower()):])
            by_length.setdefault(words[0].lower(), {}).setdefault(len(core), set()).add(core.lower())
        for word, groups in by_length.items():
            self.index[word] = sorted(groups.items(), key=lambda group: -group[0])
        #: (sheet, column header) pairs, case-folded, whose values are patient data.
        self.phi_cells = {(s.casefold(), c.casefold()) for s, c in phi_cells}
        self._memo: dict[str, str] = {}

    @classmethod
    def for_book(cls, book: BookData) -> Redactor:
        cells = set()
        for data in book.tables.values():
            for c in data.spec.columns:
                if c.phi:
                    cells.add((data.spec.name, c.header))
                    if data.sheet:
                        cells.add((data.sheet, c.header))
        return cls(getattr(book, "phi_values", ()) or (), cells)

    def text(self, text: str) -> str:
        """``text`` with every patient-data value (as whole words) replaced by ``[patient data]``."""
        if not text or not self.index:
            return text
        lowered = text.lower()
        if len(lowered) != len(text):  # a character whose lower case is longer: compare in lower case
            text = lowered
        words = list(_WORD.finditer(lowered))
        if self.index.keys().isdisjoint(m.group(0) for m in words):
            return text
        out, last = [], 0
        for m in words:
            start = m.start()
            if start < last:
                continue
            for length, cores in self.index.get(m.group(0), ()):
                end = start + length
                whole_word = end >= len(text) or not (text[end].isalnum() or text[end] == "_")
                if whole_word and lowered[start:end] in cores:
                    out.append(text[last:start])
                    out.append(REDACTED)
                    last = end
                    break
        out.append(text[last:])
        return "".join(out)

    def cell(self, value: Any) -> Any:
        if value.__class__ is not str:
            return value
        done = self._memo.get(value)
        if done is None:
            done = self._memo[value] = self.text(value)
        return done

    def finding(self, f: Finding) -> Finding:
        value = "" if (f.sheet.casefold(), f.column.casefold()) in self.phi_cells else self.cell(f.value)
        message, fix = self.cell(f.message), self.cell(f.fix)
        if f.source or f.rule_id.startswith("era."):  # text quoted from an 835 file
            value, message, fix = mask_x12(value), mask_x12(message), mask_x12(fix)
        if (value, message, fix) == (f.value, f.message, f.fix):
            return f
        return replace(f, value=value, message=message, fix=fix)

    def findings(self, findings: Iterable[Finding]) -> list[Finding]:
        return [self.finding(f) for f in findings]

    def table(self, table: OutputTable) -> OutputTable:
        """A result table with patient data taken out of its text cells (not its patient-data columns)."""
        if not self.index:
            return table
        keep = {c.casefold() for c in getattr(table, "phi_columns", ())}
        text_columns = [i for i, h in enumerate(table.columns) if h.casefold() not in keep]
        # A cell holding one of the tool's own words for its column (a KPI's Green, Amber or Red status,
        # the keys of OutputTable.fills) is not text quoted from the user: a patient called Green
        # must not turn every green status into "[patient data]".
        own_words = {i: set(getattr(table, "fills", {}).get(h, ())) for i, h in enumerate(table.columns)}
        changed: dict[int, list[Any]] = {}
        cell = self.cell
        for n, row in enumerate(table.rows):
            # A row is copied only when one of its cells changes: most rows of a clinic-year hold no
            # patient data in their text, and copying every one of them doubled the result tables. Nor
            # is an unchanged row kept here: a table may make its rows as they are read (the Charges
            # sheet's, from the claim lines), and holding them all would undo that.
            new = None
            width = len(row)
            for i in text_columns:
                if i < width:
                    value = row[i]
                    if value.__class__ is str and value not in own_words[i]:
                        done = cell(value)
                        if done is not value and done != value:
                            if new is None:
                                new = list(row)
                            new[i] = done
            if new is not None:
                changed[n] = new
        if not changed:
            return table
        return replace(table, rows=[changed.get(n, row) for n, row in enumerate(table.rows)])

    def log_filter(self) -> logging.Filter:
        redactor = self

        class _Filter(logging.Filter):
            def filter(self, record: logging.LogRecord) -> bool:
                message = mask_x12(redactor.text(record.getMessage()))
                record.msg, record.args = message, ()
                return True

        return _Filter()


def mask_x12(text: str) -> str:
    """Quoted 835 text cut at its first element separator: ``'NM1*QC*1*DOE'`` -> ``'NM1*...'``."""
    if not text or ("*" not in text and "|" not in text and "^" not in text and "~" not in text):
        return text
    return _X12_DATA.sub(lambda m: m.group(0)[0] + "...", text)


@contextmanager
def redacting_logs(redactor: Redactor) -> Iterator[None]:
    """While the block runs, every log line this process writes passes through ``redactor``."""
    filt = redactor.log_filter()
    loggers = [logging.getLogger(), logging.getLogger("infusion_billing")]
    handlers = {h for lg in loggers for h in lg.handlers}
    for h in handlers:
        h.addFilter(filt)
    logger = logging.getLogger("infusion_billing")
    logger.addFilter(filt)
    try:
        yield
    finally:
        logger.removeFilter(filt)
        for h in handlers:
            h.removeFilter(filt)
