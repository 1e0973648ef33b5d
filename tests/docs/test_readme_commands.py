"""The README's command table is the command line: every command and every option, both ways.

A practice owner copies a line from the table; an option the table shows must exist, and an option
the command takes must be in its row, except the few every command shares, which the sentence under
the table names once (``--force``, ``--max-lines``, ``--json``).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from infusion_billing.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
#: Options the sentence under the table names for every command that has them.
SHARED = ("--force", "--max-lines", "--json")


def command_section() -> str:
    return (ROOT / "README.md").read_text().split("## Command line", 1)[1].split("\n## ", 1)[0]


def readme_rows() -> dict[str, set[str]]:
    """Command (``refdata import-ncci``) -> the options its row shows (``-o`` for ``-o/--output``)."""
    rows = {}
    for usage in re.findall(r"^\| `infusion-billing ([^`]+)` \|", command_section(), re.M):
        words = usage.split()
        name = " ".join(w for w in words[:2] if re.fullmatch(r"[a-z][a-z0-9-]*", w))
        rows[name] = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*|-o)(?![\w-])", usage))
    return rows


def parser_options() -> dict[str, set[str]]:
    out = {}

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if subs:
            for name, child in subs[0].choices.items():
                walk(child, (*path, name))
            return
        options = {o for a in parser._actions for o in a.option_strings} - {"-h", "--help"}
        if "-o" in options:
            options.discard("--output")
        out[" ".join(path)] = options

    walk(build_parser(), ())
    return out


def test_every_command_has_its_row_and_every_row_a_command():
    assert sorted(readme_rows()) == sorted(parser_options())


def test_each_row_shows_exactly_the_options_its_command_takes():
    rows, parsed = readme_rows(), parser_options()
    differences = {name: (sorted(rows[name] - parsed[name] - set(SHARED)),
                          sorted(parsed[name] - rows[name] - set(SHARED)))
                   for name in parsed if name in rows}
    assert {name: d for name, d in differences.items() if d != ([], [])} == {}


def test_the_shared_options_are_named_under_the_table():
    after_table = command_section().rsplit("|\n", 1)[1]
    assert all(f"`{option}" in after_table for option in SHARED)
