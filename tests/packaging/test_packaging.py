"""The wheel holds every sub-package, and the generated docs match the code that generates them."""

from __future__ import annotations

from pathlib import Path

from infusion_billing.workbook.schema_doc import readme_section, render_schema_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_udfs_and_macros_are_linked_into_the_one_package_tree():
    """`udfs/` and `macros/` stay top-level folders; the package tree under `addin/` links them in."""
    package = ROOT / "addin" / "infusion_billing"
    for name in ("udfs", "macros"):
        link = package / name
        assert link.is_symlink() and link.resolve() == (ROOT / name).resolve()
        assert (link / "__init__.py").is_file()


def test_every_sub_package_is_importable_from_the_install():
    import importlib

    package = ROOT / "addin" / "infusion_billing"
    names = {".".join(("infusion_billing", *init.parent.relative_to(package).parts))
             for init in package.rglob("__init__.py")}
    names |= {f"infusion_billing.{top}" for top in ("udfs", "macros")}
    for name in sorted(names):
        assert importlib.import_module(name.rstrip(".")).__name__ == name.rstrip(".")


def test_readme_schema_section_is_current():
    assert readme_section(ROOT / "README.md") == render_schema_markdown(), (
        "README schema section is stale: run python -m infusion_billing.workbook.schema_doc README.md")


def test_readme_starts_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    quick = text.split("## Quick start", 1)[1].split("##", 1)[0]
    assert "make demo" in quick and "make test" in quick


def test_readme_quick_start_says_how_to_run_the_command_line_after_make_demo():
    quick = (ROOT / "README.md").read_text().split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert ".venv/bin/infusion-billing" in quick and "source .venv/bin/activate" in quick


def test_release_workflow_builds_tests_and_publishes_a_tag():
    workflow = (ROOT / ".github" / "workflows" / "release.yml").read_text()
    assert 'tags: ["v*"]' in workflow
    assert "make dist" in workflow and "bash .ci/run" in workflow
    assert "pypa/gh-action-pypi-publish" in workflow and "id-token: write" in workflow
