"""Timely filing: unbilled encounters whose filing deadline is near or has passed.

Every payer sets a deadline for the first claim, counted from the date of service: Medicare 12
months (42 CFR 424.44), Medicaid often 90-365 days by state, commercial contracts often 90-180 days
(docs/payer-rules.md section 1). A claim filed late is denied CARC 29 and is generally not
appealable, so money is lost for good. The deadline is Date of Service + the payer's ``Timely Filing
Days``; it is measured from the Settings **As-Of Date**, never from the computer's clock, so a run
gives the same answer whenever it is repeated.

Worked example: As-Of Date 2026-11-27, Timely Filing Warning Days 30, payer AET with 90 days.
E0450 on 2026-09-10, Billed Date blank: deadline 2026-12-09, 12 days away -> ``filing.deadline-near``.
E0398 on 2026-08-20: deadline 2026-11-18 passed 9 days ago -> ``filing.deadline-passed``.
An encounter with a Billed Date is not checked.
"""

from __future__ import annotations

from datetime import timedelta

from ..findings import Severity
from ..schema import PayerType
from ..settings import spec_for
from .rule import hit, rule

SOURCE = "docs/payer-rules.md section 1, timely filing (Medicare 12 months, 42 CFR 424.44 [S67]; CARC 29)"
TABLES = ("Encounters", "Payers")


def _unbilled(ctx):
    """(encounter, payer, deadline) of every unbilled encounter whose payer has Timely Filing Days."""
    for enc in ctx.encounters:
        if enc.billed_date is not None:
            continue
        payer = ctx.payer(enc)
        if payer is None or payer.payer_type is PayerType.SELF_PAY or payer.timely_filing_days is None:
            continue
        yield enc, payer, enc.date_of_service + timedelta(days=payer.timely_filing_days)


@rule("filing.as-of-missing", "As-Of Date not set", Severity.WARNING,
      message="Settings has no As-Of Date, so timely filing was not checked.",
      fix="Enter the As-Of Date on the Settings sheet (the date deadlines and aging are measured from).",
      source="docs/payer-rules.md section 1 (deadlines measured from an explicit as-of date, never an implicit today)",
      tables=TABLES, location="Settings / Value")
def as_of_missing(ctx):
    """Deadlines are measured from the Settings As-Of Date; without one the filing checks are skipped."""
    if ctx.settings.as_of_date is None and any(True for _ in _unbilled(ctx)):
        row = next((r for r in ctx.book.rows("Settings") if getattr(spec_for(r.setting), "attr", "") == "as_of_date"),
                   None)
        yield hit("Settings", row, "Value" if row is not None else "", value="")


@rule("filing.days-missing", "Payer without a filing limit", Severity.WARNING,
      message="{payer_id} has no Timely Filing Days, so its {count} unbilled encounters were not checked.",
      fix="Enter the payer's filing limit in days (Medicare 365; see the payer contract).",
      source=SOURCE, tables=TABLES, location="Payers / Timely Filing Days")
def days_missing(ctx):
    """A payer with unbilled encounters and no Timely Filing Days cannot be checked."""
    counts: dict[str, int] = {}
    for enc in ctx.encounters:
        payer = ctx.payer(enc)
        if (enc.billed_date is None and payer is not None and payer.timely_filing_days is None
                and payer.payer_type is not PayerType.SELF_PAY):
            counts[payer.payer_id] = counts.get(payer.payer_id, 0) + 1
    for payer_id, count in counts.items():
        yield hit("Payers", ctx.payers[payer_id], "Timely Filing Days", payer_id=payer_id, count=count)


@rule("filing.deadline-near", "Filing deadline near", Severity.WARNING,
      message="Not billed yet and the {payer_id} filing deadline ({days} days from the date of service) is "
              "{deadline}, {left} days after the as-of date {as_of}.",
      fix="Bill this encounter before {deadline}.",
      source=SOURCE + "; Settings Timely Filing Warning Days", tables=TABLES, location="Encounters / Date of Service")
def deadline_near(ctx):
    """An unbilled encounter whose deadline falls within Settings Timely Filing Warning Days of the As-Of Date."""
    as_of = ctx.settings.as_of_date
    if as_of is None:
        return
    window = ctx.settings.timely_filing_warning_days
    for enc, payer, deadline in _unbilled(ctx):
        left = (deadline - as_of).days
        if 0 <= left <= window:
            yield hit("Encounters", enc, "Date of Service", enc.encounter_id, payer_id=payer.payer_id,
                      days=payer.timely_filing_days, deadline=deadline.isoformat(), left=left, as_of=as_of.isoformat())


@rule("filing.deadline-passed", "Filing deadline passed", Severity.ERROR,
      message="Not billed and the {payer_id} filing deadline ({days} days from the date of service) passed on "
              "{deadline}, {late} days before the as-of date {as_of}; the payer will deny it (CARC 29).",
      fix="Bill only with proof of a timely filing exception (retroactive eligibility, payer error); otherwise "
          "write it off per policy.",
      source=SOURCE, tables=TABLES, location="Encounters / Date of Service")
def deadline_passed(ctx):
    """An unbilled encounter whose deadline is before the As-Of Date."""
    as_of = ctx.settings.as_of_date
    if as_of is None:
        return
    for enc, payer, deadline in _unbilled(ctx):
        if deadline < as_of:
            yield hit("Encounters", enc, "Date of Service", enc.encounter_id, payer_id=payer.payer_id,
                      days=payer.timely_filing_days, deadline=deadline.isoformat(), late=(as_of - deadline).days,
                      as_of=as_of.isoformat())


RULES = (as_of_missing, days_missing, deadline_near, deadline_passed)
