"""Split a claim over the payer's line limit into claims that fit.

An 837P claim holds at most 50 service lines (the TR3's loop 2400 limit, the same as Medicare's
claims processing manual), an 837I 999. A month of home-infusion per diems or a long infusion day
can go over. Payers want the excess on **separate claims**, not dropped lines, so:

* lines are kept together by **date of service** (a day's administration and its drug stay on one
  claim, so an add-on code is never separated from its primary); days are packed in date order;
  only a single day with more lines than the limit is itself cut;
* each part gets its own Claim ID, the original with ``-1``, ``-2``... (at most 20 characters);
* each part carries the principal diagnosis first and then only the diagnoses its lines point at,
  with the pointers renumbered;
* an earlier payer's line adjudication goes with its line; its paid amount becomes the sum of the
  part's lines, and claim-level adjustments stay with the first part.

Replacements and voids (frequency 7/8) are not split: they must match the claim the payer has.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from itertools import groupby

from ..rules import claim as rules
from .model import Claim, ClaimLine, OtherPayer
from .problems import MAX_CLAIM_ID, MAX_LINES, Collector, Problem


def split_claim(claim: Claim, limit: int | None = None) -> tuple[list[Claim], list[Problem]]:
    """The claim as it is when it fits, else its parts; problems say what was done or why not.

    >>> from infusion_billing.claims.samples import sample_claims
    >>> from dataclasses import replace
    >>> from datetime import timedelta
    >>> base = sample_claims(1)[0]
    >>> month = tuple(replace(base.lines[0], control_number=f"L{d}", service_date=base.lines[0].service_date
    ...               + timedelta(days=d)) for d in range(60))
    >>> parts, problems = split_claim(replace(base, lines=month))
    >>> [(p.claim_id, len(p.lines), p.total_charge) for p in parts]
    [('C0000001-1', 50, Decimal('10500.00')), ('C0000001-2', 10, Decimal('2100.00'))]
    >>> problems[0].finding.rule_id
    'claim.split'
    """
    limit = limit or MAX_LINES.get(claim.claim_type, 50)
    if len(claim.lines) <= limit:
        return [claim], []
    out = Collector(claim)
    if claim.frequency != "1":
        out.add(rules.TOO_MANY_LINES, f"The claim has {len(claim.lines)} lines, over the limit of {limit}, but a "
                f"frequency-{claim.frequency} claim cannot be split: it must match the claim the payer holds.",
                column="Lines", fix="Void the original claim and send new original claims of at most 50 lines.")
        return [], out.problems
    groups: list[list[ClaimLine]] = []
    current: list[ClaimLine] = []
    by_day = sorted(claim.lines, key=lambda line: line.service_date)
    for _, day_lines in groupby(by_day, key=lambda line: line.service_date):
        day = list(day_lines)
        while len(day) > limit:  # one day alone over the limit: cut it where it must be cut
            if current:
                groups.append(current)
                current = []
            groups.append(day[:limit])
            day = day[limit:]
        if len(current) + len(day) > limit:
            groups.append(current)
            current = []
        current = current + day
    if current:
        groups.append(current)
    ids = [f"{claim.claim_id}-{k}" for k in range(1, len(groups) + 1)]
    if any(len(i) > MAX_CLAIM_ID for i in ids):
        out.add(rules.ID_INVALID, f"The claim has {len(claim.lines)} lines and must be split, but '{ids[-1]}' "
                f"would be over {MAX_CLAIM_ID} characters.", column="Claim ID", value=claim.claim_id,
                fix="Use a shorter Claim ID (at most 17 characters leaves room for the part number).")
        return [], out.problems
    parts = [_part(claim, new_id, lines, first=k == 0)
             for k, (new_id, lines) in enumerate(zip(ids, groups, strict=True))]
    described = ", ".join(f"{p.claim_id} ({len(p.lines)} lines)" for p in parts)
    out.add(rules.SPLIT, f"The claim has {len(claim.lines)} lines, over the {claim.claim_type} limit of {limit}; "
            f"it was split by date of service into {described}.", column="Lines")
    return parts, out.problems


def _part(claim: Claim, claim_id: str, lines: list[ClaimLine], *, first: bool) -> Claim:
    used = sorted({p for line in lines for p in line.diagnosis_pointers} - {1})
    kept = [1, *used]  # the principal diagnosis stays principal on every part
    renumber = {old: new for new, old in enumerate(kept, start=1)}
    diagnoses = tuple(claim.diagnoses[p - 1] for p in kept if p <= len(claim.diagnoses))
    new_lines = tuple(replace(line, diagnosis_pointers=tuple(renumber.get(p, p) for p in line.diagnosis_pointers))
                      for line in lines)
    controls = {line.control_number for line in lines}
    others = tuple(_other_part(other, controls, first) for other in claim.other_payers)
    return replace(claim, claim_id=claim_id, lines=new_lines, diagnoses=diagnoses, other_payers=others,
                   statement_from=None, statement_to=None)


def _other_part(other: OtherPayer, controls: set[str], first: bool) -> OtherPayer:
    if not other.lines:
        return other if first else replace(other, paid=Decimal("0.00"), adjustments=())
    lines = tuple(paid for paid in other.lines if paid.line_control_number in controls)
    return replace(other, lines=lines, paid=sum((paid.paid for paid in lines), Decimal("0.00")),
                   adjustments=other.adjustments if first else ())
