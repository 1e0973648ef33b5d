"""Prior authorization: an authorization on file for every drug that needs one, with units to spare.

Commercial, Medicaid and Medicare Advantage plans pay specialty infused drugs only under a prior
authorization: payer, member, HCPCS, units and visits for a date range (docs/payer-rules.md section
2). Which payer wants one for which code comes from :mod:`.payer_rules`. Claims without one deny
(CARC 197 / 198 / 15 / 62), so each encounter's drug lines are matched to an authorization of that
payer for that patient that covers the code (or the whole regimen, Code blank) on the date of
service, and the authorized units and visits are burned down encounter by encounter in date order.

Worked example: AUTH-9 authorizes J1745 x 120 units and 4 visits, 2026-01-01 to 2026-12-31. Doses
of 40 units on 2026-02-03, 2026-04-01 and 2026-05-27 leave 0 units; a fourth dose on 2026-07-22
takes the authorization past its units: ``auth.units-exceeded`` at that administration's Dose cell.
Had the third dose been the last one entered, ``auth.units-low`` would say the next dose will not be
covered. The ``Authorization Usage`` sheet shows units and visits authorized, used and remaining per
authorization, and the encounters that used them.

Units are the claim's HCPCS units (coding engine drug lines); JW lines (discarded drug) are not
counted against the authorization.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..coding.drug_lines import ceil_units
from ..coding.lines import ChargeLine
from ..findings import Severity
from ..schema import Administration, Authorization, Encounter
from ..workbook.writer import OutputTable
from .context import CheckContext
from .payer_rules import auth_policy
from .rule import hit, rule

TABLES = ("Encounters", "Administrations", "Authorizations")
SOURCE = "docs/payer-rules.md section 2, prior authorization (payer, member, HCPCS, units, visits, dates)"


@dataclass
class AuthAccount:
    """One authorization and what the encounters so far have used of it."""

    auth: Authorization
    units_used: int = 0
    visits_used: int = 0
    encounters: list[str] = field(default_factory=list)
    last_encounter_units: int = 0
    last_date: object = None

    @property
    def units_remaining(self) -> int | None:
        a = self.auth.units_authorized
        return None if a is None else a - self.units_used

    @property
    def visits_remaining(self) -> int | None:
        v = self.auth.visits_authorized
        return None if v is None else v - self.visits_used


@dataclass(frozen=True)
class MissingAuth:
    encounter: Encounter
    line: ChargeLine
    admin: Administration | None
    detail: str
    basis: str


@dataclass(frozen=True)
class UnitsExceeded:
    encounter: Encounter
    line: ChargeLine
    admin: Administration | None
    account: AuthAccount
    remaining_before: int


@dataclass
class AuthLedger:
    """The burn-down of every authorization across the workbook's encounters, in date order."""

    accounts: dict[str, AuthAccount]
    missing: list[MissingAuth] = field(default_factory=list)
    units_exceeded: list[UnitsExceeded] = field(default_factory=list)
    visits_exceeded: list[tuple[Encounter, AuthAccount]] = field(default_factory=list)

    @classmethod
    def build(cls, ctx: CheckContext) -> AuthLedger:
        ledger = cls({a.auth_id: AuthAccount(a) for a in ctx.authorizations})
        by_patient_payer: dict[tuple[str, str], list[Authorization]] = defaultdict(list)
        for a in ctx.authorizations:
            by_patient_payer[(a.patient_id, a.payer_id)].append(a)
        policy = auth_policy(ctx)
        lines = ctx.lines
        for enc in ctx.encounters_in_date_order:
            enc_lines = lines.get(enc.encounter_id)
            if enc_lines:
                ledger._post(ctx, enc, enc_lines, by_patient_payer.get((enc.patient_id, enc.payer_id), []), policy)
        return ledger

    def _post(self, ctx, enc: Encounter, enc_lines, auths: list[Authorization], policy) -> None:
        day = enc.date_of_service
        admins: dict[str, Administration] | None = None
        used_here: dict[str, int] = {}
        for line in sorted(enc_lines, key=lambda charge: charge.line):
            if "JW" in line.modifiers:
                continue
            answer = policy.requires_auth(enc.payer_id, line.code, day)
            if not answer.required:
                continue
            if admins is None:
                admins = {a.admin_id: a for a in ctx.admins(enc)}
            line_admins = sorted((admins[i] for i in line.admin_ids if i in admins),
                                 key=lambda a: (a.start is None, a.start, a.excel_row))
            for_code = [a for a in auths if a.code is None or a.code == line.code]
            covering = [a for a in for_code if a.start_date <= day <= a.end_date]
            if not covering:
                self.missing.append(MissingAuth(enc, line, line_admins[0] if line_admins else None,
                                                _missing_detail(for_code, line.code), answer.basis))
                continue
            covering.sort(key=lambda a: (a.code is None, a.start_date, a.excel_row))
            account = next((self.accounts[a.auth_id] for a in covering
                            if self.accounts[a.auth_id].units_remaining is None
                            or self.accounts[a.auth_id].units_remaining >= line.units),
                           self.accounts[covering[0].auth_id])
            remaining = account.units_remaining
            if remaining is not None and line.units > remaining:
                admin = _admin_that_exceeds(ctx, line, line_admins, remaining)
                self.units_exceeded.append(UnitsExceeded(enc, line, admin, account, remaining))
            account.units_used += line.units
            used_here[account.auth.auth_id] = used_here.get(account.auth.auth_id, 0) + line.units
        for auth_id, units in used_here.items():
            account = self.accounts[auth_id]
            account.visits_used += 1
            account.encounters.append(enc.encounter_id)
            account.last_encounter_units = units
            account.last_date = day
            if account.visits_remaining is not None and account.visits_remaining < 0:
                self.visits_exceeded.append((enc, account))


def ledger(ctx: CheckContext) -> AuthLedger:
    """The authorization burn-down, built once per run and shared by the rules and the usage sheet."""
    return ctx.shared("authorization ledger", AuthLedger.build)


def _missing_detail(for_code: list[Authorization], code: str) -> str:
    if not for_code:
        return f"no authorization for {code} is on file"
    spans = ", ".join(f"{a.auth_id} covers {a.start_date.isoformat()} to {a.end_date.isoformat()}"
                      for a in sorted(for_code, key=lambda a: a.start_date))
    return f"no authorization for {code} covers that date ({spans})"


def _admin_that_exceeds(ctx, line, line_admins: list[Administration], remaining: int) -> Administration | None:
    """The administration whose dose takes the running total past the remaining units.

    Doses of one drug on one date share a claim line, so the line's units are split back over its
    administrations in time order: the first whose cumulative units pass ``remaining`` is the one.
    """
    drug = ctx.drugs.get(line.code)
    if not line_admins:
        return None
    if drug is None or remaining <= 0:
        return line_admins[0]
    counted = ctx.coding.doses  # each dose in the billing measure, as the coding engine counted it
    total = Decimal(0)
    for admin in line_admins:
        dose = counted.get(admin.admin_id)
        if dose is None:
            continue
        total += dose.amount
        if ceil_units(total, drug.billing_unit_quantity) > remaining:
            return admin
    return line_admins[-1]


# ----------------------------------------------------------------------------- rules


def _drug(admin: Administration | None, line) -> str:
    return (admin.drug if admin is not None and admin.drug else None) or line.code


@rule("auth.missing", "No prior authorization", Severity.ERROR,
      message="{code} ({drug}) needs a prior authorization from {payer_id} ({basis}), but {detail}.",
      fix="Get the authorization from {payer_id} (or its number if already approved) and add it to "
          "Authorizations with its code, units, visits and dates.",
      source=SOURCE + "; CARC 197/15", tables=TABLES, location="Administrations / HCPCS")
def auth_missing(ctx):
    """A drug the payer prior-authorizes (Payer Rules, else the built-in defaults) has no authorization
    of that payer for that patient covering its code and the date of service."""
    for m in ledger(ctx).missing:
        enc = m.encounter
        if m.admin is not None:
            where = ("Administrations", m.admin, "HCPCS")
        else:
            where = ("Encounters", enc, "Payer ID")
        yield hit(*where, enc.encounter_id, code=m.line.code, drug=_drug(m.admin, m.line), payer_id=enc.payer_id,
                  basis=m.basis, detail=m.detail)


@rule("auth.units-exceeded", "Authorized units exceeded", Severity.ERROR,
      message="This dose takes authorization {auth_id} past its units: {units} units of {code} billed with "
              "{remaining} of {authorized} left.",
      fix="Ask {payer_id} to extend {auth_id} (more units) before billing; see the Authorization Usage sheet.",
      source=SOURCE + "; warn before the DOS when remaining units do not cover the dose; CARC 198",
      tables=TABLES, location="Administrations / Dose")
def units_exceeded(ctx):
    """Authorized units are used up encounter by encounter in date order; the dose that needs more
    units than are left is held."""
    for x in ledger(ctx).units_exceeded:
        auth = x.account.auth
        where = ("Administrations", x.admin, "Dose") if x.admin is not None else ("Encounters", x.encounter,
                                                                                   "Date of Service")
        yield hit(*where, x.encounter.encounter_id, auth_id=auth.auth_id, units=x.line.units, code=x.line.code,
                  remaining=max(x.remaining_before, 0), authorized=auth.units_authorized, payer_id=auth.payer_id)


@rule("auth.visits-exceeded", "Authorized visits exceeded", Severity.ERROR,
      message="This visit is number {visit} under authorization {auth_id}, which allows {authorized} visits.",
      fix="Ask {payer_id} to extend {auth_id} (more visits) before billing.",
      source=SOURCE + "; CARC 198", tables=TABLES, location="Encounters / Date of Service")
def visits_exceeded(ctx):
    """Each encounter that uses an authorization is one visit of it; visits beyond those authorized are held."""
    for enc, account in ledger(ctx).visits_exceeded:
        auth = account.auth
        visit = account.encounters.index(enc.encounter_id) + 1
        yield hit("Encounters", enc, "Date of Service", enc.encounter_id, visit=visit, auth_id=auth.auth_id,
                  authorized=auth.visits_authorized, payer_id=auth.payer_id)


@rule("auth.units-low", "Authorization will not cover the next dose", Severity.WARNING,
      message="Authorization {auth_id} has {remaining} units left after {last_encounter}, less than that visit's "
              "{last_units}; the next dose will not be covered.",
      fix="Request more units from {payer_id} before the patient's next visit.",
      source=SOURCE + ": warn before the DOS when remaining units do not cover the dose",
      tables=TABLES, location="Authorizations / Units Authorized")
def units_low(ctx):
    """After its last use, an authorization still running has fewer units left than the last visit
    used: request an extension before the next dose (no claim is held)."""
    as_of = ctx.settings.as_of_date
    for account in ledger(ctx).accounts.values():
        auth, remaining = account.auth, account.units_remaining
        if remaining is None or not account.encounters or remaining < 0:
            continue
        still_running = auth.end_date > account.last_date and (as_of is None or auth.end_date >= as_of)
        if still_running and remaining < account.last_encounter_units:
            yield hit("Authorizations", auth, "Units Authorized", auth_id=auth.auth_id, remaining=remaining,
                      last_encounter=account.encounters[-1], last_units=account.last_encounter_units,
                      payer_id=auth.payer_id)


RULES = (auth_missing, units_exceeded, visits_exceeded, units_low)


# ----------------------------------------------------------------------------- the usage sheet

USAGE_COLUMNS = [
    "Auth ID", "Patient ID", "Payer ID", "Code", "Start Date", "End Date", "Units Authorized", "Units Used",
    "Units Remaining", "Visits Authorized", "Visits Used", "Visits Remaining", "Status", "Encounters",
]


def usage_status(account: AuthAccount, as_of: date | None = None) -> str:
    """The line a biller scans the sheet for: Exceeded, Used up, Expired, Not started, In use or Unused.

    ``as_of`` is the date the workbook is looked at (the As-Of Date setting, else its latest date of
    service): an authorization whose period ended before it is Expired, not Unused, even if no visit
    used it, so the biller asks the payer for a new one instead of counting on the old.
    """
    units, visits = account.units_remaining, account.visits_remaining
    if (units is not None and units < 0) or (visits is not None and visits < 0):
        return "Exceeded"
    if account.encounters and (units == 0 or visits == 0):
        return "Used up"
    if as_of is not None and account.auth.end_date < as_of:
        return "Expired"
    if as_of is not None and account.auth.start_date > as_of:
        return "Not started"
    return "In use" if account.encounters else "Unused"


def usage_table(ledger: AuthLedger, as_of: date | None = None) -> OutputTable:
    """The ``Authorization Usage`` sheet: one row per authorization, in Authorizations order."""
    rows = []
    for account in ledger.accounts.values():
        a = account.auth
        rows.append([a.auth_id, a.patient_id, a.payer_id, a.code or "(all)", a.start_date, a.end_date,
                     a.units_authorized, account.units_used, account.units_remaining, a.visits_authorized,
                     account.visits_used, account.visits_remaining, usage_status(account, as_of),
                     ", ".join(account.encounters)])
    return OutputTable("Authorization Usage", USAGE_COLUMNS, rows,
                       number_formats={c: "0" for c in USAGE_COLUMNS[6:12]}, widths={"Encounters": 40},
                       description="Each prior authorization: units and visits authorized, used and remaining, "
                                   "and the encounters that used them (date order).")
