"""A month of claims answered by the simulated payers: the shared fixture of the posting tests.

The demo clinic (seeded, synthetic) is coded, checked, billed and sent as 837s once per test module;
then for each seed the payer simulator writes its 835s, import-era reads them into the book and
reconcile posts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
