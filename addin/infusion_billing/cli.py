"""``infusion-billing``: the same pipeline as the Excel buttons, on .xlsx files from a terminal.

Exit codes: 0 the run finished (Findings may exist; they are in the output workbook), 2 the command
could not run (bad arguments, a file that is not a readable workbook, an output it will not
overwrite, a full disk), with one clear sentence. No traceback reaches the user; ``--debug`` shows
one for bug reports. Everything printed passes through :func:`~infusion_billing.display.terminal_safe`,
so a control character from a cell or a file name never reaches the terminal raw.
"""

from __future__ import annotations

import argparse
import errno
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path

from tqdm import tqdm

from . import __version__
from .display import shown, summary_value, terminal_safe
from .findings import findings_to_json, sort_findings
from .gcpause import paused_cycle_collector
from .pipeline import RunOptions, RunResult, available_stages, run_workbook
from .schema import TABLES_BY_NAME
from .workbook.output_file import check_output_folder
from .workbook.reader import WorkbookError, read_workbook

EXIT_OK = 0
EXIT_UNUSABLE = 2


def progress_bar(iterable: Iterable, total: int | None = None, desc: str = "") -> Iterable:
    """A tqdm bar on stderr; silent when stderr is not a terminal (CI, pipes)."""
    return tqdm(iterable, total=total, desc=desc, unit="row", leave=False, disable=None, file=sys.stderr)


# ----------------------------------------------------------------------------- subcommands
# The template, macro-workbook and demo builders are imported by their own commands: openpyxl adds 0.2 s,
# the demo clinic or the macro workbook builder 0.34 s, to the 1.8 s start-up every command pays
# (python -X importtime -c "import infusion_billing.cli", December 2026). Month close and the NCCI import
# load the stages after checking (pandas, pyarrow, fpdf: 140 MiB), which `run` never needs.


def say(text: str = "", file=None) -> None:
    """Print one line for the user, control characters escaped."""
    print(terminal_safe(text), file=file or sys.stdout)


def cmd_template(args: argparse.Namespace) -> int:
    from .workbook.output_file import check_new_output  # noqa: PLC0415 - start-up cost, see above
    from .workbook.template import write_template  # noqa: PLC0415 - start-up cost, see above

    path = Path(args.output)
    if path.suffix.lower() != ".xlsx":
        raise WorkbookError(f"The template is an .xlsx workbook; name it {shown(path.with_suffix('.xlsx'))}.")
    # A template is where a clinic types its data: an existing one is never replaced without --force.
    backup = check_new_output(path, force=args.force, replaceable=lambda p: False)
    if backup:
        say(f"Backup of the file replaced: {backup}")
    path = write_template(path)
    say(f"Template written: {path}")
    return EXIT_OK


def cmd_excel_workbook(args: argparse.Namespace) -> int:
    from .classic import ClassicWorkbookError, build  # noqa: PLC0415 - start-up cost, see above

    try:
        path = build(Path(args.output), force=args.force)
    except ClassicWorkbookError as exc:
        print(f"infusion-billing: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    print(f"Macro-enabled workbook written: {path}")
    print("Next: open it in Excel with the xlwings add-in installed (xlwings addin install), enable macros, "
          "and press a button on the Buttons sheet.")
    return EXIT_OK


#: Where the demo writes without -o; its out folder is made (the tool chose it, not the user).
DEMO_OUTPUT = Path("out") / "InfusionBilling-demo.xlsx"


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo.clinic import run_demo  # noqa: PLC0415 - start-up cost, see above

    output = Path(args.output) if args.output else DEMO_OUTPUT
    if not args.output:
        output.parent.mkdir(exist_ok=True)
    return run_demo(output, seed=args.seed, encounters=args.encounters, progress=progress_bar, force=args.force)


def check_rule_ids(rules: Sequence[str]) -> None:
    """Refuse ``--rule`` IDs no check has: a run of no checks would mark every claim Ready."""
    if not rules:
        return
    from .checks.registry import select_rules  # noqa: PLC0415 - start-up cost, see above

    _, unknown = select_rules(strict=True, only=tuple(rules))
    if unknown:
        raise WorkbookError(f"No check is called {', '.join(repr(u) for u in unknown)}; use a rule ID from "
                            "docs/rules.md (e.g. doc.stop-time-missing) or a family: doc, elig, auth, filing, payer.")


def _run_stages(args: argparse.Namespace, stages: Sequence[str]) -> int:
    # The collector stays paused until the run's rows and sheets are gone (they are freed as the call
    # below returns): turned back on while they are alive, it walks them all once more while the
    # summary is printed, about a second at 100,000 encounters (issue 16).
    with paused_cycle_collector():
        return _run_and_report(args, stages)


def _run_and_report(args: argparse.Namespace, stages: Sequence[str]) -> int:
    rules = tuple(getattr(args, "rule", None) or ())
    check_rule_ids(rules)
    options = RunOptions(strict=getattr(args, "strict", False), rules=rules, progress=progress_bar)
    run = run_workbook(Path(args.book), available_stages(stages), out=args.output, in_place=args.in_place,
                       options=options, force=args.force)
    _report(args, run)
    return EXIT_OK


def _report(args: argparse.Namespace, run: RunResult) -> None:
    if getattr(args, "json", False):
        say(findings_to_json(run.findings))
    else:
        print_summary(run, max_lines=args.max_lines)


def cmd_check(args: argparse.Namespace) -> int:
    return _run_stages(args, ("validate", "check"))


def cmd_code(args: argparse.Namespace) -> int:
    return _run_stages(args, ("validate", "code"))


def cmd_run(args: argparse.Namespace) -> int:
    return _run_stages(args, ("validate", "code", "check"))


def cmd_import_era(args: argparse.Namespace) -> int:
    options = RunOptions(remit_sources=tuple(Path(p) for p in args.sources), progress=progress_bar)
    run = run_workbook(Path(args.book), ["import-era"], out=args.output, in_place=args.in_place, options=options,
                       force=args.force)
    _report(args, run)
    return EXIT_OK


def cmd_claims(args: argparse.Namespace) -> int:
    options = RunOptions(include_review=args.include_review, correct=tuple(args.correct or ()),
                         void=tuple(args.void or ()), progress=progress_bar)
    return _run_with(args, ["claims"], options)


def cmd_export_837(args: argparse.Namespace) -> int:
    options = RunOptions(out_dir=Path(args.out_dir), resend=tuple(args.resend or ()), progress=progress_bar)
    return _run_with(args, ["export-837"], options)


def cmd_denials(args: argparse.Namespace) -> int:
    options = RunOptions(as_of=date.fromisoformat(args.as_of) if args.as_of else None, progress=progress_bar)
    return _run_with(args, ["denials"], options)


def cmd_aging(args: argparse.Namespace) -> int:
    options = RunOptions(as_of=date.fromisoformat(args.as_of) if args.as_of else None, basis=args.basis,
                         progress=progress_bar)
    return _run_with(args, ["aging"], options)


def cmd_kpis(args: argparse.Namespace) -> int:
    options = RunOptions(as_of=date.fromisoformat(args.as_of) if args.as_of else None, month=args.month,
                         progress=progress_bar)
    return _run_with(args, ["kpis", "dashboard"], options)


def cmd_statements(args: argparse.Namespace) -> int:
    options = RunOptions(statement_dir=Path(args.out_dir), as_of=date.fromisoformat(args.as_of) if args.as_of else None,
                         progress=progress_bar)
    return _run_with(args, ["statements"], options)


def cmd_close(args: argparse.Namespace) -> int:
    """Every stage of the month in order (close.CLOSE_STAGES), then the one-screen month summary."""
    from .close import close_stages, month_summary, remit_folder  # noqa: PLC0415 - pandas, see pipeline._later_stages

    book = Path(args.book)
    settings = read_workbook(book, (TABLES_BY_NAME["Settings"],)).settings
    folder = remit_folder(args.remits, settings.remit_folder)
    if folder is not None and not folder.exists():
        where = "--remits" if args.remits else "the Remit Folder setting"
        raise WorkbookError(f"The remittance folder {shown(folder)} ({where}) does not exist; give the folder the "
                            "payers' 835 files are saved in.")
    options = RunOptions(month=args.month, month_close=True,
                         as_of=date.fromisoformat(args.as_of) if args.as_of else None,
                         remit_sources=(folder,) if folder is not None else (),
                         out_dir=Path(args.out_dir) if args.out_dir else None, progress=progress_bar)
    stages = close_stages(send_claims=args.out_dir is not None, remits=folder is not None)
    run = run_workbook(book, stages, out=args.output, in_place=args.in_place, options=options, force=args.force)
    for line in month_summary(run.results, run.findings):
        say(line)
    if args.max_lines > 0:  # the summary is figures only unless the findings are asked for
        list_findings(run, max_lines=args.max_lines)
    if run.output:
        say(f"Written: {run.output}")
    return EXIT_OK


def cmd_appeals(args: argparse.Namespace) -> int:
    """Letters only: the workbook is read, never written (the biller sets Appealed when a letter goes out)."""
    options = RunOptions(out_dir=Path(args.out_dir), claim_ids=tuple(args.claim or ()),
                         templates=Path(args.templates) if args.templates else None,
                         as_of=date.fromisoformat(args.as_of) if args.as_of else None, progress=progress_bar)
    run = run_workbook(Path(args.book), ["appeals"], options=options, write=False)
    if args.json:
        print(findings_to_json(run.findings))
    else:
        print_summary(run, max_lines=args.max_lines)
    return EXIT_OK


def cmd_simulate_payer(args: argparse.Namespace) -> int:
    # Files only: what the simulated payers send is never written into the practice's book.
    options = RunOptions(remit_dir=Path(args.out_dir), seed=args.seed, progress=progress_bar)
    run = run_workbook(Path(args.book), ["simulate-payer"], options=options, write=False)
    print_summary(run, max_lines=args.max_lines)
    return EXIT_OK


def cmd_reconcile(args: argparse.Namespace) -> int:
    options = RunOptions(as_of=args.as_of, progress=progress_bar)
    return _run_with(args, ["reconcile"], options)


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-30") from exc


def _month(text: str) -> str:
    try:
        date.fromisoformat(f"{text}-01")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a month like 2026-10") from exc
    return text


def _run_with(args: argparse.Namespace, stages: list[str], options: RunOptions) -> int:
    run = run_workbook(Path(args.book), stages, out=args.output, in_place=args.in_place, options=options,
                       force=args.force)
    _report(args, run)
    return EXIT_OK


def cmd_import_ncci(args: argparse.Namespace) -> int:
    from .claims.refdata import import_ncci  # noqa: PLC0415 - start-up cost, see above

    if not args.book and not args.cache:
        print("infusion-billing: say where to keep the edits: --book BOOK (its NCCI sheets) or --cache DIR.",
              file=sys.stderr)
        return EXIT_UNUSABLE
    report = import_ncci([Path(p) for p in args.files], book=Path(args.book) if args.book else None,
                         cache=Path(args.cache) if args.cache else None, out=args.output, in_place=args.in_place,
                         quarter=args.quarter or "", force=args.force)
    for line in report.lines():
        say(line)
    return EXIT_OK


def cmd_assess(args: argparse.Namespace) -> int:
    from .assess import assess, salt_for, write_assessment  # noqa: PLC0415 - start-up cost, see above
    from .pdf import made_by_tool  # noqa: PLC0415 - start-up cost, see above
    from .workbook.output_file import check_new_output  # noqa: PLC0415 - start-up cost, see above
    from .workbook.ownership import ASSESSMENT  # noqa: PLC0415 - start-up cost, see above

    output = Path(args.output)
    if output.suffix.lower() != ".xlsx":
        raise WorkbookError(f"The assessment is an .xlsx workbook; name it {shown(output.with_suffix('.xlsx'))}.")
    if not args.force:  # refused before the work; with --force the writer makes the one backup
        check_new_output(output, ASSESSMENT)
    pdf = Path(args.pdf) if args.pdf else None
    if pdf is not None:
        if pdf.suffix.lower() != ".pdf":
            raise WorkbookError(f"The assessment report is a PDF; name it {shown(pdf.with_suffix('.pdf'))}.")
        check_new_output(pdf, force=args.force, replaceable=made_by_tool)
    salt = salt_for(output, args.salt)
    result = assess(args.remits, args.claims or [], encounters=Path(args.encounters) if args.encounters else None,
                    fee_schedule=Path(args.fee_schedule) if args.fee_schedule else None, client=args.client or "",
                    salt=salt)
    path = write_assessment(result, output, client=args.client or "", force=args.force)
    if pdf is not None:
        from .assess.pdf_report import write_assessment_pdf  # noqa: PLC0415 - start-up cost, see above

        write_assessment_pdf(result, pdf, client=args.client or "")
    k, t = result.figures.kpis, result.totals
    def pct(value: object) -> str:
        return "n/a" if value is None else f"{value}%"

    say(f"Claims adjudicated: {k['claims_adjudicated']:,}; initial denial rate {pct(k['initial_denial_rate_count'])} "
        f"of claims; net collection rate {pct(k['net_collection_rate'])}")
    say(f"Recoverable now: ${t['recoverable_now']:,}; annualized uplift: ${t['annualized_uplift']:,}; "
        f"coding review: {len(result.coding_rows):,} differences, ${t['coding']:,} under-billed")
    for f in result.findings:
        say("  " + f.to_text())
    say(f"Written: {path}" + (f" and {pdf}" if pdf is not None else ""))
    return EXIT_OK


def _store_module(what: str):
    """The store's modules need the ``store`` extra (pyarrow): a missing one is a sentence, not a traceback."""
    try:
        import pyarrow  # noqa: F401, PLC0415 — optional dependency
    except ImportError:
        raise WorkbookError(f"{what} needs pyarrow; install it with: pip install \"infusion-billing[store]\"") from None


def cmd_export_store(args: argparse.Namespace) -> int:
    _store_module("export-store")
    from .store.deidentify import store_salt  # noqa: PLC0415 — optional dependency
    from .store.export import export_store  # noqa: PLC0415 — optional dependency

    if args.salt and not args.deidentify:
        raise WorkbookError("--salt is the secret of --deidentify's hashes; add --deidentify, or leave --salt out.")
    store = Path(args.store)
    salt = store_salt(store, args.salt) if args.deidentify else ""
    result = export_store(Path(args.book), store, clinic=args.clinic, deidentify=args.deidentify, salt=salt,
                          replace_newer=args.replace_newer)
    for line in result.lines():
        say(line)
    return EXIT_OK


def cmd_portfolio(args: argparse.Namespace) -> int:
    _store_module("portfolio")
    from .store.engines import DuckDBEngine, Engine, SparkEngine  # noqa: PLC0415 — optional dependency
    from .store.portfolio import report  # noqa: PLC0415 — optional dependency

    def engine() -> Engine:
        return SparkEngine(args.store) if args.engine == "spark" else DuckDBEngine(Path(args.store))

    for line in report(args.store, Path(args.output), tuple(args.months or ()), engine, force=args.force):
        say(line)
    return EXIT_OK


def print_summary(run: RunResult, *, max_lines: int = 20, out=None) -> None:
    """Counts by severity, each stage's summary, the worst findings, and the file written."""
    out = out or sys.stdout
    for name, result in run.results.items():
        for key, value in result.summary.items():  # dollars held exact, printed as every summary prints them
            say(f"  {name}: {key}: {summary_value(value)}", file=out)
    c = run.counts
    say(f"Findings: {c['error']} errors, {c['warning']} warnings, {c['info']} info", file=out)
    list_findings(run, max_lines=max_lines, out=out)
    if run.output:
        say(f"Written: {run.output}", file=out)


def list_findings(run: RunResult, *, max_lines: int, out=None) -> None:
    """The worst ``max_lines`` errors and warnings, one line each, and how many more the Findings sheet holds."""
    c = run.counts
    listed = [f for f in sort_findings(run.findings) if f.severity.value != "info"][:max_lines]
    for f in listed:
        say("  " + f.to_text(), file=out)
    hidden = c["error"] + c["warning"] - len(listed)
    if hidden > 0:
        say(f"  ... and {hidden} more on the Findings sheet", file=out)


# ----------------------------------------------------------------------------- parser


def _book_command(sub, name: str, func: Callable, help_text: str, *, json_flag: bool = True, strict: bool = False,
                  max_lines: int = 20):
    p = sub.add_parser(name, help=help_text, description=help_text)
    p.add_argument("book", help="the workbook (.xlsx or .xlsm) holding your tables")
    p.add_argument("-o", "--output", help="write results to this new file (default: BOOK.billing.xlsx)")
    p.add_argument("--in-place", action="store_true",
                   help="write results into BOOK itself, after saving a timestamped backup beside it")
    if json_flag:
        p.add_argument("--json", action="store_true", help="print the findings as JSON")
    if strict:
        p.add_argument("--strict", action="store_true", help="also run the strict rule set")
        p.add_argument("--rule", action="append", metavar="ID", help="run only this rule (repeatable)")
    p.add_argument("--max-lines", type=int, default=max_lines, help=f"findings to print (default {max_lines})")
    _force_flag(p)
    p.set_defaults(func=func)
    return p


def _force_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--force", action="store_true",
                   help="replace an existing output file the tool did not write (a backup copy is kept beside it)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="infusion-billing",
        description="Infusion-therapy billing on Excel workbooks: coding, pre-bill checks, 835 remits.")
    parser.add_argument("--version", action="version", version=f"infusion-billing {__version__}")
    parser.add_argument("--debug", action="store_true", help="show internal errors in full (for bug reports)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("template", help="write an empty workbook with every input table and instructions")
    p.add_argument("-o", "--output", required=True, help="where to write the template (.xlsx)")
    _force_flag(p)
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("excel-workbook",
                       help="write the template as a macro-enabled workbook (.xlsm) for the classic xlwings add-in: "
                            "a button per macro and a filled xlwings.conf sheet")
    p.add_argument("-o", "--output", required=True, help="where to write it, e.g. MyClinic.xlsm")
    p.add_argument("--force", action="store_true", help="replace the file if it exists")
    p.set_defaults(func=cmd_excel_workbook)

    p = sub.add_parser("demo", help="build the synthetic demo clinic and run every stage on it")
    p.add_argument("-o", "--output", help=f"output workbook (default: {DEMO_OUTPUT.as_posix()}, the folder made)")
    p.add_argument("--seed", type=int, default=20261127, help="random seed (same seed, same clinic)")
    p.add_argument("--encounters", type=int, default=1500, help="number of encounters (default 1500)")
    _force_flag(p)
    p.set_defaults(func=cmd_demo)

    _book_command(sub, "check", cmd_check, "check the workbook: bad cells, documentation, eligibility, authorizations",
                  strict=True)
    _book_command(sub, "code", cmd_code, "code every encounter into the Charges sheet")
    _book_command(sub, "run", cmd_run, "run every stage: check, code", strict=True)

    p = sub.add_parser("import-era", help="import X12 835 remittance files into the ERA sheets")
    p.add_argument("book", help="the workbook to import into")
    p.add_argument("sources", nargs="+", help="835 files or folders of them")
    p.add_argument("-o", "--output", help="write to this new file (default: BOOK.billing.xlsx)")
    p.add_argument("--in-place", action="store_true", help="write into BOOK after a timestamped backup")
    p.add_argument("--json", action="store_true", help="print the findings as JSON")
    p.add_argument("--max-lines", type=int, default=20, help="findings to print (default 20)")
    _force_flag(p)
    p.set_defaults(func=cmd_import_era)

    p = _book_command(sub, "claims", cmd_claims,
                      "build claims for the Ready encounters, scrub them (NCCI, MUE, coverage, payer rules) and keep "
                      "them on the Claims and ClaimLines sheets")
    p.add_argument("--include-review", action="store_true", help="also bill encounters whose status is Review")
    p.add_argument("--correct", action="append", metavar="CLAIM_ID",
                   help="add a replacement (frequency 7) of this submitted claim (repeatable)")
    p.add_argument("--void", action="append", metavar="CLAIM_ID",
                   help="add a void (frequency 8) of this submitted claim (repeatable)")

    p = _book_command(sub, "export-837", cmd_export_837,
                      "write the Ready claims to 837P/837I files, one per payer and claim type; they become Submitted")
    p.add_argument("--out-dir", required=True, metavar="DIR", help="folder to write the 837 files into")
    p.add_argument("--resend", action="append", metavar="BATCH",
                   help="write this batch file's claims again, with new control numbers (repeatable)")

    p = sub.add_parser("assess", help="a de-identified billing assessment from a client's 835s, 837s or charge "
                                      "export, infusion log and contracted rates")
    p.add_argument("--remits", nargs="+", required=True, metavar="PATH", help="835 files or folders of them")
    p.add_argument("--claims", nargs="+", metavar="PATH",
                   help="the billed claims: 837 files, folders of them, or a charge export (.csv/.xlsx)")
    p.add_argument("--encounters", metavar="BOOK", help="the client's infusion log in the infusion-billing template")
    p.add_argument("--fee-schedule", metavar="BOOK",
                   help="a workbook whose FeeSchedule table holds the contracted rates")
    p.add_argument("--client", metavar="NAME", help="the client's name for the Summary sheet")
    p.add_argument("--salt", help="the secret the hashes use (default: kept in OUTPUT.salt, made on the first run)")
    p.add_argument("-o", "--output", required=True, help="the assessment workbook to write (.xlsx)")
    p.add_argument("--pdf", metavar="PDF", help="also write the report as a few printable pages (.pdf)")
    _force_flag(p)
    p.set_defaults(func=cmd_assess)

    p = _book_command(sub, "denials", cmd_denials,
                      "rebuild the Denials worklist and Denials Summary from the imported 835s; your Work Status, "
                      "Assigned To, Notes, Follow-up Date and added columns are kept")
    p.add_argument("--as-of", help="count Days Left to this date (YYYY-MM-DD; default: Settings As-Of Date)")

    p = _book_command(sub, "aging", cmd_aging,
                      "AR aging: who owes what on each claim (insurance or patient), by age bucket and payer")
    p.add_argument("--as-of",
                   help="age to this date; later remits are ignored (YYYY-MM-DD; default: Settings As-Of Date)")
    p.add_argument("--basis", choices=("dos", "first-billed", "last-billed"), default="dos",
                   help="the date a balance ages from (default: dos, the date of service)")

    p = _book_command(sub, "kpis", cmd_kpis,
                      "revenue-cycle KPIs by month of service and payer (denial rates, days in AR, collection rates, "
                      "clean claims, underpayments) on the KPIs sheet, and the Dashboard sheet with its charts")
    p.add_argument("--as-of", help="count payments and AR to this date; later remits are left out (YYYY-MM-DD; "
                                   "default: Settings As-Of Date, else the latest remit)")
    p.add_argument("--month", type=_month, metavar="YYYY-MM", help="the month to report on (default: the latest)")

    p = _book_command(sub, "statements", cmd_statements,
                      "a PDF statement for every patient who owes after insurance (minimum balance and cycle from "
                      "Settings), logged on the Statements sheet")
    p.add_argument("--out-dir", required=True, metavar="DIR",
                   help="folder for the statements (they hold patients' names and addresses)")
    p.add_argument("--as-of", help="the statement date; later remits and payments are ignored (YYYY-MM-DD; default: "
                                   "Settings As-Of Date)")

    p = _book_command(sub, "close", cmd_close,
                      "close the month: check, code, claims, (837 files with --out-dir), import the 835s, reconcile, "
                      "denials, aging, KPIs and Dashboard, then a one-screen summary", json_flag=False,
                      max_lines=0)
    p.add_argument("--month", required=True, type=_month, metavar="YYYY-MM",
                   help="the month closed: the KPIs and Dashboard report on its dates of service")
    p.add_argument("--remits", metavar="DIR", help="folder of the payers' 835 files (default: Settings Remit Folder)")
    p.add_argument("--out-dir", metavar="DIR", help="also write the Ready claims to 837 files in this folder")
    p.add_argument("--as-of", help="send claims and count remits and AR to this date (YYYY-MM-DD; default: claims "
                                   "on the Settings As-Of Date, the rest as of the latest of that date, the month's "
                                   "last day and the latest remit)")

    p = sub.add_parser("appeals", help="write a .docx appeal letter (or corrected-claim note) per denial still worked",
                       description="write a .docx appeal letter (or corrected-claim note) per denial still worked")
    p.add_argument("book", help="the workbook holding the Denials sheet and the ERA and claim ledgers")
    p.add_argument("--out-dir", required=True, help="folder for the letters")
    p.add_argument("--claim", action="append", metavar="ID", help="only this claim (repeatable)")
    p.add_argument("--templates", help="folder of your own templates (same file names as the shipped ones)")
    p.add_argument("--as-of", help="the letters' date and Days Left (YYYY-MM-DD; default: Settings As-Of Date)")
    p.add_argument("--json", action="store_true", help="print the findings as JSON")
    p.add_argument("--max-lines", type=int, default=20, help="findings to print (default 20)")
    p.set_defaults(func=cmd_appeals)
    p = sub.add_parser("simulate-payer",
                       help="play the book's payers: 835 remittances for the submitted claims, with planted denials, "
                            "underpayments, unit cuts, code changes and reversals (demo and tests; the book is not "
                            "changed)")
    p.add_argument("book", help="the workbook holding the submitted claims (Claims, ClaimLines)")
    p.add_argument("--out-dir", required=True, metavar="DIR",
                   help="folder for the 835 files and simulation-key.csv (what was planted)")
    p.add_argument("--seed", type=int, default=1, help="random seed (same book, same seed: the same files)")
    p.add_argument("--max-lines", type=int, default=20, help="findings to print (default 20)")
    p.set_defaults(func=cmd_simulate_payer)

    p = _book_command(sub, "reconcile", cmd_reconcile,
                      "post the imported remits to the claim lines and reconcile expected vs paid: Reconciliation, "
                      "Underpayments, Unmatched Remits and Claim Status sheets")
    p.add_argument("--as-of", type=_as_of, metavar="DATE",
                   help="reconcile as things stood on this date (remits and payments after it left out; default: "
                        "Settings As-Of Date, else the latest remit)")

    p = sub.add_parser("export-store",
                       help="write every table of the book (inputs, ledgers, results) into a Parquet store, by clinic "
                            "and month, for portfolio reporting; running it again on the same book changes nothing")
    p.add_argument("book", help="the workbook after its month's close (it has a KPIs sheet and a Claims ledger)")
    p.add_argument("--store", required=True, metavar="DIR", help="the store folder (made when missing)")
    p.add_argument("--clinic", metavar="NAME", help="the clinic's name in the store (default: Settings Practice Name, "
                                                    "else the book's file name)")
    p.add_argument("--deidentify", action="store_true",
                   help="leave patient names, birth dates, addresses, member IDs and free text out and hash patient, "
                        "encounter and claim numbers (the salt is kept beside the store in DIR.salt)")
    p.add_argument("--salt", help="with --deidentify: the secret the hashes use (default: kept in DIR.salt)")
    p.add_argument("--replace-newer", action="store_true",
                   help="export a book as of an earlier date than the clinic's figures in the store, replacing them "
                        "(refused without it)")
    p.set_defaults(func=cmd_export_store)

    p = sub.add_parser("portfolio",
                       help="every clinic of a store on one workbook: a Portfolio sheet by clinic and month (the KPIs "
                            "of each clinic's own KPIs sheet), Portfolio Denials, Portfolio Aging and charts")
    p.add_argument("--store", required=True, metavar="DIR", help="the store export-store filled")
    p.add_argument("-o", "--output", required=True, help="the portfolio workbook to write (.xlsx)")
    p.add_argument("--months", nargs="+", metavar="YYYY-MM", help="only these months of service (default: all)")
    p.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                   help="duckdb (default: this machine) or spark (a local Spark, or the cluster of spark-submit)")
    _force_flag(p)
    p.set_defaults(func=cmd_portfolio)

    refdata = sub.add_parser("refdata", help="reference data: import CMS's NCCI edit files")
    refsub = refdata.add_subparsers(dest="refdata_command", metavar="WHAT")
    refsub.required = True
    p = refsub.add_parser("import-ncci", help="import CMS NCCI PTP and MUE files (practitioner and hospital) as "
                                              "published (.txt, .csv, .xlsx or .zip)")
    p.add_argument("files", nargs="+", help="the CMS files")
    p.add_argument("--book", help="store the edits in this workbook (NCCI PTP and NCCI MUE sheets)")
    p.add_argument("--cache", metavar="DIR", help="store the edits as CSV in this folder (set NCCI Folder in Settings)")
    p.add_argument("-o", "--output", help="with --book: write to this new file (default: BOOK.billing.xlsx)")
    p.add_argument("--in-place", action="store_true", help="with --book: write into BOOK after a backup")
    p.add_argument("--quarter", help="the quarter the files are for, e.g. 2026Q4 (default: from the file)")
    _force_flag(p)
    p.set_defaults(func=cmd_import_ncci)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                        format="infusion-billing: %(message)s")
    try:
        check_output_paths(args)
        return args.func(args)
    except WorkbookError as exc:
        say(f"infusion-billing: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        say("infusion-billing: stopped.", file=sys.stderr)
        return 130
    except MemoryError:
        say("infusion-billing: the workbook needs more memory than this computer has free; run on a smaller "
            "period or close other programs.", file=sys.stderr)
        return EXIT_UNUSABLE
    except OSError as exc:
        if args.debug:
            raise
        say(f"infusion-billing: {os_problem(exc)}", file=sys.stderr)
        return EXIT_UNUSABLE
    except Exception as exc:  # a bug: say so in one sentence; the traceback only with --debug
        if args.debug:
            raise
        say(f"infusion-billing: internal error ({type(exc).__name__}); run again with --debug and report it.",
            file=sys.stderr)
        return 1


#: The options naming what a command writes, by their argparse name: their folder must exist.
OUTPUT_OPTIONS = {"output": "-o", "pdf": "--pdf", "out_dir": "--out-dir", "cache": "--cache"}


def check_output_paths(args: argparse.Namespace) -> None:
    """Every command alike: a file (-o, --pdf) or folder (--out-dir, --cache, export-store's --store) the
    command writes goes inside a folder that exists; a mistyped folder is one sentence, exit 2
    (:func:`~.workbook.output_file.check_output_folder`)."""
    named = dict(OUTPUT_OPTIONS, store="--store") if args.command == "export-store" else OUTPUT_OPTIONS
    for attr, option in named.items():
        value = getattr(args, attr, None)
        if value and "://" not in str(value):  # a store may be a URL (s3a://...): not a local folder
            check_output_folder(Path(value), option)


def os_problem(exc: OSError) -> str:
    """One sentence for a file-system error that reached the command line."""
    name = shown(exc.filename) if getattr(exc, "filename", None) else "a file"
    reasons = {errno.ENOENT: "not found", errno.EACCES: "permission denied", errno.EPERM: "permission denied",
               errno.EISDIR: "it is a folder", errno.ENOSPC: "the disk is full",
               errno.EFBIG: "the file would be larger than this system allows",
               errno.ENAMETOOLONG: "the name is too long", errno.EROFS: "the disk is read-only"}
    reason = reasons.get(exc.errno or 0, exc.strerror or type(exc).__name__)
    return f"cannot use {name}: {reason}."


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
