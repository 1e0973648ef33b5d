"""``docs/rules.md``: every rule the tool can emit, generated from the rule catalogue.

The reference lists each family's rules with ID, severity, title, suggested fix and source; the
pre-bill checks also with their rule set, the cell their findings point at, what they check and their
message template. It is generated, never edited by hand, and a test fails when the committed file
differs from what the catalogue says. Regenerate it with::

    .venv/bin/python -m infusion_billing.rules.docs docs/rules.md
"""

from __future__ import annotations

import sys
from pathlib import Path

from .catalogue import CATALOGUE, RETIRED, by_family
from .spec import FAMILIES, RuleSpec

#: Families whose rules are pre-bill checks: run by rule set, shown in full.
CHECK_FAMILIES = ("doc", "elig", "auth", "filing", "payer")

_INTRO = {
    "reader": "The reader reports each bad table, column or cell and goes on: a row with an error is left out "
              "of the run, a warning or info value is read leniently.",
    "coding": "A **line** rule names the rule behind a claim line (the Charges sheet's Rule column); the others "
              "report what could not be coded as charted, or what the engine did on purpose.",
    "x12": "An X12 file is read as far as it goes; each problem names the file and segment. A value the 837 "
           "writer cannot send holds its claim.",
    "claim": "A claim with an error is held: it is left out of the 837 file and the other claims are written.",
    "era": "The 835 import keeps every payment it can read; each problem names the file and segment.",
    "pipeline": "A stage that fails is reported and the others still run.",
    "check": "A pre-bill rule that fails is reported and the other rules still run.",
}


def render_rules_markdown() -> str:
    """The whole reference as Markdown text (deterministic: catalogue order)."""
    families = by_family()
    checks = [s for f in CHECK_FAMILIES for s in families.get(f, [])]
    out = [
        "# Rules reference",
        "",
        "<!-- Generated from the rule catalogue by `python -m infusion_billing.rules.docs docs/rules.md`; "
        "do not edit by hand. -->",
        "",
        "Every rule ID the tool can emit, on a Finding or in the Charges sheet's Rule column. Severity: "
        "**error** holds the encounter (status Hold) or leaves the row out of the run, **warning** asks for "
        "review (status Review), **info** only tells; **line** rules name claim lines. Sources are sections "
        "of [coding-rules.md](coding-rules.md), [remits.md](remits.md) and [payer-rules.md](payer-rules.md); "
        "tags `[Sn]` resolve in [sources.md](sources.md).",
        "",
        "`infusion-billing check BOOK` runs the **basic** pre-bill rules; `--strict` (or Settings *Rule Set* = "
        "strict) adds the **strict** ones; `--rule ID` runs one rule (or a family: `doc`, `elig`, `auth`, "
        "`filing`, `payer`), whatever its set.",
        "",
        f"{len(CATALOGUE)} rules: " + ", ".join(f"{len(v)} {k}" for k, v in families.items()) + "; "
        f"of the pre-bill checks {sum(s.rule_set == 'basic' for s in checks)} basic, "
        f"{sum(s.rule_set == 'strict' for s in checks)} strict.",
    ]
    for family, specs in families.items():
        out += ["", f"## {FAMILIES[family]}", ""]
        if family in CHECK_FAMILIES:
            out += ["| ID | Severity | Set | Title | Finding points at |", "|---|---|---|---|---|"]
            out += [f"| [`{s.id}`](#{_anchor(s)}) | {_severity(s)} | {s.rule_set} | {s.title} | {s.location} |"
                    for s in specs]
            out.append("")
            for s in specs:
                out += _check_section(s)
        else:
            if family in _INTRO:
                out += [_INTRO[family], ""]
            out += ["| ID | Severity | Title | Suggested fix | Source |", "|---|---|---|---|---|"]
            out += [f"| `{s.id}` | {_severity(s)} | {_cell(s.title)} | {_cell(s.fix)} | {_cell(s.source)} |"
                    for s in specs]
    out += ["", "## Retired rule IDs", "",
            "IDs no longer emitted; the fact each reported is now reported by one rule only (a missing stop time "
            "was reported twice at one cell). Filter on the new ID.", "",
            "| Retired ID | Now reported by |", "|---|---|"]
    out += [f"| `{old}` | `{new}` |" for old, new in RETIRED.items()]
    return "\n".join(out).rstrip() + "\n"


def _severity(s: RuleSpec) -> str:
    if s.severity is None:
        return "line"
    return " or ".join(v.value for v in s.severities)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _anchor(s: RuleSpec) -> str:
    return s.id.replace(".", "").lower()


def _check_section(s: RuleSpec) -> list[str]:
    return [
        f"### {s.id}",
        "",
        f"**{s.title}**: {_severity(s)}, {s.rule_set} set. Points at: {s.location}.",
        "",
        s.description,
        "",
        f"- Message: `{s.message}`",
        f"- Suggested fix: `{s.fix}`",
        f"- Source: {s.source}",
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
