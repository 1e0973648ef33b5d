"""The pipeline's ``appeals`` stage: one .docx per appealable denial still being worked.

For every row of the current worklist whose Work Status is not Resolved or Written off (and, with
``--claim``, only those claims), the category's template (:mod:`.letters`) is filled with the claim's
facts: the practice (Practice table), the payer, the patient's name, member ID and birth date (the
payer needs them to find the claim), the payer claim number, date of service, code, amount, the
reason in plain words, the remit date and the appeal deadline. Denials fixed by a corrected claim get
the corrected-claim note instead of a letter.

The letters go to ``RunOptions.out_dir``; names carry the Claim ID, Line Control Number and CARC, never
the patient's name. The tool does not change Work Status: the biller sets Appealed when the letter
is sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..claims.build import BookIndex
from ..derived import key_text
from ..findings import Finding
from ..rules import denial as rules
from ..stages import RunOptions, StageResult
from ..workbook.reader import BookData
from .letters import CORRECTED, blocks, fill, load_template, template_name, write_docx
from .stage import current_worklist
from .worklist import RESOLVED, WRITTEN_OFF, ClaimFacts, Denial

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def run(book: BookData, options: RunOptions) -> StageResult:
    current = current_worklist(book, options)
    findings: list[Finding] = list(current.findings)
    if options.out_dir is None:
        findings.append(rules.APPEALS_NO_FOLDER.finding("No folder was given for the appeal letters (--out-dir)."))
        return StageResult(findings=findings)
    wanted = set(options.claim_ids)
    status = {_key(r): r.get("Work Status") for r in current.records()}
    todo = [d for d in current.denials
            if status.get(d.key) not in (RESOLVED, WRITTEN_OFF) and (not wanted or d.claim_id in wanted)]
    for claim in sorted(wanted - {d.claim_id for d in current.denials}):
        findings.append(rules.APPEALS_NOT_DENIED.finding(
            f"Claim {claim} has no denial on the worklist; no letter was written for it.", value=claim))
    out_dir = Path(options.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    context = _Context(book, current.claims)
    letters = notes = 0
    templates = Path(options.templates) if options.templates else None
    for denial in options.progress(todo, total=len(todo), desc="appeal letters"):
        name = template_name(denial.category, denial.carc)
        text = fill(load_template(name, templates), context.facts(denial, current.as_of))
        path = out_dir / _file_name(denial, "corrected-claim-note" if name == CORRECTED else f"appeal-{name}")
        write_docx(path, blocks(text))
        letters += name != CORRECTED
        notes += name == CORRECTED
    return StageResult(findings=findings, summary={
        "appeal letters written": letters, "corrected-claim notes written": notes, "folder": str(out_dir)})


def _key(record: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(key_text(record.get(k)) for k in ("Claim ID", "Line Control Number", "CARC", "Remit Date"))


def _file_name(denial: Denial, kind: str) -> str:
    parts = [denial.claim_id, denial.control_number or "claim", denial.carc, kind]
    return _UNSAFE.sub("-", "_".join(p for p in parts if p)) + ".docx"


class _Context:
    """The book's facts a letter needs, looked up once (the claim builder's index of the book)."""

    def __init__(self, book: BookData, claims: Mapping[str, ClaimFacts]) -> None:
        self.index = BookIndex(book)
        self.claims = claims

    def _member_id(self, patient_id: str, payer_id: str, dos: date | None) -> str:
        row = self.index.coverage_for(patient_id, payer_id, dos) if dos else None
        return (row.member_id or "") if row else ""

    def facts(self, d: Denial, as_of: date) -> dict[str, str]:
        patient = self.index.patients.get(d.patient_id)
        payer = self.index.payers.get(d.payer_id)
        facts = self.claims.get(d.claim_id)
        claim_type = facts.claim_type if facts else "837P"
        practice = self.index.practice_row(d.payer_id, claim_type)
        address = ", ".join(x for x in (practice.address_line_1, practice.address_line_2, practice.city,
                                        f"{practice.state} {practice.zip_code}") if x) if practice else ""
        return {
            "letter_date": f"{as_of:%B} {as_of.day}, {as_of.year}",
            "practice_name": practice.name if practice else "",
            "practice_address": address,
            "practice_phone": practice.contact_phone if practice else "",
            "practice_npi": practice.npi if practice else "",
            "payer_name": payer.payer_name if payer else d.payer_id,
            "payer_id": d.payer_id,
            "patient_name": f"{patient.first_name} {patient.last_name}" if patient else "",
            "patient_dob": patient.date_of_birth.isoformat() if patient else "",
            "member_id": self._member_id(d.patient_id, d.payer_id, d.service_date),
            "claim_id": d.claim_id,
            "payer_claim_number": d.payer_claim_number or "(not on the remit)",
            "date_of_service": d.service_date.isoformat() if d.service_date else "",
            "code": d.code or "(whole claim)",
            "denied_amount": _dollars(d.amount),
            "carc": f"{d.group}-{d.carc}",
            "rarcs": f", remark {d.rarcs}" if d.rarcs else "",
            "reason": d.reason,
            "remit_date": d.remit_date.isoformat() if d.remit_date else "",
            "appeal_deadline": d.deadline.isoformat() if d.deadline else "the payer's appeal deadline",
            "category": d.category,
        }


def _dollars(amount: Decimal) -> str:
    return f"${amount:,.2f}"
