"""Payer rules: which payer wants a prior authorization for which drug, and checks on that table.

Commercial plans, Medicaid and Medicare Advantage prior-authorize specialty infused drugs
(chemotherapy, biologics, immune globulin); Medicare fee-for-service does not pre-authorize Part B
drugs (docs/payer-rules.md section 2). Each practice knows its own payers better, so the answer comes
from, in order:

1. the workbook's ``Payer Rules`` rows for the encounter's payer in force on the date of service: a row
   for the exact code, else a row for the drug's class, else a row with Code and Drug Class blank
   (every drug);
2. the shipped defaults (``tables/payer_auth_defaults.csv``) for the payer's type: code, then class;
3. otherwise: no authorization needed.

Worked example: payer ``AET`` (Commercial) with one Payer Rules row ``AET, J1745, -, N``. Infliximab
(J1745) needs no authorization at AET; rituximab (J9312, Chemo/Complex) still does, from the default
row ``Commercial, -, Chemo/Complex, Y``; IVIG J1569 does, from its default code row.

The rules in this family check the Payer Rules table itself and the payer-facing fields of a claim.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from ..findings import Severity
from ..reference.tables import filled, read_versioned_csv
from ..schema import DrugClass, Encounter, PayerRule, PayerType, Setting
from ..values import to_yes_no
from ..workbook.reader import BookData
from .context import CheckContext
from .rule import STRICT, hit, rule

DEFAULTS_FILE = "tables/payer_auth_defaults.csv"


@dataclass(frozen=True, slots=True)
class AuthAnswer:
    """Whether a code needs an authorization at a payer, and which row said so (for the message)."""

    required: bool
    basis: str


@dataclass(frozen=True, slots=True)
class _DefaultRow:
    payer_type: PayerType
    code: str | None
    drug_class: DrugClass | None
    required: bool


@lru_cache(maxsize=1)
def default_auth_rows() -> tuple[_DefaultRow, ...]:
    """The shipped defaults, by payer type (read once per process)."""
    _meta, rows = read_versioned_csv("infusion_billing.checks", DEFAULTS_FILE)
    return tuple(
        _DefaultRow(PayerType(filled(r, "Payer Type")), r["Code"],
                    DrugClass(r["Drug Class"]) if r["Drug Class"] else None, to_yes_no(r["Requires Auth"]))
        for r in rows)


def _in_force(row: PayerRule, on: date) -> bool:
    return (row.effective_from is None or row.effective_from <= on) and (
        row.effective_to is None or on <= row.effective_to)


class AuthPolicy:
    """Answers "does payer P need an authorization for code C on date D?" (see the module docstring)."""

    def __init__(self, book: BookData) -> None:
        self._payers = {p.payer_id: p for p in book.rows("Payers")}
        self._drugs = book.drugs
        self._rows: dict[str, list[PayerRule]] = defaultdict(list)
        for r in book.rows("Payer Rules"):
            self._rows[r.payer_id].append(r)
        self._defaults: dict[PayerType, list[_DefaultRow]] = defaultdict(list)
        for d in default_auth_rows():
            self._defaults[d.payer_type].append(d)
        self._memo: dict[tuple[str, str, date], AuthAnswer] = {}

    @classmethod
    def from_book(cls, book: BookData) -> AuthPolicy:
        return cls(book)

    def requires_auth(self, payer_id: str, code: str, on: date) -> AuthAnswer:
        """Whether ``code`` billed to ``payer_id`` on ``on`` needs a prior authorization."""
        key = (payer_id, code, on)
        answer = self._memo.get(key)
        if answer is None:
            answer = self._memo[key] = self._answer(payer_id, code, on)
        return answer

    def _answer(self, payer_id: str, code: str, on: date) -> AuthAnswer:
        drug = self._drugs.get(code)
        drug_class = drug.drug_class if drug else None
        rows = [r for r in self._rows.get(payer_id, ()) if _in_force(r, on)]
        for match in (
            lambda r: r.code == code,
            lambda r: r.code is None and drug_class is not None and r.drug_class is drug_class,
            lambda r: r.code is None and r.drug_class is None and drug is not None,
        ):
            found = [r for r in rows if match(r)]
            if found:
                chosen = max(found, key=lambda r: (r.effective_from or date.min, r.excel_row))
                return AuthAnswer(chosen.requires_auth, f"Payer Rules row {chosen.excel_row}")
        payer = self._payers.get(payer_id)
        if payer is None:
            return AuthAnswer(False, "payer unknown")
        defaults = self._defaults.get(payer.payer_type, ())
        for match_default in (lambda d: d.code == code, lambda d: d.code is None and drug_class is not None
                              and d.drug_class is drug_class):
            by_default = [d for d in defaults if match_default(d)]
            if by_default:
                return AuthAnswer(by_default[0].required, f"built-in default for {payer.payer_type.value} payers")
        return AuthAnswer(False, "no rule")


def auth_policy(ctx: CheckContext) -> AuthPolicy:
    """The workbook's authorization policy, built once per run and shared by the rules that ask it."""
    return ctx.shared("authorization policy", lambda c: AuthPolicy(c.book))


# ----------------------------------------------------------------------------- rules


def _overlap(a: PayerRule, b: PayerRule) -> bool:
    a_from, b_from = a.effective_from or date.min, b.effective_from or date.min
    a_to, b_to = a.effective_to or date.max, b.effective_to or date.max
    return a_from <= b_to and b_from <= a_to


@rule("payer.rule-conflict", "Payer rules disagree", Severity.WARNING,
      message="Payer Rules rows {first} and {second} both cover {payer_id} {what} on overlapping dates but say "
              "Requires Auth {first_answer} and {second_answer}; the later row is used.",
      fix="Delete one of the two rows, or give them dates that do not overlap.",
      source="docs/payer-rules.md section 8 (payer rules are configurable and dated)",
      location="Payer Rules / Requires Auth")
def rule_conflict(ctx):
    """Two Payer Rules rows for the same payer and code (or class) whose dates overlap disagree on
    whether an authorization is needed, so the answer depends on row order."""
    groups = defaultdict(list)
    for r in ctx.book.rows("Payer Rules"):
        groups[(r.payer_id, r.code, r.drug_class)].append(r)
    for (payer_id, code, drug_class), rows in groups.items():
        what = code or (f"{drug_class.value} drugs" if drug_class else "every drug")
        for i, later in enumerate(rows):
            for earlier in rows[:i]:
                if earlier.requires_auth != later.requires_auth and _overlap(earlier, later):
                    yield hit("Payer Rules", later, "Requires Auth", payer_id=payer_id, what=what,
                              first=earlier.excel_row, second=later.excel_row,
                              first_answer="Y" if earlier.requires_auth else "N",
                              second_answer="Y" if later.requires_auth else "N")
                    break


@lru_cache(maxsize=1)
def places_of_service() -> dict[str, tuple[str, bool]]:
    """POS code -> (name, facility?), from the coding engine's ``place_of_service.csv`` (one table, two users)."""
    _meta, rows = read_versioned_csv("infusion_billing.coding", "tables/place_of_service.csv")
    return {filled(r, "POS"): (r["Name"] or "", (r["Facility"] or "").upper() == "Y") for r in rows}


#: The one place of service home infusion is billed with.
HOME_POS = "12"


@rule("payer.pos-mismatch", "Place of service does not fit the setting", Severity.WARNING,
      message="Place of service {pos} ({pos_name}) does not fit a {setting} claim; payers price the claim by "
              "place of service.",
      fix="Correct Place of Service or Setting so they describe where the infusion was given.",
      source="CMS place-of-service code set [S73]; docs/coding-rules.md section 2 (facility and professional claims)",
      rule_set=STRICT, tables=("Encounters",), location="Encounters / Place of Service")
def pos_mismatch(ctx):
    """A facility claim (UB-04) whose place of service is not a facility (office 11, home 12), or a home
    infusion claim whose place of service is not home (12)."""
    places = places_of_service()
    for enc in ctx.encounters:
        pos = _pos_code(enc)
        if pos not in places:
            continue
        name, facility = places[pos]
        wrong = (enc.setting is Setting.FACILITY and not facility) or (enc.setting is Setting.HOME and pos != HOME_POS)
        if wrong:
            yield hit("Encounters", enc, "Place of Service", enc.encounter_id, pos=pos, pos_name=name,
                      setting=enc.setting.value)


def _pos_code(enc: Encounter) -> str:
    pos = (enc.place_of_service or "").strip()
    return pos.zfill(2) if pos.isdigit() else pos


RULES = (rule_conflict, pos_mismatch)
