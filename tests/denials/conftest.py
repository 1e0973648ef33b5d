"""Fixtures for the denial tests: the small practice of :mod:`.practice_book` as a workbook."""

from __future__ import annotations

import pytest

from .practice_book import write_practice


@pytest.fixture
def practice(tmp_path):
    return write_practice(tmp_path / "practice.xlsx")
