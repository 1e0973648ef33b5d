"""A check that crashes is retried one encounter at a time, so one strange claim holds only itself.

A rule normally walks every encounter in one pass. When that pass raises (a value no rule
anticipated), the rule is run again on a view of the workbook holding one encounter at a time
(everything computed once for the run, such as the coding result and the authorization ledger, is
shared, not recomputed): the encounters it works for get their findings as usual, and each one it
still fails on gets a ``check.rule-failed`` Finding of its own that holds that claim alone.
"""

from __future__ import annotations

import copy
import logging
import traceback
from collections.abc import Callable, Iterable

from ..findings import Finding
from ..rules.runs import RULE_FAILED
from .context import CheckContext

log = logging.getLogger("infusion_billing.checks")

def one_encounter_view(ctx: CheckContext, encounter) -> CheckContext:
    """A copy of ``ctx`` that sees only ``encounter`` (all other cached answers shared)."""
    view = copy.copy(ctx)  # a shallow copy: the cached answers built so far are shared
    # The three views are cached properties: setting one on the copy is what a first read would cache.
    view.encounters = [encounter]
    view.encounters_by_id = {encounter.encounter_id: encounter}
    view.encounters_in_date_order = [encounter]
    return view


def per_encounter(ctx: CheckContext, rule_id: str, run: Callable[[CheckContext], Iterable[Finding]],
                  exc: Exception) -> list[Finding]:
    """Run ``run`` once per encounter after it failed on all of them at once (``exc``)."""
    log.error("rule %s failed: %s; retrying one encounter at a time", rule_id, type(exc).__name__)
    log.debug("%s", traceback.format_exc())
    found: dict[Finding, None] = {}
    failed: list[Finding] = []
    encounters = list(ctx.encounters)
    for encounter in encounters:
        try:
            found.update(dict.fromkeys(run(one_encounter_view(ctx, encounter))))
        except Exception as again:
            failed.append(ctx.book.finding(
                RULE_FAILED,
                f"The check {rule_id} stopped with an internal error ({type(again).__name__}) on encounter "
                f"{encounter.encounter_id}; the claim is held and the other encounters were checked.",
                table="Encounters", row=encounter, column="Encounter ID", value=encounter.encounter_id,
                encounter_id=encounter.encounter_id,
                fix=f"Check this encounter's rows for unusual values; run again with --rule {rule_id} --debug and "
                    "report the output if they look right."))
    if encounters and len(failed) == len(encounters) or not encounters:
        # Not about any one encounter: one finding about the rule, as before.
        slots = {"rule_id": rule_id, "error": type(exc).__name__}
        return [RULE_FAILED.finding(RULE_FAILED.message.format(**slots), fix=RULE_FAILED.fix.format(**slots))]
    return [*found, *failed]
