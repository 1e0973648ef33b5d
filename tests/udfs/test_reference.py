"""docs/udfs.md and the README's function list are generated from the worksheet functions: never stale."""

from __future__ import annotations

from pathlib import Path

import infusion_billing.udfs as udfs
from infusion_billing.udfs._reference import groups, readme_section, render_readme_list, render_reference

ROOT = Path(__file__).resolve().parents[2]
REGENERATE = "run: python -m infusion_billing.udfs._reference docs/udfs.md README.md"


def test_docs_udfs_md_is_current():
    assert (ROOT / "docs" / "udfs.md").read_text(encoding="utf-8") == render_reference(), REGENERATE


def test_readme_function_list_is_current():
    assert readme_section(ROOT / "README.md") == render_readme_list(), REGENERATE


def test_every_exported_worksheet_function_is_documented_with_every_argument():
    documented = {udf.name: udf for group in groups() for udf in group.udfs}
    exported = {name for name in dir(udfs) if name.startswith("IB_")}
    assert set(documented) == exported
    for udf in documented.values():
        assert udf.summary, udf.name
        assert all(a.doc for a in udf.arguments), udf.name


def test_optional_arguments_are_shown_in_brackets():
    calls = {udf.name: udf.call for group in groups() for udf in group.udfs}
    assert calls["IB_INFUSION_MINUTES"] == "=IB_INFUSION_MINUTES(start, stop, [interrupted])"
    assert calls["IB_NDC11"] == "=IB_NDC11(ndc)"
