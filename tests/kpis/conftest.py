"""The demo month, built once for the KPI, Dashboard and close tests."""

from __future__ import annotations

import pytest

from infusion_billing.demo.clinic import run_demo

#: Small enough to build in seconds, large enough that every payer and month has denials and AR.
ENCOUNTERS = 600


@pytest.fixture(scope="session")
def demo_book(tmp_path_factory):
    """(the demo's result workbook, its input workbook, its 835 folder), written once per session."""
    folder = tmp_path_factory.mktemp("demo")
    path = folder / "demo.xlsx"
    with open(folder / "log.txt", "w") as log:
        assert run_demo(path, encounters=ENCOUNTERS, out=log) == 0
    return path, folder / "demo-input.xlsx", folder / "835"
