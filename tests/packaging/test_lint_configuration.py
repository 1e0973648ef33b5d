"""Lint and types hold for every file: no file is exempted from ruff's rules or from mypy's checks.

The developers' guide asks new code to be lint- and type-clean; a per-file exemption or a module whose
type errors are ignored would let a file drift without anyone seeing it. A single line that must break
a rule says so with ``# noqa: CODE — reason`` where it stands.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def _config() -> dict:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))


def test_no_file_is_exempted_from_a_ruff_rule():
    lint = _config()["tool"]["ruff"]["lint"]
    assert lint.get("per-file-ignores", {}) == {}
    assert lint.get("ignore", []) == []


def test_no_module_has_its_type_errors_ignored():
    mypy = _config()["tool"]["mypy"]
    assert not mypy.get("ignore_errors", False)
    ignored = [o["module"] for o in mypy.get("overrides", []) if o.get("ignore_errors")]
    assert ignored == []
