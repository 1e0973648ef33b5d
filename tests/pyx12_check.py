"""pyx12's X12 validator run on a file the tool wrote: every error it reports.

One mechanism for the 837s and the 835s: pyx12 logs each error it finds (logger ``pyx12``, level
ERROR) and, when asked, writes a 999 acknowledgment whose rejection segments are errors too.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pyx12.params
import pyx12.x12n_document

#: 999 segments that report a rejected or errored segment, element, transaction or group.
REJECTIONS = ("IK3", "IK4", "IK5*R", "IK5*E", "AK9*R", "AK9*E", "AK9*P")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def pyx12_errors(path: Path, *, acknowledge: bool = True) -> list[str]:
    """Every error pyx12's 5010 validator logs on the file, with its 999 acknowledgment's rejections
    when ``acknowledge`` (an 835 asks for none: pyx12 builds the 999's AK2 from ST03, which the 835
    guide marks Not Used)."""
    handler = _Collect()
    logger = logging.getLogger("pyx12")
    logger.addHandler(handler)
    ack = io.StringIO() if acknowledge else None
    try:
        ok = pyx12.x12n_document.x12n_document(pyx12.params.params(), str(path), ack, None, None)
    finally:
        logger.removeHandler(handler)
    errors = list(handler.messages)
    if ack is not None:
        errors += [s for s in ack.getvalue().replace("\n", "").split("~") if s.startswith(REJECTIONS)]
    if not ok and not errors:
        errors.append("pyx12 rejected the file")
    return errors


def pyx12_835_errors(path: Path) -> list[str]:
    """Every error pyx12's 005010X221A1 validator logs on an 835."""
    return pyx12_errors(path, acknowledge=False)
