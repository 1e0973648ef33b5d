"""One rule catalogue: every rule ID the tool can emit is declared once, documented, and nothing else is emitted.

A biller filters the Findings sheet by rule ID and looks it up in docs/rules.md; a rule that is not
there cannot be looked up, and a rule declared twice can say two different things. The tests read the
catalogue, the generated reference, the source code (every string that names a rule) and what a real
run emits (the demo clinic through every stage, and every 835 test file through the remittance reader).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from infusion_billing.checks.registry import registry
from infusion_billing.coding import rules as coding_rules
from infusion_billing.demo.clinic import Clinic, write_clinic
from infusion_billing.findings import Severity
from infusion_billing.pipeline import available_stages, run_workbook
from infusion_billing.remits.reader import read_835
from infusion_billing.rules.catalogue import CATALOGUE, RETIRED, by_family, spec
from infusion_billing.rules.docs import render_rules_markdown
from infusion_billing.rules.spec import FAMILIES, ID_PATTERN

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = [ROOT / "addin", ROOT / "udfs", ROOT / "macros"]
#: A string literal that names a rule: ``"family.what"`` with a known family prefix.
RULE_LITERAL = re.compile(r"""["'](%s)\.([a-z0-9]+(?:-[a-z0-9]+)*)["']""" % "|".join(FAMILIES))
#: An ID put together at run time (``f"era.{x}"``) cannot be checked against the catalogue: none allowed.
BUILT_ID = re.compile(r"""f["'](%s)\.\{""" % "|".join(FAMILIES))


def _sources() -> list[Path]:
    return sorted({p.resolve() for d in SOURCE_DIRS for p in d.rglob("*.py") if "__pycache__" not in p.parts})


def test_the_reference_lists_every_rule_and_is_up_to_date():
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == render_rules_markdown(), (
        "docs/rules.md is stale: run .venv/bin/python -m infusion_billing.rules.docs docs/rules.md")
    assert all(f"`{rule_id}`" in committed for rule_id in CATALOGUE)


def test_every_family_is_there_and_each_rule_fully_declared():
    assert set(by_family()) == set(FAMILIES)
    assert len(CATALOGUE) >= 140
    for s in CATALOGUE.values():
        assert ID_PATTERN.fullmatch(s.id), s.id
        assert s.title and s.source, s.id
        if s.kind == "finding":
            assert s.fix, f"{s.id} has no suggested fix"
            assert all(isinstance(v, Severity) for v in s.severities)


def test_the_families_come_from_their_declarations():
    assert spec("coding.addon-hour") is coding_rules.RULES_BY_ID["coding.addon-hour"]
    assert spec("doc.ndc-missing") is registry()["doc.ndc-missing"].spec
    assert spec("era.envelope-missing").severities == (Severity.WARNING, Severity.ERROR)
    assert spec("coding.jw-waste").kind == "line" and spec("era.claim-unbalanced").severity is Severity.ERROR
    with pytest.raises(KeyError):
        spec("doc.no-such-rule")


def test_every_rule_id_named_in_the_code_is_in_the_catalogue():
    unknown, built = [], []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        for n, line in enumerate(text.splitlines(), start=1):
            where = f"{path.relative_to(ROOT)}:{n}"
            named = [f"{m.group(1)}.{m.group(2)}" for m in RULE_LITERAL.finditer(line)]
            # The catalogue's own list of retired IDs is the one place they may still be written.
            unknown += [f"{where}: {rule_id}" for rule_id in named if rule_id not in CATALOGUE
                        and not (rule_id in RETIRED and path.name == "catalogue.py")]
            built += [where for _ in BUILT_ID.finditer(line)]
    assert not unknown, "rule IDs the catalogue lacks:\n" + "\n".join(unknown)
    assert not built, "rule IDs built at run time (declare them instead):\n" + "\n".join(built)


def _checked(findings) -> list[str]:
    """Findings whose ID is not in the catalogue or whose severity the catalogue does not allow."""
    out = []
    for f in findings:
        s = CATALOGUE.get(f.rule_id)
        if s is None:
            out.append(f"{f.rule_id}: not in the catalogue ({f.message})")
        elif f.severity not in s.severities:
            out.append(f"{f.rule_id}: {f.severity.value}, the catalogue says {_names(s.severities)}")
    return out


def _names(severities) -> str:
    return " or ".join(v.value for v in severities) or "line rule (no findings)"


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    source = tmp_path_factory.mktemp("demo") / "clinic.xlsx"
    write_clinic(Clinic(encounters=400), source)
    return run_workbook(source, available_stages(), write=False)


def test_the_demo_emits_only_catalogued_rules_with_their_severity(demo_run):
    assert demo_run.findings
    assert _checked(demo_run.findings) == []


def test_every_charges_line_names_a_catalogued_line_rule(demo_run):
    charges = next(t for t in demo_run.tables if t.name == "Charges")
    rule_column = charges.columns.index("Rule")
    named = {r for row in charges.rows for r in row[rule_column].split(", ")}  # a line may name several
    assert named and all(CATALOGUE[r].kind == "line" for r in named)


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "remits" / "data").rglob("*.835")), ids=lambda p: p.name)
def test_every_835_test_file_emits_only_catalogued_rules(path):
    assert _checked(read_835(path).findings) == []


def test_a_retired_id_is_never_emitted_and_names_the_rule_that_reports_its_fact():
    assert RETIRED["doc.stop-time-missing"] == "coding.stop-time-fallback"
    assert not set(RETIRED) & set(CATALOGUE)
    assert all(CATALOGUE[new].kind == "finding" for new in RETIRED.values())
