"""The built-in Drugs table: HCPCS billing units, drug class and container for common infused drugs.

A drug line is billed in multiples of its HCPCS descriptor quantity, so the engine must know that
J1745 infliximab is per 10 mg (a 400 mg dose is 40 units) and that J2469 palonosetron is per 25 mcg
(0.25 mg is 10 units) [docs/coding-rules.md section 9]. It must also know whether the drug counts as
chemotherapy/complex for the administration codes (section 8) and whether it comes in single-dose
containers, where Medicare wants JW or JZ on the line.

The table ships in the package as ``drugs.csv``, built from docs/coding-rules.md section 13 and HCPCS
knowledge; its ``Status`` column says which billing units were seen in a source (``V``) and which
must still be checked against the CMS quarterly HCPCS/ASP file (``K``). The columns are exactly the
workbook's ``Drugs`` table headers, so a user's own ``Drugs`` rows override these by HCPCS.
"""

from __future__ import annotations

from functools import lru_cache

from .tables import read_versioned_csv

PACKAGE = "infusion_billing.reference"
DRUGS_CSV = "drugs.csv"

# Same texts, same order as the workbook's Drugs table, plus the table's own provenance columns.
DRUG_COLUMNS = (
    "HCPCS",
    "Drug Name",
    "Billing Unit Quantity",
    "Billing Unit",
    "Drug Class",
    "Container",
    "NDC",
    "NDC Unit",
    "NDC Quantity Per Billing Unit",
    "Up To",
    "Hormonal Antineoplastic",
    "Antineoplastic",
    "ESA",
    "OPPS Packaged From",
    "OPPS Packaged To",
    "Source",
    "Status",
)


@lru_cache(maxsize=1)
def _drugs_table() -> tuple[dict[str, str], tuple[dict[str, str | None], ...]]:
    meta, rows = read_versioned_csv(PACKAGE, DRUGS_CSV)
    header = tuple(rows[0]) if rows else ()
    if header != DRUG_COLUMNS:
        raise ValueError(f"{DRUGS_CSV}: columns {header} differ from {DRUG_COLUMNS}")
    return meta, tuple(rows)


def load_builtin_drugs() -> list[dict[str, str | None]]:
    """Every built-in drug row, keyed by the Drugs table's header texts; empty cells are ``None``.

    The file is read once per process; each call returns fresh dicts, so a caller may change them
    without touching the cached table.
    """
    return [dict(row) for row in _drugs_table()[1]]


def builtin_drugs_by_hcpcs() -> dict[str, dict[str, str | None]]:
    """The built-in rows keyed by HCPCS code (``"J1745"`` -> its row), for lookups and overrides."""
    return {hcpcs: row for row in load_builtin_drugs() if (hcpcs := row["HCPCS"])}  # every built-in row has one


def reference_header() -> dict[str, str]:
    """Where the built-in table comes from and which quarter it describes.

    ``{"source": "...", "effective": "2026-10-01", "version": "2026Q4"}``: shown in run summaries so
    a biller can tell which HCPCS quarter a result was computed with.
    """
    meta = _drugs_table()[0]
    return {key: meta.get(key, "") for key in ("source", "effective", "version")}
