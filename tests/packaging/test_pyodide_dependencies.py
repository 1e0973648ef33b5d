"""xlwings Lite can install the package: every runtime dependency is pure Python or built by Pyodide.

Lite runs Python in the browser (Pyodide). A dependency installs there only from a pure-Python wheel
(``py3-none-any``) or from Pyodide's own WebAssembly build. This test walks the installed dependency
tree of ``infusion-billing`` (no extras), reads the tags of the wheel each one was installed from,
and requires every compiled one to be listed in ``workbook_templates/lite/compiled-dependencies.csv``
with the build Lite uses and why. A new compiled dependency fails here until someone checks it.
"""

from __future__ import annotations

import csv
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
LITE = ROOT / "workbook_templates" / "lite"


def canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def runtime_dependencies(root: str = "infusion-billing") -> dict[str, list[str]]:
    """Every distribution the package needs at run time -> the tags of the wheel it was installed from."""
    found: dict[str, list[str]] = {}
    todo = [root]
    while todo:
        dist = metadata.distribution(todo.pop())
        name = canonical(dist.metadata["Name"])
        if name in found:
            continue
        wheel = dist.read_text("WHEEL") or ""
        found[name] = [line.split(":", 1)[1].strip() for line in wheel.splitlines() if line.startswith("Tag:")]
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return found


def is_pure(tags: list[str]) -> bool:
    return bool(tags) and all(tag.endswith("-none-any") for tag in tags)


def allow_list() -> dict[str, dict[str, str]]:
    with (LITE / "compiled-dependencies.csv").open() as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return {canonical(row["package"]): row for row in rows}


def test_the_dependency_walk_sees_the_whole_tree():
    deps = runtime_dependencies()
    assert {"pandas", "numpy", "pydantic", "pydantic-core", "openpyxl", "et-xmlfile", "xlwings", "tqdm",
            "simple-icd-10-cm"} <= set(deps)
    assert not {"pytest", "hypothesis", "python-calamine"} & set(deps)  # extras are not runtime dependencies
    assert is_pure(deps["openpyxl"]) and not is_pure(deps["pandas"])


def test_every_runtime_dependency_has_a_pure_wheel_or_a_pyodide_build():
    allowed = allow_list()
    compiled = {name: tags for name, tags in runtime_dependencies().items() if not is_pure(tags)}
    unchecked = sorted(set(compiled) - set(allowed))
    assert unchecked == [], (
        f"{unchecked} install from compiled wheels: check that each has a py3-none-any wheel on PyPI or a Pyodide "
        "build, then add it to workbook_templates/lite/compiled-dependencies.csv with why (or make it an extra)")


def test_the_allow_list_says_which_build_and_why():
    for name, row in allow_list().items():
        assert row["lite_build"] in {"pyodide", "pure-wheel"}, name
        assert len(row["why"]) > 30, name


def test_the_optional_fast_reader_stays_out_of_the_runtime_dependencies():
    """python-calamine is compiled and has no Pyodide build: it stays an extra, imported lazily."""
    required = [Requirement(r) for r in metadata.requires("infusion-billing") or []]
    calamine = [r for r in required if canonical(r.name) == "python-calamine"]
    assert calamine and all(r.marker is not None and "extra" in str(r.marker) for r in calamine)


def test_lite_requirements_name_this_version_and_no_pyodide_package_pins():
    from infusion_billing import __version__

    lines = [line.strip() for line in (LITE / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    requirements = [Requirement(line) for line in lines]
    assert [str(r) for r in requirements if r.name == "infusion-billing"] == [f"infusion-billing=={__version__}"]
    pyodide_builds = {name for name, row in allow_list().items() if row["lite_build"] == "pyodide"}
    assert not [r for r in requirements if canonical(r.name) in pyodide_builds | {"pydantic"}]
