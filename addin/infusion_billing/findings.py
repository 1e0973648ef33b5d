"""Findings: every data problem the engine meets, located the way a biller looks for it.

A Finding is never an exception. Readers, coding rules, pre-bill checks and the 835 reader all return
Findings, a run collects every one of them and finishes, and the ``Findings`` sheet, the command line
text and ``--json`` all render the same objects.

Each Finding names the rule that fired (a stable ID such as ``doc.ndc-missing``), its severity,
and its place in Excel terms: sheet, the row number the user sees, the column header and the A1 cell.
Rendered as text it reads ``Encounters!G14: stop time missing (doc.ndc-missing)``, the form an
editor or a biller can jump to.

Severity, in a biller's words:

* ``error``: hold the claim (or the row was left out of the run) until it is fixed;
* ``warning``: review before billing, the claim may still go;
* ``info``: something the tool did on purpose that the biller should know about.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum


class Severity(StrEnum):
    """How much a finding matters: error holds a claim, warning asks for review, info only tells."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for error, 1 for warning, 2 for info: sorts the worst first."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One located data problem.

    Attributes:
        rule_id: stable rule slug, e.g. ``reader.unknown-value`` or ``coding.addon-hour``.
        severity: error, warning or info.
        message: one plain-English sentence for the biller. Never holds a patient's name or member ID.
        sheet: the sheet the problem is on ("" when it is about a whole file or run).
        row: the Excel row number the user sees (1-based), or None.
        column: the column header text, or "".
        cell: the A1 address, e.g. ``G14``, or "".
        value: the offending value as text ("" when the column holds patient identifiers).
        encounter_id: the encounter the finding belongs to, when there is one.
        fix: a suggested fix, in the imperative.
        source: the file the finding is about, for findings outside the workbook (835 files).
    """

    rule_id: str
    severity: Severity
    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    cell: str = ""
    value: str = ""
    encounter_id: str = ""
    fix: str = ""
    source: str = ""

    @property
    def location(self) -> str:
        """``Sheet!A1`` when the cell is known, else ``Sheet row 14``, ``Sheet`` or the source file."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        if self.sheet and self.row:
            return f"{self.sheet} row {self.row}"
        return self.sheet or self.source

    def to_text(self) -> str:
        """One line for a terminal: ``Encounters!G14: stop time missing (doc.ndc-missing)``."""
        where = self.location
        prefix = f"{where}: " if where else ""
        return f"{prefix}{self.severity.value}: {self.message} ({self.rule_id})"

    def to_dict(self) -> dict:
        """A JSON-ready dict; severity as its text value."""
        d = asdict(self)
        d["severity"] = self.severity.value
        return d

    def with_(self, **changes) -> Finding:
        """A copy with some fields changed (Findings are immutable)."""
        return replace(self, **changes)


#: Column headers of the Findings sheet, in order, and the Finding attribute behind each.
FINDING_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Severity", "severity"),
    ("Rule ID", "rule_id"),
    ("Sheet", "sheet"),
    ("Row", "row"),
    ("Column", "column"),
    ("Cell", "cell"),
    ("Encounter ID", "encounter_id"),
    ("Value", "value"),
    ("Message", "message"),
    ("Suggested Fix", "fix"),
    ("Source File", "source"),
)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Worst first, then in sheet and row order, so the Findings sheet reads top to bottom."""
    return sorted(
        findings,
        key=lambda f: (f.severity.rank, f.sheet, f.row or 0, f.cell, f.rule_id, f.message),
    )


def findings_to_rows(findings: Iterable[Finding]) -> list[list]:
    """Rows for the Findings sheet, in :data:`FINDING_COLUMNS` order."""
    rows = []
    for f in sort_findings(findings):
        row = []
        for _, attr in FINDING_COLUMNS:
            v = getattr(f, attr)
            row.append(v.value if isinstance(v, Severity) else v)
        rows.append(row)
    return rows


def findings_to_json(findings: Iterable[Finding]) -> str:
    """The findings as a JSON array, worst first (``infusion-billing check --json``)."""
    return json.dumps([f.to_dict() for f in sort_findings(findings)], indent=2, default=str)


def count_by_severity(findings: Iterable[Finding]) -> dict[str, int]:
    """``{"error": n, "warning": n, "info": n}``, every key present."""
    counts = {s.value: 0 for s in Severity}
    for f in findings:
        counts[f.severity.value] += 1
    return counts


@dataclass
class FindingLog:
    """Collects the findings of one run. Rules append; nothing ever stops at the first problem."""

    items: list[Finding] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        self.items.append(finding)

    def extend(self, findings: Iterable[Finding]) -> None:
        self.items.extend(findings)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.items if f.severity is Severity.ERROR]
