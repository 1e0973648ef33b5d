"""NCCI edits: procedure-to-procedure (PTP) pairs and medically unlikely edits (MUE), as CMS publishes them.

Every quarter CMS publishes, for **practitioners** (837P) and **hospital outpatient** departments
(837I) [S90]:

* the **PTP** files: a *column 1* and a *column 2* code that are not paid together for one patient on
  one day (the column-2 code is denied), with effective and deletion dates and a **modifier
  indicator**: ``0`` no modifier ever allows the pair, ``1`` a modifier (59, XE, XS, XP, XU, or an
  anatomic one) allows it when the services were really distinct, ``9`` the edit no longer applies;
* the **MUE** files: per HCPCS/CPT code, the most units one patient is expected to get on one day,
  and how it is adjudicated (``1`` per line, ``2``/``3`` per day).

:func:`read_ncci_file` reads those files in their published layouts: the PTP text files (tab
separated, with or without the header lines), their Excel and CSV versions (header ``Column 1``,
``Column 2``, ``*=in existence prior to 1996``, ``Effective Date``, ``Deletion Date *=no data``,
``Modifier 0=not allowed 1=allowed 9=not applicable``, ``PTP Edit Rationale``), and the MUE CSV
and Excel files (copyright lines, then ``HCPCS/CPT Code``, ``Practitioner Services MUE Values`` or
``Outpatient Hospital Services MUE Values``, ``MUE Adjudication Indicator``, ``MUE Rationale``). It
tells practitioner from hospital files by their column names or file names (``ccipra``/``ccioph``
for PTP, ``practitioner``/``hospital`` for MUE).

The tool ships a small table of its own (``reference/ncci_ptp.csv``, ``reference/ncci_mue.csv``)
for the drug-administration and drug codes of the demo clinic, each row naming the CMS file and
quarter it stands for. Those rows are written from public knowledge of the edits and marked as
such: import CMS's current files (``infusion-billing refdata import-ncci``) to bill with the real
edits, which then replace the shipped rows for the same codes.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

from .. import values as v
from ..findings import Finding
from ..reference.tables import parse_versioned_csv
from ..rules.scrub import NCCI_FILE, NCCI_ROW
from ..workbook.writer import OutputTable

PRACTITIONER, HOSPITAL = "Practitioner", "Hospital"
PTP_SHEET, MUE_SHEET = "NCCI PTP", "NCCI MUE"
PTP_COLUMNS = ("Claim Type", "Column 1", "Column 2", "Effective Date", "Deletion Date", "Modifier Indicator",
               "Rationale", "Source File", "Quarter")
MUE_COLUMNS = ("Claim Type", "Code", "MUE Value", "Adjudication Indicator", "Rationale", "Source File", "Quarter")
CACHE_FILES = {PTP_SHEET: "ncci_ptp.csv", MUE_SHEET: "ncci_mue.csv"}
_CODE = re.compile(r"^[0-9A-Z]\d{3}[0-9A-Z]$")
MAX_ROW_FINDINGS = 20


@dataclass(frozen=True, slots=True)
class PtpEdit:
    """One PTP pair: ``column2`` is not paid with ``column1`` on one day (modifier indicator 0/1/9)."""

    claim_type: str
    column1: str
    column2: str
    effective: date
    deleted: date | None
    modifier: str
    rationale: str = ""
    source: str = ""
    quarter: str = ""

    def in_force(self, on: date) -> bool:
        return self.modifier != "9" and self.effective <= on and (self.deleted is None or on <= self.deleted)

    def row(self) -> list[Any]:
        return [self.claim_type, self.column1, self.column2, self.effective, self.deleted, self.modifier,
                self.rationale, self.source, self.quarter]


@dataclass(frozen=True, slots=True)
class MueEdit:
    """One MUE: at most ``value`` units of ``code`` per line (indicator 1) or per day (2, 3)."""

    claim_type: str
    code: str
    value: int
    indicator: str
    rationale: str = ""
    source: str = ""
    quarter: str = ""

    @property
    def per_day(self) -> bool:
        return not self.indicator.startswith("1")

    def row(self) -> list[Any]:
        return [self.claim_type, self.code, self.value, self.indicator, self.rationale, self.source, self.quarter]


@dataclass
class NcciTables:
    """The edits in force for a run: PTP pairs and MUEs by claim type (Practitioner / Hospital)."""

    ptp: dict[tuple[str, str, str], list[PtpEdit]] = field(default_factory=dict)
    mue: dict[tuple[str, str], MueEdit] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def add(self, ptp: Iterable[PtpEdit] = (), mue: Iterable[MueEdit] = ()) -> None:
        for e in ptp:
            self.ptp.setdefault((e.claim_type, e.column1, e.column2), []).append(e)
        for m in mue:
            self.mue[(m.claim_type, m.code)] = m

    def replace_with(self, other: NcciTables) -> None:
        """Imported edits win over the shipped ones for the same pair or code."""
        for key, edits in other.ptp.items():
            self.ptp[key] = list(edits)
        self.mue.update(other.mue)
        self.findings.extend(other.findings)

    def pair(self, claim_type: str, column1: str, column2: str, on: date) -> PtpEdit | None:
        for e in self.ptp.get((claim_type, column1, column2), ()):
            if e.in_force(on):
                return e
        return None


# ---------------------------------------------------------------------------- the shipped table
def shipped() -> NcciTables:
    """The small table shipped with the tool (demo codes; public knowledge, verify against CMS)."""
    tables = NcciTables()
    ptp_text = files("infusion_billing.reference").joinpath("ncci_ptp.csv").read_text(encoding="utf-8")
    mue_text = files("infusion_billing.reference").joinpath("ncci_mue.csv").read_text(encoding="utf-8")
    _, ptp_rows = parse_versioned_csv(ptp_text, "ncci_ptp.csv")
    _, mue_rows = parse_versioned_csv(mue_text, "ncci_mue.csv")
    tables.add(ptp=(_ptp_from_record(r) for r in ptp_rows), mue=(_mue_from_record(r) for r in mue_rows))
    return tables


def _ptp_from_record(r: dict[str, Any]) -> PtpEdit:
    return PtpEdit(
        claim_type=str(r["Claim Type"]), column1=str(r["Column 1"]), column2=str(r["Column 2"]),
        effective=v.to_date(r["Effective Date"]),
        deleted=None if v.is_blank(r.get("Deletion Date")) or r.get("Deletion Date") == "*"
        else v.to_date(r["Deletion Date"]),
        modifier=v.to_code(r["Modifier Indicator"]), rationale=str(r.get("Rationale") or ""),
        source=str(r.get("Source File") or ""), quarter=str(r.get("Quarter") or ""))


def _mue_from_record(r: dict[str, Any]) -> MueEdit:
    return MueEdit(
        claim_type=str(r["Claim Type"]), code=str(r["Code"]), value=v.to_int(r["MUE Value"]),
        indicator=str(r.get("Adjudication Indicator") or ""), rationale=str(r.get("Rationale") or ""),
        source=str(r.get("Source File") or ""), quarter=str(r.get("Quarter") or ""))


def from_records(ptp: Iterable[dict[str, Any]], mue: Iterable[dict[str, Any]]) -> NcciTables:
    """Edits stored earlier (the book's NCCI sheets or the cache folder's CSVs); bad rows skipped."""
    tables = NcciTables()
    ok_ptp, ok_mue = [], []
    for r in ptp:
        try:
            ok_ptp.append(_ptp_from_record(r))
        except (KeyError, ValueError, TypeError):
            continue
    for r in mue:
        try:
            ok_mue.append(_mue_from_record(r))
        except (KeyError, ValueError, TypeError):
            continue
    tables.add(ok_ptp, ok_mue)
    return tables


def load_cache(folder: Path) -> NcciTables:
    """Edits a user imported into a cache folder (``ncci_ptp.csv``, ``ncci_mue.csv``)."""
    records: dict[str, list[dict[str, Any]]] = {}
    for sheet, name in CACHE_FILES.items():
        path = folder / name
        records[sheet] = list(csv.DictReader(path.open(encoding="utf-8", newline=""))) if path.is_file() else []
    return from_records(records[PTP_SHEET], records[MUE_SHEET])


# ---------------------------------------------------------------------------- CMS's published files
@dataclass
class NcciRead:
    """What one CMS file held: its PTP pairs or MUEs, and what could not be read."""

    name: str
    kind: str = ""  # "PTP" or "MUE"
    claim_type: str = ""
    ptp: list[PtpEdit] = field(default_factory=list)
    mue: list[MueEdit] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def read_ncci_file(path: str | Path, *, quarter: str = "") -> NcciRead:
    """Read one CMS PTP or MUE file (.txt, .csv, .xlsx, or a .zip of them). Never raises on bad data."""
    path = Path(path)
    out = NcciRead(path.name)
    try:
        tables = list(_file_rows(path))
    except (OSError, ValueError, zipfile.BadZipFile, KeyError) as exc:
        out.findings.append(NCCI_FILE.finding(f"{path.name} could not be read ({type(exc).__name__}).",
                                              source=path.name))
        return out
    for name, rows in tables:
        _read_rows(out, name, rows, quarter)
    if not out.ptp and not out.mue and not out.findings:
        out.findings.append(NCCI_FILE.finding(
            f"{path.name} holds no PTP or MUE rows in CMS's published layout.", source=path.name))
    return out


def _file_rows(path: Path) -> Iterator[tuple[str, list[list[str]]]]:
    suffix = path.suffix.lower()
    if suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                inner = Path(info.filename)
                if inner.suffix.lower() in (".txt", ".csv"):
                    yield inner.name, _text_rows(archive.read(info).decode("latin-1"))
        return
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook  # noqa: PLC0415 — only an Excel-format NCCI file needs it

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                yield path.name, [["" if c is None else _cell_text(c) for c in row]
                                  for row in sheet.iter_rows(values_only=True)]
        finally:
            book.close()
        return
    yield path.name, _text_rows(path.read_bytes().decode("latin-1"))


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    return str(value).strip()


def _text_rows(text: str) -> list[list[str]]:
    sample = "\n".join(text.splitlines()[:50])
    delimiter = "\t" if sample.count("\t") >= sample.count(",") else ","
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _read_rows(out: NcciRead, name: str, rows: list[list[str]], quarter: str) -> None:
    header_at, header = -1, [""]
    for i, row in enumerate(rows[:60]):
        keys = [_norm(c) for c in row]
        if "column1" in keys and "column2" in keys or any(k.startswith("hcpcscptcode") for k in keys):
            header_at, header = i, keys
            break
    lowered = name.lower()
    if header_at >= 0 and "column1" in header:
        _read_ptp(out, name, rows[header_at + 1:], header, quarter, header_at + 2)
    elif header_at >= 0:
        _read_mue(out, name, rows[header_at + 1:], header, quarter, header_at + 2)
    elif any(len(r) >= 6 and _CODE.match(r[0] or "") and _CODE.match(r[1] or "") for r in rows[:200]):
        # the PTP .txt files: the same seven columns without a header row
        keys = ["column1", "column2", "existence", "effectivedate", "deletiondate", "modifier", "ptpeditrationale"]
        _read_ptp(out, name, rows, keys, quarter, 1, claim_type=_ptp_type(lowered, ""))
    else:
        out.findings.append(NCCI_FILE.finding(
            f"{name}: no 'Column 1'/'Column 2' (PTP) or 'HCPCS/CPT Code' (MUE) header found.", source=name))


def _ptp_type(file_name: str, header_text: str) -> str:
    if "oph" in file_name or "hosp" in file_name or "outpatient" in header_text:
        return HOSPITAL
    return PRACTITIONER


def _index(header: list[str], *starts: str) -> int:
    for start in starts:
        for i, key in enumerate(header):
            if key.startswith(start):
                return i
    return -1


def _ptp_date(text: str) -> date | None:
    text = text.strip()
    if not text or text == "*":
        return None
    if re.fullmatch(r"\d{8}", text):
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    return v.to_date(text)


def _read_ptp(out: NcciRead, name: str, rows: list[list[str]], header: list[str], quarter: str, first: int, *,
              claim_type: str = "") -> None:
    out.kind = "PTP"
    out.claim_type = claim_type or _ptp_type(name.lower(), " ".join(header))
    c1, c2 = _index(header, "column1"), _index(header, "column2")
    eff, dele = _index(header, "effectivedate"), _index(header, "deletiondate")
    mod, why = _index(header, "modifier"), _index(header, "ptpeditrationale", "rationale")
    bad = 0
    for n, row in enumerate(rows, start=first):
        if not any(row):
            continue
        try:
            col1, col2 = row[c1].upper(), row[c2].upper()
            if not (_CODE.match(col1) and _CODE.match(col2)):
                raise ValueError("codes")
            effective = _ptp_date(row[eff])
            modifier = row[mod].strip()[:1]
            if effective is None or modifier not in ("0", "1", "9"):
                raise ValueError("date or modifier")
            deleted = _ptp_date(row[dele]) if 0 <= dele < len(row) else None
        except (IndexError, ValueError):
            if row and _CODE.match((row[0] or "").upper()):  # a data row that is wrong, not a note line
                bad += 1
                if bad <= MAX_ROW_FINDINGS:
                    out.findings.append(NCCI_ROW.finding(f"{name} row {n} is not a PTP edit; skipped.",
                                                         source=name))
            continue
        out.ptp.append(PtpEdit(out.claim_type, col1, col2, effective, deleted, modifier,
                               row[why] if 0 <= why < len(row) else "", name, quarter))
    _set_quarter(out, quarter)


def _read_mue(out: NcciRead, name: str, rows: list[list[str]], header: list[str], quarter: str,
              first: int) -> None:
    out.kind = "MUE"
    joined = " ".join(header) + " " + name.lower()
    out.claim_type = HOSPITAL if "hospital" in joined or "outpatient" in joined else PRACTITIONER
    code_at, value_at = _index(header, "hcpcscptcode"), _index(header, "practitionerservicesmue",
                                                                  "outpatienthospitalservicesmue", "muevalue", "mue")
    ind_at, why_at = _index(header, "mueadjudicationindicator", "mai"), _index(header, "muerationale", "rationale")
    bad = 0
    for n, row in enumerate(rows, start=first):
        if not any(row):
            continue
        try:
            code = row[code_at].upper()
            if not _CODE.match(code):
                raise ValueError("code")
            value = int(float(row[value_at]))
        except (IndexError, ValueError):
            if row and row[0].strip():
                bad += 1
                if bad <= MAX_ROW_FINDINGS:
                    out.findings.append(NCCI_ROW.finding(f"{name} row {n} is not an MUE; skipped.", source=name))
            continue
        out.mue.append(MueEdit(out.claim_type, code, value, row[ind_at] if 0 <= ind_at < len(row) else "",
                               row[why_at] if 0 <= why_at < len(row) else "", name, quarter))
    _set_quarter(out, quarter)


def _set_quarter(out: NcciRead, quarter: str) -> None:
    """Name the quarter of rows without one: the given ``quarter``, else the quarter of the latest
    effective date in the file (PTP) or the file name's ``YYYYqN`` (MUE)."""
    if quarter:
        return
    guess = ""
    match = re.search(r"(20\d\d)[ _-]?q([1-4])", out.name.lower())
    if match:
        guess = f"{match.group(1)}Q{match.group(2)}"
    elif out.ptp:
        last = max(e.effective for e in out.ptp)
        guess = f"{last.year}Q{(last.month - 1) // 3 + 1}"
    if guess:
        out.ptp = [PtpEdit(e.claim_type, e.column1, e.column2, e.effective, e.deleted, e.modifier, e.rationale,
                           e.source, guess) for e in out.ptp]
        out.mue = [MueEdit(m.claim_type, m.code, m.value, m.indicator, m.rationale, m.source, guess)
                   for m in out.mue]


# ---------------------------------------------------------------------------- storing imported edits
def merge_stored(existing_ptp: Iterable[dict[str, Any]], existing_mue: Iterable[dict[str, Any]],
                 reads: Iterable[NcciRead]) -> tuple[list[PtpEdit], list[MueEdit]]:
    """The stored edits plus a new import: a file's claim type and kind replace what was stored for them
    (a new quarter's practitioner PTP file replaces the last quarter's)."""
    stored = from_records(existing_ptp, existing_mue)
    new_ptp: list[PtpEdit] = []
    new_mue: list[MueEdit] = []
    replaced_ptp, replaced_mue = set(), set()
    for r in reads:
        new_ptp.extend(r.ptp)
        new_mue.extend(r.mue)
        if r.ptp:
            replaced_ptp.add(r.claim_type)
        if r.mue:
            replaced_mue.add(r.claim_type)
    old_ptp = [e for edits in stored.ptp.values() for e in edits if e.claim_type not in replaced_ptp]
    old_mue = [m for m in stored.mue.values() if m.claim_type not in replaced_mue]
    return old_ptp + new_ptp, old_mue + new_mue


def ncci_tables(ptp: Iterable[PtpEdit], mue: Iterable[MueEdit]) -> list[OutputTable]:
    """The ``NCCI PTP`` and ``NCCI MUE`` sheets of a workbook that stores its edits."""
    return [
        OutputTable(PTP_SHEET, list(PTP_COLUMNS), [e.row() for e in ptp],
                    number_formats={"Effective Date": "yyyy-mm-dd", "Deletion Date": "yyyy-mm-dd",
                                    "Column 1": "@", "Column 2": "@", "Modifier Indicator": "@"},
                    description="CMS NCCI procedure-to-procedure edits imported with refdata import-ncci."),
        OutputTable(MUE_SHEET, list(MUE_COLUMNS), [m.row() for m in mue], number_formats={"Code": "@"},
                    description="CMS NCCI medically unlikely edits imported with refdata import-ncci."),
    ]


def write_cache(folder: Path, ptp: Iterable[PtpEdit], mue: Iterable[MueEdit]) -> list[Path]:
    """Store the edits as CSV files in ``folder`` (for files too large to keep in the workbook)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for sheet, columns, rows in ((PTP_SHEET, PTP_COLUMNS, [e.row() for e in ptp]),
                                 (MUE_SHEET, MUE_COLUMNS, [m.row() for m in mue])):
        path = folder / CACHE_FILES[sheet]
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(columns)
            for row in rows:
                writer.writerow(["" if x is None else x.isoformat() if isinstance(x, date) else x for x in row])
        tmp.replace(path)
        written.append(path)
    return written
