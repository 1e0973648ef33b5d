"""The store's ``manifest.json``: what is in it, from which books, by which version of the tool.

It says, for anyone opening the folder years later (or an engine that only sees Parquet files):

* ``tool`` and ``tool_version``: what wrote it;
* ``tables``: each relation's sheet, kind (input, ledger, derived), key, partition columns and its
  columns with their types;
* ``clinics``: for each clinic folder, the clinic's real name, its billing provider (name, NPIs and
  Tax IDs from the first book's Practice sheet), the as-of date of its figures, whether it was
  exported de-identified and a fingerprint of the salt (never the salt), every book exported (file
  name and SHA-256 of its bytes) and the rows each partition holds.

It holds no time stamp: exporting the same book again leaves it byte for byte the same. The export
checks a book against it before writing anything (the ``check_`` functions): one folder is one clinic
(one real name, one billing provider), a store is de-identified or not as a whole, a de-identified
clinic keeps its salt, and a clinic's figures never go back to an earlier as-of date unasked.
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


def check_name(manifest: dict[str, Any], clinic: str, name: str) -> None:
    """One folder, one clinic: refuse a name that sanitises to a folder another clinic's name already has
    (``a/b`` and ``a\\b`` are both ``a-b``), or to one that differs from it in case alone (one folder on
    Windows and macOS)."""
    for key, entry in manifest["clinics"].items():
        was = entry.get("name", key)
        if (key == clinic and was != name) or (key != clinic and key.casefold() == clinic.casefold()):
            raise WorkbookError(f"Clinic {_quoted(name)} would share the store's folder {key} with clinic "
                                f"{_quoted(was)}; give it a name of its own with --clinic NAME.")


def _quoted(name: str) -> str:
    """A clinic's name as typed, in quotes (escaped only when it holds a control character)."""
    return f"'{name}'" if name.isprintable() else repr(name)


def check_deidentified(manifest: dict[str, Any], clinic: str, deidentify: bool) -> None:
    """One store is de-identified or not, for every clinic in it: a portfolio report over a store must not
    show one clinic's patients while it hides another's, nor join hashed claims to plain ones."""
    for key, entry in sorted(manifest["clinics"].items(), key=lambda kv: kv[0] != clinic):
        if bool(entry.get("deidentified")) != deidentify:
            how, flag = ("de-identified", "with") if entry.get("deidentified") else ("with patient identifiers",
                                                                                   "without")
            raise WorkbookError(f"Clinic {key} is in this store {how}; export {clinic} the same way "
                                f"({flag} --deidentify) or to another store.")


def check_salt(manifest: dict[str, Any], clinic: str, fingerprint: str | None) -> None:
    """A de-identified clinic is exported with the salt it was first exported with: another salt gives
    other hashes, so its claims would be added again beside themselves and join nothing."""
    was = (manifest["clinics"].get(clinic) or {}).get("salt_fingerprint")
    if was and fingerprint and was != fingerprint:
        raise WorkbookError(f"Clinic {clinic} was exported to this store with another salt; export it with the "
                            f"salt used then (the store's .salt file, or the --salt given then).")


def provider_text(provider: dict[str, Any]) -> str:
    """``Lakeside Infusion Center with NPI 1234567893 and Tax ID 12-3456789``: a billing provider, never a patient."""
    labels = (("npi", "NPI"), ("tax_id", "Tax ID"))
    ids = [f"{label} {', '.join(provider[k])}" for k, label in labels if provider.get(k)]
    name = provider.get("name") or "a billing provider"
    return f"{name} with {' and '.join(ids)}" if ids else name


def same_provider(was: dict[str, Any], now: dict[str, Any]) -> bool:
    """Whether two books bill as one clinic: they share a billing NPI; when one names no NPI, a Tax ID;
    when there is nothing to compare, they are taken as one."""
    for ids in ("npi", "tax_id"):
        a, b = set(was.get(ids) or ()), set(now.get(ids) or ())
        if a and b:
            return bool(a & b)
    return True


def check_provider(manifest: dict[str, Any], clinic: str, provider: dict[str, Any]) -> None:
    """Refuse a book billing as another provider than the clinic's first book: two clinics under one name
    would add up one clinic's claims with the other's and leave the last one's results."""
    was = (manifest["clinics"].get(clinic) or {}).get("billing_provider")
    if was and not same_provider(was, provider):
        raise WorkbookError(f"Clinic {clinic} in this store bills as {provider_text(was)}, but this book bills as "
                            f"{provider_text(provider)}; export it under its own name with --clinic NAME.")


def check_as_of(manifest: dict[str, Any], clinic: str, as_of: str, replace_newer: bool) -> bool:
    """Refuse a book as of an earlier date than the clinic's in the store (unless ``replace_newer``).

    Returns whether the clinic's as-of date moves (its tables counted to an as-of date are then replaced
    whole): a clinic's first book, a later as-of date, or an earlier one the user asked for.
    """
    was = (manifest["clinics"].get(clinic) or {}).get("as_of")
    if was and as_of < was and not replace_newer:
        raise WorkbookError(f"This book is as of {as_of}, older than clinic {clinic}'s figures as of {was} already "
                            f"in the store; export the newer book, or add --replace-newer to take the clinic back "
                            f"to {as_of}.")
    return was != as_of


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
                deidentify: bool, *, as_of: str, provider: dict[str, Any], salt_fingerprint: str | None) -> None:
    """Record the book exported, the clinic's as-of date, billing provider and salt fingerprint, and the
    rows each of the clinic's partitions now holds."""
    entry = manifest["clinics"].setdefault(clinic, {"name": name, "books": []})
    entry["deidentified"] = deidentify
    entry["as_of"] = as_of
    entry.setdefault("billing_provider", provider)  # the first book's: the clinic's identity
    if salt_fingerprint:
        entry.setdefault("salt_fingerprint", salt_fingerprint)
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
