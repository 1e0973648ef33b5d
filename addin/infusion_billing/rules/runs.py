"""``pipeline.*`` and ``check.*``: what a run reports about itself.

A stage or a pre-bill rule that fails is reported and the others still run, so month-end finishes.
"""

from __future__ import annotations

from ..findings import Severity
from .spec import Family

E, W = Severity.ERROR, Severity.WARNING
PIPELINE = Family("pipeline")
CHECK = Family("check")
DESIGN = "README.md (Data safety: one bad row or stage never stops the run)"

STAGE_MISSING = PIPELINE.finding(
    "pipeline.stage-missing", W, "A stage this version does not have (skipped)",
    fix="Update infusion-billing, or run the stages it lists in --help.", source=DESIGN,
    message="The '{name}' stage is not available in this version; it was skipped.")
STAGE_FAILED = PIPELINE.finding(
    "pipeline.stage-failed", E, "A stage that stopped with an internal error (its results missing)",
    fix="Run again with --debug and report the output with the RunLog sheet.", source=DESIGN,
    message="The '{name}' stage stopped with an internal error ({error}); its results are missing. "
            "Please report this with the RunLog sheet.")

RULE_FAILED = CHECK.finding(
    "check.rule-failed", E, "A pre-bill rule (or the coding engine under it) that stopped with an internal error",
    fix="Run again with --rule {rule_id} --debug and report the output.", source=DESIGN,
    message="The check {rule_id} stopped with an internal error ({error}); its findings are missing from this "
            "run. Please report it with the RunLog sheet.")
TABLE_MISSING = CHECK.finding(
    "check.table-missing", W, "A table some checks need is missing (those checks skipped)",
    fix="Add the table named in the message, with the columns on the Instructions sheet.", source=DESIGN)
UNKNOWN_RULE = CHECK.finding(
    "check.unknown-rule", W, "A rule asked for with --rule that does not exist (skipped)",
    fix="Use a rule ID from docs/rules.md (e.g. doc.ndc-missing) or a family: doc, elig, auth, filing, payer.",
    source="docs/rules.md", message="No check is called '{name}'; it was skipped.")

SPECS = (*PIPELINE.specs, *CHECK.specs)
