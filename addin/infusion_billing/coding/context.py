"""What the engine looks up once per run: tables, settings, payers, drugs, prices, rows by encounter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..identifiers.ndc import to_ndc11
from ..schema import Administration, PayerDrugClass
from ..values import norm_key
from .charges import Pricer
from .druginfo import DrugInfo, display_name
from .result import DrugDose
from .ruletables import CodingTables, coding_tables


class Memo(dict):
    """A lookup that fills itself: ``memo[key]`` works out ``compute(key)`` the first time a key is met.

    A clinic uses a few dozen drugs, sites, bag labels and NDCs thousands of times; each is digested once.
    """

    __slots__ = ("compute",)

    def __init__(self, compute: Callable[[str], Any]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, key: str) -> Any:
        value = self[key] = self.compute(key)
        return value


class Context:
    """Everything looked up once per run: tables, settings, payers, drugs, prices, rows by encounter.

    Attributes:
        info: HCPCS -> its digested Drugs-table row (workbook rows override the built-in table), or None.
        key: site, bag or drug name -> comparison key (``L Forearm`` and ``l-forearm`` are one site).
        display: charted drug name -> as the Explanation shows it.
        ndc11: NDC as charted -> 11 digits (raises ValidationError for an NDC that cannot convert).
    """

    def __init__(self, book, tables: CodingTables | None = None) -> None:
        self.book = book
        self.tables = tables = tables or coding_tables()
        self.settings = book.settings
        self.drugs = drugs = book.drugs
        self.payers = {p.payer_id: p for p in book.rows("Payers")}
        #: (Payer ID, HCPCS) -> the payer's dated administration-class rows (Payer Drug Classes table).
        self.payer_classes: dict[tuple[str, str], list[PayerDrugClass]] = {}
        for rule in book.rows("Payer Drug Classes"):
            self.payer_classes.setdefault((rule.payer_id, rule.hcpcs), []).append(rule)
        self.pricer = Pricer(book)
        self.by_encounter: dict[str, list[Administration]] = {}
        by_encounter = self.by_encounter
        for row in book.rows("Administrations"):
            eid = row.encounter_id
            rows = by_encounter.get(eid)
            if rows is None:
                by_encounter[eid] = [row]
            else:
                rows.append(row)
        self.info: Memo = Memo(lambda hcpcs: DrugInfo(drugs[hcpcs], tables) if hcpcs in drugs else None)
        self.key: Memo = Memo(norm_key)
        self.display: Memo = Memo(display_name)
        self.ndc11: Memo = Memo(to_ndc11)
        self.push_max = tables.push_max
        self.hour = tables.hour
        self.addon_over = tables.addon_over
        families = tables.families.values()
        #: Codes a professional claim in a facility leaves to the facility (963xx-965xx) [S6][S57].
        self.pro_facility_drop = frozenset(f.code for f in families if f.pro_facility_drop)
        #: Codes only a facility claim carries (96376).
        self.facility_only = frozenset(f.code for f in families if f.facility_only)
        #: Add-on -> its primaries under Professional Hydration First = Hydration initial: hydration
        #: (96360) may then be the primary of the drug pushed or infused after it.
        pairs = tables.addon_primaries
        self.hydration_first_pairs = {code: primaries | {"96360"} if code in ("96367", "96375") else primaries
                                      for code, primaries in pairs.items()}
        self.keep_hydration_first = book.settings.professional_hydration_first == "Hydration initial"
        #: What the run counted, not looked up: Admin ID -> its drug dose in the billing measure, filled
        #: by the drug lines of every encounter (handed out as ``CodingResult.doses``).
        self.doses: dict[str, DrugDose] = {}

    def admin_ids_of(self, encounter_id: str) -> set[str]:
        return {row.admin_id for row in self.by_encounter.get(encounter_id, ())}
