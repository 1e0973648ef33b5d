"""What export-store refuses, in one sentence and exit 2, before it writes a byte: another clinic under a
clinic's name, figures older than the store's, a mix of de-identified and identified clinics or of salts,
a book never closed. And which of a clinic's tables follow its latest as-of date as a whole."""

from __future__ import annotations

import json
import os
import stat
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from infusion_billing.cli import main
from infusion_billing.store.deidentify import salt_fingerprint
from infusion_billing.store.export import clinic_key, export_store
from infusion_billing.workbook.reader import read_workbook
from infusion_billing.workbook.writer import read_output_table

from .conftest import CLINICS, closed_month
from .test_export import files_of, table

EPOCH = date(1970, 1, 1)


def export(capsys, book: Path, store: Path, *more: str) -> tuple[int, str]:
    """``infusion-billing export-store BOOK --store STORE [more]``: (exit code, what it said on stderr)."""
    capsys.readouterr()
    code = main(["export-store", str(book), "--store", str(store), *more])
    return code, capsys.readouterr().err.strip()


def practice(book: Path) -> tuple[str, str]:
    """The book's billing NPI and Tax ID (its Practice sheet)."""
    row = read_workbook(book).rows("Practice")[0]
    return row.npi, row.ein


# ----------------------------------------------------------------------------- one clinic, one folder


def test_another_clinic_under_a_clinics_name_is_refused_naming_both_providers(clinic_books, tmp_path, capsys):
    store = tmp_path / "store"
    north, lake = clinic_books["Northside"], clinic_books["Lakeview"]
    assert export(capsys, north, store, "--clinic", "Same")[0] == 0
    before = files_of(store)

    code, err = export(capsys, lake, store, "--clinic", "Same")
    (north_npi, north_ein), (lake_npi, lake_ein) = practice(north), practice(lake)
    assert north_npi != lake_npi
    assert code == 2 and err == (
        f"infusion-billing: Clinic Same in this store bills as Synthetic Infusion Clinic (demo data) with NPI "
        f"{north_npi} and Tax ID {north_ein}, but this book bills as Synthetic Infusion Clinic (demo data) with NPI "
        f"{lake_npi} and Tax ID {lake_ein}; export it under its own name with --clinic NAME.")
    assert files_of(store) == before  # nothing written: no mixed claims ledger
    manifest = json.loads((store / "manifest.json").read_text())
    assert manifest["clinics"]["Same"]["billing_provider"] == {
        "name": "Synthetic Infusion Clinic (demo data)", "npi": [north_npi], "tax_id": [north_ein]}

    # Without --clinic every demo book is named by its Practice Name: the second clinic is refused alike.
    plain = tmp_path / "plain"
    assert export(capsys, north, plain)[0] == 0
    code, err = export(capsys, lake, plain)
    assert code == 2 and f"but this book bills as Synthetic Infusion Clinic (demo data) with NPI {lake_npi}" in err
    # The same clinic again under its name is welcome.
    assert export(capsys, north, plain)[0] == 0


@pytest.mark.parametrize("first, second, folder", [
    ("a/b", "a\\b", "a-b"),
    ("Ωmega Infusion", "Ωmega/Infusion", "Ωmega-Infusion"),
    ("Northside", "northside", "Northside"),  # one folder on Windows and macOS
])
def test_two_names_for_one_folder_are_refused(clinic_books, tmp_path, capsys, first, second, folder):
    store = tmp_path / "store"
    book = clinic_books["Northside"]
    assert export(capsys, book, store, "--clinic", first)[0] == 0
    code, err = export(capsys, book, store, "--clinic", second)
    assert code == 2
    assert err == (f"infusion-billing: Clinic '{second}' would share the store's folder {folder} with clinic "
                   f"'{first}'; give it a name of its own with --clinic NAME.")
    assert json.loads((store / "manifest.json").read_text())["clinics"][folder]["name"] == first


@pytest.mark.parametrize("name, key", [
    ("北京", "北京"), ("Zürich Ωmega", "Zürich-Ωmega"), ("Zu\u0308rich", "Zürich"),  # letters of any script, NFC
    ("../etc", "etc"), ("a/../b", "a-..-b"), ("tab\there", "tab-here"), ("clinic=x", "clinic-x"), ("=cmd", "cmd"),
])
def test_letters_of_any_script_name_a_clinic_and_nothing_else_leaves_the_folder(name, key):
    assert clinic_key(name) == key
    assert "/" not in key and "\\" not in key and key not in (".", "..") and key.isprintable()


def test_a_clinic_named_in_chinese_is_stored_under_its_name(clinic_books, tmp_path, capsys):
    store = tmp_path / "store"
    assert export(capsys, clinic_books["Lakeview"], store, "--clinic", "北京")[0] == 0
    assert (store / "claims" / "clinic=北京").is_dir()
    assert set(table(store, "claims").column("clinic").to_pylist()) == {"北京"}


# ----------------------------------------------------------------------------- a book never closed


def test_a_book_never_closed_is_refused(clinic_books, tmp_path, capsys):
    source = clinic_books["Northside"].parent / "Northside-input.xlsx"
    code, err = export(capsys, source, tmp_path / "store")
    assert code == 2
    assert err == ("infusion-billing: Northside-input.xlsx has no KPIs sheet; run `infusion-billing close "
                   "Northside-input.xlsx --month YYYY-MM` first.")
    assert not (tmp_path / "store").exists()


# ----------------------------------------------------------------------------- as-of dates


def one_month(source: Path, out: Path, month: int = 10) -> Path:
    """The input book with one month's visits alone, October 2026 by default (one book per month)."""
    wb = openpyxl.load_workbook(source)
    encounters = wb["Encounters"]
    header = [c.value for c in encounters[1]]
    dos = header.index("Date of Service")
    keep = [r for r in encounters.iter_rows(min_row=2, values_only=True) if r[dos] and r[dos].month == month]
    ids = {r[header.index("Encounter ID")] for r in keep}
    admins = wb["Administrations"]
    admin_header = [c.value for c in admins[1]]
    keep_admins = [r for r in admins.iter_rows(min_row=2, values_only=True)
                   if r[admin_header.index("Encounter ID")] in ids]
    for ws, rows in ((encounters, keep), (admins, keep_admins)):
        ws.delete_rows(2, ws.max_row)
        for r in rows:
            ws.append(r)
        for t in ws.tables.values():
            last = t.ref.split(":")[1].rstrip("0123456789")
            t.ref = f"A1:{last}{len(rows) + 1}"
    wb.save(out)
    return out


@pytest.fixture(scope="module")
def october_book(clinic_books, tmp_path_factory) -> Path:
    """Northside's October alone, closed as of 2026-12-31: later than the whole book (as of 2026-12-16)."""
    folder = tmp_path_factory.mktemp("october")
    source = one_month(clinic_books["Northside"].parent / "Northside-input.xlsx", folder / "input.xlsx")
    return closed_month(source, folder, "Northside-October", CLINICS["Northside"], "--as-of", "2026-12-31")


def test_books_of_one_clinic_as_of_one_date_add_up_by_month(clinic_books, october_book, tmp_path_factory,
                                                             tmp_path, capsys):
    folder = tmp_path_factory.mktemp("september")
    source = one_month(clinic_books["Northside"].parent / "Northside-input.xlsx", folder / "input.xlsx", 9)
    september = closed_month(source, folder, "Northside-September", CLINICS["Northside"], "--as-of", "2026-12-31")
    store = tmp_path / "store"
    assert export(capsys, september, store, "--clinic", "Northside")[0] == 0
    assert export(capsys, october_book, store, "--clinic", "Northside")[0] == 0
    for relation in ("ar_aging", "kpi_claims", "charges", "claims"):
        assert months(store, relation) == {"2026-09", "2026-10"}, relation


def months(store: Path, relation: str) -> set[str]:
    return {p.name.removeprefix("month=") for p in (store / relation / "clinic=Northside").glob("month=*")}


def test_a_later_book_replaces_the_clinics_as_of_tables_whole_and_an_older_one_is_refused(
        clinic_books, october_book, tmp_path, capsys):
    whole = clinic_books["Northside"]
    store = tmp_path / "store"
    assert export(capsys, whole, store, "--clinic", "Northside")[0] == 0
    assert months(store, "ar_aging") == months(store, "charges") == {"2026-08", "2026-09", "2026-10"}
    assert json.loads((store / "manifest.json").read_text())["clinics"]["Northside"]["as_of"] == "2026-12-16"

    # October's own book, as of 2026-12-31: every table counted to an as-of date is now that book's alone
    # (AR of August and September as of 2026-12-16 would not add up with October's as of 2026-12-31) ...
    assert export(capsys, october_book, store, "--clinic", "Northside")[0] == 0
    for relation in ("ar_aging", "reconciliation", "denials", "kpi_claims", "kpi_reconciliation"):
        assert months(store, relation) == {"2026-10"}, relation
    assert table(store, "claim_status").num_rows == len(read_output_table(october_book, "Claim Status"))
    assert table(store, "kpi_report").column("as_of_day").to_pylist() == [(date(2026, 12, 31) - EPOCH).days]
    # ... while the history by date of service stays: August and September's charges and encounters.
    assert months(store, "charges") == months(store, "encounters") == {"2026-08", "2026-09", "2026-10"}
    assert json.loads((store / "manifest.json").read_text())["clinics"]["Northside"]["as_of"] == "2026-12-31"

    # The whole book again (as of 2026-12-16) would take the clinic's figures back a fortnight: refused.
    before = files_of(store)
    code, err = export(capsys, whole, store, "--clinic", "Northside")
    assert code == 2 and err == (
        "infusion-billing: This book is as of 2026-12-16, older than clinic Northside's figures as of 2026-12-31 "
        "already in the store; export the newer book, or add --replace-newer to take the clinic back to 2026-12-16.")
    assert files_of(store) == before

    # Asked for, it is the clinic's picture again, whole.
    assert export(capsys, whole, store, "--clinic", "Northside", "--replace-newer")[0] == 0
    assert months(store, "ar_aging") == {"2026-08", "2026-09", "2026-10"}
    assert table(store, "kpi_report").column("as_of_day").to_pylist() == [(date(2026, 12, 16) - EPOCH).days]
    assert json.loads((store / "manifest.json").read_text())["clinics"]["Northside"]["as_of"] == "2026-12-16"


# ----------------------------------------------------------------------------- de-identified stores


def test_a_store_is_deidentified_or_not_for_every_clinic(clinic_books, tmp_path, capsys):
    deid, plain = tmp_path / "deid", tmp_path / "plain"
    assert export(capsys, clinic_books["Northside"], deid, "--clinic", "Northside", "--deidentify")[0] == 0
    code, err = export(capsys, clinic_books["Lakeview"], deid, "--clinic", "Lakeview")
    assert code == 2 and err == ("infusion-billing: Clinic Northside is in this store de-identified; export "
                                 "Lakeview the same way (with --deidentify) or to another store.")

    assert export(capsys, clinic_books["Northside"], plain, "--clinic", "Northside")[0] == 0
    code, err = export(capsys, clinic_books["Lakeview"], plain, "--clinic", "Lakeview", "--deidentify")
    assert code == 2 and err == ("infusion-billing: Clinic Northside is in this store with patient identifiers; "
                                 "export Lakeview the same way (without --deidentify) or to another store.")
    assert not (plain / "claims" / "clinic=Lakeview").exists()


def test_a_deidentified_clinic_keeps_its_salt(clinic_books, tmp_path, capsys):
    store = tmp_path / "store"
    book = clinic_books["Riverbend"]
    assert export(capsys, book, store, "--clinic", "Riverbend", "--deidentify", "--salt", "first-secret")[0] == 0
    manifest = (store / "manifest.json").read_text()
    assert json.loads(manifest)["clinics"]["Riverbend"]["salt_fingerprint"] == salt_fingerprint("first-secret")
    assert "first-secret" not in manifest
    claims = table(store, "claims").num_rows

    # Another salt would add every claim again under other hashes (293 -> 586): refused.
    code, err = export(capsys, book, store, "--clinic", "Riverbend", "--deidentify", "--salt", "other")
    assert code == 2 and err == ("infusion-billing: Clinic Riverbend was exported to this store with another salt; "
                                 "export it with the salt used then (the store's .salt file, or the --salt given "
                                 "then).")
    assert table(store, "claims").num_rows == claims
    assert export(capsys, book, store, "--clinic", "Riverbend", "--deidentify", "--salt", "first-secret")[0] == 0


def test_a_salt_without_deidentify_is_refused(clinic_books, tmp_path, capsys):
    code, err = export(capsys, clinic_books["Lakeview"], tmp_path / "store", "--salt", "secret")
    assert code == 2
    assert err == ("infusion-billing: --salt is the secret of --deidentify's hashes; add --deidentify, or leave "
                   "--salt out.")
    assert not (tmp_path / "store").exists()


def test_the_current_folder_as_a_deidentified_store_keeps_its_salt_beside_it_for_its_owner_only(
        clinic_books, tmp_path, capsys, monkeypatch):
    store = tmp_path / "Portfolio Store"
    store.mkdir()
    monkeypatch.chdir(store)
    assert export(capsys, clinic_books["Lakeview"], Path("."), "--clinic", "Lakeview", "--deidentify")[0] == 0
    salt = tmp_path / "Portfolio Store.salt"
    assert len(salt.read_text().strip()) == 32
    assert stat.S_IMODE(os.stat(salt).st_mode) == 0o600
    assert (store / "claims" / "clinic=Lakeview").is_dir()
    fingerprint = json.loads((store / "manifest.json").read_text())["clinics"]["Lakeview"]["salt_fingerprint"]
    assert fingerprint == salt_fingerprint(salt.read_text().strip())
    # The next export finds the same salt: nothing changes.
    before = files_of(store)
    assert export_store(clinic_books["Lakeview"], store, clinic="Lakeview", deidentify=True,
                        salt=salt.read_text().strip()).files_changed == 0
    assert files_of(store) == before
