"""Every rule the tool can emit, from every family, in one place.

The catalogue is the union of the family declarations: the reader's (:mod:`.reader`), the coding
engine's (:mod:`infusion_billing.coding.rules`), the pre-bill checks' (each ``@rule`` in
:mod:`infusion_billing.checks`), the X12 layer's (:mod:`.x12`), the 837 writer's and the claim ledger's (:mod:`.claim`),
the claim scrubber's (:mod:`.scrub`),
the 835 import's (:mod:`.era`), posting and reconciliation's (:mod:`.posting`), the denial worklist's (:mod:`.denial`),
the AR aging's (:mod:`.aging`), the patient statements' (:mod:`.stmt`), the KPIs' and month close's (:mod:`.kpi`),
the run's own (:mod:`.runs`), the writer's (:mod:`.writer`), the assessment's (:mod:`.assess`) and the
store's (:mod:`.store`).
A rule ID is declared exactly once; ``docs/rules.md`` is rendered from this list and a test fails
when the code emits an ID that is not in it.
"""

from __future__ import annotations

from ..checks.registry import registry
from ..coding import rules as coding_rules
from . import aging, assess, claim, denial, era, kpi, posting, reader, runs, scrub, stmt, store, writer, x12
from .spec import FAMILIES, RuleSpec


def _collect() -> dict[str, RuleSpec]:
    specs = [*reader.SPECS, *coding_rules.RULES, *(r.spec for r in registry().values()), *x12.SPECS,
             *claim.SPECS, *scrub.SPECS, *era.SPECS, *posting.SPECS, *denial.SPECS, *aging.SPECS, *stmt.SPECS,
             *runs.SPECS, *writer.SPECS, *kpi.SPECS,
             *assess.SPECS, *store.SPECS]
    out: dict[str, RuleSpec] = {}
    for spec in specs:
        if spec.id in out:
            raise ValueError(f"rule ID {spec.id} is declared twice")
        out[spec.id] = spec
    order = list(FAMILIES)
    return dict(sorted(out.items(), key=lambda kv: order.index(kv[1].family)))


CATALOGUE: dict[str, RuleSpec] = _collect()

#: IDs no longer emitted, and the rule that now reports the same fact. The pre-bill checks used to
#: repeat what the coding engine finds while coding (the same missing stop time twice at one cell);
#: each fact now has one rule, the coding engine's, and the check stage lists its findings.
RETIRED: dict[str, str] = {
    "doc.no-administrations": "coding.no-administrations",
    "doc.start-time-missing": "coding.stop-time-fallback",
    "doc.stop-time-missing": "coding.stop-time-fallback",
    "doc.stop-before-start": "coding.stop-before-start",
    "doc.dose-missing": "coding.dose-missing",
    "doc.dose-unit-missing": "coding.dose-unit",
    "doc.route-missing": "coding.route-missing",
    "doc.hydration-necessity-missing": "coding.hydration-necessity",
    "doc.ndc-invalid": "coding.ndc-invalid",
    "doc.second-site-undocumented": "coding.second-site-undocumented",
}


def spec(rule_id: str) -> RuleSpec:
    """The declaration of ``rule_id``; KeyError when the catalogue has no such rule."""
    return CATALOGUE[rule_id]


def by_family() -> dict[str, list[RuleSpec]]:
    """The rules of each family prefix, in the reference's order (families without rules left out)."""
    out: dict[str, list[RuleSpec]] = {}
    for s in CATALOGUE.values():
        out.setdefault(s.family, []).append(s)
    return out
