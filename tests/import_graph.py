"""Which modules of one package folder import each other, read from the source, and the loops among them.

Shared by the import-loop tests of ``coding/`` and ``checks/``: every ``from .x import`` counts, at
module top, under ``TYPE_CHECKING`` or inside a function, so nothing needs importing to check it.
"""

from __future__ import annotations

import ast
from pathlib import Path


def sibling_imports(path: Path) -> set[str]:
    """The sibling modules (``from .x import``) a module imports, wherever the import stands."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names = [node.module] if node.module else [a.name for a in node.names]
            out.update(n.split(".")[0] for n in names)
    return out


def import_loops(folder: Path) -> list[list[str]]:
    """Every loop of sibling imports among the modules of ``folder`` (empty when there is none)."""
    modules = {p.stem: p for p in folder.glob("*.py")}
    graph = {name: sibling_imports(path) & set(modules) for name, path in modules.items()}
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
    return loops
