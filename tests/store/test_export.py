"""export-store: every table of a clinic's month into the Parquet store, once, however often it runs."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from infusion_billing import __version__
from infusion_billing import values as v
from infusion_billing.assess.report import Hasher
from infusion_billing.cli import main
from infusion_billing.store.export import clinic_key, export_store, write_table
from infusion_billing.workbook.reader import read_workbook
from infusion_billing.workbook.writer import file_hash, read_output_table

from .conftest import close


def files_of(store: Path) -> dict[str, bytes]:
    return {str(p.relative_to(store)): p.read_bytes() for p in sorted(store.rglob("*")) if p.is_file()}


def table(store: Path, relation: str) -> pa.Table:
    return pq.read_table(store / relation, partitioning="hive")


def test_every_table_goes_to_the_store_by_clinic_and_month_with_money_as_decimal(clinic_books, tmp_path):
    book = clinic_books["Northside"]
    store = tmp_path / "store"
    result = export_store(book, store, clinic="Northside")

    charges = read_output_table(book, "Charges")
    stored = table(store, "charges")
    # Money is decimal(18,2), dates are dates: the stored total is the sheet's to the cent.
    assert stored.schema.field("charge").type == pa.decimal128(18, 2)
    assert stored.schema.field("date_of_service").type == pa.date32()
    assert sum(stored.column("charge").to_pylist()) == sum(v.to_money(r["Charge"]) for r in charges)
    assert stored.num_rows == len(charges) == result.written["charges"]
    months = sorted({f"{r['Date of Service']:%Y-%m}" for r in charges})
    assert sorted(p.name for p in (store / "charges" / "clinic=Northside").iterdir()) == [f"month={m}" for m in months]

    # Inputs, ledgers and derived sheets alike; a table without dates is by clinic only.
    for relation in ("encounters", "administrations", "payers", "fee_schedule", "claims", "claim_lines",
                     "era_payments", "era_adjustments", "reconciliation", "denials", "ar_aging", "findings", "run_log"):
        assert (store / relation / "clinic=Northside").is_dir(), relation
    assert (store / "payers" / "clinic=Northside" / "part-0000.parquet").exists()
    claims = table(store, "claims")
    assert claims.schema.field("total_charge").type == pa.decimal128(18, 2)
    assert claims.num_rows == len(read_output_table(book, "Claims"))
    adjustments = table(store, "era_adjustments")
    # An ERA adjustment is filed under its payment's month (the 835's payment date).
    payment_months = {f"{r['Payment Date']:%Y-%m}" for r in read_output_table(book, "EraPayments")}
    assert set(adjustments.column("month").to_pylist()) <= payment_months

    manifest = json.loads((store / "manifest.json").read_text())
    assert manifest["tool_version"] == __version__
    clinic = manifest["clinics"]["Northside"]
    assert clinic["books"] == [{"file": book.name, "sha256": file_hash(book)}]
    assert sum(clinic["rows"]["charges"].values()) == len(charges)
    encounters = read_workbook(book).rows("Encounters")
    assert sum(clinic["rows"]["encounters"].values()) == len(encounters)
    assert manifest["tables"]["claims"]["kind"] == "ledger" and manifest["tables"]["claims"]["key"] == ["Claim ID"]
    assert manifest["tables"]["charges"]["partitioned_by"] == ["clinic", "month"]
    assert {"name": "charge", "type": "decimal128(18, 2)"} in manifest["tables"]["charges"]["columns"]


def test_exporting_the_same_book_twice_changes_no_byte(clinic_books, tmp_path):
    store = tmp_path / "store"
    export_store(clinic_books["Lakeview"], store, clinic="Lakeview")
    before = files_of(store)
    again = export_store(clinic_books["Lakeview"], store, clinic="Lakeview")
    assert files_of(store) == before
    assert again.files_changed == 0
    assert again.written["claims"] == 0 and again.already["claims"] == table(store, "claims").num_rows


def test_a_ledger_adds_only_rows_it_does_not_hold_and_a_derived_table_replaces_its_month(tmp_path):
    store = tmp_path / "store"
    columns = ["Claim ID", "Encounter ID", "Statement From", "Total Charge", "Status"]
    rows = [[f"E{i:03d}", f"E{i:03d}", v.to_date(f"2026-10-{i + 1:02d}"), Decimal("100.00") + i, "Submitted"]
            for i in range(8)]
    write_table(store, "Northside", "Claims", columns, rows[:5])
    write_table(store, "Northside", "Claims", columns, rows)  # the first five again, and three new
    folder = store / "claims" / "clinic=Northside" / "month=2026-10"
    assert sorted(p.name for p in folder.iterdir()) == ["part-0000.parquet", "part-0001.parquet"]
    assert pq.read_table(folder / "part-0001.parquet").column("claim_id").to_pylist() == ["E005", "E006", "E007"]
    assert table(store, "claims").num_rows == 8

    recon = ["Claim ID", "Date of Service", "Paid"]
    write_table(store, "Northside", "Reconciliation", recon, [["E001", v.to_date("2026-10-02"), Decimal("10.00")]])
    write_table(store, "Northside", "Reconciliation", recon, [["E001", v.to_date("2026-10-02"), Decimal("12.50")]])
    assert table(store, "reconciliation").column("paid").to_pylist() == [Decimal("12.50")]


def test_a_deidentified_store_holds_no_name_birth_date_member_id_or_patient_number(clinic_books, tmp_path):
    book = clinic_books["Riverbend"]
    data = read_workbook(book)
    patient_ids = {p.patient_id for p in data.rows("Patients")}
    secrets = set()
    for p in data.rows("Patients"):
        secrets |= {p.last_name, p.first_name, p.date_of_birth, p.address_line_1, p.city}
    for c in data.rows("Coverage"):
        secrets |= {c.member_id, c.subscriber_last_name, c.subscriber_first_name}
    secrets -= {None, ""}
    store = tmp_path / "store"
    export_store(book, store, clinic="Riverbend", deidentify=True, salt="consultant-secret")

    seen = set()
    for relation in (p.name for p in store.iterdir() if p.is_dir()):
        for row in table(store, relation).to_pylist():
            seen |= set(row.values())
    assert not secrets & seen
    assert not {"last_name", "date_of_birth", "member_id"} & set(table(store, "patients").column_names)
    # No patient number (P000006) anywhere, whole or inside a cell, in any table.
    texts = {x for x in seen if isinstance(x, str)}
    assert "P000006" in patient_ids
    assert not [t for t in texts if any(p in t for p in patient_ids)]
    # AR Aging's Responsible Party: a patient balance names the patient (hashed as patients.patient_id),
    # an insurance balance its payer (kept: a portfolio ages AR by payer).
    hashed = Hasher("consultant-secret")
    aging = {(r["Responsible Type"], r["Responsible Party"]) for r in read_output_table(book, "AR Aging")}
    stored = {(r["responsible_type"], r["responsible_party"]) for r in table(store, "ar_aging").to_pylist()}
    assert {("Patient", "P000006"), ("Insurance", "MCR")} <= aging
    assert stored == {(kind, hashed(party) if kind == "Patient" else party) for kind, party in aging}
    assert hashed("P000006") in set(table(store, "patients").column("patient_id").to_pylist())
    # Claims still join their lines and remits: the same number gives the same hash.
    claim_ids = {r["Claim ID"] for r in read_output_table(book, "Claims")}
    assert set(table(store, "claims").column("claim_id").to_pylist()) == {hashed(c) for c in claim_ids}
    assert set(table(store, "claim_lines").column("claim_id").to_pylist()) <= {hashed(c) for c in claim_ids}
    manifest = json.loads((store / "manifest.json").read_text())
    assert manifest["clinics"]["Riverbend"]["deidentified"] is True
    assert "consultant-secret" not in (store / "manifest.json").read_text()


def test_the_command_keeps_the_salt_beside_the_store_and_refuses_to_mix_identified_rows(clinic_books, tmp_path,
                                                                                        capsys):
    store = tmp_path / "store"
    book = str(clinic_books["Northside"])
    assert main(["export-store", book, "--store", str(store), "--clinic", "North side", "--deidentify"]) == 0
    assert (tmp_path / "store.salt").exists() and not (store / "store.salt").exists()
    assert (store / "claims" / "clinic=North-side").is_dir()
    capsys.readouterr()
    assert main(["export-store", book, "--store", str(store), "--clinic", "North side"]) == 2
    assert "is in this store de-identified" in capsys.readouterr().err


@pytest.mark.parametrize("name, key", [("St. Mary's Infusion", "St.-Mary-s-Infusion"), ("North/side", "North-side")])
def test_a_clinic_name_becomes_a_safe_partition_value(name, key):
    assert clinic_key(name) == key


CLAIM_COLUMNS = ["Claim ID", "Encounter ID", "Statement From", "Total Charge", "Status", "Batch File"]
LINE_COLUMNS = ["Claim ID", "Line", "Line Control Number", "Date of Service", "Code", "Charge"]


def claim(cid: str, charge: str, status: str, batch: str = "") -> list:
    return [cid, cid, v.to_date("2026-10-02"), Decimal(charge), status, batch]


def lines_of(cid: str, *charges: str) -> list[list]:
    return [[cid, n, f"{cid}-{n}", v.to_date("2026-10-02"), "96413", Decimal(c)] for n, c in enumerate(charges, 1)]


def stored_claims(store: Path) -> dict[str, tuple]:
    return {r["claim_id"]: (r["status"], r["batch_file"], r["total_charge"]) for r in table(store, "claims").to_pylist()}


def test_a_claim_not_sent_yet_is_updated_in_the_store_and_a_sent_claim_never_changes(tmp_path):
    store = tmp_path / "store"
    # Exported before submission: E001 ready to go, E002 held by the scrubber, E001 with three lines.
    write_table(store, "Northside", "Claims", CLAIM_COLUMNS, [claim("E001", "350.00", "Ready"),
                                                              claim("E002", "420.00", "Held")])
    write_table(store, "Northside", "ClaimLines", LINE_COLUMNS, lines_of("E001", "150.00", "120.00", "80.00"))
    # Recoded before it went out (claims are rebuilt from the coding until sent): two lines now.
    write_table(store, "Northside", "ClaimLines", LINE_COLUMNS, lines_of("E001", "150.00", "200.00"))
    assert [(r["line"], r["charge"]) for r in table(store, "claim_lines").to_pylist()] == [
        (1, Decimal("150.00")), (2, Decimal("200.00"))]

    # Exported again after the 837 went out: E001 is Submitted in the store, not left Ready.
    sent = [claim("E001", "350.00", "Submitted", "837P-20261015-01.txt"), claim("E002", "420.00", "Held")]
    write_table(store, "Northside", "Claims", CLAIM_COLUMNS, sent)
    assert stored_claims(store) == {"E001": ("Submitted", "837P-20261015-01.txt", Decimal("350.00")),
                                    "E002": ("Held", None, Decimal("420.00"))}  # a blank cell is null
    before = files_of(store)
    write_table(store, "Northside", "Claims", CLAIM_COLUMNS, sent)
    assert files_of(store) == before

    # An older book, where E001 was still Ready, cannot take the sent claim back: a final row stays.
    write_table(store, "Northside", "Claims", CLAIM_COLUMNS, [claim("E001", "310.00", "Ready")])
    assert stored_claims(store)["E001"] == ("Submitted", "837P-20261015-01.txt", Decimal("350.00"))
    write_table(store, "Northside", "ClaimLines", LINE_COLUMNS, lines_of("E001", "310.00"))
    assert table(store, "claim_lines").num_rows == 2


def test_a_month_exported_before_its_claims_went_out_and_again_after_holds_them_as_sent(clinic_books, tmp_path):
    """Northside closed without sending (claims Ready), exported; then the month as closed, exported."""
    final = clinic_books["Northside"]
    unsent = close(final.parent / "Northside-input.xlsx", tmp_path / "unsent.xlsx")
    assert {r["Status"] for r in read_output_table(unsent, "Claims")} <= {"Ready", "Held"}
    store = tmp_path / "store"
    export_store(unsent, store, clinic="Northside")
    result = export_store(final, store, clinic="Northside")

    claims = read_output_table(final, "Claims")
    sent = {r["Claim ID"]: r["Batch File"] for r in claims if r["Status"] == "Submitted"}
    assert sent and result.updated["claims"] >= len([c for c in sent if c in stored_claims(store)])
    assert {c: (s, b) for c, (s, b, _) in stored_claims(store).items()} == {
        r["Claim ID"]: (r["Status"], r["Batch File"] or None) for r in claims}
    assert table(store, "claim_lines").num_rows == len(read_output_table(final, "ClaimLines"))

    # The unsent book (as of an earlier day) exported once more, asked for, changes no sent claim.
    export_store(unsent, store, clinic="Northside", replace_newer=True)
    stored = stored_claims(store)
    assert {c: stored[c][:2] for c in sent} == {c: ("Submitted", b) for c, b in sent.items()}
