"""Versioned rule tables: the CSV files shipped inside the package that hold billing rules as data.

Every rule table (the built-in Drugs table, CARC categories, payer defaults, ...) is a CSV file that
opens with comment lines saying where its content comes from and from when it applies::

    # source: docs/coding-rules.md section 13; verify against the CMS HCPCS quarterly file
    # effective: 2026-10-01
    # version: 2026Q4
    # Any other comment line is free text for the person who maintains the table.
    HCPCS,Drug Name,...
    J1745,infliximab (excludes biosimilar),...

A biller who asks "which quarter's codes is this run using?" gets the answer from those lines, so
``source`` and ``effective`` are required and ``effective`` must be an ISO date. A ``# key: value``
line whose key is one word becomes metadata; every other ``#`` line is a comment. Comment lines may
appear anywhere; only those before the header row are read as metadata.

These files are ours, not the user's: a malformed table is a packaging bug, so it raises
``ValueError`` (and the tests catch it) instead of producing Findings.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from datetime import date
from importlib.resources import files

REQUIRED_META = ("source", "effective")

# "# effective: 2026-10-01" -> ("effective", "2026-10-01"). One-word keys only, so a free comment
# such as "# Status V means ... (verify: CMS file)" is not mistaken for metadata.
_META_LINE = re.compile(r"^#\s*([A-Za-z][A-Za-z0-9_-]*)\s*:\s*(.*?)\s*$")


def parse_versioned_csv(text: str, origin: str = "<table>") -> tuple[dict[str, str], list[dict[str, str | None]]]:
    """Split a versioned table into its metadata and its rows.

    Returns ``(meta, rows)``: ``meta`` maps lower-cased keys to values (``source``, ``effective``,
    ``version`` ...); each row maps the exact header texts to stripped cell text, with an empty
    cell as ``None`` just as an empty Excel cell reads. ``origin`` names the table in error messages.
    """
    meta: dict[str, str] = {}
    data_lines: list[str] = []
    data_line_numbers: list[int] = []  # file line number of each data line, for error messages
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            match = _META_LINE.match(stripped)
            if match and not data_lines:
                key = match.group(1).lower()
                if key in meta:
                    raise ValueError(f"{origin} line {number}: '{key}' is given twice")
                meta[key] = match.group(2)
            continue
        data_lines.append(line)
        data_line_numbers.append(number)

    for key in REQUIRED_META:
        if not meta.get(key):
            raise ValueError(f"{origin}: missing the '# {key}: ...' line")
    try:
        date.fromisoformat(meta["effective"])
    except ValueError:
        raise ValueError(f"{origin}: effective date {meta['effective']!r} is not YYYY-MM-DD") from None
    if not data_lines:
        raise ValueError(f"{origin}: no header row")

    reader = csv.reader(io.StringIO("\n".join(data_lines)))
    header = [name.strip() for name in next(reader)]
    if "" in header or len(set(header)) != len(header):
        raise ValueError(f"{origin}: header has an empty or repeated column: {header}")

    rows: list[dict[str, str | None]] = []
    for cells in reader:
        if len(cells) != len(header):
            line_number = data_line_numbers[reader.line_num - 1]
            raise ValueError(f"{origin} line {line_number}: {len(cells)} cells for {len(header)} columns")
        rows.append({name: (cell.strip() or None) for name, cell in zip(header, cells, strict=True)})
    return meta, rows


def read_versioned_csv(package: str, filename: str) -> tuple[dict[str, str], list[dict[str, str | None]]]:
    """Read a versioned table shipped as package data, e.g. ``("infusion_billing.reference", "drugs.csv")``.

    Uses :mod:`importlib.resources`, so it works from an editable install, a wheel or a zip; no
    network and no path guessing. See :func:`parse_versioned_csv` for the return value.
    """
    text = files(package).joinpath(filename).read_text(encoding="utf-8")
    return parse_versioned_csv(text, origin=filename)


def filled(row: Mapping[str, str | None], column: str) -> str:
    """A cell the table must fill (a key, a code, a date): a blank one is a broken shipped table.

    Empty cells read as ``None``; a column that may be blank is read with ``row[column] or ""``.
    """
    value = row[column]
    if value is None:
        raise ValueError(f"a shipped table row has no {column}: {dict(row)}")
    return value
