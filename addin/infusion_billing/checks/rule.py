"""What a pre-bill rule is: its declaration (:class:`Rule`, the ``@rule`` decorator) and its hits.

A rule is a small declaration plus one function. The declaration says what a biller needs to know
(ID, title, severity, the message with named slots, the suggested fix, which rule set it belongs to
and where the rule comes from); the function looks at the workbook through a
:class:`~infusion_billing.checks.context.CheckContext` and yields :class:`Hit` objects, one per
problem, each naming the cell to fix and the values for the message slots. The family modules import
this module; :mod:`.registry` collects and runs them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..findings import Severity
from ..rules.spec import RuleSpec
from ..schema import SheetRow
from .context import CheckContext

BASIC = "basic"
STRICT = "strict"
RULE_SETS = (BASIC, STRICT)

#: ID prefix -> family module name (and the heading in docs/rules.md).
FAMILIES: dict[str, str] = {
    "doc": "documentation",
    "elig": "eligibility",
    "auth": "authorization",
    "filing": "timely_filing",
    "payer": "payer_rules",
}

#: A value the runner reads from the hit's row when the rule does not give one.
_FROM_ROW: Any = object()


@dataclass(frozen=True, slots=True)
class Hit:
    """One problem a rule found: where it is and what fills the message slots.

    Attributes:
        table: input table name (``Administrations``), or "" for a finding about the whole run.
        row: the row model (or Excel row number) the problem is on, or None.
        column: the column header to point at, or "".
        encounter_id: the encounter (claim) the problem holds, "" when it holds none.
        slots: values for the rule's message and fix templates.
        value: the cell value to show; by default read from ``row``'s ``column``.
        severity: overrides the rule's severity for this hit (only where the rule's docs say so).
    """

    table: str
    row: SheetRow | int | None
    column: str
    encounter_id: str = ""
    slots: Mapping[str, Any] = field(default_factory=dict)
    value: Any = _FROM_ROW
    severity: Severity | None = None


def hit(table: str, row: SheetRow | int | None, column: str, encounter_id: str = "", *,
        value: Any = _FROM_ROW, severity: Severity | None = None, **slots: Any) -> Hit:
    """Shorthand for :class:`Hit` with the message slots as keyword arguments."""
    return Hit(table, row, column, encounter_id, slots, value, severity)


CheckFunction = Callable[[CheckContext], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    """One pre-bill check: its declaration in the rule catalogue and the function that finds the problems.

    Attributes:
        spec: the rule as the catalogue holds it (:class:`~infusion_billing.rules.spec.RuleSpec`): stable
            ID (``doc.iv-site-missing``, never renamed once released), title, severity (error holds the
            claim, warning asks for review, info tells), the message and fix templates with named slots,
            the source, the rule set (``basic`` runs by default, ``strict`` is opt-in), the location its
            findings point at, and the description (the check function's docstring).
        check: the function that finds the problems.
        tables: input tables the rule needs; when one is missing the rule is skipped with one finding.
    """

    spec: RuleSpec
    check: CheckFunction
    tables: tuple[str, ...] = ()

    id = property(lambda self: self.spec.id)
    title = property(lambda self: self.spec.title)
    severity = property(lambda self: self.spec.severity)
    message = property(lambda self: self.spec.message)
    fix = property(lambda self: self.spec.fix)
    source = property(lambda self: self.spec.source)
    rule_set = property(lambda self: self.spec.rule_set)
    location = property(lambda self: self.spec.location)
    description = property(lambda self: self.spec.description)

    @property
    def family(self) -> str:
        return FAMILIES[self.id.split(".", 1)[0]]

    def render(self, template: str, slots: Mapping[str, Any]) -> str:
        return template.format_map(dict(slots))


def rule(rule_id: str, title: str, severity: Severity, *, message: str, fix: str, source: str,
         rule_set: str = BASIC, tables: Sequence[str] = (), location: str = "",
         also: Sequence[Severity] = ()) -> Callable[[CheckFunction], Rule]:
    """Declare a rule around its check function (the decorated name becomes the :class:`Rule`).

    ``also`` lists the other severities a hit may carry (documented in the function's docstring); the
    description in the rules reference is the first paragraph of that docstring.
    """
    if rule_set not in RULE_SETS:
        raise ValueError(f"{rule_id}: unknown rule set {rule_set!r}")
    if rule_id.split(".", 1)[0] not in FAMILIES:
        raise ValueError(f"{rule_id}: the ID must start with one of {sorted(FAMILIES)}")

    def wrap(func: CheckFunction) -> Rule:
        doc = inspect.getdoc(func) or ""
        description = " ".join(doc.split("\n\n", 1)[0].split())
        spec = RuleSpec(rule_id, severity, title, fix, source, message, tuple(also), rule_set, location, description)
        return Rule(spec, func, tuple(tables))

    return wrap
