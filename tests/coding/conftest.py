"""Coding tests import their encounter builder (``coding_builder``) from this folder."""

from __future__ import annotations

import sys
from pathlib import Path

# pytest's import mode does not put test folders on sys.path; the builder is shared by every file here.
sys.path.insert(0, str(Path(__file__).parent))
