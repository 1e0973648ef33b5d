"""Eligibility and coverage: is the payer billed the patient's primary coverage on the date of service?

A claim sent to a plan that had ended, or to a plan that is not the patient's primary, comes back
denied (CARC 27 "expenses incurred after coverage terminated", CARC 22 "may be covered by another
payer"). Before billing, each encounter's payer must be the patient's Primary coverage in force on
the date of service, with the member ID the card shows; a secondary plan, when the patient has one,
is listed so the balance can follow the primary's payment.

Worked example: patient P0042 has ``Coverage`` rows AET Primary 2025-01-01..2026-06-30 and MCD
Primary from 2026-07-01. Encounter E0310 on 2026-08-04 billed to AET is ``elig.coverage-inactive``
(AET ended 2026-06-30: bill MCD); billed to MCD it is fine. Billed to BCB, which the patient does not
have at all, it is ``elig.coverage-missing``.

Self-pay encounters have no coverage to check.
"""

from __future__ import annotations

from ..findings import Severity
from ..schema import Encounter, PayerType, Priority
from ..values import is_blank
from .rule import STRICT, hit, rule

TABLES = ("Encounters", "Coverage")
SOURCE = "docs/payer-rules.md section 3 (CARC 27 coverage terminated, CARC 22 other payer primary [S69][S78])"


def _billable(ctx, enc: Encounter) -> bool:
    payer = ctx.payer(enc)
    return payer is not None and payer.payer_type is not PayerType.SELF_PAY


def _primary_rows(ctx, enc: Encounter):
    return [c for c in ctx.coverage_by_patient.get(enc.patient_id, ())
            if c.payer_id == enc.payer_id and c.priority is Priority.PRIMARY]


def _active_primary(ctx, enc: Encounter):
    """The Primary coverage row of the encounter's payer in force on the date of service, or None."""
    day = enc.date_of_service
    rows = [c for c in _primary_rows(ctx, enc)
            if c.effective_from <= day and (c.effective_to is None or day <= c.effective_to)]
    return min(rows, key=lambda c: (c.effective_from, c.excel_row)) if rows else None


@rule("elig.coverage-missing", "No coverage for the payer billed", Severity.ERROR,
      message="The patient has no coverage with {payer_id} on the Coverage sheet.",
      fix="Add the patient's {payer_id} coverage (member ID, Primary, dates) to Coverage, or bill the payer the "
          "patient is covered by.",
      source=SOURCE, tables=TABLES, location="Encounters / Payer ID")
def coverage_missing(ctx):
    """The encounter is billed to a payer the patient has no Coverage row with at all."""
    for enc in ctx.encounters:
        if _billable(ctx, enc) and not any(c.payer_id == enc.payer_id
                                           for c in ctx.coverage_by_patient.get(enc.patient_id, ())):
            yield hit("Encounters", enc, "Payer ID", enc.encounter_id, payer_id=enc.payer_id)


@rule("elig.payer-not-primary", "Payer billed is not the primary", Severity.ERROR,
      message="{payer_id} is the patient's {priority} coverage, not the primary; the primary must be billed first.",
      fix="Bill the patient's Primary payer ({primary}) and send {payer_id} the claim after the primary pays.",
      source=SOURCE, tables=TABLES, location="Encounters / Payer ID")
def payer_not_primary(ctx):
    """The encounter's payer appears on Coverage only as Secondary or Tertiary: coordination of
    benefits sends the claim to the primary first."""
    for enc in ctx.encounters:
        if not _billable(ctx, enc) or _primary_rows(ctx, enc):
            continue
        others = [c for c in ctx.coverage_by_patient.get(enc.patient_id, ()) if c.payer_id == enc.payer_id]
        if others:
            active = ctx.active_coverage(enc.patient_id, enc.date_of_service)
            primary = sorted({c.payer_id for c in active if c.priority is Priority.PRIMARY})
            yield hit("Encounters", enc, "Payer ID", enc.encounter_id, payer_id=enc.payer_id,
                      priority=others[0].priority.value, primary=", ".join(primary) or "none listed")


@rule("elig.coverage-inactive", "Coverage not active on the date of service", Severity.ERROR,
      message="The patient's {payer_id} primary coverage {when}, so it does not cover the {dos} visit.",
      fix="Verify eligibility for {dos}: update the coverage dates, or bill the payer that covered the patient "
          "that day.",
      source=SOURCE, tables=TABLES, location="Encounters / Date of Service")
def coverage_inactive(ctx):
    """The payer billed is the patient's primary, but no Primary row of it is in force on the date of
    service: the coverage ended before, or started after, the visit."""
    for enc in ctx.encounters:
        if not _billable(ctx, enc):
            continue
        rows = _primary_rows(ctx, enc)
        if not rows or _active_primary(ctx, enc) is not None:
            continue
        day = enc.date_of_service
        ended = [c.effective_to for c in rows if c.effective_to is not None and c.effective_to < day]
        when = (f"ended {max(ended).isoformat()}" if ended
                else f"starts {min(c.effective_from for c in rows).isoformat()}")
        yield hit("Encounters", enc, "Date of Service", enc.encounter_id, payer_id=enc.payer_id, when=when,
                  dos=day.isoformat())


@rule("elig.primary-ambiguous", "Two primary coverages", Severity.WARNING,
      message="The patient has {count} primary coverages on {dos} ({payers}); only one pays first.",
      fix="Set the right Priority on Coverage after checking coordination of benefits (e.g. the birthday rule, "
          "Medicare Secondary Payer questionnaire).",
      source=SOURCE + "; coordination of benefits", tables=TABLES, location="Encounters / Payer ID")
def primary_ambiguous(ctx):
    """More than one payer is marked Primary for the patient on the date of service."""
    for enc in ctx.encounters:
        if not _billable(ctx, enc):
            continue
        active = ctx.active_coverage(enc.patient_id, enc.date_of_service)
        payers = sorted({c.payer_id for c in active if c.priority is Priority.PRIMARY})
        if len(payers) > 1:
            yield hit("Encounters", enc, "Payer ID", enc.encounter_id, count=len(payers), payers=", ".join(payers),
                      dos=enc.date_of_service.isoformat())


@rule("elig.member-id-missing", "Member ID missing", Severity.ERROR,
      message="The {payer_id} primary coverage (Coverage row {coverage_row}) has no member ID; the claim cannot "
              "identify the patient to the payer.",
      fix="Copy the member ID from the insurance card onto the Coverage row.",
      source=SOURCE + "; 837 subscriber loop 2010BA NM109 (member ID required)", tables=TABLES,
      location="Coverage / Member ID")
def member_id_missing(ctx):
    """The primary coverage in force on the date of service must carry the member ID from the card."""
    for enc in ctx.encounters:
        if not _billable(ctx, enc):
            continue
        row = _active_primary(ctx, enc)
        if row is not None and is_blank(row.member_id):
            yield hit("Coverage", row, "Member ID", enc.encounter_id, payer_id=enc.payer_id, coverage_row=row.excel_row)


@rule("elig.secondary-incomplete", "Secondary coverage incomplete", Severity.WARNING,
      message="The patient's secondary coverage {payer_id} (Coverage row {coverage_row}) {problem}; the balance "
              "after the primary pays cannot be billed to it.",
      fix="Complete the secondary coverage row: its own payer and the member ID from the card.",
      source=SOURCE + "; secondary claims follow the primary's remittance (docs/payer-rules.md section 3)",
      tables=TABLES, location="Coverage / Member ID, Payer ID")
def secondary_incomplete(ctx):
    """A Secondary coverage in force on the date of service needs a member ID and must be a different
    payer from the primary."""
    for enc in ctx.encounters:
        if not _billable(ctx, enc):
            continue
        for c in ctx.active_coverage(enc.patient_id, enc.date_of_service):
            if c.priority is not Priority.SECONDARY:
                continue
            if c.payer_id == enc.payer_id:
                yield hit("Coverage", c, "Payer ID", enc.encounter_id, payer_id=c.payer_id, coverage_row=c.excel_row,
                          problem="is the same payer as the primary billed")
            elif is_blank(c.member_id):
                yield hit("Coverage", c, "Member ID", enc.encounter_id, payer_id=c.payer_id, coverage_row=c.excel_row,
                          problem="has no member ID")


@rule("elig.secondary-not-listed", "No secondary listed for a Medicare patient", Severity.INFO,
      message="No secondary coverage is listed for this Medicare patient on {dos}; the 20% coinsurance goes to "
              "the patient unless a supplemental plan exists.",
      fix="Ask the patient about a Medigap, Medicaid or retiree plan and add it to Coverage as Secondary.",
      source="docs/payer-rules.md section 3 [S77] (Medicare pays 80% of the allowed amount; the patient or a "
             "supplemental plan owes the 20% coinsurance)",
      rule_set=STRICT, tables=TABLES, location="Encounters / Payer ID")
def secondary_not_listed(ctx):
    """Medicare Part B leaves 20% coinsurance; most Medicare infusion patients carry a supplemental
    plan that pays it, and a missing one is often only missing from the records."""
    for enc in ctx.encounters:
        payer = ctx.payer(enc)
        if payer is None or payer.payer_type is not PayerType.MEDICARE:
            continue
        active = ctx.active_coverage(enc.patient_id, enc.date_of_service)
        if not any(c.priority is not Priority.PRIMARY for c in active):
            yield hit("Encounters", enc, "Payer ID", enc.encounter_id, dos=enc.date_of_service.isoformat())


RULES = (
    coverage_missing, payer_not_primary, coverage_inactive, primary_ambiguous, member_id_missing,
    secondary_incomplete, secondary_not_listed,
)
