"""The rule registry: every pre-bill check, by stable ID, in two rule sets.

A rule is a small declaration plus one function. The declaration says what a biller needs to know
(ID, title, severity, the message with named slots, the suggested fix, which rule set it belongs to
and where the rule comes from); the function looks at the workbook through a
:class:`~infusion_billing.checks.context.CheckContext` and yields :class:`Hit` objects, one per
problem, each naming the cell to fix and the values for the message slots::

    @rule("doc.iv-site-missing", "IV site missing", Severity.ERROR,
          message="{admin_id} ({drug}) went in through a vein but no IV site is recorded.",
          fix="Enter the access site.", source="docs/coding-rules.md section 3")
    def iv_site_missing(ctx):
        for enc, admin in ctx.encounter_admins():
            if ctx.is_iv(admin) and not admin.iv_site:
                yield hit("Administrations", admin, "IV Site", enc.encounter_id, admin_id=admin.admin_id, ...)

Each family module (``documentation``, ``eligibility``, ``authorization``, ``timely_filing``,
``payer_rules``) exports ``RULES = (...)``; :data:`REGISTRY` collects them in that order.

Rule sets follow ``hledger check``: the ``basic`` rules run every time, ``strict`` rules are added
with ``--strict`` (or Settings ``Rule Set`` = strict), and any rule can be run on its own by ID
(``--rule doc.ndc-missing``) or a whole family by its prefix (``--rule auth``). A rule that crashes
becomes one ``check.rule-failed`` Finding about itself and the other rules still run (beancount's
plugin errors), so month-end finishes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from ..findings import Finding
from ..rules.runs import TABLE_MISSING
from ..schema import TABLES_BY_NAME, SheetRow
from . import authorization, documentation, eligibility, payer_rules, timely_filing
from .context import CheckContext
from .isolation import per_encounter
from .rule import _FROM_ROW, BASIC, FAMILIES, RULE_SETS, STRICT, Hit, Rule, hit, rule

__all__ = ["BASIC", "FAMILIES", "RULE_SETS", "STRICT", "Hit", "Rule", "get_rule", "hit", "registry", "rule",
           "run_rules", "select_rules"]

log = logging.getLogger("infusion_billing.checks")

# ----------------------------------------------------------------------------- the registry


def _collect() -> dict[str, Rule]:
    registry: dict[str, Rule] = {}
    for module in (documentation, eligibility, authorization, timely_filing, payer_rules):
        for r in module.RULES:
            if r.id in registry:
                raise ValueError(f"rule ID {r.id} is declared twice")
            if FAMILIES[r.id.split('.', 1)[0]] != module.__name__.rsplit(".", 1)[1]:
                raise ValueError(f"rule {r.id} is declared in the wrong family module {module.__name__}")
            registry[r.id] = r
    return registry


_REGISTRY: dict[str, Rule] = _collect()


def registry() -> dict[str, Rule]:
    """Every rule by ID, in family order (documentation, eligibility, authorization, filing, payer)."""
    return _REGISTRY


def get_rule(rule_id: str) -> Rule:
    return registry()[rule_id]


def select_rules(*, strict: bool = False, only: Sequence[str] = ()) -> tuple[list[Rule], list[str]]:
    """The rules to run and the requested names that match no rule.

    ``only`` (``RunOptions.rules``) names rule IDs or family prefixes (``auth``, ``doc``); when given it
    wins over the rule sets, so a strict rule runs when asked for by ID. Without it: the basic rules,
    plus the strict ones when ``strict``.
    """
    rules = registry()
    if only:
        chosen: dict[str, Rule] = {}
        unknown = []
        for name in only:
            key = name.strip()
            prefix = key.rstrip(".*")
            matched = [r for r in rules.values() if r.id == key or r.id.split(".", 1)[0] == prefix
                       or r.family == prefix]
            if not matched:
                unknown.append(key)
            chosen.update((r.id, r) for r in matched)
        return [r for r in rules.values() if r.id in chosen], unknown
    return [r for r in rules.values() if r.rule_set == BASIC or strict], []


# ----------------------------------------------------------------------------- running


def run_rules(ctx: CheckContext, rules: Sequence[Rule]) -> list[Finding]:
    """Run ``rules`` over one workbook; a rule that crashes becomes a ``check.rule-failed`` Finding."""
    findings: list[Finding] = []
    missing_reported: set[str] = set()
    for r in rules:
        missing = [t for t in r.tables if not ctx.book.has(t)]
        if missing:
            for f in ctx.book.require("The check stage", [t for t in missing if t not in missing_reported]):
                findings.append(f.with_(rule_id=TABLE_MISSING.id, severity=TABLE_MISSING.severity,
                                        message=f.message + " Checks that need it were skipped."))
            missing_reported.update(missing)
            continue
        try:
            findings.extend(_findings_of(ctx, r, r.check(ctx)))
        except Exception as exc:  # one broken rule must not stop the others, nor one claim the rule
            findings.extend(per_encounter(ctx, r.id, _rule_runner(r), exc))
    return findings


def _rule_runner(r: Rule) -> Callable[[CheckContext], list[Finding]]:
    """Run rule ``r`` on a context (the per-encounter retry's view of it)."""
    return lambda view: list(_findings_of(view, r, r.check(view)))


def _findings_of(ctx: CheckContext, r: Rule, hits: Iterable[Hit]) -> Iterator[Finding]:
    # Materialised per rule so a crash half-way through a rule drops only that rule's findings.
    out = []
    for h in hits:
        value = h.value
        if value is _FROM_ROW:
            value = _row_value(h)
        out.append(ctx.book.finding(
            r.spec, r.render(r.message, h.slots), severity=h.severity, table=h.table, row=h.row,
            column=h.column, value=value, encounter_id=h.encounter_id, fix=r.render(r.fix, h.slots)))
    return iter(out)


def _row_value(h: Hit) -> Any:
    if not isinstance(h.row, SheetRow) or not h.column:
        return ""
    spec = TABLES_BY_NAME.get(h.table)
    try:
        return getattr(h.row, spec.column(h.column).field) if spec else ""
    except KeyError:
        return ""
