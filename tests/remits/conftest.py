"""Fixtures for the remits tests: where the 835 files are, and a bare-835 builder.

The public samples are copied from the project's shared folder into ``data/public/`` (attributed in
``data/public/SOURCES.md``, which must stay beside them); the synthetic infusion remits live in ``data/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parent / "data" / "public" / "835"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def sample():
    """``sample("lfh_managed-care.835")`` -> path of a public sample 835."""
    return lambda name="": SAMPLES / name


@pytest.fixture
def data():
    """``data("infusion_medicare_partb.835")`` -> path of a synthetic infusion 835."""
    return lambda name="": DATA / name


@pytest.fixture
def bare():
    """``bare("BPR*...", "TRN*...")`` -> a bare 835 text (no ISA) with ST/SE and SE01 counted right."""

    def build(*segments: str) -> str:
        body = ["ST*835*0001", *segments]
        body.append(f"SE*{len(body) + 1}*0001")
        return "~".join(body) + "~"

    return build
