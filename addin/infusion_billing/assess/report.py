"""Build the assessment: read the client's files, compute the figures, write the de-identified workbook.

De-identification: a patient's member ID and every claim or encounter number are shown only as salted
hashes (``C-`` + 12 hex digits of SHA-256 over the salt and the value). The salt is a random secret per
assessment, kept beside the report in ``<report>.salt`` (the consultant keeps it; the client can map a
hash back to their claim by hashing their own numbers with it). Names, birth dates, addresses and free
text are never read into the report at all: the 835 and 837 readers do not copy them and the coding
review carries codes, units and dates of service only. With the same files and the same salt file the
report is the same, figure for figure.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..display import shown
from ..findings import Finding
from ..posting.contract import Contract, FeeSchedule
from ..rules import assess as rules
from ..schema import TABLES_BY_NAME
from ..workbook.output_file import work_folder
from ..workbook.ownership import ASSESSMENT
from ..workbook.reader import BookData, WorkbookError, read_workbook
from ..workbook.writer import OutputTable, write_outputs
from . import coding_review, figures
from .figures import Figures
from .sources import ClientFiles, InputFile, read_claims, read_remits, sha256

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
#: KPI -> (label, benchmark text, good when value is..., target). Sources: docs/assessment.md.
SCORECARD = (
    ("initial_denial_rate_count", "Initial denial rate (claims)", "under 5% (HFMA/MGMA practice target)", "low", 5),
    ("initial_denial_rate_dollars", "Initial denial rate (dollars)", "under 5%", "low", 5),
    ("net_collection_rate", "Net collection rate", "95% or more (MGMA)", "high", 95),
    ("gross_collection_rate", "Gross collection rate", "no target (depends on the charge master)", "", None),
    ("avg_days_to_payment", "Average days from service to payment", "30 days or less", "low", 30),
    ("pct_ar_over_90", "Open AR over 90 days", "under 15-20% (MGMA)", "low", 20),
    ("pct_ar_over_120", "Open AR over 120 days", "under 10-12%", "low", 12),
)


def status_of(value: Any, good: str, target: float | None) -> str:
    """Green when a KPI meets its benchmark target (``good`` "low": at or under it, "high": at or over),
    Red when not, blank without a target or a value."""
    if value is None or target is None:
        return ""
    return "Green" if (value <= target if good == "low" else value >= target) else "Red"


class Hasher:
    """Salted hashes that stand for a claim, encounter or patient in the report."""

    def __init__(self, salt: str) -> None:
        self.salt = salt.encode()

    def __call__(self, value: Any) -> str:
        if value in (None, ""):
            return ""
        return "C-" + hashlib.sha256(self.salt + b"|" + str(value).strip().encode()).hexdigest()[:12]


def salt_for(output: Path, salt: str | None) -> str:
    """The given salt, else the one kept beside an earlier report, else a new random one (saved)."""
    if salt:
        return salt
    path = output.with_name(output.name + ".salt")
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    new = secrets.token_hex(16)
    path.write_text(new + "\n", encoding="utf-8")
    return new


@dataclass
class Assessment:
    """What :func:`assess` built: the figures, the sheets and the totals the command prints."""

    figures: Figures
    tables: list[OutputTable]
    coding_rows: list[dict[str, Any]]
    findings: list[Finding] = field(default_factory=list)
    files: list[InputFile] = field(default_factory=list)
    totals: dict[str, Decimal] = field(default_factory=dict)
    routes: Counter[str] = field(default_factory=Counter)  # how the log's encounters found their claims
    payee: str = ""  # the client's payee ID(s) and how they were found


def read_contract(path: Path) -> tuple[Contract, int, list[Finding]]:
    """The client's contract terms from a workbook (its FeeSchedule, and its Payers and Settings when it
    has them: lesser-of and tolerance), how many rates it holds and, when it holds none, the finding
    that says so (a rates file with nothing to compare is never silent)."""
    book = read_workbook(path, [TABLES_BY_NAME[name] for name in ("Settings", "Payers", "FeeSchedule")])
    rates = len(book.rows("FeeSchedule"))
    why = "its FeeSchedule has no rows" if book.tables["FeeSchedule"].present else "no FeeSchedule sheet or table"
    found = [] if rates else [rules.RATES_EMPTY.finding(
        f"{Path(path).name} holds no contracted rates ({why}); no underpayment review was done from it.",
        sheet="FeeSchedule", source=Path(path).name)]
    return Contract.of_book(book), rates, found


def log_findings(path: Path, book: BookData) -> list[Finding]:
    """Why the infusion log cannot be reviewed (empty when it can): no encounter rows, or no
    administrations to code them from. The coding review is then not done at all, rather than
    reporting every billed line as unsupported."""
    encounters, given = book.tables["Encounters"], book.tables["Administrations"]
    if len(book.rows("Encounters")) and given.present:
        return []
    missing = [name for name, table in (("Encounters", encounters), ("Administrations", given)) if not table.present]
    why = (f"no {' or '.join(missing)} sheet or table" if missing else "its Encounters table has no rows")
    return [rules.LOG_EMPTY.finding(
        f"The infusion log {path.name} has no encounters to review ({why}); no coding review was done.",
        sheet=encounters.sheet or "Encounters", cell="A1" if encounters.present else "", source=path.name)]


#: A claim number in a message of the 835 reader ("claim PCN in payment T", "Claim PCN at segment 9").
_CLAIM_IN_MESSAGE = re.compile(r"\b([Cc]laim) (\S+)")


def deidentified(findings: list[Finding], claim_numbers: set[str], h: Hasher) -> list[Finding]:
    """The findings with every claim number the 835s named shown as its hash, as on every sheet, and no
    offending value (it may be a claim number too)."""
    def hashed(m: re.Match[str]) -> str:
        return f"{m[1]} {h(m[2])}" if m[2] in claim_numbers else m[0]

    return [replace(f, message=_CLAIM_IN_MESSAGE.sub(hashed, f.message), value="") for f in findings]


def _check_given(paths: list[str | Path]) -> None:
    """Refuse in one sentence a path given on the command line that is not there (a typo), before
    anything is read: "no readable 835 in it" would send the user looking in the wrong place."""
    for p in paths:
        if not Path(p).exists():
            raise WorkbookError(f"{shown(Path(p))}: no such file or folder.")


def assess(remits: list[str | Path], claims: list[str | Path] | None = None, *, encounters: Path | None = None,
           fee_schedule: Path | None = None, client: str = "", salt: str = "assessment") -> Assessment:
    """Read the client's files and build every sheet. Raises WorkbookError only when nothing can be assessed."""
    _check_given([*remits, *(claims or ())])
    remit, remit_files, findings = read_remits(list(remits))
    if remit is None or not len(remit.payments):
        names = ", ".join(shown(p) for p in remits)
        raise WorkbookError(f"No readable 835 remittance was found in {names}; the assessment needs the client's 835s.")
    claim_numbers = {str(n) for n in remit.claims["patient_control_number"] if n}  # before any is left out
    claim_rows, line_rows, claim_files, claim_findings = read_claims(list(claims or ()))
    findings += claim_findings
    client_files = ClientFiles(remit, claim_rows, line_rows, remit_files + claim_files, findings)
    payees, payee_basis = client_payees(remit, claim_rows)
    for file, payee in figures.drop_other_payees(client_files, payees):
        findings.append(rules.OTHER_PAYEE.finding(
            f"A payment in {file} was made to payee {payee}, not to this client; it was left out.", source=file))
    if not len(remit.payments):
        raise WorkbookError(f"None of the 835s pays this client ({payee_basis}); the assessment needs the client's "
                            "own 835s.")
    client_contract, client_rates, rate_findings = read_contract(fee_schedule) if fee_schedule else (None, 0, [])
    findings += rate_findings
    book = read_workbook(encounters) if encounters else None
    book_contract = Contract.of_book(book) if book else None
    empty_log = log_findings(Path(encounters), book) if encounters and book is not None else []
    findings += empty_log
    log = None if empty_log else book  # the book the coding review reads (none when it has no encounters)
    if encounters:
        client_files.files.append(InputFile("infusion log", Path(encounters).name, _sha(encounters),
                                            f"{len(book.rows('Encounters')) if book else 0} encounters"))
    if fee_schedule:
        client_files.files.append(InputFile("contracted rates", Path(fee_schedule).name, _sha(fee_schedule),
                                            f"{client_rates} rates"))
    # The underpayment review reads one contract: the client's rates, else the log book's.
    contract = next((c for c in (client_contract, book_contract) if c is not None and c.has_rates),
                    Contract(FeeSchedule([])))
    figs = figures.compute(client_files, contract)
    coding_rows: list[dict[str, Any]] = []
    routes: Counter[str] = Counter()
    if log is not None:
        pricer = coding_review.Pricer(client_contract, book_contract, line_rows)
        reviewed = coding_review.review(log, claim_rows, line_rows, pricer)
        coding_rows, routes = reviewed.rows, reviewed.routes
        if reviewed.unbilled:
            findings.append(rules.UNMATCHED_ENCOUNTER.finding(
                f"{reviewed.unbilled} coded encounter(s) of the infusion log match no billed claim; they are not "
                "compared."))
    h = Hasher(salt)
    result = Assessment(figs, [], coding_rows, deidentified(findings, claim_numbers, h), client_files.files)
    result.routes = routes
    result.payee = payee_basis
    result.tables = build_tables(result, h, client, bool(claims), log is not None, contract)
    return result


def client_payees(remit: Any, claims: Any) -> tuple[set[str], str]:
    """The client's payee IDs (NPIs) and how they were found: the billing provider of the 837s; without
    837s, the payees of the payments that answer a billed claim; without claims, the payee most
    payments went to."""
    payees = {str(n) for n in claims["billing_npi"] if n} if len(claims) else set()
    if payees:
        return payees, "payee " + ", ".join(sorted(payees)) + ", the billing provider of the 837s"
    billed = set(claims["claim_id"]) if len(claims) else set()
    if billed:
        answering = set(remit.claims.loc[remit.claims["patient_control_number"].isin(billed),
                                         ["file", "payment_no"]].itertuples(index=False, name=None))
        payees = {str(pid) for f, n, pid in remit.payments[["file", "payment_no", "payee_id"]].itertuples(
            index=False, name=None) if (f, n) in answering and pid}
        if payees:
            return payees, "payee " + ", ".join(sorted(payees)) + ", paid for the billed claims"
    counts = Counter(p for p in remit.payments["payee_id"] if p)
    if counts:
        top = counts.most_common(1)[0][0]
        return {top}, f"payee {top}, the payee of most payments"
    return set(), "no payee named"


def _sha(path: Path | str) -> str:
    return sha256(Path(path))


def _days(figs: Figures) -> int:
    start, end = figs.period
    return max(1, (end - start).days + 1) if start and end else 365


def build_tables(a: Assessment, h: Hasher, client: str, had_claims: bool, had_log: bool,
                 contract: Contract) -> list[OutputTable]:
    figs = a.figures
    k = figs.kpis
    days = _days(figs)
    annual = Decimal(365) / Decimal(days)
    appealable = sum((d["recoverable"] for d in figs.denials), ZERO)
    under = sum((u["short"] for u in figs.underpayments), ZERO)
    coding_gain = sum((r["impact"] for r in a.coding_rows if r["impact"] > 0), ZERO)
    preventable = sum((d["amount"] for d in figs.denials if d["preventable"] and d["first"]), ZERO)
    at_risk = sum((r["charge"] for r in figs.open_ar if r["risk"]), ZERO)
    recurring = preventable + under + coding_gain
    a.totals = {"recoverable_now": appealable + under, "annualized_uplift": (recurring * annual).quantize(CENT),
                "coding": coding_gain, "underpayments": under, "denials_appealable": appealable}

    summary: list[list[Any]] = [
        ["Client", "Client", client or "(not named)", "", "", ""],
        ["Client", "Period (dates of service)", f"{figs.period[0]} to {figs.period[1]}", "", "", ""],
        ["Client", "As of (latest remit)", figs.as_of, "", "", ""],
        ["Client", "Claims adjudicated", k["claims_adjudicated"], "", "", "first remit per claim"],
        ["Client", "Charges adjudicated", k["charges"], "", "", "first remit per claim"],
        ["Client", "Payments", k["payments"], "", "", "all remits of those claims"],
    ]
    for key, label, bench, good, target in SCORECARD:
        value = k.get(key)
        summary.append(["KPI scorecard", label, value, bench, status_of(value, good, target), "docs/assessment.md"])
    summary += [
        ["Revenue opportunity", "Recoverable now", a.totals["recoverable_now"], "", "",
         "open denials inside their appeal window + underpayments"],
        ["Revenue opportunity", "  open denials still appealable", appealable, "", "",
         f"{figures.APPEAL_DAYS}-day window"],
        ["Revenue opportunity", "  underpayments", under, "", "", "allowed below contract"],
        ["Revenue opportunity", "Open AR at timely-filing risk", at_risk, "", "",
         f"{figures.FILING_LIMIT_DAYS}-day limit"],
        ["Revenue opportunity", "Annualized uplift", a.totals["annualized_uplift"], "", "",
         f"(preventable denials + underpayments + under-coding) x 365 / {days} days"],
    ]
    out = [OutputTable("Summary", ["Section", "Measure", "Value", "Benchmark", "Status", "Basis"], summary,
                       widths={"Measure": 38, "Benchmark": 34, "Basis": 50})]

    ranked: list[list[Any]] = []
    by_cat: dict[tuple[str, bool], list] = defaultdict(list)
    for d in figs.denials:
        by_cat[(d["category"], d["preventable"])].append(d)
    for (cat, prev), ds in by_cat.items():
        amount = sum((d["amount"] for d in ds), ZERO)
        ranked.append(["Denials", f"{cat} denials ({'preventable' if prev else 'clinical or payer'})", len(ds), amount,
                       sum((d["recoverable"] for d in ds), ZERO), (amount * annual).quantize(CENT) if prev else ZERO,
                       "Appeal the open ones; fix the front-end cause." if prev else "Appeal with records."])
    by_payer: dict[str, list] = defaultdict(list)
    for u in figs.underpayments:
        by_payer[u["payer"]].append(u)
    for payer, us in by_payer.items():
        amount = sum((u["short"] for u in us), ZERO)
        ranked.append(["Underpayments", f"{payer} paid below contract", len(us), amount, amount,
                       (amount * annual).quantize(CENT), "Send a payment dispute with the contract rate."])
    by_kind: dict[str, list] = defaultdict(list)
    for r in a.coding_rows:
        by_kind[r["kind"]].append(r)
    for kind, rs in by_kind.items():
        amount = sum((r["impact"] for r in rs), ZERO)
        ranked.append(["Coding", kind, len(rs), amount, ZERO, (max(amount, ZERO) * annual).quantize(CENT),
                       "Correct and rebill inside the filing limit; train and adjust the charge capture."])
    risky = [r for r in figs.open_ar if r["risk"]]
    if risky:
        ranked.append(["AR", "Open claims near or past the filing limit", len(risky), at_risk, ZERO, ZERO,
                       "Work these first: check status, resubmit with proof of timely filing."])
    ranked.sort(key=lambda r: (-abs(r[3]), r[0], r[1]))
    out.append(OutputTable("Findings", ["Rank", "Area", "Finding", "Count", "Dollar Impact", "Recoverable Now",
                                        "Annualized", "Action"],
                           [[i, *r] for i, r in enumerate(ranked, start=1)], widths={"Finding": 50, "Action": 50}))

    out.append(OutputTable("Denials", ["Claim", "Payer", "Date of Service", "Remit Date", "Category", "Group", "CARC",
                                       "RARCs", "Code", "Amount", "First Adjudication", "Preventable", "Appeal By",
                                       "Status", "Recoverable Now"],
                           [[h(d["pcn"]), d["payer"], d["dos"], d["paid_on"], d["category"], d["group"], d["carc"],
                             d["rarcs"] or "", d["code"], d["amount"], "Y" if d["first"] else "N",
                             "Y" if d["preventable"] else "N", d["appeal_by"], d["status"], d["recoverable"]]
                            for d in sorted(figs.denials, key=lambda d: (-d["amount"], str(d["pcn"])))]))
    out.append(OutputTable("Underpayments", ["Claim", "Payer", "Date of Service", "Code", "Modifiers", "Units",
                                             "Expected Allowed", "Allowed", "Paid", "Short Paid"],
                           [[h(u["pcn"]), u["payer"], u["dos"], u["code"], u["modifiers"], u["units"], u["expected"],
                             u["allowed"], u["paid"], u["short"]]
                            for u in sorted(figs.underpayments,
                                            key=lambda u: (-u["short"], str(u["pcn"]), u["code"]))]))
    out.append(OutputTable("Coding Review", ["Encounter", "Date of Service", "Code", "Modifiers", "Billed Units",
                                             "Expected Units", "Kind", "Dollar Impact", "Priced By", "Explanation"],
                           [[h(r["encounter"]), r["dos"], r["code"], r["modifiers"], r["billed"], r["expected"],
                             r["kind"], r["impact"], r["priced_by"], r["explanation"]]
                            for r in sorted(a.coding_rows, key=lambda r: (-abs(r["impact"]), h(r["encounter"]),
                                                                           r["code"], r["kind"]))],
                           widths={"Explanation": 70, "Kind": 34}))
    out.append(OutputTable("AR and Filing Risk", ["Claim", "Payer", "Date of Service", "Age (days)", "Bucket", "Charge",
                                                  "Timely Filing"],
                           [[h(r["pcn"]), r["payer"], r["dos"], r["age"], r["bucket"], r["charge"], r["risk"]]
                            for r in sorted(figs.open_ar, key=lambda r: (-r["age"], str(r["pcn"])))]))
    method: list[list[Any]] = [["File", f.role, f.name, f.sha256, f.used] for f in a.files]
    method += [
        ["Assumption", "Appeal window", f"{figures.APPEAL_DAYS} days from the remit", "", "Medicare allows 120"],
        ["Assumption", "Timely filing limit", f"{figures.FILING_LIMIT_DAYS} days from the date of service", "",
         "the strictest common commercial limit; contracts may allow more"],
        ["Assumption", "As-of date", str(figs.as_of), "", "the latest remit's payment date"],
        ["Assumption", "Client (payee)", a.payee, "", "payments to any other payee are left out"],
        ["Assumption", "De-identification", "claims and encounters as salted hashes", "",
         "the salt stays with the consultant; no name, birth date, member ID or address is written (names and "
         "birth dates are read only as a one-way key to match the log)"],
    ]
    if not had_claims:
        method.append(["Missing", "Billed claims", "no 837 or charge export", "",
                       "open AR and the coding review need them"])
    if not had_log:
        given = next((f.name for f in a.files if f.role == "infusion log"), "")
        method.append(["Missing", "Infusion log", f"no encounters in {given}" if given else "none given", "",
                       "no coding review"])
    else:
        method.append(["Coverage", "Coding review", f"{sum(a.routes.values())} encounters compared", "",
                       "matched by " + (", ".join(f"{route}: {n}" for route, n in sorted(a.routes.items()))
                                        or "nothing")])
    if contract.has_rates:
        t = contract.tolerance
        method.append(["Assumption", "Underpayment", f"allowed below the contract by more than the larger of "
                       f"${t.amount} and {t.percent}% of it", "", "as reconciliation judges it: the payer's rate "
                       "for the code and modifiers on the date of service x units, the lesser of that and the "
                       "charge for a lesser-of payer"])
    else:
        method.append(["Missing", "Contracted rates", "none given", "",
                       "no underpayment review; coding priced at charges"])
    for f in a.findings:
        method.append(["Finding", f.rule_id, f.message, "", f.source])
    out.append(OutputTable("Method and Data", ["Kind", "Item", "Detail", "SHA-256", "Note"], method,
                           widths={"Detail": 50, "SHA-256": 66, "Note": 50}))
    return out


def write_assessment(a: Assessment, output: Path, *, client: str = "", force: bool = False) -> Path:
    """Write the sheets to ``output`` (a new workbook holding only the assessment)."""
    import openpyxl  # noqa: PLC0415 - only the assessment builds a workbook from nothing

    with work_folder() as tmp:
        base = Path(tmp) / "assessment.xlsx"
        wb = openpyxl.Workbook()
        ws = wb.worksheets[0]
        ws.title = "About"
        ws["A1"] = "Billing assessment" + (f": {client}" if client else "")
        ws["A2"] = "Built by infusion-billing from the client's own files; patients and claims appear only as hashes."
        wb.save(base)
        return write_outputs(base, a.tables, out=output, force=force, kind=ASSESSMENT)
