"""The package's import graph, read from the source, and the loops in it.

Shared by the import tests (the whole package in ``tests/packaging``; ``coding/`` and ``checks/`` in
their own folders). Every ``import`` and ``from ... import`` counts wherever it stands (at module top
or inside a function) except under ``if TYPE_CHECKING:``, which never runs, so an import hidden in a
function to dodge a loop still counts as the loop it is, and nothing needs importing to check it.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "addin" / "infusion_billing"
NAME = "infusion_billing"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((NAME, *parts))


def _resolve(current: str, is_package: bool, level: int, target: str | None) -> str:
    base = current.split(".") if is_package else current.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def _runtime_nodes(tree: ast.Module):
    """Every import node except those under ``if TYPE_CHECKING:``."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    return [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) and id(n) not in skip]


def import_graph() -> dict[str, set[str]]:
    # udfs/ and macros/ are linked into the package: follow the links so they are part of the graph.
    paths = [Path(root) / f for root, _, names in os.walk(PACKAGE, followlinks=True) for f in names
             if f.endswith(".py")]
    files = {module_name(p): p for p in paths}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        for node in _runtime_nodes(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                module = _resolve(name, is_package, node.level, node.module) if node.level else node.module or ""
                # ``from pkg import sub`` needs the sub-module; ``from pkg import name`` needs pkg itself.
                targets = [f"{module}.{alias.name}" if f"{module}.{alias.name}" in files else module
                           for alias in node.names]
            graph[name].update(t for t in targets if t in files and t != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def import_loops(folder: Path) -> list[list[str]]:
    """The loops among the modules directly inside ``folder`` (by file stem; empty when there is none)."""
    graph = import_graph()
    inside = {module_name(p): p.stem for p in folder.glob("*.py") if p.name != "__init__.py"}
    sub = {inside[m]: {inside[d] for d in deps if d in inside} for m, deps in graph.items() if m in inside}
    return cycles(sub)
