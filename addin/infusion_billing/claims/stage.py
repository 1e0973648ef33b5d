"""The ``claims`` and ``export-837`` stages: build, scrub and send claims, keeping the claim ledger.

``claims`` (``infusion-billing claims BOOK``):

1. reads the ledger (``Claims``/``ClaimLines``) earlier runs wrote and each encounter's pre-bill
   status (the ``check`` stage);
2. gives every **Ready** encounter (and **Review** ones with ``--include-review``) that has no
   submitted claim a claim built from its coded lines (:mod:`.build`), split when it is over the
   payer's line limit (:func:`~.split.split_claim`); a claim not yet sent is rebuilt from the current
   coding, with the same Claim ID;
3. never touches a **Submitted** claim: when its encounter is now coded differently it reports
   ``claim.coding-changed``, and ``--correct CLAIM_ID`` adds a frequency-7 replacement (``--void``
   a frequency-8 void) pointing at it, with the payer's claim number from an imported 835;
4. once a primary claim's remit is posted and the patient has secondary coverage, adds the secondary
   claim (:mod:`infusion_billing.posting.secondary`), which ``export-837`` sends with the primary's
   adjudication (loops 2320/2430);
5. scrubs every claim not yet sent (:mod:`.scrub`): a claim with an error is **Held**, a clean one
   **Ready** for the next 837;
6. writes the ledger back and marks each encounter's claim on ``Encounter Status``.

``export-837`` (``infusion-billing export-837 BOOK --out-dir DIR``) writes every **Ready** claim
into one 837 file per payer and claim type, with control numbers above every earlier file's
(``Claim Batches``); the claims written become **Submitted** with the file name and date. Running
it again writes nothing new; ``--resend BATCH`` writes a batch's claims again on purpose (a new file
with new control numbers: the receiver rejects a repeated interchange number).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import values as v
from ..checks import stage as check_stage
from ..coding.engine import code_book
from ..coding.lines import ChargeLine
from ..findings import Finding, Severity
from ..posting.secondary import SECONDARY, PrimaryOutcomes, SecondaryAdjudication, secondary_claim_id
from ..rules import claim as claim_rules
from ..schema import PayerType
from ..stages import RunOptions, StageResult
from ..workbook.reader import BookData
from ..workbook.writer import OutputTable
from . import ncci
from .build import BookIndex, ledger_claim, practice_of, relined, to_claim
from .ledger import (
    BATCHES,
    CLAIM_COLUMNS,
    CLAIM_LINES,
    CLAIMS,
    HELD,
    LINE_COLUMNS,
    READY,
    SUBMITTED,
    BatchRow,
    LedgerClaim,
    batches_table,
    claims_tables,
    read_batches,
    read_ledger,
)
from .model import Batch
from .problems import MAX_LINES, practice_problems
from .scrub import Located, Scrubber, practice_findings
from .split import split_claim
from .x837 import write_837

STATUS_SHEET = "Encounter Status"
BILLED = check_stage.BILLED


# ---------------------------------------------------------------------------- shared helpers
def ledger_of(book: BookData) -> list[LedgerClaim]:
    """The claim ledger as the book holds it (an earlier stage of this run counts: see the pipeline)."""
    return read_ledger(book)


def submit_date(book: BookData, options: RunOptions) -> date:
    """The date claims are sent: ``options.as_of``, else the book's As-Of Date, else today."""
    return options.as_of or book.settings.as_of_date or date.today()


def ncci_in_force(book: BookData, options: RunOptions) -> ncci.NcciTables:
    """The shipped edits, replaced by the ones imported into the book or the cache folder."""
    tables = ncci.shipped()
    ptp, mue = book.extra_rows(ncci.PTP_SHEET), book.extra_rows(ncci.MUE_SHEET)
    if ptp or mue:
        tables.replace_with(ncci.from_records(ptp, mue))
    folder = options.ncci_folder or (Path(book.settings.ncci_folder) if book.settings.ncci_folder else None)
    if folder is not None and folder.is_dir():
        tables.replace_with(ncci.load_cache(folder))
    return tables


def locate(findings: Iterable[Located], ledger: Sequence[LedgerClaim]) -> list[Finding]:
    """Give each Claims/ClaimLines finding its Excel row and cell on the sheets as written."""
    claim_row: dict[str, int] = {}
    line_row: dict[tuple[str, int], int] = {}
    r = 2
    for k, claim in enumerate(ledger):
        claim_row[claim.claim_id] = k + 2
        for n in range(1, len(claim.lines) + 1):
            line_row[(claim.claim_id, n)] = r
            r += 1
    out = []
    for item in findings:
        f = item.finding
        if f.sheet == CLAIM_LINES and item.line is not None and (item.claim_id, item.line) in line_row:
            row = line_row[(item.claim_id, item.line)]
            f = f.with_(row=row, cell=_cell(LINE_COLUMNS, f.column, row), sheet=CLAIM_LINES)
        elif f.sheet in (CLAIMS, CLAIM_LINES) and item.claim_id in claim_row:
            row = claim_row[item.claim_id]
            column = f.column if f.column in CLAIM_COLUMNS else "Claim ID"
            f = f.with_(row=row, cell=_cell(CLAIM_COLUMNS, column, row), sheet=CLAIMS, column=column)
        out.append(f)
    return out


def _cell(columns: Sequence[str], header: str, row: int) -> str:
    if header not in columns:
        return ""
    return f"{v.excel_column_letter(columns.index(header) + 1)}{row}"


# ---------------------------------------------------------------------------- the claims stage
def run_claims(book: BookData, options: RunOptions) -> StageResult:
    """Build and scrub claims for the billable encounters of ``book``; never raises for bad data."""
    missing = book.require("claims", ("Payers", "Encounters", "Administrations", "Patients", "Coverage"))
    if missing:
        return StageResult(findings=missing, summary={"claims built": 0})
    strict = options.strict or book.settings.rule_set == "strict"
    check = book.memo.get(f"check:{strict}") or check_stage.run(book, replace(options, rules=()))
    status_table = next(t for t in check.tables if t.name == STATUS_SHEET)
    pre_bill = {row[0]: row[3] for row in status_table.rows}
    coded: dict[str, list[ChargeLine]] = defaultdict(list)
    for line in code_book(book).lines:  # the coding the check stage used (memoised on the book)
        coded[line.encounter_id].append(line)
    index = BookIndex(book)
    builder = _LedgerBuilder(book, index, options, ledger_of(book))
    findings: list[Finding] = []
    findings += builder.build(pre_bill, coded)
    findings += builder.corrections(coded)
    if book.extra_rows("EraLines"):  # a posted primary remit: bill the secondary payer
        builder.secondaries(PrimaryOutcomes(book))
    scrubber = Scrubber(book, index, ncci_in_force(book, options), submit_date(book, options))
    located, held = builder.scrub(scrubber)
    located += builder.located
    ledger = builder.ledger()
    findings += locate(located, ledger)
    findings += builder.practice_findings
    status = encounter_status_table(status_table.rows, ledger, _reasons(findings))
    counts: dict[str, int] = defaultdict(int)
    for claim in ledger:
        counts[claim.status] += 1
    summary = {"claims built": builder.built, "claims held by the scrubber": held, "claims ready to send":
               counts[READY], "claims submitted before": counts[SUBMITTED]}
    if builder.corrected:
        summary["corrections and voids"] = builder.corrected
    if builder.secondary:
        summary["secondary claims"] = builder.secondary
    return StageResult(tables=[*claims_tables(ledger), status], findings=findings, summary=summary)


class _LedgerBuilder:
    """The ledger of one claims run: the book's claims, refreshed, plus new ones, in ledger order."""

    def __init__(self, book: BookData, index: BookIndex, options: RunOptions, existing: list[LedgerClaim]):
        self.book, self.index, self.options = book, index, options
        self.claims: dict[str, LedgerClaim] = {c.claim_id: c for c in existing}
        self.order: list[str] = [c.claim_id for c in existing]
        self.dropped: set[str] = set()
        self.built = 0
        self.corrected = 0
        self.secondary = 0
        self.outcomes: PrimaryOutcomes | None = None  # the posted primaries, once secondaries() has read them
        self.practice_findings: list[Finding] = []
        self.located: list[Located] = []  # findings about a ledger row, located once the ledger is final
        self.by_encounter: dict[str, list[LedgerClaim]] = defaultdict(list)
        for c in existing:
            self.by_encounter[c.encounter_id].append(c)

    def ledger(self) -> list[LedgerClaim]:
        return [self.claims[i] for i in self.order if i not in self.dropped]

    def _put(self, claim: LedgerClaim) -> None:
        if claim.claim_id not in self.claims:
            self.order.append(claim.claim_id)
        self.dropped.discard(claim.claim_id)
        self.claims[claim.claim_id] = claim

    # ------------------------------------------------------------------ originals
    def build(self, pre_bill: dict[str, str], coded: dict[str, list[ChargeLine]]) -> list[Finding]:
        findings: list[Finding] = []
        wanted = {check_stage.READY} | ({check_stage.REVIEW} if self.options.include_review else set())
        for encounter in self.book.rows("Encounters"):
            enc_id = encounter.encounter_id
            mine = [c for c in self.by_encounter.get(enc_id, []) if c.priority != SECONDARY]  # see secondaries()
            sent = [c for c in mine if c.submitted]
            pending_originals = [c for c in mine if not c.submitted and c.frequency == "1"]
            if sent:
                self.located += self._changed(sent, coded.get(enc_id, []))
                for c in pending_originals:  # a part left behind when its siblings went out: keep it
                    self._refresh_part(c)
                continue
            for c in pending_originals:
                self.dropped.add(c.claim_id)
            if pre_bill.get(enc_id) not in wanted:
                continue
            payer = self.index.payers.get(encounter.payer_id)
            lines = coded.get(enc_id, [])
            if payer is None or payer.payer_type is PayerType.SELF_PAY or not lines:
                why = "its payer is self-pay" if payer is not None and payer.payer_type is PayerType.SELF_PAY \
                    else "it has no coded lines"
                findings.append(self.book.finding(
                    claim_rules.NOT_BILLABLE, f"Encounter {enc_id} gets no claim: {why}.",
                    table="Encounters", row=encounter, column="Payer ID", value=encounter.payer_id,
                    encounter_id=enc_id))
                continue
            claim = ledger_claim(enc_id, encounter, lines, self.index, status=READY)
            for part in self._split(claim, findings):
                taken = self.claims.get(part.claim_id)
                if taken is not None and taken.encounter_id != enc_id:
                    findings.append(claim_rules.ID_INVALID.finding(
                        f"Claim ID {part.claim_id} is already used by encounter {taken.encounter_id}'s claim; "
                        f"encounter {enc_id} gets no claim until one of them is renamed.", sheet="Encounters",
                        column="Encounter ID", value=enc_id, encounter_id=enc_id))
                    continue
                self._put(part)
                self.built += 1
        return findings

    # ------------------------------------------------------------------ secondary claims
    def secondaries(self, outcomes: PrimaryOutcomes) -> None:
        self.outcomes = outcomes
        """A secondary claim for each posted primary claim whose patient has secondary coverage on the
        date of service and still owes something: same lines, the secondary payer, Payer Priority
        Secondary. One not yet sent is rebuilt from the primary's current posting on every run; a
        sent one is never touched."""
        secondary_cover: dict[str, list] = defaultdict(list)
        for (patient_id, _), rows in self.index.coverage.items():
            secondary_cover[patient_id] += [c for c in rows if c.priority.value == SECONDARY]
        for claim in list(self.claims.values()):
            if not (claim.submitted and claim.priority == "Primary" and claim.frequency != "8"):
                continue
            sec_id = secondary_claim_id(claim.claim_id)
            existing = self.claims.get(sec_id)
            if existing is not None and existing.submitted:
                continue
            on = claim.statement_from or date.min
            cover = [c for c in secondary_cover.get(claim.patient_id, ())
                     if c.effective_from <= on and (c.effective_to is None or on <= c.effective_to)]
            if not cover or not outcomes.ready(claim) or len(sec_id) > 20:
                if existing is not None:
                    self.dropped.add(sec_id)
                continue
            lines = [replace(ln, claim_id=sec_id, control_number=f"{sec_id}-{ln.line}") for ln in claim.lines]
            self._put(relined(replace(claim, claim_id=sec_id, payer_id=cover[0].payer_id, priority=SECONDARY,
                                      original_claim_id="", payer_claim_number="", status=READY, batch_file="",
                                      submitted_date=None), lines))
            self.secondary += 1

    def _refresh_part(self, claim: LedgerClaim) -> None:
        self.claims[claim.claim_id] = claim

    def _split(self, claim: LedgerClaim, findings: list[Finding]) -> list[LedgerClaim]:
        if len(claim.lines) <= MAX_LINES.get(claim.claim_type, 50):
            return [claim]
        model = to_claim(claim, self.index)
        parts, problems = split_claim(model)
        for p in problems:
            findings.append(p.finding.with_(sheet="Encounters", encounter_id=claim.encounter_id))
        if len(parts) <= 1:
            return [claim]
        by_control = {line.control_number: line for line in claim.lines}
        out = []
        for part in parts:
            lines = []
            for n, line in enumerate(part.lines, start=1):
                old = by_control[line.control_number]
                lines.append(replace(old, claim_id=part.claim_id, line=n,
                                     control_number=f"{part.claim_id}-{n}", pointers=line.diagnosis_pointers))
            out.append(relined(replace(claim, claim_id=part.claim_id), lines))
        return out

    def _changed(self, sent: list[LedgerClaim], lines: list[ChargeLine]) -> list[Located]:
        """``claim.coding-changed`` when the encounter's coding no longer matches what was sent."""
        originals = [c for c in sent if c.frequency in ("1", "7")]
        if not originals or not lines:
            return []
        latest = originals[-1]
        if latest.frequency == "1":  # the parts of a split original count together
            parts = [c for c in originals if c.frequency == "1"]
            sent_lines = [line for c in parts for line in c.lines]
        else:
            sent_lines = list(latest.lines)
        now = sorted((ln.date_of_service, ln.code, tuple(ln.modifiers), Decimal(ln.units).normalize(),
                      ln.charge.quantize(Decimal("0.01")) if ln.charge is not None else None, ln.ndc,
                      ln.ndc_quantity.normalize() if ln.ndc_quantity is not None else None) for ln in lines)
        then = sorted(line.signature for line in sent_lines)
        if now == then:
            return []
        if any(c.original_claim_id == latest.claim_id and not c.submitted for c in self.claims.values()):
            return []  # a correction is already on its way
        return [Located(latest.claim_id, None, claim_rules.CODING_CHANGED.finding(
            f"Claim {latest.claim_id} was submitted on {latest.submitted_date or '?'}, and encounter "
            f"{latest.encounter_id} is now coded differently; the payer still has the old lines.",
            sheet=CLAIMS, column="Claim ID", value=latest.claim_id, encounter_id=latest.encounter_id,
            fix=f"Send a corrected claim: infusion-billing claims BOOK --correct {latest.claim_id} "
                f"(or --void {latest.claim_id})."))]

    # ------------------------------------------------------------------ replacements and voids
    def corrections(self, coded: dict[str, list[ChargeLine]]) -> list[Finding]:
        findings: list[Finding] = []
        payer_numbers = _payer_claim_numbers(self.book)
        asked = [(i, "7") for i in self.options.correct] + [(i, "8") for i in self.options.void]
        for claim_id, frequency in asked:
            original = self.claims.get(claim_id)
            if original is None or not original.submitted:
                findings.append(claim_rules.CORRECT_UNKNOWN.finding(
                    f"Claim {claim_id} is not a submitted claim on the Claims sheet, so it cannot be "
                    f"{'replaced' if frequency == '7' else 'voided'}.", sheet=CLAIMS, column="Claim ID",
                    value=claim_id))
                continue
            existing = [c for c in self.claims.values() if c.original_claim_id == claim_id and not c.submitted
                        and c.frequency == frequency]
            letter = "R" if frequency == "7" else "V"
            if existing:
                new_id = existing[0].claim_id
            else:
                count = sum(1 for c in self.claims.values() if c.original_claim_id == claim_id) + 1
                new_id = f"{claim_id}{letter}{count}"
            number = payer_numbers.get(claim_id, "")
            if not number:
                number = claim_id
                kind = "replacement" if frequency == "7" else "void"
                self.located.append(Located(new_id, None, claim_rules.NO_PAYER_CLAIM_NUMBER.finding(
                    f"No 835 names the payer's claim number for {claim_id}; the {kind} {new_id} refers to it by "
                    "our Claim ID (REF*F8).", sheet=CLAIMS,
                    column="Payer Claim Number", value=claim_id, encounter_id=original.encounter_id)))
            encounter = self.index.encounters.get(original.encounter_id)
            lines = coded.get(original.encounter_id, [])
            if frequency == "7" and encounter is not None and lines:
                claim = ledger_claim(new_id, encounter, lines, self.index, status=READY, frequency="7",
                                     original_claim_id=claim_id, payer_claim_number=number)
            else:  # a void repeats the claim it cancels
                copied = [replace(line, claim_id=new_id, control_number=f"{new_id}-{line.line}")
                          for line in original.lines]
                claim = relined(replace(original, claim_id=new_id, frequency=frequency, original_claim_id=claim_id,
                                        payer_claim_number=number, status=READY, batch_file="",
                                        submitted_date=None), copied)
            self._put(claim)
            self.corrected += 1
        # a correction asked for in an earlier run and not yet sent follows the current coding
        for cid in list(self.order):
            c = self.claims[cid]
            if c.submitted or c.frequency != "7" or cid in self.dropped:
                continue
            encounter = self.index.encounters.get(c.encounter_id)
            lines = coded.get(c.encounter_id, [])
            if encounter is not None and lines:
                self.claims[cid] = ledger_claim(cid, encounter, lines, self.index, status=c.status, frequency="7",
                                                original_claim_id=c.original_claim_id,
                                                payer_claim_number=c.payer_claim_number)
        return findings

    # ------------------------------------------------------------------ scrubbing
    def scrub(self, scrubber: Scrubber) -> tuple[list[Located], int]:
        """Scrub every claim not yet sent; set Held or Ready. Returns the findings and how many are held."""
        located: list[Located] = []
        held = 0
        practices_reported: set[int] = set()
        practice_checked: dict[int, list] = {}
        primaries = SecondaryAdjudication(self.book, self.ledger(), self.outcomes)
        for cid in self.order:
            claim = self.claims[cid]
            if claim.submitted or cid in self.dropped:
                continue
            model = to_claim(claim, self.index, primaries.for_secondary(claim, self.index))
            found = scrubber.scrub(claim, model)
            practice_row = self.index.practice_row(claim.payer_id, claim.claim_type)
            key = id(practice_row)
            if key not in practice_checked:
                practice_checked[key] = practice_problems(practice_of(practice_row))
            problems = practice_checked[key]
            if problems:
                if practice_row is None:
                    found.append(Located(cid, None, claim_rules.PRACTICE_MISSING.finding(
                        f"Claim {cid}: there is no Practice row for payer {claim.payer_id} ({claim.claim_type}); "
                        "no 837 can be written for it.", sheet=CLAIMS, column="Payer ID", value=claim.payer_id,
                        encounter_id=claim.encounter_id)))
                else:
                    found.append(Located(cid, None, claim_rules.PRACTICE_INVALID.finding(
                        f"Claim {cid}: the Practice row for payer {claim.payer_id} is incomplete (see the Practice "
                        "sheet).", sheet=CLAIMS, column="Payer ID", value=claim.payer_id,
                        encounter_id=claim.encounter_id)))
                    if id(practice_row) not in practices_reported:
                        practices_reported.add(id(practice_row))
                        self.practice_findings += practice_findings(problems, self.book, practice_row)
            errors = any(f.finding.severity is Severity.ERROR for f in found)
            self.claims[cid] = replace(claim, status=HELD if errors else READY)
            held += errors
            located += found
        return located, held


def _payer_claim_numbers(book: BookData) -> dict[str, str]:
    """Our Claim ID (CLP01) -> the payer's claim number (CLP07), from the imported 835s."""
    out: dict[str, str] = {}
    for r in book.extra_rows("EraClaims"):
        ours, theirs = r.get("Patient Control Number"), r.get("Payer Claim Number")
        if ours and theirs:
            out[str(ours).strip()] = str(theirs).strip()
    return out


# ---------------------------------------------------------------------------- Encounter Status
def _reasons(findings: Iterable[Finding]) -> dict[str, Finding]:
    """The first error of each encounter (what the Encounter Status sheet shows for a held claim)."""
    out: dict[str, Finding] = {}
    for f in sorted(findings, key=lambda f: (f.severity.rank, f.sheet, f.row or 0)):
        if f.encounter_id and f.severity is Severity.ERROR:
            out.setdefault(f.encounter_id, f)
    return out


def encounter_status_table(rows: Iterable[Sequence[Any]], ledger: Sequence[LedgerClaim],
                           reasons: dict[str, Finding]) -> OutputTable:
    """``Encounter Status`` with each encounter's claim outcome: **Billed** when its claim was submitted,
    **Hold** naming the scrubber's reason when its claim is held; other rows as the checks left them."""
    latest: dict[str, LedgerClaim] = {}
    for c in ledger:
        latest[c.encounter_id] = c if c.submitted or c.encounter_id not in latest or not latest[
            c.encounter_id].submitted else latest[c.encounter_id]
    held_parts = {c.encounter_id for c in ledger if c.status == HELD}
    out = []
    for row in rows:
        row = list(row)
        claim = latest.get(str(row[0]))
        if claim is not None and str(row[0]) in held_parts:
            reason = reasons.get(str(row[0]))
            already = row[3] == check_stage.HOLD and row[7]  # the claims stage named it; export keeps it
            row[3] = check_stage.HOLD
            row[4] = max(int(row[4] or 0), 1)
            if reason is not None:
                row[7] = f"{reason.location}: {reason.message} ({reason.rule_id})"
            elif not already:
                row[7] = f"Claim {claim.claim_id} is held by the scrubber (see Findings)."
        elif claim is not None and claim.submitted:
            row[3] = BILLED
            row[7] = f"Claim {claim.claim_id} submitted {claim.submitted_date or ''} in {claim.batch_file}".strip()
        elif claim is not None and claim.status == READY and row[3] in (check_stage.READY, check_stage.REVIEW):
            row[7] = row[7] or f"Claim {claim.claim_id} is scrubbed and goes in the next 837 (export-837)."
        out.append(row)
    return OutputTable(STATUS_SHEET, list(check_stage.STATUS_COLUMNS), out, widths={"First Blocking Reason": 90},
                       number_formats={"Date of Service": "yyyy-mm-dd"},
                       description="Each encounter: Ready to bill, Hold (an error), Review (a warning) or Billed "
                                   "(its claim was sent), with the first thing to fix.")


def _status_rows(book: BookData) -> list[list[Any]]:
    """The Encounter Status rows the book holds (as earlier runs wrote them)."""
    grid = book.extra_grid(STATUS_SHEET)
    if grid is None or not grid.rows:
        return []
    headers = [str(h).strip() if h is not None else "" for h in grid.rows[0]]
    at = [headers.index(c) if c in headers else None for c in check_stage.STATUS_COLUMNS]
    out = []
    for raw in grid.rows[1:]:
        if all(v.is_blank(x) for x in raw):
            continue
        row = [raw[i] if i is not None and i < len(raw) else None for i in at]
        if row[1] is not None and not isinstance(row[1], date):
            try:
                row[1] = v.to_date(row[1])
            except ValueError:
                pass
        out.append(row)
    return out


# ---------------------------------------------------------------------------- the export-837 stage
def run_export(book: BookData, options: RunOptions) -> StageResult:
    """Write the Ready claims to 837 files in ``options.out_dir``; never raises for bad data."""
    ledger = ledger_of(book)
    batches = read_batches(book.extra_rows(BATCHES))
    out_dir = options.out_dir
    if out_dir is None:
        return StageResult(findings=[claim_rules.BATCH_UNKNOWN.finding(
            "export-837 needs a folder to write the 837 files into (--out-dir).", fix="Run with --out-dir DIR.")],
            summary={"claims written": 0})
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    index = BookIndex(book)
    primaries = SecondaryAdjudication(book, ledger)
    when = datetime.combine(submit_date(book, options), datetime.now().time().replace(second=0, microsecond=0))
    counter = _Counter(batches)
    located: list[Located] = []
    by_id = {c.claim_id: c for c in ledger}
    written_claims = 0
    files: list[str] = []
    if options.resend:
        groups, unknown = _resend_groups(ledger, batches, options.resend)
        located += unknown
    else:
        groups = defaultdict(list)
        for c in ledger:
            if c.status == READY:
                groups[(c.payer_id, c.claim_type)].append(c)
    new_batches: list[BatchRow] = []
    for (payer_id, claim_type, *resend), claims in sorted(groups.items()):
        practice_row = index.practice_row(payer_id, claim_type)
        numbers = counter.next()
        name = f"{payer_id}_{claim_type}_{when:%Y%m%d}_{numbers[0]:09d}.837"
        test = bool(practice_row.test_files) if practice_row is not None else False
        batch = Batch(practice_of(practice_row), numbers[0], numbers[1], numbers[2], created=when, test=test)
        written = write_837([to_claim(c, index, primaries.for_secondary(c, index)) for c in claims], batch,
                            out_dir / name, claim_type=claim_type)
        for p in written.problems:
            located.append(Located(p.claim_id, p.line, p.finding if p.claim_id else p.finding.with_(
                sheet=CLAIMS, column="Payer ID", value=payer_id)))
            if not p.claim_id:  # the whole file refused: every claim of it names the reason
                for c in claims:
                    located.append(Located(c.claim_id, None, p.finding.with_(
                        sheet=CLAIMS, column="Payer ID", value=payer_id, encounter_id=c.encounter_id)))
        if not written.claim_ids:
            counter.give_back()
            if not resend:
                for c in claims:
                    by_id[c.claim_id] = c.with_status(HELD)
            continue
        counter.used(numbers[2] + len(written.transactions) - 1)
        files.append(name)
        new_batches.append(BatchRow(name, payer_id, claim_type, numbers[0], numbers[1],
                                    numbers[2] + len(written.transactions) - 1, len(written.claim_ids),
                                    written.total_charge, when.date(), resend[0] if resend else ""))
        if not resend:
            written_claims += len(written.claim_ids)
            sent = set(written.claim_ids)
            for c in claims:
                by_id[c.claim_id] = (c.with_status(SUBMITTED, name, when.date()) if c.claim_id in sent
                                     else c.with_status(HELD))
    new_ledger = [by_id[c.claim_id] for c in ledger]
    findings = locate(located, new_ledger)
    tables = [*claims_tables(new_ledger), batches_table([*batches, *new_batches])]
    status_rows = _status_rows(book)
    if status_rows:
        tables.append(encounter_status_table(status_rows, new_ledger, _reasons(findings)))
    summary: dict[str, Any] = {"claims written": written_claims, "837 files written": len(files),
                               "claims held": sum(1 for c in new_ledger if c.status == HELD)}
    if options.resend:
        summary["batches resent"] = len(files)
    return StageResult(tables=tables, findings=findings, summary=summary)


def _resend_groups(ledger: Sequence[LedgerClaim], batches: Sequence[BatchRow], names: Sequence[str]):
    known = {b.batch_file: b for b in batches}
    groups: dict[tuple, list[LedgerClaim]] = {}
    unknown: list[Located] = []
    for name in names:
        b = known.get(name)
        claims = [c for c in ledger if c.batch_file == name and c.submitted]
        if b is None or not claims:
            unknown.append(Located("", None, claim_rules.BATCH_UNKNOWN.finding(
                f"Batch {name} is not on the Claim Batches sheet (or none of its claims is submitted); nothing resent.",
                sheet=BATCHES, column="Batch File", value=name)))
            continue
        groups[(b.payer_id, b.claim_type, name)] = claims
    return groups, unknown


class _Counter:
    """The next ISA13, GS06 and ST02: one above every earlier file's (the Claim Batches sheet)."""

    def __init__(self, batches: Sequence[BatchRow]):
        self.interchange = max((b.interchange for b in batches), default=0)
        self.group = max((b.group for b in batches), default=0)
        self.transaction = max((b.transaction for b in batches), default=0)
        self._last: tuple[int, int, int] | None = None

    def next(self) -> tuple[int, int, int]:
        self._last = (self.interchange, self.group, self.transaction)
        self.interchange += 1
        self.group += 1
        return self.interchange, self.group, self.transaction + 1

    def used(self, last_transaction: int) -> None:
        self.transaction = last_transaction

    def give_back(self) -> None:
        if self._last is not None:
            self.interchange, self.group, self.transaction = self._last
