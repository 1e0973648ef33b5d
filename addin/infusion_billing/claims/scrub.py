"""The claim scrubber: the edits a payer applies on receipt, run on each claim before it goes out.

A claim the scrubber finds an error on is **Held**: it stays on the ``Claims`` sheet and is not
written to an 837 until the data are fixed and ``claims`` runs again. Each edit (rule family
``scrub``, and the 837 writer's own ``claim`` checks) points at the cell to fix:

* **NCCI PTP** (``scrub.ncci-pair``): two codes of one day that an edit in force pairs, column 1
  and column 2. Modifier indicator ``0``: never together, whatever the modifier. Indicator ``1``:
  allowed when 59, XE, XS, XP or XU is on either line *and the encounter documents why* (a second IV
  site that was medically required, Encounters column Second Site Necessary); a bypass modifier
  without that documentation is ``scrub.ncci-modifier-undocumented``. Points at the column-2 line's
  Code on ``ClaimLines``.
* **NCCI MUE** (``scrub.mue``): more units of one code than its MUE allows, per line (indicator 1)
  or per day (2, 3). Points at the Units cell.
* **Coverage policy** (``scrub.coverage-diagnosis``): a drug with a ``Coverage Rules`` row for the
  payer and date, none of whose diagnoses the claim carries. Points at the encounter's Diagnosis
  Codes cell.
* **Payer rules in the book**: NDC required (``scrub.ndc-required``), JW/JZ on single-dose drugs
  (``scrub.jw-jz``), prior authorization on file (``scrub.auth-missing``), timely filing from the
  date of service to the submission date (``scrub.timely-filing``).
* **Data the payer rejects** (the 837 writer's checks, :func:`~.problems.claim_problems`): billing
  NPI and taxonomy (``Practice``), member ID (``Coverage``), the insured's and patient's name,
  birth date, sex and address (``Patients``), diagnosis pointers, NDC form, Claim ID length; a
  Rendering NPI the ``Providers`` table does not name (``scrub.rendering-provider``, when the book
  has that table).

Practitioner edits apply to 837P claims, hospital outpatient edits to 837I claims.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from importlib.resources import files

from ..checks.payer_rules import AuthPolicy
from ..coding.druginfo import opps_packaged
from ..findings import Finding
from ..reference.tables import parse_versioned_csv
from ..rules import scrub as rules
from ..schema import Container, CoverageRuleRow, PayerType
from ..workbook.reader import BookData
from .build import BookIndex
from .ledger import LedgerClaim
from .model import INSTITUTIONAL, Claim
from .ncci import HOSPITAL, PRACTITIONER, NcciTables
from .problems import Problem, claim_problems

#: Modifiers that tell the payer two services were distinct (NCCI Policy Manual chapter I [S90]).
BYPASS = frozenset({"59", "XE", "XS", "XP", "XU"})
WASTE_MODIFIERS = frozenset({"JW", "JZ"})


@dataclass(frozen=True, slots=True)
class Located:
    """A scrubber finding and where it points: a claim line (``line``), the claim, or an input cell."""

    claim_id: str
    line: int | None
    finding: Finding


def shipped_coverage_rules() -> list[CoverageRuleRow]:
    """The example policies shipped with the tool (``reference/coverage_rules.csv``)."""
    text = files("infusion_billing.reference").joinpath("coverage_rules.csv").read_text(encoding="utf-8")
    _, rows = parse_versioned_csv(text, "coverage_rules.csv")
    return [CoverageRuleRow.model_validate({k: v for k, v in r.items() if v is not None}) for r in rows]


@dataclass
class Scrubber:
    """The edits in force for one run, and the book they are checked against."""

    book: BookData
    index: BookIndex
    ncci: NcciTables
    submit_date: date
    _practice_seen: set[int] = field(default_factory=set)

    @cached_property
    def coverage_rules(self) -> dict[str, list[CoverageRuleRow]]:
        rows = list(self.book.rows("Coverage Rules")) if self._has("Coverage Rules") else shipped_coverage_rules()
        out: dict[str, list[CoverageRuleRow]] = defaultdict(list)
        for r in rows:
            out[r.hcpcs].append(r)
        return dict(out)

    @cached_property
    def auth_policy(self) -> AuthPolicy:
        return AuthPolicy.from_book(self.book)

    def _has(self, name: str) -> bool:
        return name in self.book.tables and self.book.has(name)

    # ------------------------------------------------------------------ one claim
    def scrub(self, ledger: LedgerClaim, claim: Claim) -> list[Located]:
        """Every edit on one claim; empty when the claim is clean."""
        out: list[Located] = []
        out += self._writer_checks(claim)
        out += self._ncci(ledger, claim)
        out += self._coverage(ledger, claim)
        out += self._payer_rules(ledger, claim)
        out += self._rendering(ledger, claim)
        return out

    def _rendering(self, ledger: LedgerClaim, claim: Claim) -> list[Located]:
        """A Rendering NPI other than the billing provider's must be named in ``Providers`` (when the book
        keeps that table): the 837 sends the rendering (837P) or attending (837I) provider's name."""
        encounter = self.index.encounters.get(claim.encounter_id)
        if claim.provider is not None or encounter is None or not self._has("Providers"):
            return []
        npi = (encounter.rendering_npi or "").strip()
        practice = self.index.practice_row(ledger.payer_id, ledger.claim_type)
        if not npi or (practice is not None and npi == practice.npi):
            return []
        return [Located(ledger.claim_id, None, self.book.finding(
            rules.RENDERING_PROVIDER,
            f"Claim {ledger.claim_id}: Rendering NPI {npi} is not on the Providers sheet, so the 837 cannot name "
            "the clinician who rendered the services.", table="Encounters", row=encounter, column="Rendering NPI",
            value=npi, encounter_id=encounter.encounter_id))]

    def _writer_checks(self, claim: Claim) -> list[Located]:
        """The 837 writer's checks, pointed at the input cell holding the value when it is there."""
        out = []
        for p in claim_problems(claim, set()):
            out.append(self._relocate(p, claim))
        return out

    def _relocate(self, problem: Problem, claim: Claim) -> Located:
        f = problem.finding
        column = f.column
        encounter = self.index.encounters.get(claim.encounter_id)
        if column == "Member ID" and encounter is not None:
            cov = self.index.coverage_for(encounter.patient_id, encounter.payer_id, encounter.date_of_service)
            if cov is not None:
                located = self.book.relocate(f, table="Coverage", row=cov, column="Member ID",
                                             encounter_id=claim.encounter_id)
                return Located(problem.claim_id, None, located)
        if column in ("Subscriber", "Patient", "Subscriber Address", "Patient Address") and encounter is not None:
            patient = self.index.patients.get(encounter.patient_id)
            if patient is not None:
                target = "Address Line 1" if column.endswith("Address") else "Last Name"
                located = self.book.relocate(f, table="Patients", row=patient, column=target,
                                             encounter_id=claim.encounter_id)
                return Located(problem.claim_id, None, located)
        if column == "Diagnoses" and encounter is not None:
            located = self.book.relocate(f, table="Encounters", row=encounter, column="Diagnosis Codes",
                                         encounter_id=claim.encounter_id)
            return Located(problem.claim_id, None, located)
        return Located(problem.claim_id, problem.line, f)

    # ------------------------------------------------------------------ NCCI
    def _ncci(self, ledger: LedgerClaim, claim: Claim) -> list[Located]:
        side = HOSPITAL if claim.claim_type == INSTITUTIONAL else PRACTITIONER
        encounter = self.index.encounters.get(claim.encounter_id)
        documented = bool(encounter and encounter.second_site_necessary)
        out: list[Located] = []
        by_day: dict[date, list[int]] = defaultdict(list)
        for n, line in enumerate(ledger.lines, start=1):
            by_day[line.service_date].append(n)
        for day, numbers in by_day.items():
            lines = [(n, ledger.lines[n - 1]) for n in numbers]
            codes = {line.code for _, line in lines}
            for n2, second in lines:
                for first_code in codes - {second.code}:
                    edit = self.ncci.pair(side, first_code, second.code, day)
                    if edit is None:
                        continue
                    firsts = [line for _, line in lines if line.code == first_code]
                    bypass = BYPASS & (set(second.modifiers) | {m for line in firsts for m in line.modifiers})
                    where = f"NCCI {side.lower()} PTP edit {first_code}/{second.code} ({edit.quarter}, {edit.source})"
                    if edit.modifier == "0":
                        out.append(self._line(ledger, n2, rules.NCCI_PAIR, "Code", second.code,
                                              f"{second.code} is not paid with {first_code} on {day.isoformat()}: "
                                              f"{where} has modifier indicator 0, so no modifier allows the pair."))
                    elif not bypass:
                        out.append(self._line(ledger, n2, rules.NCCI_PAIR, "Modifiers", " ".join(second.modifiers),
                                              f"{second.code} is bundled into {first_code} on {day.isoformat()} "
                                              f"({where}, modifier indicator 1) and neither line has 59, XE, XS, XP "
                                              "or XU."))
                    elif not documented:
                        out.append(self._line(ledger, n2, rules.NCCI_UNDOCUMENTED, "Modifiers",
                                              " ".join(second.modifiers),
                                              f"{'/'.join(sorted(bypass))} bypasses {where}, but the encounter does "
                                              "not document a separate site or session (Second Site Necessary is "
                                              "not Y)."))
            units: dict[str, int] = defaultdict(int)
            for n, line in lines:
                mue = self.ncci.mue.get((side, line.code))
                if mue is None:
                    continue
                units[line.code] += int(line.units)
                over_line = not mue.per_day and line.units > mue.value
                over_day = mue.per_day and units[line.code] > mue.value
                if over_line or over_day:
                    scope = "on one line" if over_line else f"on {day.isoformat()}"
                    out.append(self._line(ledger, n, rules.MUE, "Units", str(line.units),
                                          f"{line.code} is billed with {units[line.code] if over_day else line.units} "
                                          f"units {scope}; its {side.lower()} MUE allows {mue.value} "
                                          f"(adjudication indicator {mue.indicator or '?'}, {mue.quarter}, "
                                          f"{mue.source})."))
                    units[line.code] = -10**9  # one finding per code and day
        return out

    def _line(self, ledger: LedgerClaim, n: int, spec, column: str, value: str, message: str) -> Located:
        return Located(ledger.claim_id, n, spec.finding(
            f"Claim {ledger.claim_id} line {n}: {message}", sheet="ClaimLines", column=column, value=value,
            encounter_id=ledger.encounter_id))

    # ------------------------------------------------------------------ coverage policy
    def _coverage(self, ledger: LedgerClaim, claim: Claim) -> list[Located]:
        encounter = self.index.encounters.get(claim.encounter_id)
        payer = self.index.payers.get(ledger.payer_id)
        if encounter is None or payer is None:
            return []
        diagnoses = [d.upper().replace(".", "") for d in claim.diagnoses]
        out = []
        seen: set[str] = set()
        for line in ledger.lines:
            if line.code in seen:
                continue
            policies = [r for r in self.coverage_rules.get(line.code, ())
                        if _applies(r, ledger.payer_id, payer.payer_type, line.service_date)]
            if not policies:
                continue
            seen.add(line.code)
            if any(d.startswith(prefix) for r in policies for prefix in r.allowed for d in diagnoses):
                continue
            sources = "; ".join(sorted({r.source for r in policies}))
            out.append(Located(ledger.claim_id, None, self.book.finding(
                rules.COVERAGE_DIAGNOSIS,
                f"Claim {ledger.claim_id}: {line.code} is covered for {', '.join(policies[0].allowed)} "
                f"({sources}); the encounter's diagnoses {', '.join(claim.diagnoses) or '(none)'} are none of them.",
                table="Encounters", row=encounter, column="Diagnosis Codes", value=encounter.diagnosis_codes or "",
                encounter_id=encounter.encounter_id)))
        return out

    # ------------------------------------------------------------------ the payer's rules in the book
    def _payer_rules(self, ledger: LedgerClaim, claim: Claim) -> list[Located]:
        payer = self.index.payers.get(ledger.payer_id)
        if payer is None:
            return []
        out = []
        drugs = self.book.drugs
        waste_seen: dict[str, bool] = {}
        for n, line in enumerate(ledger.lines, start=1):
            drug = drugs.get(line.code)
            if drug is None or drug.drug_class.value == "Hydration fluid":
                continue
            if payer.requires_ndc and not line.ndc:
                out.append(self._line(ledger, n, rules.NDC_REQUIRED, "NDC", "",
                                      f"{payer.payer_id} requires the NDC on drug lines and {line.code} has none."))
            if payer.requires_jw_jz and drug.container is Container.SINGLE_DOSE and not (
                    claim.claim_type == INSTITUTIONAL and opps_packaged(drug, line.service_date)):
                # An OPPS-packaged drug on a hospital claim needs neither JW nor JZ (coding section 9).
                waste_seen[line.code] = waste_seen.get(line.code, False) or bool(WASTE_MODIFIERS & set(line.modifiers))
        if self.book.settings.jz_when_waste_within_unit:
            for code, has in waste_seen.items():
                if not has:
                    n = next(i for i, line in enumerate(ledger.lines, start=1) if line.code == code)
                    out.append(self._line(ledger, n, rules.JW_JZ, "Modifiers", " ".join(ledger.lines[n - 1].modifiers),
                                          f"{payer.payer_id} requires JW or JZ on single-dose drugs and no {code} "
                                          "line has either."))
        if not claim.prior_authorization:
            for n, line in enumerate(ledger.lines, start=1):
                answer = self.auth_policy.requires_auth(ledger.payer_id, line.code, line.service_date)
                if answer.required:
                    out.append(self._line(ledger, n, rules.AUTH_MISSING, "Code", line.code,
                                          f"{line.code} needs a prior authorization at {payer.payer_id} "
                                          f"({answer.basis}) and none on file covers {line.service_date.isoformat()}."))
                    break
        dated = ledger.statement_from is not None and payer.payer_type is not PayerType.SELF_PAY
        if payer.timely_filing_days and dated and ledger.statement_from is not None:
            deadline = ledger.statement_from + timedelta(days=payer.timely_filing_days)
            if self.submit_date > deadline:
                out.append(Located(ledger.claim_id, None, rules.TIMELY_FILING.finding(
                    f"Claim {ledger.claim_id}: {payer.payer_id} takes claims {payer.timely_filing_days} days from the "
                    f"date of service; the deadline {deadline.isoformat()} is before {self.submit_date.isoformat()}.",
                    sheet="Claims", column="Statement From", value=ledger.statement_from.isoformat(),
                    encounter_id=ledger.encounter_id)))
        return out


def _applies(rule: CoverageRuleRow, payer_id: str, payer_type: PayerType, on: date) -> bool:
    if rule.payer_id and rule.payer_id != payer_id:
        return False
    if not rule.payer_id and rule.payer_type is not None and rule.payer_type is not payer_type:
        return False
    return (rule.effective_from is None or rule.effective_from <= on) and (
        rule.effective_to is None or on <= rule.effective_to)


def practice_findings(problems: Iterable[Problem], book: BookData, practice_row) -> list[Finding]:
    """The writer's practice problems pointed at the Practice row's cell (when the book has one)."""
    out = []
    for p in problems:
        f = p.finding
        if practice_row is not None and f.column:
            out.append(book.relocate(f, table="Practice", row=practice_row,
                                     column=_PRACTICE_COLUMNS.get(f.column, f.column), value=f.value))
        else:
            out.append(f)
    return out


#: The writer's names for Practice values -> the Practice table's headers.
_PRACTICE_COLUMNS = {"Name": "Billing Provider Name", "Address": "Address Line 1", "Pay-To Address": "Address Line 1"}
