"""The README's schema section, rendered from the one schema declaration (never typed by hand).

``python -m infusion_billing.workbook.schema_doc README.md`` rewrites the part of the README between
the ``<!-- schema:start -->`` and ``<!-- schema:end -->`` markers; a test fails when it is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..claims.ledger import LEDGER_DOCS
from ..schema import INPUT_TABLES, TableSpec
from ..settings import SETTING_SPECS
from ..statements import ledger as statements_ledger

START = "<!-- schema:start -->"
END = "<!-- schema:end -->"


def _allowed(col) -> str:
    if col.choices:
        return ", ".join(col.choices)
    if col.kind.name == "yesno":
        return "Y, N"
    return ""


def render_table(spec: TableSpec) -> str:
    lines = [f"### {spec.name}", "", spec.description, ""]
    if spec.synonyms:
        lines += ["Also found on a sheet or Table named " + ", ".join(spec.synonyms) + " (after the name above).", ""]
    if spec.key:
        lines += [f"Key: {' + '.join(spec.key)}." + (
            " References: " + "; ".join(f"{h} -> {t}.{c}" for h, (t, c) in spec.references.items()) + "."
            if spec.references else ""), ""]
    lines += ["| Column | Type | Required | Allowed values / default | What it holds |", "|---|---|---|---|---|"]
    for col in spec.columns:
        allowed = _allowed(col)
        if col.default not in (None, "") and not col.required:
            shown = ("Y" if col.default else "N") if isinstance(col.default, bool) else col.default
            allowed = f"{allowed} (default {shown})" if allowed else f"default {shown}"
        phi = " Patient data: stays in the workbook, never in logs." if col.phi else ""
        lines.append(f"| {col.header} | {col.kind.name} | {'yes' if col.required else ''} | {allowed} | "
                     f"{col.description}{phi} |")
    return "\n".join(lines)


def render_settings() -> str:
    lines = ["### Settings you can set", "", "| Setting | Default | What it does |", "|---|---|---|"]
    for s in SETTING_SPECS:
        default = {True: "Y", False: "N", None: "(none)"}.get(s.default, s.default) \
            if isinstance(s.default, (bool, type(None))) else s.default
        lines.append(f"| {s.name} | {default} | {s.description} |")
    return "\n".join(lines)


def render_schema_markdown() -> str:
    """The whole schema section: every input table, then the settings."""
    parts = [
        "Every input table sits on its own sheet as an Excel Table of the same name (or a sheet of that name "
        "with headers in row 1, or under a title block in the first rows). Headers match whatever their case "
        "and spacing; allowed values match ignoring case, spaces, hyphens and underscores (`iv_push` is "
        "`IV push`). Extra columns are left alone. Cells are read the way clinics type them: times 0915, "
        "1340, 11am, 8.30, 9:15a; dates 2026/08/05, 05-Aug-2026; a dose with its unit (750 mg) fills Dose "
        "Unit; an NDC typed as a number gets back the leading zeros Excel dropped when that is certain.",
    ]
    parts += [render_table(spec) for spec in INPUT_TABLES]
    parts.append(render_settings())
    parts.append(render_ledgers())
    return "\n\n".join(parts)


def render_ledgers() -> str:
    """The claim ledger's tool sheets: what each column holds (the tool writes them; never type into them)."""
    out = ["### The claim ledger (tool sheets)",
           "Written by `claims` and `export-837` and read back by every later run; a Submitted claim's rows "
           "are never changed. See docs/claims.md."]
    for name, description, columns in LEDGER_DOCS:
        out.append(f"#### {name}\n\n{description}\n\n| Column | What it holds |\n|---|---|")
        out[-1] += "".join(f"\n| {c} | {what} |" for c, what in columns)
    out.append(f"### The {statements_ledger.SHEET} ledger (tool sheet)\n\n"
               "Written by `statements`, one row per patient statement sent; earlier rows are never changed. The "
               "next cycle reads it: no second statement inside the `Statement Cycle Days`, the previous balance, "
               "and how many notices a balance has had. See docs/statements.md.\n\n"
               "| Column | What it holds |\n|---|---|"
               + "".join(f"\n| {c} | {what} |" for c, what in statements_ledger.LEDGER_DOC))
    return "\n\n".join(out)


def update_readme(path: Path) -> bool:
    """Rewrite the README's schema section; True when it changed."""
    text = path.read_text()
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{render_schema_markdown()}\n{END}{tail}"
    if new != text:
        path.write_text(new)
        return True
    return False


def readme_section(path: Path) -> str:
    text = path.read_text()
    return text.split(START, 1)[1].split(END, 1)[0].strip("\n")


if __name__ == "__main__":  # pragma: no cover
    changed = update_readme(Path(sys.argv[1] if len(sys.argv) > 1 else "README.md"))
    print("README schema section " + ("updated" if changed else "already current"))
