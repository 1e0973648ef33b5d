"""The coding engine's modules import each other without loops, and never the pipeline that runs them.

A loop among modules makes import order matter and hides which module owns a type; the engine
importing the pipeline would make the pure core depend on its shell. Read from the source (every
``import``, at module top or inside a function), so nothing needs to be imported to check it.
"""

from __future__ import annotations

import ast
from pathlib import Path

from import_graph import import_loops

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


def test_coding_modules_import_each_other_without_a_loop():
    assert import_loops(CODING) == []


def test_the_coding_engine_does_not_import_the_pipeline():
    importers = sorted(p.stem for p in CODING.glob("*.py") if "pipeline" in _imports(p)[1])
    assert importers == []
