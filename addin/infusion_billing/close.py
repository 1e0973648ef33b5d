"""Month close: every stage of the month in order, on one workbook, and a one-screen summary.

``infusion-billing close BOOK --month YYYY-MM [--remits DIR] [--out-dir DIR]`` and the ``close_month``
button run the same pipeline stages each command runs, in the order a month goes:

validate and check, code, claims, export-837 (only when a folder for the 837 files is given: sending
claims is a decision, not a side effect of closing), import-era (the ``--remits`` folder, else the
Settings ``Remit Folder``; without one the close notes it and goes on), reconcile, denials, aging,
kpis and dashboard, then ``close`` itself (its own notes).

The month is the one the KPIs and the Dashboard report on (by month of service); every stage looks
at the whole book, as its own command does. Claims go out on the Settings As-Of Date (or ``--as-of``);
the rest counts remits to the close's as-of date (``RunOptions.month_close``): ``--as-of``, else the
latest of the Settings As-Of Date, the month's last day and the latest remit imported
(:mod:`infusion_billing.asof`), so Reconciliation, AR Aging, the KPIs and the Dashboard describe the
book on one day. The summary holds counts and dollars only, never a
patient: it is printed on the terminal and shown in Excel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from .claims.ledger import CLAIMS
from .denials.remits import day
from .display import money_text
from .findings import Finding, count_by_severity
from .kpis.charts import EMPTY_BECAUSE
from .kpis.relations import month_of
from .rules import kpi as rules
from .stages import RunOptions, StageResult
from .workbook.reader import BookData

#: The stages of a month close, in order.
CLOSE_STAGES = ("validate", "code", "check", "claims", "export-837", "import-era", "reconcile", "denials", "aging",
                "kpis", "dashboard", "close")


def close_stages(*, send_claims: bool, remits: bool) -> list[str]:
    """The close's stages: 837 files only when asked for, the 835 import only with a folder to read."""
    return [s for s in CLOSE_STAGES if (s != "export-837" or send_claims) and (s != "import-era" or remits)]


def remit_folder(given: str | Path | None, setting: str) -> Path | None:
    """The 835 folder: the one given, else the Settings ``Remit Folder``, else None."""
    if given:
        return Path(given)
    return Path(setting) if setting else None


def run(book: BookData, options: RunOptions) -> StageResult:
    """The close's own notes: no remittance folder, or a month with no service on the claim ledger."""
    findings: list[Finding] = []
    if not options.remit_sources:
        findings.append(rules.NO_REMITS.finding(rules.NO_REMITS.message))
    months = {month_of(day(r.get("Statement From"))) for r in book.extra_rows(CLAIMS)}
    if options.month and options.month not in months:
        findings.append(rules.REPORT_MONTH_EMPTY.finding(
            f"No claim on the Claims ledger has a date of service in {options.month}; the KPIs and Dashboard "
            "show the months there are."))
    return StageResult(findings=findings, summary={"month": options.month or "latest"})


def month_summary(results: Mapping[str, StageResult], findings: Sequence[Finding]) -> list[str]:
    """The one-screen summary of a close: each stage's headline figures and the month's KPIs."""
    def get(stage: str, key: str, default: object = 0) -> object:
        result = results.get(stage)
        return result.summary.get(key, default) if result is not None else default

    def count(stage: str, key: str) -> str:
        return _count(get(stage, key))

    def money(stage: str, key: str) -> str:  # every dollar figure alike: 1,234.56
        value = get(stage, key)
        return money_text(value) if isinstance(value, (Decimal, int, str)) else str(value)

    kpis = results.get("kpis")
    month = kpis.summary.get("report month") if kpis is not None else None
    lines = [f"Month close {month or ''}".rstrip()]
    if "check" in results:
        lines.append("  Encounters: " + ", ".join(f"{k} {count('check', k)}" for k in ("Ready", "Hold", "Review")))
    if "code" in results:
        lines.append(f"  Coded: {count('code', 'encounters coded')} encounters, {count('code', 'claim lines')} "
                     f"claim lines, charges {money('code', 'total charges')}")
    if "claims" in results:
        lines.append(_claims_line(results))
    if "import-era" in results:
        lines.append(f"  Remits: {count('import-era', 'files read')} files read, "
                     f"{count('import-era', 'payments added')} new payments")
    if "reconcile" in results:
        lines.append(f"  Posted: billed {money('reconcile', 'billed')}, allowed {money('reconcile', 'allowed')}, "
                     f"paid {money('reconcile', 'paid')}, underpaid {money('reconcile', 'underpaid')}")
    if "denials" in results:
        lines.append(f"  Denials: {count('denials', 'denials')} on the worklist, "
                     f"{money('denials', 'denied dollars')} denied")
    if "aging" in results:
        lines.append(f"  AR as of {get('aging', 'as of')}: insurance {money('aging', 'insurance AR')}, "
                     f"patient {money('aging', 'patient AR')}")
    if kpis is not None:
        shown = [(k, val) for k, val in kpis.summary.items() if k not in ("as of", "report month")]
        for i in range(0, len(shown), 3):
            lines.append("  " + "; ".join(f"{k} {val}" for k, val in shown[i:i + 3]))
    if "dashboard" in results and get("dashboard", "charts not drawn", ""):
        lines.append(f"  Dashboard: {count('dashboard', 'charts')} of {len(EMPTY_BECAUSE)} charts drawn; not drawn: "
                     f"{get('dashboard', 'charts not drawn')}")
    counts = count_by_severity(findings)
    lines.append(f"Findings: {counts['error']:,} errors, {counts['warning']:,} warnings, {counts['info']:,} notes")
    return lines


def _claims_line(results: Mapping[str, StageResult]) -> str:
    """The claims a biller counts after a close: built this run (primary and secondary, the secondary
    payer's claims once the primary has paid), the ledger's claims ready to send (either), those the
    scrubber holds, and what went out."""
    claims = results["claims"].summary
    sent = results["export-837"].summary if "export-837" in results else None

    def n(summary: Mapping[str, object], key: str) -> str:
        return _count(summary.get(key, 0))

    went = (f"{n(sent, 'claims written')} sent in {n(sent, '837 files written')} 837 files" if sent is not None
            else "none sent (no --out-dir)")
    return (f"  Claims: built {n(claims, 'claims built')} primary and {n(claims, 'secondary claims')} secondary; "
            f"{n(claims, 'claims ready to send')} ready to send, {n(claims, 'claims held by the scrubber')} held by "
            f"the scrubber; {went}")


def _count(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)
