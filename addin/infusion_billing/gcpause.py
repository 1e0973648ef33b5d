"""A pause of Python's cycle collector, scoped to one bulk call and restored on exit.

The engines build no reference cycles, and with a month of typed rows in memory every automatic
collection walks all of them: pausing it for the length of one run halves a large run
(``bench/bench_coding.py --no-gc-pause`` shows the difference). The pause never outlives the ``with`` block, and nested
pauses are harmless: only the outermost one turns the collector back on.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_cycle_collector() -> Iterator[None]:
    """Pause the cycle collector for the ``with`` block; restore it as it was on the way out."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
