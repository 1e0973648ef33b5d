"""A small demo clinic run once for the assessment tests, and the client files made from it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from infusion_billing.demo.clinic import run_demo
from infusion_billing.demo.leaks import ClientKit, client_kit
from infusion_billing.workbook.reader import read_workbook


@pytest.fixture(scope="session")
def clinic(tmp_path_factory) -> Path:
    """The demo run on 80 encounters: demo.xlsx, demo-input.xlsx (the log), 837/, 835/ and what it printed
    (demo-output.txt)."""
    out = tmp_path_factory.mktemp("clinic")
    printed = io.StringIO()
    run_demo(out / "demo.xlsx", encounters=80, out=printed)
    (out / "demo-output.txt").write_text(printed.getvalue())
    return out


@pytest.fixture(scope="session")
def kits(clinic: Path, tmp_path_factory) -> dict[bool, ClientKit]:
    """The client's files with billing mistakes planted (True) and without (False)."""
    book = read_workbook(clinic / "demo.xlsx")
    base = tmp_path_factory.mktemp("kits")
    return {plant: client_kit(book, base / str(plant), plant=plant) for plant in (True, False)}
