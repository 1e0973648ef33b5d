"""A store a user has damaged or exported twice: what the commands say, in a sentence and an exit code."""

from __future__ import annotations

import json
import shutil

import pyarrow.parquet as pq
import pytest

from infusion_billing.cli import main


@pytest.fixture(scope="module")
def one_clinic_store(clinic_books, tmp_path_factory):
    """The store of one clinic (Lakeview), exported once: (its book, the store)."""
    store = tmp_path_factory.mktemp("one") / "store"
    assert main(["export-store", str(clinic_books["Lakeview"]), "--store", str(store), "--clinic", "Lakeview"]) == 0
    return clinic_books["Lakeview"], store


def copy_of(store, tmp_path):
    return shutil.copytree(store, tmp_path / "store")


def test_one_clinic_is_one_clinic(one_clinic_store, tmp_path, capsys):
    _, store = one_clinic_store
    capsys.readouterr()
    assert main(["portfolio", "--store", str(store), "-o", str(tmp_path / "p.xlsx")]) == 0
    assert capsys.readouterr().out.startswith("Portfolio on DuckDB: 1 clinic, ")


def test_exporting_the_same_book_again_says_nothing_changed(one_clinic_store, tmp_path, capsys):
    book, store = one_clinic_store
    store = copy_of(store, tmp_path)
    capsys.readouterr()
    assert main(["export-store", str(book), "--store", str(store), "--clinic", "Lakeview"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("Clinic Lakeview: ") and first.endswith(", already in store: no file changed")
    assert "written" not in first and "0 files" not in first


def test_a_damaged_parquet_file_is_one_sentence_naming_it(one_clinic_store, tmp_path, capsys):
    _, store = one_clinic_store
    store = copy_of(store, tmp_path)
    damaged = sorted((store / "kpi_claims").rglob("*.parquet"))[0]
    damaged.write_bytes(damaged.read_bytes()[:100])  # cut short, as a copy interrupted
    capsys.readouterr()
    assert main(["portfolio", "--store", str(store), "-o", str(tmp_path / "p.xlsx")]) == 2
    err = capsys.readouterr().err
    name = damaged.relative_to(store).as_posix()
    assert err == (f"infusion-billing: The store file {name} is damaged (not a readable Parquet file); restore the "
                   "store from a backup, or delete that clinic's folders and export its book again.\n")
    assert not (tmp_path / "p.xlsx").exists()


def test_a_damaged_manifest_is_refused_by_portfolio_as_by_export_store(one_clinic_store, tmp_path, capsys):
    book, store = one_clinic_store
    store = copy_of(store, tmp_path)
    (store / "manifest.json").write_text('{"format": 1, "tables": {', encoding="utf-8")
    capsys.readouterr()
    assert main(["export-store", str(book), "--store", str(store), "--clinic", "Lakeview"]) == 2
    refused = capsys.readouterr().err
    assert "manifest.json is damaged" in refused
    assert main(["portfolio", "--store", str(store), "-o", str(tmp_path / "p.xlsx")]) == 2
    assert capsys.readouterr().err == refused


def test_a_store_an_older_version_wrote_is_one_sentence_asking_to_export_again(one_clinic_store, tmp_path, capsys):
    """Remit lines exported before they carried unpaid_allowed (the patient share and sequestration the
    KPI SQL adds to paid): portfolio names the table and column, and does not guess the figures."""
    _, store = one_clinic_store
    store = copy_of(store, tmp_path)
    for path in (store / "kpi_era_lines").rglob("*.parquet"):
        pq.write_table(pq.read_table(path, partitioning=None).drop_columns(["unpaid_allowed"]), path)
    capsys.readouterr()
    assert main(["portfolio", "--store", str(store), "-o", str(tmp_path / "p.xlsx")]) == 2
    assert capsys.readouterr().err == (
        "infusion-billing: The store's kpi_era_lines files have no unpaid_allowed column: an older version of "
        "infusion-billing wrote them; export each clinic's book into the store again.\n")
    assert not (tmp_path / "p.xlsx").exists()


def recorded_rows(store, relation: str, month: str) -> int:
    manifest = json.loads((store / "manifest.json").read_text(encoding="utf-8"))
    return manifest["clinics"]["Lakeview"]["rows"][relation][month]


def test_a_deleted_months_file_is_named_instead_of_counting_it_empty(one_clinic_store, tmp_path, capsys):
    """Lakeview's October claims file deleted: the portfolio said Claims 0 for October with exit 0."""
    _, store = one_clinic_store
    store = copy_of(store, tmp_path)
    rows = recorded_rows(store, "kpi_claims", "2026-10")
    assert rows == 20
    (store / "kpi_claims" / "clinic=Lakeview" / "month=2026-10" / "part-0000.parquet").unlink()
    capsys.readouterr()
    assert main(["portfolio", "--store", str(store), "-o", str(tmp_path / "p.xlsx")]) == 2
    assert capsys.readouterr().err == (
        "infusion-billing: The store has lost kpi_claims/clinic=Lakeview/month=2026-10 (the manifest records 20 rows "
        "there), so the portfolio would be short; restore the store from a backup, or delete that clinic's folders and "
        "export its book again.\n")
    assert not (tmp_path / "p.xlsx").exists()


def test_deleted_folders_are_named_first_and_counted(one_clinic_store, tmp_path, capsys):
    """The Charges folder of October and the whole kpi_report table gone (the report said '0 clinics')."""
    _, store = one_clinic_store
    store = copy_of(store, tmp_path)
    shutil.rmtree(store / "charges" / "clinic=Lakeview" / "month=2026-10")
    shutil.rmtree(store / "kpi_report")
    capsys.readouterr()
    assert main(["portfolio", "--store", str(store), "-o", str(tmp_path / "p.xlsx")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("infusion-billing: The store has lost charges/clinic=Lakeview/month=2026-10 (the manifest "
                          "records 52 rows there), and 1 other partition as well, so the portfolio would be short;")


def test_a_partition_holding_fewer_rows_than_recorded_is_named(one_clinic_store, tmp_path, capsys):
    """October's claims file replaced by one holding its first ten claims (a partial copy)."""
    _, store = one_clinic_store
    store = copy_of(store, tmp_path)
    part = store / "kpi_claims" / "clinic=Lakeview" / "month=2026-10" / "part-0000.parquet"
    pq.write_table(pq.read_table(part).slice(0, 10), part)
    capsys.readouterr()
    assert main(["portfolio", "--store", str(store), "-o", str(tmp_path / "p.xlsx")]) == 2
    assert capsys.readouterr().err.startswith(
        "infusion-billing: The store's kpi_claims/clinic=Lakeview/month=2026-10 holds 10 rows where the manifest "
        "records 20, so the portfolio would be short;")
