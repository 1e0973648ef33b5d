"""No patient identifier leaves the client's files: not in the workbook, not in the PDF, not on the screen
or in a log.

Every input names the patients: the infusion log (names, birth dates, addresses, member IDs), the
837s (subscriber or patient NM1 names, DMG birth dates, N3 street addresses, member IDs), the charge
export (names, birth dates, member IDs) and the 835s, here rewritten to name each claim's patient and
member ID the way a payer does (NM1*QC, and NM1*IL for the insured). The assessment is then run through
the command, with --pdf, and every byte it writes is searched: the workbook's unzipped parts, the
PDF's extracted text and its raw bytes with each compressed stream inflated, the salt file, what the
command printed and every log record.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
import zlib
from pathlib import Path

import pypdf

from infusion_billing import cli
from infusion_billing.workbook.reader import read_workbook

HEX = re.compile(r"^[0-9a-fA-F]+$")


def _forms(book_path: Path) -> tuple[dict[str, set[str]], dict[str, tuple[str, str, str]]]:
    """Every way an input writes each patient's identifiers, and claim (= encounter) -> (last, first, member)."""
    book = read_workbook(book_path)
    found: dict[str, set[str]] = {"name": set(), "birth date": set(), "member ID": set(), "address": set()}
    member_of: dict[str, str] = {}
    for c in book.rows("Coverage"):
        if c.member_id:
            found["member ID"].add(str(c.member_id))
            member_of.setdefault(c.patient_id, str(c.member_id))
    people = {}
    for p in book.rows("Patients"):
        people[p.patient_id] = p
        found["name"] |= {f"{p.first_name} {p.last_name}", f"{p.last_name}, {p.first_name}",
                          f"{p.last_name}*{p.first_name}".upper(), f"{p.last_name.upper()}, {p.first_name.upper()}"}
        # A surname on its own, where it cannot be mistaken for hex digits or a common word.
        if len(p.last_name) >= 6 and not HEX.match(p.last_name):
            found["name"].add(p.last_name)
        found["birth date"] |= {p.date_of_birth.strftime(f) for f in ("%Y%m%d", "%m/%d/%Y", "%Y-%m-%d")}
        if p.address_line_1:
            found["address"].add(p.address_line_1)
    claims = {e.encounter_id: (people[e.patient_id].last_name, people[e.patient_id].first_name,
                               member_of.get(e.patient_id, "")) for e in book.rows("Encounters")}
    return found, claims


def _name_the_patients_in(remit: Path, claims: dict[str, tuple[str, str, str]]) -> int:
    """Rewrite each claim loop's NM1*QC with the patient's name and member ID, and add the insured (NM1*IL)."""
    segments = remit.read_text().split("~")
    named, claim = 0, ""
    for n, seg in enumerate(segments):
        seg = seg.strip()
        if seg.startswith("CLP*"):
            claim = seg.split("*")[1]
        elif seg.startswith("NM1*QC*") and claim in claims:
            last, first, member = claims[claim]
            segments[n] = (f"\nNM1*QC*1*{last.upper()}*{first.upper()}****MI*{member}~\n"
                           f"NM1*IL*1*{last.upper()}*{first.upper()}****MI*{member}")
            named += 1
    remit.write_text("~".join(segments))
    return named


def _pdf_bytes_inflated(data: bytes) -> bytes:
    """The PDF's raw bytes followed by every stream inflated (fpdf2 compresses page content with Flate)."""
    out = [data]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            out.append(zlib.decompress(m.group(1)))
        except zlib.error:
            out.append(m.group(1))
    return b"\n".join(out)


def test_no_patient_identifier_in_any_byte_of_the_outputs(clinic, kits, tmp_path, capsys, caplog):
    kit = kits[True]
    forms, claims = _forms(clinic / "demo-input.xlsx")
    remits = tmp_path / "835"
    remits.mkdir()
    named = 0
    for src in sorted(kit.remits.iterdir()):
        (remits / src.name).write_bytes(src.read_bytes())
        named += _name_the_patients_in(remits / src.name, claims)
    claim_files = sorted((clinic / "837").glob("*.837"))

    # Every kind of identifier is in the inputs, so finding none in the outputs means something.
    inputs = b"".join(p.read_bytes() for p in [*remits.iterdir(), *claim_files, kit.claims])
    for kind in ("name", "birth date", "member ID", "address"):
        assert any(i.encode() in inputs for i in forms[kind]), kind
    assert named > 50

    out, pdf = tmp_path / "assessment.xlsx", tmp_path / "assessment.pdf"
    with caplog.at_level(logging.DEBUG):
        code = cli.main(["assess", "--remits", str(remits), "--claims", str(kit.claims), *map(str, claim_files),
                         "--encounters", str(clinic / "demo-input.xlsx"), "--client", "Example Infusion",
                         "-o", str(out), "--pdf", str(pdf)])
    assert code == 0
    printed = capsys.readouterr()
    with zipfile.ZipFile(out) as z:
        workbook = b"\n".join(z.read(n) for n in z.namelist())
    raw = pdf.read_bytes()
    reader = pypdf.PdfReader(io.BytesIO(raw))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 3 and "Top findings, ranked by dollars" in text  # the PDF was read
    haystacks = {
        "workbook": workbook, "pdf text": text.encode(), "pdf bytes": _pdf_bytes_inflated(raw),
        "salt": (tmp_path / "assessment.xlsx.salt").read_bytes(),
        "stdout": printed.out.encode(), "stderr": printed.err.encode(),
        "logs": "\n".join(r.getMessage() for r in caplog.records).encode(),
    }
    leaked = sorted((kind, where, i) for kind, ids in forms.items() for i in ids
                    for where, data in haystacks.items() if i.encode() in data)
    assert leaked == []
