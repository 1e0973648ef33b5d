"""The demo's billing assessment: the clinic's own claims, with billing leaks planted, and the payers' answers.

After the month runs, :func:`run_assessment_demo` writes what a client would hand a consultant
(:func:`~infusion_billing.demo.leaks.client_kit`: a charge export of the billed lines with mistakes
planted, and the 835s the payer simulator sends for those claims as billed), runs the assessment with
the clinic's infusion log and its FeeSchedule, writes ``assessment-demo.xlsx`` and its report
``assessment-demo.pdf`` beside the demo workbook, and prints the answer key: "Planted leaks found: N of
N, $X of $X" (the planted billing mistakes and the simulator's planted underpayments).
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from ..assess import assess, write_assessment
from ..assess.pdf_report import write_assessment_pdf
from ..pdf import made_by_tool
from ..posting.simulator import submitted_primaries
from ..workbook.output_file import check_new_output
from ..workbook.reader import BookData
from .leaks import client_kit, score


def run_assessment_demo(folder: Path, book: BookData, log_book: Path, out: TextIO, *, seed: int = 1,
                        force: bool = False) -> Path | None:
    """``book``: the month's book after its claims went out (its Claims ledger); ``log_book``: the infusion
    log the claims were billed from; ``seed``: the payer simulator's, as the month's own remits."""
    if not submitted_primaries(book):
        print("Assessment demo: no claim was submitted, so there is nothing to assess.", file=out)
        return None
    kit = client_kit(book, folder / "assessment-demo-files", payer_seed=seed)
    result = assess([kit.remits], [kit.claims], encounters=log_book, client="Demo Infusion Center",
                    salt="infusion-billing demo")
    path = write_assessment(result, folder / "assessment-demo.xlsx", client="Demo Infusion Center", force=force)
    pdf = folder / "assessment-demo.pdf"
    check_new_output(pdf, force=force, replaceable=made_by_tool)
    write_assessment_pdf(result, pdf, client="Demo Infusion Center")
    found, dollars, planted = score(kit.leaks, result.coding_rows, result.figures.underpayments)
    print(f"Assessment: recoverable now ${result.totals['recoverable_now']:,}, annualized uplift "
          f"${result.totals['annualized_uplift']:,}", file=out)
    print(f"Planted leaks found: {found} of {len(kit.leaks)}, ${dollars:,} of ${planted:,}", file=out)
    print(f"Written: {path} and {pdf}", file=out)
    return path
