"""One rule's declaration (:class:`RuleSpec`) and the helper each family module declares with.

Severity, in a biller's words: **error** holds the claim (or the row was left out of the run) until it
is fixed; **warning** asks for review; **info** tells what the tool did on purpose. A *line rule* has
no severity: it names the rule behind a claim line (the Charges sheet's Rule column), never a problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..findings import Finding, Severity

#: ``family.what``: lower-case words joined by hyphens, never renamed once released.
ID_PATTERN = re.compile(r"[a-z][a-z0-9]*\.[a-z0-9]+(?:-[a-z0-9]+)*")

#: Every family prefix, in the order the rules reference lists them, with its heading.
FAMILIES: dict[str, str] = {
    "reader": "Reading the workbook",
    "coding": "Coding",
    "doc": "Documentation completeness",
    "elig": "Eligibility and coverage",
    "auth": "Prior authorization",
    "filing": "Timely filing",
    "payer": "Payer rules",
    "x12": "X12 files (any transaction)",
    "claim": "Claims (837)",
    "scrub": "Claim scrubber (NCCI, MUE, coverage policy, payer rules)",
    "era": "Remittances (835)",
    "post": "Posting remits and patient payments",
    "recon": "Reconciliation (expected vs paid)",
    "denial": "Denials and appeals",
    "aging": "Accounts receivable aging",
    "stmt": "Patient statements",
    "kpi": "Revenue-cycle KPIs and the Dashboard",
    "close": "Month close",
    "pipeline": "Running the stages",
    "writer": "Writing the results",
    "check": "Running the checks",
    "assess": "Billing assessment of a client's files",
    "store": "The columnar store and portfolio reporting",
}


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One rule, as the rules reference and every Finding of it show it.

    Attributes:
        id: stable slug, ``family.what``.
        severity: error, warning or info; None for a line rule (it names a claim line's rule).
        title: a few words for the rules reference.
        fix: the suggested fix (a template with the message's slots, when the message is one).
        source: where the rule comes from: a section of docs/ and its ``[Sn]`` tags.
        message: the Finding message as a ``str.format`` template with named slots, or "" when the
            message is composed where the problem is found (it then names the values it found).
        also: other severities the rule takes in documented cases (e.g. error when a setting says Hold).
        rule_set: ``basic`` or ``strict`` for a pre-bill check, "" otherwise.
        location: the sheet and column its findings point at, when that is always the same.
        description: what the rule checks, in a sentence or two.
    """

    id: str
    severity: Severity | None
    title: str
    fix: str = ""
    source: str = ""
    message: str = ""
    also: tuple[Severity, ...] = ()
    rule_set: str = ""
    location: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        if not ID_PATTERN.fullmatch(self.id) or self.family not in FAMILIES:
            raise ValueError(f"{self.id!r} is not a rule ID of a known family ({', '.join(FAMILIES)})")

    @property
    def family(self) -> str:
        """The ID's prefix: ``reader``, ``coding``, ``doc`` ..."""
        return self.id.split(".", 1)[0]

    @property
    def kind(self) -> str:
        """``line`` for a rule that names a claim line, ``finding`` for one that reports a problem."""
        return "line" if self.severity is None else "finding"

    @property
    def severities(self) -> tuple[Severity, ...]:
        """Every severity a finding of this rule may carry."""
        return () if self.severity is None else (self.severity, *self.also)

    def finding(self, message: str, *, fix: str | None = None, severity: Severity | None = None,
                **where: Any) -> Finding:
        """A Finding of this rule with its severity and (unless given) its fix; ``where`` locates it.

        ``severity`` picks one of the rule's documented other severities (``also``); any other is refused.
        """
        if self.severity is None:
            raise ValueError(f"{self.id} names claim lines; it has no findings")
        if severity is None:
            severity = self.severity
        elif severity not in self.severities:
            declared = "/".join(s.value for s in self.severities)
            raise ValueError(f"{self.id} is declared {declared}, not {severity.value}")
        return Finding(self.id, severity, message, fix=self.fix if fix is None else fix, **where)


class Family:
    """The declarations of one family module, in order: ``X = family.finding("x.what", ...)``."""

    def __init__(self, prefix: str) -> None:
        if prefix not in FAMILIES:
            raise ValueError(f"unknown rule family {prefix!r}")
        self.prefix = prefix
        self.specs: list[RuleSpec] = []

    def add(self, spec: RuleSpec) -> RuleSpec:
        if spec.family != self.prefix:
            raise ValueError(f"{spec.id} is declared in the {self.prefix} family")
        if any(s.id == spec.id for s in self.specs):
            raise ValueError(f"rule ID {spec.id} is declared twice")
        self.specs.append(spec)
        return spec

    def finding(self, rule_id: str, severity: Severity, title: str, *, fix: str, source: str,
                message: str = "", also: tuple[Severity, ...] = ()) -> RuleSpec:
        """Declare a rule that reports problems."""
        return self.add(RuleSpec(rule_id, severity, title, fix, source, message, also))

    def line(self, rule_id: str, title: str, *, source: str) -> RuleSpec:
        """Declare a rule that names the claim lines it produced."""
        return self.add(RuleSpec(rule_id, None, title, source=source))
