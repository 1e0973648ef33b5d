"""The pre-bill check modules import each other without loops, and only at module top.

A loop among modules makes import order matter and hides which module owns a type: the rule
declaration lives in ``rule``, the context every rule reads in ``context``, the registry that collects
the families in ``registry``, and each family imports the first two. Read from the source (every
``import``, at module top, under ``TYPE_CHECKING`` or inside a function), so nothing needs importing.
"""

from __future__ import annotations

import ast
from pathlib import Path

import infusion_billing.checks as checks

CHECKS = Path(checks.__file__).parent


def _siblings(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names = [node.module] if node.module else [a.name for a in node.names]
            out.update(n.split(".")[0] for n in names)
    return out


def test_check_modules_import_each_other_without_a_loop():
    modules = {p.stem: p for p in CHECKS.glob("*.py")}
    graph = {name: _siblings(path) & set(modules) for name, path in modules.items()}
    state: dict[str, str] = {}
    loops: list[list[str]] = []

    def visit(name: str, path: list[str]) -> None:
        state[name] = "open"
        for dep in sorted(graph[name]):
            if state.get(dep) == "open":
                loops.append(path[path.index(dep):] + [dep] if dep in path else [name, dep])
            elif dep not in state:
                visit(dep, path + [dep])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert loops == []


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
