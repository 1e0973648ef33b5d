"""The demo's billing assessment: the clinic's own 837s, paid by a synthetic payer, with billing leaks planted.

After the month runs, :func:`run_assessment_demo` writes what a client would hand a consultant
(:func:`~infusion_billing.demo.leaks.client_kit`: a charge export of the billed lines with mistakes
planted, and the payer's 835s, which underpay a few lines), runs the assessment with the clinic's
infusion log and its FeeSchedule, writes ``assessment-demo.xlsx`` beside the demo workbook, and prints
the answer key: "Planted leaks found: N of N, $X of $X".
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from ..assess import assess, write_assessment
from ..assess.report import read_rates
from .leaks import client_kit, score


def run_assessment_demo(folder: Path, log_book: Path, out: TextIO, *, force: bool = False) -> Path | None:
    claim_files = sorted((folder / "837").glob("*.837"))
    if not claim_files:
        print("Assessment demo: no 837 file was written, so there is nothing to assess.", file=out)
        return None
    kit = client_kit(claim_files, read_rates(log_book), folder / "assessment-demo-files")
    result = assess([kit.remits], [kit.claims], encounters=log_book, client="Demo Infusion Center",
                    salt="infusion-billing demo")
    path = write_assessment(result, folder / "assessment-demo.xlsx", client="Demo Infusion Center", force=force)
    found, dollars, planted = score(kit.leaks, result.coding_rows, result.figures.underpayments)
    print(f"Assessment: recoverable now ${result.totals['recoverable_now']:,}, annualized uplift "
          f"${result.totals['annualized_uplift']:,}", file=out)
    print(f"Planted leaks found: {found} of {len(kit.leaks)}, ${dollars:,} of ${planted:,}", file=out)
    print(f"Written: {path}", file=out)
    return path
