"""The assessment as a few printable pages: what a consultant hands the practice owner with the workbook.

Page by page: the scorecard against the benchmarks and the revenue opportunity, with a chart of where
the money is; the findings ranked by dollars, with the denials by category (a Pareto) and the
underpayments by payer; the coding review by kind; and the method (period, files with their SHA-256,
assumptions). Every figure is taken from the sheets the workbook holds (:attr:`Assessment.tables`), so
the two never disagree, and like the sheets it names claims only by their salted hashes and never a
patient. The PDF is built with the shared layer (:mod:`infusion_billing.pdf`); its creation date is
the assessment's as-of date, so the same files give the same PDF, byte for byte.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..pdf import Document, money
from .report import SCORECARD, Assessment, status_of

ZERO = Decimal("0.00")
TOP_FINDINGS = 15
#: How a scorecard value is printed: percentages, days.
_DAYS = frozenset({"avg_days_to_payment"})


def _rows(a: Assessment, name: str) -> list[dict[str, Any]]:
    table = next((t for t in a.tables if t.name == name), None)
    return [] if table is None else [dict(zip(table.columns, row, strict=True)) for row in table.rows]


def _kpi(key: str, value: Any) -> str:
    if value is None:
        return "n/a"
    return f"{value} days" if key in _DAYS else f"{value}%"


def _totals(rows: list[dict[str, Any]], key: str, amount: str) -> list[tuple[str, Decimal]]:
    """Amounts summed by ``key``, largest first (ties by name), for a chart."""
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for r in rows:
        sums[str(r[key])] += r[amount] or ZERO
    return sorted(sums.items(), key=lambda kv: (-kv[1], kv[0]))


def build_pdf(a: Assessment, *, client: str = "") -> Document:
    """The assessment report as a :class:`~infusion_billing.pdf.Document` (not yet saved)."""
    figs, totals = a.figures, a.totals
    start, end = figs.period
    dated = figs.as_of or end or date(2000, 1, 1)
    title = "Billing assessment" + (f": {client}" if client else "")
    doc = Document(title, dated=dated, subject="Revenue-cycle assessment (de-identified)",
                   author="infusion-billing")
    doc.heading(title, size=16)
    doc.paragraph(f"Dates of service {start} to {end}; as of {figs.as_of} (the latest remit). Claims appear only "
                  "as salted hashes; no patient is named.", size=9)
    doc.space(2)

    doc.heading("Scorecard against benchmarks", size=12)
    k = figs.kpis
    doc.table(["Measure", "Value", "Benchmark", "Status"],
              [[label, _kpi(key, k.get(key)), bench, status_of(k.get(key), good, target)]
               for key, label, bench, good, target in SCORECARD],
              widths=(3.2, 1.2, 3, 1), right=("Value",))
    doc.move_to(doc.key_values([("Claims adjudicated", f"{k['claims_adjudicated']:,}"),
                                ("Charges adjudicated", money(k["charges"])), ("Payments", money(k["payments"])),
                                ("Open AR (no remit)", money(k["open_ar"]))], key_width=60, value_width=40))
    doc.space(3)

    doc.heading("Revenue opportunity", size=12)
    at_risk = sum((r["Charge"] for r in _rows(a, "AR and Filing Risk") if r["Timely Filing"]), ZERO)
    opportunity = [("Open denials still appealable", totals["denials_appealable"]),
                   ("Underpayments (allowed below contract)", totals["underpayments"]),
                   ("Under-coding found in the log", totals["coding"]),
                   ("Open AR at timely-filing risk", at_risk)]
    doc.move_to(doc.key_values([("Recoverable now", money(totals["recoverable_now"])),
                                ("Annualized uplift", money(totals["annualized_uplift"]))], key_width=60,
                               value_width=40))
    doc.space(3)
    doc.bar_chart("Where the money is (dollars)", opportunity)

    doc.new_page()
    doc.heading("Top findings, ranked by dollars", size=12)
    findings = _rows(a, "Findings")[:TOP_FINDINGS]
    doc.table(["Rank", "Area", "Finding", "Count", "Dollars", "Recoverable now", "Annualized"],
              [[f["Rank"], f["Area"], f["Finding"], f"{f['Count']:,}", f["Dollar Impact"], f["Recoverable Now"],
                f["Annualized"]] for f in findings],
              widths=(0.7, 1.4, 4.1, 0.8, 1.4, 1.4, 1.4), right=("Count", "Dollars", "Recoverable now", "Annualized"),
              size=8)
    if not findings:
        doc.paragraph("No leak was found in these files.")
    denials = _rows(a, "Denials")
    if denials:
        doc.bar_chart("Denials by category (dollars): the Pareto", _totals(denials, "Category", "Amount"))
    under = _rows(a, "Underpayments")
    if under:
        doc.bar_chart("Underpayments by payer (dollars short)", _totals(under, "Payer", "Short Paid"))

    doc.new_page()
    doc.heading("Coding review", size=12)
    review = _rows(a, "Coding Review")
    if review:
        kinds: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in review:
            kinds[r["Kind"]].append(r)
        doc.table(["Kind", "Differences", "Dollars"],
                  [[kind, f"{len(rs):,}", sum((r["Dollar Impact"] for r in rs), ZERO)]
                   for kind, rs in sorted(kinds.items(), key=lambda kv: (-sum(abs(r["Dollar Impact"])
                                                                              for r in kv[1]), kv[0]))],
                  widths=(4, 1.2, 1.5), right=("Differences", "Dollars"))
        doc.paragraph("Each difference between what the infusion log supports and what was billed, priced with the "
                      "contracted rates; the Coding Review sheet lists them one by one.", size=9)
    else:
        doc.paragraph("No coding difference: " + ("the billed claims match what the infusion log supports."
                                                  if a.routes else "no infusion log was compared."))
    doc.space(3)
    doc.heading("Method and data", size=12)
    method = _rows(a, "Method and Data")
    doc.table(["File", "Role", "SHA-256 (first 16)", "Read"],
              [[m["Detail"], m["Item"], str(m["SHA-256"])[:16], m["Note"]] for m in method if m["Kind"] == "File"],
              widths=(3, 1.6, 2, 2.4), size=8)
    doc.table(["Kind", "Item", "Detail", "Note"],
              [[m["Kind"], m["Item"], m["Detail"], m["Note"]] for m in method if m["Kind"] != "File"],
              widths=(1.2, 1.8, 3.5, 3.5), size=8)
    return doc


def write_assessment_pdf(a: Assessment, path: Path, *, client: str = "") -> Path:
    """Write the report to ``path`` (atomically)."""
    return build_pdf(a, client=client).save(Path(path))
