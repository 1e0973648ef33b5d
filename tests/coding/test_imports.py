"""The coding engine's modules import each other without loops, and never the pipeline that runs them.

A loop among modules makes import order matter and hides which module owns a type; the engine
importing the pipeline would make the pure core depend on its shell. Read from the source (every
``import``, at module top or inside a function), so nothing needs to be imported to check it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import infusion_billing.coding as coding

CODING = Path(coding.__file__).parent


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """(sibling modules of coding/ it imports, other infusion_billing modules it imports)."""
    siblings, package = set(), set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names = [node.module] if node.module else [a.name for a in node.names]
            siblings.update(n.split(".")[0] for n in names)
        elif isinstance(node, ast.ImportFrom) and node.level == 2:
            package.add((node.module or "").split(".")[0])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("infusion_billing."):
            package.add(node.module.split(".")[1])
    return siblings, package


def _graph() -> dict[str, set[str]]:
    modules = {p.stem: p for p in CODING.glob("*.py")}
    return {name: _imports(path)[0] & set(modules) for name, path in modules.items()}


def test_coding_modules_import_each_other_without_a_loop():
    graph, state, loops = _graph(), {}, []

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


def test_the_coding_engine_does_not_import_the_pipeline():
    importers = sorted(p.stem for p in CODING.glob("*.py") if "pipeline" in _imports(p)[1])
    assert importers == []
