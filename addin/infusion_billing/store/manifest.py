"""The store's ``manifest.json``: what is in it, from which books, by which version of the tool.

It says, for anyone opening the folder years later (or an engine that only sees Parquet files):

* ``tool`` and ``tool_version``: what wrote it;
* ``tables``: each relation's sheet, kind (input, ledger, derived), key, partition columns and its
  columns with their types;
* ``clinics``: for each clinic, its name, whether it was exported de-identified, every book exported
  (file name and SHA-256 of its bytes) and the rows each partition holds.

It holds no time stamp: exporting the same book again leaves it byte for byte the same. A clinic
exported de-identified stays so: mixing identified and de-identified rows of one clinic would join
hashed claims to plain ones, so the export refuses it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa

from .. import __version__
from ..display import shown
from ..workbook.reader import WorkbookError
from .layout import relations_in, row_counts
from .tables import StoreTable

FILE = "manifest.json"
FORMAT = 1


def load(store: Path) -> dict[str, Any]:
    path = store / FILE
    if not path.exists():
        return {"format": FORMAT, "tool": "infusion-billing", "tool_version": __version__, "tables": {},
                "clinics": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise WorkbookError(f"{shown(path)} is damaged; restore it from a backup before exporting again.") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise WorkbookError(f"{shown(store)} is not a store this version of infusion-billing writes.")
    return data


def check_clinic(manifest: dict[str, Any], clinic: str, deidentify: bool) -> None:
    """Refuse to mix identified and de-identified rows of one clinic."""
    was = manifest["clinics"].get(clinic)
    if was is not None and bool(was.get("deidentified")) != deidentify:
        how = "de-identified" if was.get("deidentified") else "with patient identifiers"
        raise WorkbookError(f"Clinic {clinic} is in this store {how}; export it the same way "
                            f"({'with' if was.get('deidentified') else 'without'} --deidentify) or to another store.")


def known_types(manifest: dict[str, Any], relation: str) -> dict[str, pa.DataType]:
    """The column types the store already holds for ``relation``."""
    table = manifest["tables"].get(relation) or {}
    return {c["name"]: type_of(c["type"]) for c in table.get("columns", [])}


def type_of(text: str) -> pa.DataType:
    if text.startswith("decimal128("):
        precision, scale = (int(x) for x in text[len("decimal128("):-1].split(","))
        return pa.decimal128(precision, scale)
    named: dict[str, pa.DataType] = {"string": pa.string(), "int64": pa.int64(), "double": pa.float64(),
                                     "date32[day]": pa.date32(), "bool": pa.bool_(), "timestamp[s]": pa.timestamp("s")}
    return named.get(text, pa.string())


def note_table(manifest: dict[str, Any], spec: StoreTable, schema: pa.Schema) -> None:
    """Record a table's kind, key, partitions and columns (new columns added after the earlier ones)."""
    entry = manifest["tables"].setdefault(spec.relation, {})
    columns = {c["name"]: c["type"] for c in entry.get("columns", [])}
    for f in schema:
        if f.name not in columns or columns[f.name] == "string":
            columns[f.name] = str(f.type)
    entry.update({
        "sheet": spec.sheet, "kind": spec.kind, "key": list(spec.key),
        "partitioned_by": ["clinic", "month"] if spec.month is not None else ["clinic"],
        "columns": [{"name": n, "type": t} for n, t in columns.items()],
    })


def note_clinic(manifest: dict[str, Any], store: Path, clinic: str, name: str, book: str, sha256: str,
                deidentify: bool) -> None:
    """Record the book exported and the rows each of the clinic's partitions now holds."""
    entry = manifest["clinics"].setdefault(clinic, {"name": name, "books": []})
    entry["deidentified"] = deidentify
    if not any(b["sha256"] == sha256 for b in entry["books"]):
        entry["books"].append({"file": book, "sha256": sha256})
    rows = {}
    for relation in relations_in(store):
        counts = row_counts(store, relation, clinic)
        if counts:
            rows[relation] = counts
    entry["rows"] = rows
    manifest["tool_version"] = __version__


def save(store: Path, manifest: dict[str, Any]) -> int:
    """Write the manifest when it changed; 1 when written, else 0."""
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    path = store / FILE
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return 0
    store.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return 1
