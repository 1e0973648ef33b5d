"""How the coding review finds the claim billed for an encounter of the client's infusion log.

A claim is matched by its patient control number when it equals the Encounter ID; a client whose
billing system numbers claims its own way is matched by the patient's member ID and the date of
service, and without a member ID by the patient's name and date of birth and the date of service.
Each route must find the very same billing mistakes, to the cent.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from infusion_billing.assess import assess
from infusion_billing.assess.coding_review import BY_CONTROL_NUMBER, BY_MEMBER_ID, BY_NAME_AND_BIRTH
from infusion_billing.claims.reader import read_837
from infusion_billing.privacy import patient_key
from infusion_billing.workbook.reader import read_workbook


def _rekeyed_export(kit, out: Path, *, member: bool, name: bool) -> Path:
    """The charge export with the billing system's own invoice numbers instead of Encounter IDs, and the
    member ID and/or the patient's name and birth date left blank."""
    with open(kit.claims, newline="") as fh:
        rows = list(csv.DictReader(fh))
    invoice: dict[str, str] = {}
    for r in rows:
        r["Claim ID"] = invoice.setdefault(r["Claim ID"], f"INV-{70000 + len(invoice)}")
        if not member:
            r["Member ID"] = ""
        if not name:
            r["Patient Name"] = r["Date of Birth"] = ""
    path = out / "export.csv"
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def _review(result) -> list[tuple]:
    return sorted((r["encounter"], r["code"], r["kind"], r["impact"]) for r in result.coding_rows)


def test_claims_numbered_by_encounter_id_match_by_patient_control_number(clinic, kits):
    kit = kits[True]
    result = assess([kit.remits], [kit.claims], encounters=clinic / "demo-input.xlsx", salt="s")
    assert result.routes == {BY_CONTROL_NUMBER: 75}
    assert len(result.coding_rows) == 8
    assert sum((r["impact"] for r in result.coding_rows), Decimal(0)) == Decimal("205.35")


@pytest.mark.parametrize(("member", "name", "route"), [(True, False, BY_MEMBER_ID), (False, True, BY_NAME_AND_BIRTH)],
                         ids=["member ID and date of service", "name, birth date and date of service"])
def test_an_export_with_its_own_claim_numbers_matches_by_the_patient_and_date_of_service(
        clinic, kits, tmp_path, member, name, route):
    kit = kits[True]
    export = _rekeyed_export(kit, tmp_path, member=member, name=name)
    rekeyed = assess([kit.remits], [export], encounters=clinic / "demo-input.xlsx", salt="s")
    by_pcn = assess([kit.remits], [kit.claims], encounters=clinic / "demo-input.xlsx", salt="s")
    assert rekeyed.routes == {route: 75}
    assert _review(rekeyed) == _review(by_pcn)


def test_with_neither_member_id_nor_name_the_encounters_are_reported_unbilled(clinic, kits, tmp_path):
    kit = kits[True]
    blind = assess([kit.remits], [_rekeyed_export(kit, tmp_path, member=False, name=False)],
                   encounters=clinic / "demo-input.xlsx", salt="s")
    assert blind.routes == {} and blind.coding_rows == []
    assert [f.rule_id for f in blind.findings] == ["assess.encounter-unbilled"]
    assert blind.findings[0].message.startswith("80 coded encounter(s)")  # 75 billed + 5 the scrubber held


def test_an_837_without_member_ids_matches_by_the_subscribers_name_and_birth_date(clinic, tmp_path):
    """837 loop 2010BA names the subscriber (NM1*IL) and gives the birth date (DMG): with CLM01 the billing
    system's own number and no member ID, that is what finds the encounter."""
    files = []
    for n, path in enumerate(sorted((clinic / "837").glob("*.837"))):
        text = path.read_text()
        text = re.sub(r"CLM\*E(\d+)\*", r"CLM*ACCT\1*", text)
        text = re.sub(r"(NM1\*IL\*1\*[^*~]*\*[^*~]*)\*\*\*\*MI\*[^~]*", r"\1", text)
        files.append(tmp_path / f"{n}.837")
        files[-1].write_text(text)
    read = read_837(files[0])
    assert read.claims["member_id"].isna().all() and read.claims["patient_key"].notna().all()
    # The key is the name and birth date, one way: the same patient in the log gives the same key.
    log = read_workbook(clinic / "demo-input.xlsx")
    assert set(read.claims["patient_key"]) <= {patient_key(p.last_name, p.first_name, p.date_of_birth)
                                               for p in log.rows("Patients")}
    result = assess([clinic / "835"], files, encounters=clinic / "demo-input.xlsx", salt="s")
    assert result.routes == {BY_NAME_AND_BIRTH: 75}
    assert result.coding_rows == []  # the practice's own 837s bill what its log supports


def test_the_patient_key_reads_names_as_either_file_writes_them():
    born = date(1980, 10, 9)
    assert patient_key("O'Brien", "Mary Ann", born) == patient_key("OBRIEN", "MARYANN", born)
    assert patient_key("OBrien", "Mary", born) != patient_key("OBrien", "Mary", born.replace(day=10))
    assert patient_key("", "Mary", born) is None and patient_key("OBrien", "Mary", None) is None
