"""What a client hands over, read into plain tables: 835 remittances, billed claims, the infusion log.

Every file is named with its SHA-256 (the Method and Data sheet lists them, so anyone can check the
report was built from exactly these files). Billed claims come from 837 files (:func:`read_837`) or from
a charge export (CSV or .xlsx, one row per billed line) whose columns are found by their header names,
the way the workbook reader finds its columns. A bad 835, 837 or CSV is a finding and is left out; the
835 reader's own findings (a bad amount, a broken envelope) are carried as ``import-era`` reports them.
An .xlsx export that is not a workbook at all is refused in the workbook reader's one sentence
(:func:`~infusion_billing.workbook.reader.check_is_workbook`), as a non-workbook infusion log is; so is
a run with no 835 at all.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from .. import values as v
from ..claims.reader import LINE_COLUMNS, read_837
from ..findings import Finding
from ..privacy import patient_key
from ..remits import read_835
from ..remits.importer import collect_sources
from ..remits.reader import concat_remits
from ..remits.tables import Remit835
from ..rules import assess as rules
from ..workbook.reader import check_is_workbook
from ..workbook.writer import file_hash

#: Charge-export header (normalised) -> claim-line field. A real export names these many ways.
EXPORT_HEADERS: dict[str, str] = {}
for _field, _names in {
    "claim_id": ("claim id", "claim number", "claim no", "patient control number", "pcn", "account number",
                 "encounter id", "invoice number"),
    "member_id": ("member id", "subscriber id", "insured id", "policy number"),
    "service_from": ("date of service", "dos", "service date", "from date", "service from"),
    "code": ("code", "cpt", "hcpcs", "cpt/hcpcs", "procedure code", "cpt code"),
    "modifiers": ("modifiers", "modifier", "mod"),
    "units": ("units", "qty", "quantity", "units billed"),
    "charge": ("charge", "charges", "billed amount", "amount", "line charge"),
    "payer_name": ("payer", "payer name", "insurance", "carrier"),
    "ndc": ("ndc", "ndc code"),
    # Read only to match a claim to the infusion log's patient (privacy.patient_key), never kept.
    "last_name": ("last name", "patient last name", "surname"),
    "first_name": ("first name", "patient first name", "given name"),
    "patient_name": ("patient name", "patient", "name"),
    "birth_date": ("date of birth", "dob", "birth date", "birthdate", "patient dob"),
}.items():
    for _name in _names:
        EXPORT_HEADERS[v.norm_key(_name)] = _field
EXPORT_REQUIRED = ("claim_id", "code", "charge")
#: What the assessment keeps of a billed claim (patient_key: the one-way name + birth date key).
CLAIM_FIELDS = ("claim_id", "member_id", "patient_key", "payer_name", "billing_npi", "statement_from", "total_charge",
                "frequency")


@dataclass
class InputFile:
    """One file the assessment read: its role, name, SHA-256 and what was taken from it."""

    role: str
    name: str
    sha256: str
    used: str


@dataclass
class ClientFiles:
    """Everything read from the client's files, ready for the figures."""

    remit: Remit835
    claims: pd.DataFrame  # one row per billed claim: claim_id, member_id, payer, statement_from, total_charge
    lines: pd.DataFrame  # one row per billed line (read_837's LINE_COLUMNS)
    files: list[InputFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def sha256(path: Path) -> str:
    """The file's SHA-256 in hex, as the RunLog records an input workbook's."""
    return file_hash(path)


def read_remits(sources: list[str | Path]) -> tuple[Remit835 | None, list[InputFile], list[Finding]]:
    """The 835s of the given files and folders, with every finding the 835 reader made of them."""
    paths, findings = collect_sources(sources)
    remits, files = [], []
    for path in paths:
        remit = read_835(path)
        bad = [f for f in remit.findings if f.rule_id == "era.unreadable-file"]
        if bad:
            findings.append(rules.UNREADABLE.finding(f"{path.name} is not a readable 835 remittance; left out.",
                                                     source=path.name))
            continue
        findings.extend(remit.findings)  # as import-era reports them: a damaged 835 is never silent
        remits.append(remit)
        files.append(InputFile("835 remittance", path.name, sha256(path),
                               f"{len(remit.payments)} payments, {len(remit.claims)} claims"))
    return (concat_remits(remits) if remits else None), files, findings


def read_claims(sources: list[str | Path]) -> tuple[pd.DataFrame, pd.DataFrame, list[InputFile], list[Finding]]:
    """Billed claims and lines from 837 files or charge exports (the kind is told by the file's name)."""
    paths: list[Path] = []
    for source in sources:
        p = Path(source)
        paths += sorted(q for q in p.iterdir() if q.is_file() and not q.name.startswith(".")) if p.is_dir() else [p]
    claim_frames, line_frames, files, findings = [], [], [], []
    for path in paths:
        if path.suffix.lower() in (".csv", ".xlsx", ".xlsm"):
            lines, problem = _read_export(path)
            if problem:
                findings.append(problem)
                continue
            claim_frames.append(_claims_from_lines(lines))
            line_frames.append(lines)
            files.append(InputFile("charge export", path.name, sha256(path), f"{len(lines)} lines"))
            continue
        read = read_837(path)
        if any(f.rule_id == "x12.unreadable-file" for f in read.findings):
            findings.append(rules.UNREADABLE.finding(f"{path.name} is not a readable 837 claim file; left out.",
                                                     source=path.name))
            continue
        claims, lines = read.claims.copy(), read.lines.copy()
        # A professional claim has no statement dates: its date of service is its first line's.
        first_line: dict[str, Any] = {}
        for cid, served in zip(lines["claim_id"], lines["service_from"], strict=True):
            if served is not None and (cid not in first_line or served < first_line[cid]):
                first_line[cid] = served
        claims["statement_from"] = [s or first_line.get(c) for c, s in
                                    zip(claims["claim_id"], claims["statement_from"], strict=True)]
        dos = dict(zip(claims["claim_id"], claims["statement_from"], strict=True))
        lines["service_from"] = [s if s is not None else dos.get(c) for c, s in
                                 zip(lines["claim_id"], lines["service_from"], strict=True)]
        claim_frames.append(claims[list(CLAIM_FIELDS)])
        line_frames.append(lines)
        files.append(InputFile("837 claims", path.name, sha256(path), f"{len(claims)} claims, {len(lines)} lines"))
    claims = pd.concat(claim_frames, ignore_index=True) if claim_frames else pd.DataFrame(columns=list(CLAIM_FIELDS))
    lines = pd.concat(line_frames, ignore_index=True) if line_frames else pd.DataFrame(columns=list(LINE_COLUMNS))
    return claims, lines, files, findings


def _read_export(path: Path) -> tuple[pd.DataFrame, Finding | None]:
    rows = _export_rows(path)
    if not rows:
        return pd.DataFrame(), rules.UNKNOWN_HEADERS.finding(f"{path.name} holds no rows; left out.",
                                                             source=path.name)
    header = [EXPORT_HEADERS.get(v.norm_key(str(h or ""))) for h in rows[0]]
    missing = [f for f in EXPORT_REQUIRED if f not in header]
    if missing:
        return pd.DataFrame(), rules.UNKNOWN_HEADERS.finding(
            f"{path.name} has no column for {', '.join(m.replace('_', ' ') for m in missing)} among its headers; "
            "left out.", source=path.name)
    out: list[dict[str, Any]] = []
    for n, raw in enumerate(rows[1:], start=1):
        rec = {f: raw[i] if i < len(raw) else None for i, f in enumerate(header) if f}
        if not rec.get("claim_id") or not rec.get("code"):
            continue
        out.append({
            "file": path.name, "claim_id": str(rec["claim_id"]).strip(), "line": n,
            "patient_key": _patient_key(rec),
            "code": str(rec["code"]).strip().upper(),
            "modifiers": ",".join(modifiers_of(rec.get("modifiers"))),
            "charge": _money(rec.get("charge")), "units": _units(rec.get("units")),
            "service_from": _day(rec.get("service_from")), "ndc": str(rec.get("ndc") or ""),
            "member_id": str(rec.get("member_id") or ""), "payer_name": str(rec.get("payer_name") or ""),
        })
    return pd.DataFrame(out, dtype=object), None


def modifiers_of(text: Any) -> tuple[str, ...]:
    """A line's modifiers as written in a file (``JW,JZ``, ``JW:JZ`` or ``JW JZ``), in order."""
    return tuple(m for m in str(text or "").replace(":", ",").replace(" ", ",").split(",") if m)


def _patient_key(rec: dict[str, Any]) -> str | None:
    """The one-way name + birth date key of an export row; a single name column reads as "Last, First"
    with a comma, else "First Last"."""
    last, first = rec.get("last_name"), rec.get("first_name")
    if not last and rec.get("patient_name"):
        name = str(rec["patient_name"]).strip()
        if "," in name:
            last, _, first = name.partition(",")
        else:
            first, _, last = name.rpartition(" ")
    return patient_key(last, first, _day(rec.get("birth_date")))


def _day(value: Any) -> date | None:
    """A date from an export cell; blank or unreadable is None (the row still counts)."""
    if value in (None, ""):
        return None
    try:
        return v.to_date(value)
    except Exception:  # a cell error: the date is left out, as a blank would be
        return None


def _units(value: Any) -> Decimal:
    """Units as exported (2, 2.0, 0.5, 6E+2); blank or unreadable counts as 1, as on a claim form."""
    try:
        units = Decimal(str(value).replace(",", "").strip())
    except (ArithmeticError, ValueError):
        return Decimal(1)
    return units if units.is_finite() and units > 0 else Decimal(1)


def _money(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return v.to_money(str(value).replace("$", "").replace(",", "").strip())
    except Exception:  # an unreadable amount is blank: the line still counts, unpriced
        return None


def _export_rows(path: Path) -> list[list[Any]]:
    if path.suffix.lower() == ".csv":
        with open(path, newline="", encoding="utf-8-sig", errors="replace") as fh:
            return [row for row in csv.reader(fh) if any(c.strip() for c in row)]
    import openpyxl  # noqa: PLC0415 - only a charge export in .xlsx needs it

    check_is_workbook(path)  # a text file named .xlsx: one sentence, as for the infusion log
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True) if any(c is not None for c in r)]
    finally:
        wb.close()


def _claims_from_lines(lines: pd.DataFrame) -> pd.DataFrame:
    out = []
    for cid, group in lines.groupby("claim_id", sort=False):
        charges = [c for c in group["charge"] if c is not None]
        out.append({"claim_id": cid, "member_id": group["member_id"].iloc[0],
                    "patient_key": next((k for k in group["patient_key"] if k), None),
                    "payer_name": group["payer_name"].iloc[0],
                    "billing_npi": "", "statement_from": min((d for d in group["service_from"] if d), default=None),
                    "total_charge": sum(charges, Decimal("0.00")), "frequency": "1"})
    return pd.DataFrame(out, dtype=object)
