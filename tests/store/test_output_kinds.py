"""Each command replaces only an earlier output of its own kind: ``portfolio -o`` never replaces a clinic's book.

A clinic's closed billing workbook holds a month of its billers' work (Work Status, Notes, Assigned To on the
Denials worklist); the demo clinic's input workbook is where a new user types. Both were written by
infusion-billing, yet a portfolio written over either would lose it, so the portfolio replaces only an
earlier portfolio, and the assessment and the demo likewise only their own kind; anything else is one
sentence and exit 2, or replaced with ``--force`` after a backup copy, as a file the tool never wrote.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from infusion_billing.assess import assess, write_assessment
from infusion_billing.cli import main
from infusion_billing.workbook.ownership import ASSESSMENT, BILLING, DEMO, PORTFOLIO, output_kind
from infusion_billing.workbook.writer import read_output_table

from .conftest import input_book


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def store(clinic_books, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("kinds") / "store"
    assert main(["export-store", str(clinic_books["Northside"]), "--store", str(folder), "--clinic", "Northside"]) == 0
    return folder


def test_portfolio_refuses_to_replace_a_clinics_closed_billing_workbook(clinic_books, store, tmp_path, capsys):
    book = shutil.copy(clinic_books["Lakeview"], tmp_path / "Lakeview.xlsx")
    before = digest(book)
    assert output_kind(book) == BILLING
    capsys.readouterr()
    assert main(["portfolio", "--store", str(store), "-o", str(book)]) == 2
    err = capsys.readouterr().err
    assert err == (f"infusion-billing: {book.name} is a billing workbook infusion-billing wrote, and a portfolio "
                   "replaces only an earlier portfolio; choose another name with -o, or add --force to replace it (a "
                   "backup copy is kept).\n")
    assert digest(book) == before  # the Denials worklist and its notes untouched


def test_portfolio_refuses_the_demo_clinics_input_workbook(store, tmp_path, capsys):
    book = input_book(tmp_path, "demo", seed=5, encounters=12)
    before = digest(book)
    assert output_kind(book) == DEMO
    capsys.readouterr()
    assert main(["portfolio", "--store", str(store), "-o", str(book)]) == 2
    assert "is a demo clinic workbook infusion-billing wrote, and a portfolio replaces only an earlier portfolio" \
        in capsys.readouterr().err
    assert digest(book) == before


def test_portfolio_replaces_a_billing_workbook_only_with_force_after_a_backup(clinic_books, store, tmp_path, capsys):
    book = shutil.copy(clinic_books["Lakeview"], tmp_path / "Lakeview.xlsx")
    before = digest(book)
    assert main(["portfolio", "--store", str(store), "-o", str(book), "--force"]) == 0
    backups = list(tmp_path.glob("Lakeview.backup-*.xlsx"))
    assert len(backups) == 1 and digest(backups[0]) == before
    assert output_kind(book) == PORTFOLIO
    assert {r["Clinic"] for r in read_output_table(book, "Portfolio")} == {"Northside"}


def test_portfolio_replaces_its_own_earlier_portfolio_without_asking(store, tmp_path):
    out = tmp_path / "portfolio.xlsx"
    assert main(["portfolio", "--store", str(store), "-o", str(out)]) == 0
    assert main(["portfolio", "--store", str(store), "-o", str(out), "--months", "2026-10"]) == 0
    assert output_kind(out) == PORTFOLIO and not list(tmp_path.glob("*.backup-*"))


def test_no_other_command_replaces_a_portfolio_silently(store, tmp_path, capsys):
    out = tmp_path / "portfolio.xlsx"
    assert main(["portfolio", "--store", str(store), "-o", str(out)]) == 0
    before = digest(out)
    capsys.readouterr()
    assert main(["assess", "--remits", str(tmp_path), "-o", str(out)]) == 2
    assert "is a portfolio infusion-billing wrote, and an assessment replaces only an earlier assessment" \
        in capsys.readouterr().err
    assert main(["demo", "-o", str(out), "--encounters", "5"]) == 2
    assert "is a portfolio infusion-billing wrote, and a demo clinic workbook replaces only an earlier demo clinic " \
           "workbook" in capsys.readouterr().err
    source = input_book(tmp_path, "clinic", seed=6, encounters=12)
    assert main(["check", str(source), "-o", str(out)]) == 2
    assert "is a portfolio infusion-billing wrote, and a billing workbook replaces only an earlier billing workbook" \
        in capsys.readouterr().err
    assert digest(out) == before


def test_the_demo_refuses_a_clinics_billing_workbook(clinic_books, tmp_path, capsys):
    book = shutil.copy(clinic_books["Lakeview"], tmp_path / "Lakeview.xlsx")
    before = digest(book)
    capsys.readouterr()
    assert main(["demo", "-o", str(book), "--encounters", "5"]) == 2
    assert "is a billing workbook infusion-billing wrote, and a demo clinic workbook replaces only" \
        in capsys.readouterr().err
    assert digest(book) == before and not (tmp_path / "Lakeview-input.xlsx").exists()


def test_a_workbook_written_in_place_keeps_its_kind_and_a_new_output_takes_the_commands(tmp_path):
    source = input_book(tmp_path, "clinic", seed=7, encounters=12)
    assert main(["check", str(source), "--in-place"]) == 0
    assert output_kind(source) == DEMO  # still the demo's input, now with its checks
    out = tmp_path / "checked.xlsx"
    assert main(["check", str(source), "-o", str(out)]) == 0
    assert output_kind(out) == BILLING
    assert main(["check", str(source), "-o", str(out)]) == 0  # its own kind: replaced as before
    assert output_kind(tmp_path / "nothing.xlsx") is None


def test_an_assessment_is_marked_as_one(tmp_path):
    remits = [Path(__file__).parents[1] / "denials" / "data" / "com_20261125.835"]
    out = write_assessment(assess(remits, []), tmp_path / "a.xlsx")
    assert output_kind(out) == ASSESSMENT
