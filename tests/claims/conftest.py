"""Fixtures for the claims tests: the public 837 samples (attributed in data/public/SOURCES.md). pyx12's
validator, run on a written file, is :mod:`pyx12_check`."""

from __future__ import annotations

from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parent / "data" / "public" / "837"


@pytest.fixture
def sample():
    """``sample("lfh_837p_demo.example1.837")`` -> path of a public sample 837."""
    return lambda name: SAMPLES / name
