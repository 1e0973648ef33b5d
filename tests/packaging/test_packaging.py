"""The wheel holds every sub-package, and the generated docs match the code that generates them."""

from __future__ import annotations

import tomllib
from pathlib import Path

from infusion_billing.workbook.schema_doc import readme_section, render_schema_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_folder_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {"infusion_billing"}
    for top, name in (("addin", "infusion_billing"), ("udfs", "infusion_billing.udfs"),
                      ("macros", "infusion_billing.macros")):
        for init in (ROOT / top).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / top).parts
            found.add(".".join((name, *rel)))
    assert found == listed


def test_readme_schema_section_is_current():
    assert readme_section(ROOT / "README.md") == render_schema_markdown(), (
        "README schema section is stale: run python -m infusion_billing.workbook.schema_doc README.md")


def test_readme_starts_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    quick = text.split("## Quick start", 1)[1].split("##", 1)[0]
    assert "make demo" in quick and "make test" in quick
