"""The shipped denial tables: first-level appeal windows by payer type, and which pre-bill or scrubber
rule would have stopped each denial reason before the claim went out.

Both are versioned CSV files in ``infusion_billing.reference`` (source and effective date in their
header) and are data, not code: a payer's own ``Appeal Days`` on the Payers sheet wins over the
payer-type default.
"""

from __future__ import annotations

from functools import cache

from ..reference.tables import filled, read_versioned_csv

PACKAGE = "infusion_billing.reference"


@cache
def appeal_days_by_payer_type() -> dict[str, int]:
    """Payer Type -> days from the remit date to file the first-level appeal."""
    _, rows = read_versioned_csv(PACKAGE, "appeal_days.csv")
    return {filled(r, "Payer Type"): int(filled(r, "Appeal Days")) for r in rows}


@cache
def prevention_rules() -> dict[tuple[str, str], str]:
    """(CARC, RARC or "") -> the rule ID that holds such a claim before it is sent."""
    _, rows = read_versioned_csv(PACKAGE, "denial_prevention.csv")
    return {(filled(r, "CARC").upper(), (r["RARC"] or "").upper()): filled(r, "Rule ID") for r in rows}


def preventable_by(carc: str, rarcs: str) -> str:
    """The rule that would have caught a denial (RARC-specific rows first), or "" when none exists.

    >>> preventable_by("16", "M119"), preventable_by("97", ""), preventable_by("45", "")
    ('scrub.ndc-required', 'scrub.ncci-pair', '')
    """
    table = prevention_rules()
    for rarc in (r.strip().upper() for r in rarcs.split(",") if r.strip()):
        if (carc, rarc) in table:
            return table[(carc, rarc)]
    return table.get((carc, ""), "")
