"""The pre-bill check modules import each other without loops, and only at module top.

A loop among modules makes import order matter and hides which module owns a type: the rule
declaration lives in ``rule``, the context every rule reads in ``context``, the registry that collects
the families in ``registry``, and each family imports the first two. Read from the source (every
``import``, at module top, under ``TYPE_CHECKING`` or inside a function), so nothing needs importing.
"""

from __future__ import annotations

import ast
from pathlib import Path

from import_graph import import_loops

import infusion_billing.checks as checks

CHECKS = Path(checks.__file__).parent


def test_check_modules_import_each_other_without_a_loop():
    assert import_loops(CHECKS) == []


def test_check_modules_import_each_other_at_module_top():
    # The one deferred import is a third-party one with a measured cost: the ICD-10-CM package loads its
    # code set on import (about 0.25 s, bench_checks), which a run that checks no diagnosis never pays.
    inside = []
    for path in sorted(CHECKS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.If)):
                inside += [f"{path.name}:{n.lineno}" for n in ast.walk(node)
                           if isinstance(n, ast.ImportFrom) and (n.level or (n.module or "").startswith("infusion"))]
    assert inside == []
