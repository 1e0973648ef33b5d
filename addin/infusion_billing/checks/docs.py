"""``docs/rules.md``: the pre-bill rules reference, generated from the registry.

The reference lists every rule with its ID, severity, rule set, the cell its findings point at, what
it checks, its message and fix templates, and its source. It is generated, never edited by hand, and
a test fails when the committed file differs from what the registry says. Regenerate it with::

    .venv/bin/python -m infusion_billing.checks.docs docs/rules.md
"""

from __future__ import annotations

import sys
from pathlib import Path

from .registry import FAMILIES, Rule, registry

_FAMILY_TITLES = {
    "documentation": "Documentation completeness",
    "eligibility": "Eligibility and coverage",
    "authorization": "Prior authorization",
    "timely_filing": "Timely filing",
    "payer_rules": "Payer rules",
}


def render_rules_markdown() -> str:
    """The whole reference as Markdown text (deterministic: registry order)."""
    rules = list(registry().values())
    out = [
        "# Pre-bill check rules",
        "",
        "<!-- Generated from the rule registry by `python -m infusion_billing.checks.docs docs/rules.md`; "
        "do not edit by hand. -->",
        "",
        "`infusion-billing check BOOK` runs the **basic** rules; `--strict` (or Settings *Rule Set* = strict) adds "
        "the **strict** ones; `--rule ID` runs one rule (or a family: `doc`, `elig`, `auth`, `filing`, `payer`), "
        "whatever its set. Severity: **error** holds the encounter (status Hold), **warning** asks for review "
        "(status Review), **info** only tells. A rule that crashes is reported as `check.rule-failed` and the "
        "other rules still run.",
        "",
        f"{len(rules)} rules: {sum(r.rule_set == 'basic' for r in rules)} basic, "
        f"{sum(r.rule_set == 'strict' for r in rules)} strict.",
        "",
        "| ID | Severity | Set | Title | Finding points at |",
        "|---|---|---|---|---|",
    ]
    out += [f"| [`{r.id}`](#{_anchor(r)}) | {r.severity.value} | {r.rule_set} | {r.title} | {r.location} |"
            for r in rules]
    for family in FAMILIES.values():
        members = [r for r in rules if r.family == family]
        if not members:
            continue
        out += ["", f"## {_FAMILY_TITLES[family]}", ""]
        for r in members:
            out += _rule_section(r)
    return "\n".join(out).rstrip() + "\n"


def _anchor(r: Rule) -> str:
    return r.id.replace(".", "").lower()


def _rule_section(r: Rule) -> list[str]:
    return [
        f"### {r.id}",
        "",
        f"**{r.title}**: {r.severity.value}, {r.rule_set} set. Points at: {r.location}.",
        "",
        r.description,
        "",
        f"- Message: `{r.message}`",
        f"- Suggested fix: `{r.fix}`",
        f"- Source: {r.source}",
        "",
    ]


def write_rules_doc(path: str | Path) -> Path:
    """Write the reference to ``path`` (UTF-8, LF line ends)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_rules_markdown(), encoding="utf-8", newline="\n")
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = write_rules_doc(args[0] if args else "docs/rules.md")
    print(f"Written: {target}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
