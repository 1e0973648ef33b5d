"""What the engine needs to know about one HCPCS drug, looked up once per run.

A clinic gives the same few dozen drugs thousands of times; everything about a drug that does not
depend on the encounter (billing unit, class, container, biologic or unclassified code, NDC in 11
digits, deletion date, the name a biller reads) is worked out the first time the HCPCS is met.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..reference.catalog import builtin_drugs
from ..schema import Container, Drug, NdcUnit
from .quantities import ceil_units, number, tidy
from .ruletables import CodingTables


def short_name(table_name: str) -> str:
    """A Drugs-table name without its descriptor notes.

    ``diphenhydramine HCl up to 50 mg`` -> ``diphenhydramine HCl``.
    """
    return table_name.split(" (")[0].split(" up to ")[0]


def display_name(text: str) -> str:
    """``rituximab`` -> ``Rituximab`` (only the first letter; ``IVIG`` stays ``IVIG``)."""
    return text[:1].upper() + text[1:] if text else text


def packaged_dates(drug: Drug) -> tuple[date, date | None] | None:
    """(from, to) dates of service the hospital outpatient PPS packages the drug, or None.

    A workbook Drugs row without OPPS Packaged From takes the built-in row's dates for the same HCPCS.
    """
    if drug.opps_packaged_from is None:
        builtin = builtin_drugs().get(drug.hcpcs)
        if builtin is None or builtin.opps_packaged_from is None:
            return None
        drug = builtin
    assert drug.opps_packaged_from is not None
    return drug.opps_packaged_from, drug.opps_packaged_to


def opps_packaged(drug: Drug, day: date) -> bool:
    """True when the drug is OPPS-packaged (status N) on ``day``: no JW/JZ on facility claims [S66][S84]."""
    dates = packaged_dates(drug)
    return dates is not None and dates[0] <= day and (dates[1] is None or day <= dates[1])


class DrugInfo:
    """One Drugs-table row, digested.

    Attributes:
        drug: the row itself (workbook row or built-in).
        hcpcs, name: code and display name (``Rituximab``).
        category: ``Chemo/Complex``, ``Therapeutic`` or ``Hydration fluid`` (before payer options).
        unit, quantity: billing unit measure (``mg``) and amount per HCPCS unit (10).
        single_dose, up_to, hormonal: container and descriptor flags.
        biologic, unclassified: membership of ``tables/drug_groups.csv``.
        ml_per_unit: mL in one billing unit when the table gives the concentration (NDC Unit = ML).
        ndc_unit, ndc_per_unit: the NDC unit of measure and NDC quantity per billing unit.
        vial: content of one vial in the billing unit's measure, or None.
        ndc_text: the NDC the Drugs table gives (as written), used when the row has none.
        deleted: (deleted from, replacement) for a deleted code, else None.
        per_unit_text: the fixed end of its drug line's explanation.
        antineoplastic: an anti-cancer drug (the Drugs table's Antineoplastic; blank = the built-in
            row's value, else Y for a Chemo/Complex drug that is not a listed biologic).
        esa: a non-ESRD erythropoiesis-stimulating agent (EA/EB/EC on Medicare lines).
        packaged: (from, to) dates of service the hospital outpatient PPS packages it, or None.

    A clinic gives a drug in a handful of doses, so the units and NDC quantity of an amount are
    worked out once per amount (:meth:`units`, :meth:`ndc_quantity`).
    """

    __slots__ = ("drug", "hcpcs", "name", "category", "unit", "quantity", "single_dose", "up_to", "hormonal",
                 "biologic", "unclassified", "ml_per_unit", "ndc_unit", "ndc_per_unit", "vial", "deleted",
                 "per_unit_text", "ndc_text", "antineoplastic", "esa", "packaged", "_units", "_ndc_quantities")

    def __init__(self, drug: Drug, tables: CodingTables) -> None:
        self.drug = drug
        self.hcpcs = drug.hcpcs
        self.name = display_name(short_name(drug.drug_name))
        self.category = drug.drug_class.value
        self.unit = drug.billing_unit.value
        self.quantity: Decimal = drug.billing_unit_quantity
        self.single_dose = drug.container is Container.SINGLE_DOSE
        self.up_to = drug.up_to
        self.hormonal = drug.hormonal_antineoplastic
        self.biologic = drug.hcpcs in tables.biologics
        self.unclassified = drug.hcpcs in tables.unclassified
        self.ndc_unit = drug.ndc_unit.value if drug.ndc_unit is not None else ""
        self.ndc_per_unit: Decimal | None = drug.ndc_quantity_per_unit or None
        self.ml_per_unit = self.ndc_per_unit if drug.ndc_unit is NdcUnit.ML else None
        self.vial: Decimal | None = drug.vial_size or None
        self.ndc_text = drug.ndc
        self.deleted: tuple[date, str] | None = tables.deleted.get(drug.hcpcs)
        # Blank attributes on a workbook Drugs row take the built-in row's values for the same HCPCS.
        builtin = builtin_drugs().get(drug.hcpcs)
        source = drug if builtin is None else builtin
        antineoplastic = drug.antineoplastic if drug.antineoplastic is not None else source.antineoplastic
        if antineoplastic is None:
            antineoplastic = self.category == "Chemo/Complex" and not self.biologic
        self.antineoplastic: bool = antineoplastic
        self.esa: bool = bool(drug.esa if drug.esa is not None else source.esa)
        self.packaged: tuple[date, date | None] | None = packaged_dates(drug)
        per = f"{'up to ' if self.up_to else ''}{number(self.quantity)} {self.unit}"
        #: The fixed end of the drug line's explanation: ``at 10 mg per unit, rounded up: J9312 x ``.
        self.per_unit_text = f"at {per} per unit, rounded up: {self.hcpcs} x "
        self._units: dict[Decimal, int] = {}
        self._ndc_quantities: dict[Decimal, Decimal] = {}

    def packaged_on(self, day: date) -> bool:
        """True when the hospital outpatient PPS packages the drug on ``day`` (no JW/JZ on facility claims)."""
        packaged = self.packaged
        return packaged is not None and packaged[0] <= day and (packaged[1] is None or day <= packaged[1])

    def units(self, amount: Decimal) -> int:
        """HCPCS units for ``amount`` (in the billing unit's measure): ``ceil(amount / unit quantity)``."""
        units = self._units.get(amount)
        if units is None:
            units = self._units[amount] = ceil_units(amount, self.quantity)
        return units

    def ndc_quantity(self, amount: Decimal) -> Decimal | None:
        """NDC quantity for ``amount``: ``amount / unit quantity x NDC quantity per billing unit``, to 3 decimals;
        None when the Drugs table gives no NDC quantity per billing unit."""
        per_unit = self.ndc_per_unit
        if per_unit is None:
            return None
        quantity = self._ndc_quantities.get(amount)
        if quantity is None:
            quantity = self._ndc_quantities[amount] = tidy(amount / self.quantity * per_unit)
        return quantity
