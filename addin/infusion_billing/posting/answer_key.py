"""Score a reconciliation against the payer simulator's answer key (``simulation-key.csv``).

A planted outcome is **recovered** when the Reconciliation row of its claim line has the status the
simulator planted (an underpayment as Underpaid, a unit cut as Units reduced, a reversal as
Reversed, ...); provider-level adjustments (PLB) are recovered when the import read them. The demo
prints the score and the tests assert it is complete, with the underpaid total to the cent.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .contract import ZERO
from .simulator import KEY_FILE
from .status import PAID_AS_EXPECTED


@dataclass
class Score:
    """Planted outcomes (every key row that is not a plain paid-as-contracted line) and those recovered."""

    planted: int = 0
    recovered: int = 0
    lines: int = 0
    lines_agreeing: int = 0
    planted_shortfall: Decimal = ZERO
    misses: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.planted == self.recovered and self.lines == self.lines_agreeing


def read_key(folder_or_file: str | Path) -> list[dict[str, str]]:
    path = Path(folder_or_file)
    if path.is_dir():
        path = path / KEY_FILE
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def score(key: Iterable[Mapping[str, str]], columns: Sequence[str], rows: Iterable[Sequence[Any]],
          plb: Iterable[Mapping[str, Any]] = ()) -> Score:
    """Compare the key with the Reconciliation rows (``columns`` order) and the imported PLB rows."""
    at = {name: i for i, name in enumerate(columns)}
    status = {(str(r[at["Claim ID"]]), str(r[at["Line Control Number"]])): r[at["Status"]] for r in rows}
    plb_seen = {(str(p.get("Reason") or ""), Decimal(str(p.get("Amount") or 0)).quantize(Decimal("0.01")))
                for p in plb}
    s = Score()
    for k in key:
        if not k["Line Control Number"]:  # a provider-level adjustment
            s.planted += 1
            code, value = k["CARC"], Decimal(k["Outcome"].split()[-1])
            if (code, value) in plb_seen:
                s.recovered += 1
            else:
                s.misses.append(k["Outcome"])
            continue
        found = status.get((k["Claim ID"], k["Line Control Number"]))
        s.lines += 1
        s.lines_agreeing += found == k["Expected Status"]
        if k["Expected Status"] == "Underpaid":
            s.planted_shortfall += Decimal(k["Shortfall"])
        if k["Outcome"] in ("paid as contracted",) and k["Expected Status"] == PAID_AS_EXPECTED:
            continue
        s.planted += 1
        if found == k["Expected Status"]:
            s.recovered += 1
        else:
            s.misses.append(f"{k['Line Control Number']}: planted {k['Outcome']} ({k['Expected Status']}), "
                            f"found {found}")
    return s
