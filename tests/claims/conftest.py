"""Fixtures for the claims tests: the public 837 samples (attributed in data/public/SOURCES.md) and
pyx12's validator, run on a written file."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
import pyx12.params
import pyx12.x12n_document

SAMPLES = Path(__file__).resolve().parent / "data" / "public" / "837"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def pyx12_errors(path: Path) -> list[str]:
    """Every error pyx12's 5010 validator reports on the file, with its 999 acknowledgment's verdict."""
    handler = _Collect()
    logger = logging.getLogger("pyx12")
    logger.addHandler(handler)
    try:
        ack = io.StringIO()
        ok = pyx12.x12n_document.x12n_document(pyx12.params.params(), str(path), ack, None, None)
    finally:
        logger.removeHandler(handler)
    errors = list(handler.messages)
    segments = ack.getvalue().replace("\n", "").split("~")
    errors += [s for s in segments if s.startswith(("IK3", "IK4", "IK5*R", "IK5*E", "AK9*R", "AK9*E", "AK9*P"))]
    if not ok and not errors:
        errors.append("pyx12 rejected the file")
    return errors


@pytest.fixture
def sample():
    """``sample("lfh_837p_demo.example1.837")`` -> path of a public sample 837."""
    return lambda name: SAMPLES / name
