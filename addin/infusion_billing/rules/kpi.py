"""``kpi.*`` and ``close.*``: what the KPIs, the Dashboard and month close report.

How each KPI is counted: docs/kpis.md [S75] [S76]; the benchmark targets: ``kpis/targets.csv``.
"""

from __future__ import annotations

from ..findings import Severity
from .spec import Family

SOURCE = "docs/kpis.md (revenue-cycle KPIs, definitions and targets) [S75] [S76]"
KPI = Family("kpi")
CLOSE = Family("close")

ENGINE_MISSING = KPI.finding(
    "kpi.engine-missing", Severity.ERROR, "The SQL engine the KPIs run on (DuckDB) is not installed",
    fix="Install it with: pip install duckdb (in xlwings Lite add duckdb to requirements.txt).", source=SOURCE,
    message="The KPIs need DuckDB, which is not installed here; the KPIs and Dashboard sheets were not built.")
NOTHING_TO_MEASURE = KPI.finding(
    "kpi.nothing-to-measure", Severity.INFO, "No claims on the Claims ledger yet: no KPIs to compute",
    fix="Run claims (and import-era, reconcile, denials, aging) first, or run close.", source=SOURCE,
    message="The book has no claims yet, so there is nothing to measure; the KPIs sheet is empty.")
OFF_TARGET = KPI.finding(
    "kpi.off-target", Severity.INFO, "A KPI of the month (all payers) is red against its benchmark target",
    fix="See the Dashboard and the sheet the KPI comes from (Denials, AR Aging, Reconciliation) for the claims "
        "behind it.", source=SOURCE)
CHART_NOT_DRAWN = KPI.finding(
    "kpi.chart-not-drawn", Severity.INFO, "A Dashboard chart was not drawn: the book has no figures for it yet",
    fix="Nothing to fix: the chart is drawn once its figures exist (claims sent, remits imported and posted, "
        "e.g. close with --out-dir and --remits).", source=SOURCE)
REPORT_MONTH_EMPTY = CLOSE.finding(
    "close.month-empty", Severity.WARNING, "The month being closed has no dates of service on the Claims ledger",
    fix="Check --month (YYYY-MM) and the Encounters' dates of service.", source=SOURCE)
NO_REMITS = CLOSE.finding(
    "close.no-remits", Severity.INFO, "Month close ran without a remittance folder (no 835s imported)",
    fix="Give --remits DIR, or fill the Remit Folder setting on the Settings sheet.", source=SOURCE,
    message="No remittance folder was given (--remits) or set (Settings: Remit Folder); no 835s were imported "
            "this close.")
SPECS = (*KPI.specs, *CLOSE.specs)
