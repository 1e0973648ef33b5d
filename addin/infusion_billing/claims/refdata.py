"""``infusion-billing refdata import-ncci FILE...``: CMS's NCCI files into the workbook or a cache folder.

The practitioner PTP file alone holds over a million edits, more than a workbook sheet comfortably
carries; a practice that imports the whole set keeps it in a **cache folder** (``--cache DIR``, two
CSV files, then Settings ``NCCI Folder`` = DIR). A practice that imports only the files it needs
(or a cut of them) can keep them **in the workbook** (``--book BOOK``: the ``NCCI PTP`` and
``NCCI MUE`` sheets), so the book carries its own edits. Either way a new file of one kind and claim
type (say, the hospital MUE file) replaces what was stored for that kind and type, and the scrubber
uses the imported edits instead of the shipped ones (:func:`~.stage.ncci_in_force`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..findings import Finding
from ..workbook.reader import load_grids
from ..workbook.reader.book import grid_records
from ..workbook.writer import write_outputs
from .ncci import (
    CACHE_FILES,
    MUE_COLUMNS,
    MUE_SHEET,
    PTP_COLUMNS,
    PTP_SHEET,
    NcciRead,
    load_cache,
    merge_stored,
    ncci_tables,
    read_ncci_file,
    write_cache,
)


@dataclass
class ImportReport:
    """What an import read and where it stored it."""

    reads: list[NcciRead] = field(default_factory=list)
    ptp: int = 0
    mue: int = 0
    written: list[Path] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.reads for f in r.findings]

    def lines(self) -> list[str]:
        out = []
        for r in self.reads:
            what = f"{len(r.ptp):,} PTP edits" if r.kind == "PTP" else f"{len(r.mue):,} MUEs" if r.kind else "nothing"
            quarters = Counter([e.quarter for e in r.ptp] + [m.quarter for m in r.mue])
            out.append(f"  {r.name}: {r.claim_type or '?'} {what}"
                       + (f" ({', '.join(q for q in quarters if q)})" if any(quarters) else ""))
        out.append(f"Stored: {self.ptp:,} PTP edits and {self.mue:,} MUEs")
        for f in self.findings[:20]:
            out.append("  " + f.to_text())
        for path in self.written:
            out.append(f"Written: {path}")
        return out


def import_ncci(files: list[Path], *, book: Path | None = None, cache: Path | None = None,
                out: str | Path | None = None, in_place: bool = False, quarter: str = "",
                force: bool = False) -> ImportReport:
    """Read CMS's files and store their edits with what was stored before (book sheets or cache CSVs)."""
    report = ImportReport(reads=[read_ncci_file(f, quarter=quarter) for f in files])
    if cache is not None:
        stored = load_cache(cache)
        ptp, mue = merge_stored(
            [_record(e.row(), "PTP") for edits in stored.ptp.values() for e in edits],
            [_record(m.row(), "MUE") for m in stored.mue.values()], report.reads)
        report.written += write_cache(cache, ptp, mue)
    else:
        ptp, mue = [], []
    if book is not None:
        grids = load_grids(book, [PTP_SHEET, MUE_SHEET])
        ptp, mue = merge_stored(grid_records(grids.get(PTP_SHEET)), grid_records(grids.get(MUE_SHEET)), report.reads)
        report.written.append(write_outputs(book, ncci_tables(ptp, mue), out=out, in_place=in_place,
                                            stage="refdata import-ncci", force=force))
    report.ptp, report.mue = len(ptp), len(mue)
    return report


def _record(row: list, kind: str) -> dict:
    columns = PTP_COLUMNS if kind == "PTP" else MUE_COLUMNS
    return dict(zip(columns, row, strict=True))


__all__ = ["CACHE_FILES", "ImportReport", "import_ncci"]
