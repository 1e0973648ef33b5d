"""Three small synthetic clinics taken through their month with ``infusion-billing close``, for the store tests.

Each clinic is the demo's (seeded, every person made up) with a different seed, cut to a hundred-odd
encounters so its month runs in seconds. The month goes as a biller closes it: ``close`` with a folder
for the 837 files (check, code, claims, the claims sent), the payers answer (``simulate-payer``, the
demo's payers), and ``close`` again with their 835s (import, reconcile, denials, aging, KPIs).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from infusion_billing.cli import main
from infusion_billing.demo.clinic import Clinic, write_clinic

CLINICS = {"Northside": 11, "Lakeview": 22, "Riverbend": 33}
ENCOUNTERS = 90
#: The month closed: the demo's last month of visits.
MONTH = "2026-10"


def close(book: Path, out: Path, *more: str) -> Path:
    """``infusion-billing close BOOK --month 2026-10 -o OUT [more]``: the month closed, into ``out``."""
    assert main(["close", str(book), "--month", MONTH, "-o", str(out), "--force", *more]) == 0
    return out


def input_book(folder: Path, name: str, seed: int, encounters: int = ENCOUNTERS) -> Path:
    """The clinic's own input workbook, ``folder/<name>-input.xlsx``."""
    folder.mkdir(parents=True, exist_ok=True)
    return write_clinic(Clinic(seed=seed, encounters=encounters), folder / f"{name}-input.xlsx")


def month_book(folder: Path, name: str, seed: int, encounters: int = ENCOUNTERS) -> Path:
    """The clinic's month after both closes, ``folder/<name>.xlsx`` (the claims sent, the payers' 835s posted)."""
    return closed_month(input_book(folder, name, seed, encounters), folder, name, seed)


def closed_month(source: Path, folder: Path, name: str, seed: int, *more: str) -> Path:
    """The input book ``source`` through its month's two closes (``more``: the second close's options)."""
    sent = close(source, folder / f"{name}-sent.xlsx", "--out-dir", str(folder / f"{name}-837"))
    remits = folder / f"{name}-835"
    assert main(["simulate-payer", str(sent), "--out-dir", str(remits), "--seed", str(seed)]) == 0
    return close(sent, folder / f"{name}.xlsx", "--remits", str(remits), *more)


@pytest.fixture(scope="session")
def clinic_books(tmp_path_factory) -> dict[str, Path]:
    """Clinic name -> its book after the month (built once per test session)."""
    folder = tmp_path_factory.mktemp("clinics")
    return {name: month_book(folder, name, seed) for name, seed in CLINICS.items()}
