"""Three small synthetic clinics taken through their month, for the store and portfolio tests.

Each clinic is the demo's (seeded, every person made up) with a different seed, cut to a hundred-odd
encounters so the whole month (code, check, claims, 837s, the payers' 835s, posting, denials, aging)
runs in a few seconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from infusion_billing.demo.clinic import Clinic, write_clinic
from infusion_billing.pipeline import RunOptions, run_workbook

#: The month, in the order close runs it.
MONTH = ("validate", "code", "check", "claims", "export-837", "simulate-payer", "import-era", "reconcile", "denials",
         "aging", "kpis")
CLINICS = {"Northside": 11, "Lakeview": 22, "Riverbend": 33}
ENCOUNTERS = 90


def month_book(folder: Path, name: str, seed: int, encounters: int = ENCOUNTERS) -> Path:
    """The clinic's input workbook and its month's results, ``folder/<name>.xlsx``."""
    folder.mkdir(parents=True, exist_ok=True)
    clinic = Clinic(seed=seed, encounters=encounters)
    source = write_clinic(clinic, folder / f"{name}-input.xlsx")
    remits = folder / f"{name}-835"
    options = RunOptions(out_dir=folder / f"{name}-837", as_of=clinic.as_of, remit_dir=remits, remit_sources=(remits,),
                         seed=seed)
    out = folder / f"{name}.xlsx"
    run_workbook(source, MONTH, out=out, options=options)
    return out


@pytest.fixture(scope="session")
def clinic_books(tmp_path_factory) -> dict[str, Path]:
    """Clinic name -> its book after the month (built once per test session)."""
    folder = tmp_path_factory.mktemp("clinics")
    return {name: month_book(folder, name, seed) for name, seed in CLINICS.items()}
