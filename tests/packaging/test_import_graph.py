"""The package imports without loops: a module never needs, directly or round about, a module that needs it.

Loops are what make a change in one stage break another, and what push imports into function bodies.
The graph is read from the source (see ``tests/import_graph.py``).
"""

from __future__ import annotations

import ast

from import_graph import _runtime_nodes, cycles, import_graph


def test_the_graph_sees_the_stage_modules():
    graph = import_graph()
    assert "infusion_billing.coding.stage" in graph["infusion_billing.pipeline"]
    assert "infusion_billing.remits.stage" in graph["infusion_billing.pipeline"]
    assert "infusion_billing.pipeline" in graph["infusion_billing.macros._runner"]  # through the link


def test_the_package_has_no_import_loop():
    assert cycles(import_graph()) == []


def test_a_planted_loop_is_found():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_a_function_level_import_counts_and_a_type_checking_one_does_not():
    tree = ast.parse("def f():\n    from . import x\nif TYPE_CHECKING:\n    from . import y\n")
    assert [n.names[0].name for n in _runtime_nodes(tree)] == ["x"]
