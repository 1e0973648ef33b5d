"""The built-in reference tables as typed rows (the workbook's own rows override them)."""

from __future__ import annotations

from functools import lru_cache

from ..schema import Drug
from .drugs import load_builtin_drugs


@lru_cache(maxsize=1)
def builtin_drugs() -> dict[str, Drug]:
    """The shipped Drugs table (``drugs.csv``) by HCPCS, as the same model the workbook's rows use."""
    out: dict[str, Drug] = {}
    for row in load_builtin_drugs():
        clean = {k: val for k, val in row.items() if val not in (None, "")}
        drug = Drug.model_validate({**clean, "__row__": 0})
        out[drug.hcpcs] = drug
    return out
