"""The pipeline's ``import-era`` stage: 835 files appended to the book's ERA ledger sheets.

The ERA sheets are a ledger: rows earlier imports wrote are kept as they are and this run's new
payments are appended (a file or payment imported before adds nothing; see
:func:`~infusion_billing.remits.importer.merge_remits`). The files to read come from
``RunOptions.remit_sources``; the workbook's own ``Adjustment Codes`` rows override the shipped
categories.
"""

from __future__ import annotations

from ..stages import RunOptions, StageResult
from ..workbook.reader import BookData
from .categories import BOOK_TABLE, adjustment_codes_from_grid
from .importer import ERA_TABLES, collect_sources, merge_remits
from .reader import read_835


def run(book: BookData, options: RunOptions) -> StageResult:
    """Read ``options.remit_sources`` and append their new payments to the ERA tables of ``book``."""
    files, findings = collect_sources(options.remit_sources)
    existing = {name: book.extra_rows(name) for name in ERA_TABLES}
    codes, code_findings = adjustment_codes_from_grid(book.extra_grid(BOOK_TABLE))
    reads = (read_835(f) for f in options.progress(files, total=len(files), desc="835 files"))
    result = merge_remits(existing, reads, codes)
    summary = {
        "files read": result.files_read,
        "payments added": result.payments_added,
        "payments already imported": result.payments_skipped,
        "files imported before": result.files_skipped,
        **{f"{name} rows added": n for name, n in result.rows_added.items()},
    }
    return StageResult(tables=result.tables, findings=findings + code_findings + result.findings, summary=summary)
