"""A month of claims answered by the simulated payers: the shared fixture of the posting tests.

The demo clinic (seeded, synthetic) is coded, checked, billed and sent as 837s once per test module;
then for each seed the payer simulator writes its 835s, import-era reads them into the book and
reconcile posts them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pyx12.params
import pyx12.x12n_document
from claims.clinic_book import AS_OF, MONTH, clinic_rows, records, write_rows

from infusion_billing.pipeline import RunOptions, RunResult, run_workbook

SEEDS = (1, 20261207)


def billed_book(folder: Path) -> Path:
    source = write_rows(folder / "clinic.xlsx", clinic_rows())
    run_workbook(source, MONTH, out=folder / "billed.xlsx", options=RunOptions(out_dir=folder / "837", as_of=AS_OF))
    return folder / "billed.xlsx"


@dataclass
class Month:
    billed: Path
    remits: Path
    result: Path
    run: RunResult

    def sheet(self, name: str) -> list[dict]:
        return records(self.result, name)


def remit_month(billed: Path, folder: Path, seed: int) -> Month:
    remits = folder / f"835-{seed}"
    result = folder / f"reconciled-{seed}.xlsx"
    run = run_workbook(billed, ["simulate-payer", "import-era", "reconcile"], out=result,
                       options=RunOptions(remit_dir=remits, remit_sources=(remits,), seed=seed, month_close=True))
    return Month(billed, remits, result, run)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def pyx12_835_errors(path: Path) -> list[str]:
    """Every error pyx12's 005010X221A1 validator logs on the file (no 999 asked for: pyx12 builds its
    AK2 from ST03, which the 835 guide marks Not Used)."""
    handler = _Collect()
    logger = logging.getLogger("pyx12")
    logger.addHandler(handler)
    try:
        ok = pyx12.x12n_document.x12n_document(pyx12.params.params(), str(path), None, None, None)
    finally:
        logger.removeHandler(handler)
    return handler.messages + ([] if ok else ["pyx12 rejected the file"])
