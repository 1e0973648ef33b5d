"""The ``check`` stage: every pre-bill rule over the workbook, and a verdict per encounter.

``run(book, options)`` is what ``infusion-billing check`` and the ``Pre-bill Checks`` macro call
through the pipeline. It runs the rules chosen by the options (basic, basic + strict, or only the IDs
asked for), and hands back:

* the Findings, each with its cell and suggested fix;
* ``Encounter Status``: one row per encounter, **Billed** when it has a Billed Date or its claim is
  Submitted on the claim ledger (never Ready, never offered for a new claim), else **Hold** when any error concerns it
  (including a bad cell the reader left out of the run, and a coding error that stops the claim being
  coded), **Review** when only warnings do, **Ready** otherwise, with the counts by severity and the
  first blocking reason;
* ``Authorization Usage``: each authorization's units and visits authorized, used and remaining;
* a summary of Ready / Hold / Review / Billed counts for the command line.

Nothing in the workbook's input tables is changed, and the same workbook always gives the same output.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime

from ..claims.ledger import CLAIMS, SUBMITTED
from ..findings import Finding, Severity, count_by_severity
from ..gcpause import paused_cycle_collector
from ..rules.runs import RULE_FAILED, UNKNOWN_RULE
from ..stages import RunOptions, StageResult
from ..workbook.ownership import declare_result
from ..workbook.reader import BookData
from ..workbook.writer import OutputTable
from .authorization import ledger, usage_table
from .context import CheckContext
from .registry import run_rules, select_rules

READY, HOLD, REVIEW, BILLED = "Ready", "Hold", "Review", "Billed"

STATUS_COLUMNS = ["Encounter ID", "Date of Service", "Payer ID", "Status", "Errors", "Warnings", "Info",
                  "First Blocking Reason"]
declare_result("Encounter Status", STATUS_COLUMNS)

#: Which problem a biller should see first for an encounter: a row left out, then coverage,
#: authorization, documentation, coding, filing and payer setup.
_REASON_ORDER = {"reader": 0, "elig": 1, "auth": 2, "doc": 3, "coding": 4, "filing": 5, "payer": 6}


def run(book: BookData, options: RunOptions | None = None) -> StageResult:
    """Run the pre-bill checks on ``book``; never raises for bad data."""
    # The checks make no reference cycles, and with a workbook's rows in memory every automatic cycle
    # collection walks all of them: pausing the collector halves the run (as the coding engine does).
    with paused_cycle_collector():
        return _run(book, options if options is not None else RunOptions())


def _run(book: BookData, options: RunOptions) -> StageResult:
    strict = options.strict or book.settings.rule_set == "strict"
    rules, unknown = select_rules(strict=strict, only=options.rules)
    findings = [UNKNOWN_RULE.finding(UNKNOWN_RULE.message.format(name=name)) for name in unknown]
    ctx = CheckContext(book)
    findings += run_rules(ctx, list(options.progress(rules, total=len(rules), desc="checks")))

    coding_findings = _coding_findings(ctx, findings)
    status = encounter_status(book, ctx, [*book.findings, *findings, *coding_findings])
    tables = [status]
    if book.has("Authorizations"):
        as_of = book.settings.as_of_date or max((e.date_of_service for e in ctx.encounters), default=None)
        tables.append(usage_table(ledger(ctx), as_of))
    counts: dict[str, int] = defaultdict(int)
    for row in status.rows:
        counts[row[3]] += 1
    summary = {"rules run": len(rules), READY: counts[READY], HOLD: counts[HOLD], REVIEW: counts[REVIEW]}
    if counts[BILLED]:  # claims already sent, shown when there are any
        summary[BILLED] = counts[BILLED]
    # The coding problems that hold or flag a claim are listed with the checks' own, so the Findings
    # sheet explains every Hold; a run with the code stage too lists each of them once (the pipeline).
    if not options.rules:  # a run of chosen rules reports only those rules
        findings += [f for f in coding_findings if f.encounter_id and f.severity is not Severity.INFO]
    result = StageResult(tables=tables, findings=findings, summary=summary)
    if not options.rules:  # the claims stage of the same run builds on this verdict instead of repeating it
        book.memo[f"check:{strict}"] = result
    return result


def _coding_findings(ctx: CheckContext, findings: list[Finding]) -> list[Finding]:
    """The coding engine's findings, which count toward each encounter's status: a claim the engine
    cannot code (an unknown HCPCS, a dose it cannot convert) cannot go out either. They are listed on
    the Findings sheet by this stage too (errors and warnings), once per run."""
    if not ctx.book.has("Encounters"):
        return []
    try:
        return list(ctx.coding.findings)
    except Exception as exc:  # the coding engine failing must not take the checks down with it
        findings.append(RULE_FAILED.finding(
            f"The coding engine stopped with an internal error ({type(exc).__name__}); coding problems are "
            "missing from Encounter Status.", fix="Run infusion-billing code --debug and report the output."))
        return []


def encounter_of(book: BookData, ctx: CheckContext) -> Callable[[Finding], str]:
    """A function giving the encounter a Finding concerns ("" when none): its own encounter ID, else the
    encounter of the Encounters or Administrations row it points at."""
    # Sheet -> {Excel row -> encounter}: the row numbers are the rows' own, so a clinic-year's half a
    # million entries add no (sheet, row) key each (30 MiB at 100,000 encounters).
    rows: dict[str, dict[int, str]] = {}
    enc_rows = rows.setdefault(book.table("Encounters").sheet or "Encounters", {})
    for e in ctx.encounters:
        enc_rows[e.excel_row] = e.encounter_id
    adm_rows = rows.setdefault(book.table("Administrations").sheet or "Administrations", {})
    for a in book.rows("Administrations"):
        adm_rows[a.excel_row] = a.encounter_id

    def lookup(f: Finding) -> str:
        if f.encounter_id:
            return f.encounter_id
        return rows.get(f.sheet, {}).get(f.row, "") if f.row else ""

    return lookup


def first_reason(findings: list[Finding]) -> str:
    """The problem to fix first: the worst severity, then by family (coverage before documentation ...)."""
    if not findings:
        return ""
    f = min(findings, key=lambda f: (f.severity.rank, _REASON_ORDER.get(f.rule_id.split(".", 1)[0], 9),
                                     f.sheet, f.row or 0, f.cell, f.rule_id))
    where = f"{f.location}: " if f.location else ""
    return f"{where}{f.message} ({f.rule_id})"


def encounter_status(book: BookData, ctx: CheckContext, findings: Iterable[Finding]) -> OutputTable:
    """The ``Encounter Status`` sheet: every encounter Ready, Hold, Review or Billed, in Encounters order.

    Encounters whose own row was left out by the reader (a bad cell) are listed after the others as
    Hold, so no visit silently drops off the list.
    """
    lookup = encounter_of(book, ctx)
    sent = submitted_claims(book)
    by_encounter: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        enc_id = lookup(f)
        if enc_id:
            by_encounter[enc_id].append(f)
    rows = []
    for enc in ctx.encounters:
        billed = (f"Billed {enc.billed_date.isoformat()} (Billed Date)" if enc.billed_date is not None
                  else sent.get(enc.encounter_id, ""))
        rows.append(_status_row(enc.encounter_id, enc.date_of_service, enc.payer_id,
                                by_encounter.get(enc.encounter_id, []), billed=billed))
    for enc_id in sorted(set(by_encounter) - set(ctx.encounters_by_id)):
        if (enc_id,) not in book.table("Encounters").keys_seen:
            continue  # an administration pointing at an encounter that does not exist: not a visit
        rows.append(_status_row(enc_id, None, "", by_encounter[enc_id]))
    return OutputTable("Encounter Status", STATUS_COLUMNS, rows, widths={"First Blocking Reason": 90},
                       description="Each encounter: Ready to bill, Hold (an error), Review (a warning) or Billed "
                                   "(sent), with the first thing to fix.")


def status_of(severities: Iterable[Severity | str]) -> str:
    """An encounter's status from the severities of its findings: any error Hold, any warning Review,
    else Ready (info findings never stop a claim).

    >>> status_of(["info", "warning"]), status_of([Severity.ERROR, "warning"]), status_of([])
    ('Review', 'Hold', 'Ready')
    """
    seen = {Severity(s) for s in severities}
    return HOLD if Severity.ERROR in seen else REVIEW if Severity.WARNING in seen else READY


def submitted_claims(book: BookData) -> dict[str, str]:
    """Encounters whose claim the claim ledger (the ``Claims`` sheet) shows as submitted, with a note."""
    out: dict[str, str] = {}
    for record in book.extra_rows(CLAIMS):
        if str(record.get("Status") or "").strip() == SUBMITTED and record.get("Encounter ID"):
            when = record.get("Submitted Date")
            day = when.date().isoformat() if isinstance(when, datetime) else str(when or "").strip()
            out[str(record["Encounter ID"]).strip().upper()] = f"Claim {record.get('Claim ID')} submitted {day}".strip()
    return out


def _status_row(enc_id: str, dos, payer_id: str, found: list[Finding], billed: str = "") -> list:
    """One Encounter Status row; ``billed`` says how it was billed (a Billed Date or a submitted claim)."""
    counts = count_by_severity(found)
    blocking = [f for f in found if f.severity is not Severity.INFO]
    if billed:  # a claim already sent is Billed whatever its findings: never Ready, never offered again
        return [enc_id, dos, payer_id, BILLED, counts["error"], counts["warning"], counts["info"], billed]
    status = status_of(f.severity for f in found)
    return [enc_id, dos, payer_id, status, counts["error"], counts["warning"], counts["info"], first_reason(blocking)]
