"""What the synthetic clinic stocks, bills and is paid: payers, drugs with vial sizes, fees and charges.

Everything here is synthetic reference data for the demo workbook; none of it is a real payer's
contract or a real practice's charge master. Drug codes, billing units, drug classes and containers
come from the built-in Drugs table (``reference/drugs.csv``); this module only adds what a clinic
knows about its own stock: which vial it opens (the waste left in the last vial is charted), the
NDC printed on it, and how NDC quantities relate to HCPCS units.

NDCs: the built-in table names a real NDC for rituximab (50242-051-21) and palonosetron
(58063-797-25), and the demo uses those. Every other NDC below is **synthetic**: well-formed 5-4-2
numbers under the labeler code 99999, which no real product carries. They exist only so the demo's
Medicaid claims have an NDC to carry; never copy them into a real workbook.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from ..reference.catalog import builtin_drugs
from ..schema import Drug

D = Decimal

#: Labeler code of every synthetic NDC in the demo (not assigned to any real labeler).
SYNTHETIC_LABELER = "99999"


# ----------------------------------------------------------------------------- payers


@dataclass(frozen=True)
class DemoPayer:
    payer_id: str
    name: str
    payer_type: str
    timely_filing_days: int
    appeal_days: int
    requires_jw_jz: bool
    requires_ndc: bool
    biologics_as_chemo: bool
    separate_site_modifier: str
    secondary_hydration_59: bool
    fee_factor: Decimal  # allowed amounts relative to the Medicare-like base below


PAYERS: tuple[DemoPayer, ...] = (
    DemoPayer("MCR", "Medicare Part B", "Medicare", 365, 120, True, False, True, "XS", False, D("1.00")),
    DemoPayer("MCD", "Evergreen State Medicaid", "Medicaid", 365, 90, False, True, True, "59", False, D("0.72")),
    DemoPayer("SRH", "Summit Ridge Health Plan", "Commercial", 180, 180, False, False, False, "59", False, D("1.25")),
    DemoPayer("CVI", "Cedar Valley Insurance", "Commercial", 180, 180, False, False, True, "XU", False, D("1.40")),
    DemoPayer("LMH", "Lakeshore Mutual Health", "Commercial", 180, 180, False, False, True, "59", True, D("1.18")),
)
PAYERS_BY_ID = {p.payer_id: p for p in PAYERS}
COMMERCIAL = tuple(p.payer_id for p in PAYERS if p.payer_type == "Commercial")
MEDICARE, MEDICAID = "MCR", "MCD"

#: Payer Rules rows of the demo: one commercial plan also prior-authorizes IV iron (ferric carboxymaltose).
PAYER_RULES: tuple[tuple[str, str, bool, str], ...] = (
    ("CVI", "J1439", True, "Cedar Valley medical drug policy: IV iron requires prior authorization (synthetic)"),
)
#: Immune globulin codes: Therapeutic in the drug table, prior-authorized by commercial and Medicaid plans.
IMMUNE_GLOBULIN = frozenset({"J1459", "J1557", "J1559", "J1561", "J1566", "J1568", "J1569", "J1572", "J1575", "J1599"})


def needs_auth(payer_id: str, hcpcs: str) -> bool:
    """Whether the demo clinic gets a prior authorization for ``hcpcs`` from this payer.

    Commercial and Medicaid plans authorize chemotherapy/biologics and immune globulin (the checks'
    built-in defaults); Medicare Part B does not; a Payer Rules row adds to that.
    """
    payer = PAYERS_BY_ID[payer_id]
    if any(p == payer_id and code == hcpcs and req for p, code, req, _ in PAYER_RULES):
        return True
    if payer.payer_type not in ("Commercial", "Medicaid"):
        return False
    drug = builtin_drugs().get(hcpcs)
    return hcpcs in IMMUNE_GLOBULIN or (drug is not None and drug.drug_class.value == "Chemo/Complex")


# ----------------------------------------------------------------------------- stocked drugs


@dataclass(frozen=True)
class Stock:
    """One drug as the clinic stocks it.

    Attributes:
        key: the demo's own name for it (``fluorouracil``).
        hcpcs: HCPCS code (must be in the built-in Drugs table).
        charted: the drug name the nurse charts.
        dose_unit: the unit doses are charted in (mg, g, mcg, mL).
        vial: content of the container opened, in ``dose_unit`` (a 100 mg vial, a 1000 mL bag).
        ndc: NDC of that container as printed (10-digit hyphenated), real only where noted.
        ndc_unit: NDC unit of measure (UN or ML).
        ndc_per_unit: NDC quantity in one HCPCS billing unit.
        fee: synthetic Medicare-like allowed amount per HCPCS unit.
    """

    key: str
    hcpcs: str
    charted: str
    dose_unit: str
    vial: Decimal
    ndc: str
    ndc_unit: str
    ndc_per_unit: Decimal
    fee: Decimal

    @property
    def drug(self) -> Drug:
        return builtin_drugs()[self.hcpcs]

    @property
    def single_dose(self) -> bool:
        return self.drug.container.value == "Single-dose"

    @property
    def vial_in_billing_unit(self) -> Decimal:
        """The Drugs table's Vial Size: the vial's content in the billing unit's measure (10 g -> 10000 mg)."""
        return self.vial * _factor(self.dose_unit, self.drug.billing_unit.value)


_MASS = {"g": D(1_000_000), "mg": D(1000), "mcg": D(1)}


def _factor(unit: str, to: str) -> Decimal:
    if unit == to:
        return D(1)
    return _MASS[unit] / _MASS[to]


def _syn(product: str, package: str = "01") -> str:
    """A synthetic 5-4-2 NDC under the demo's labeler code (not a real product)."""
    return f"{SYNTHETIC_LABELER}-{product}-{package}"


STOCK: tuple[Stock, ...] = (
    # biologics and immune globulin
    Stock("infliximab", "J1745", "infliximab", "mg", D(100), _syn("0101"), "UN", D("0.1"), D("45.60")),
    Stock("rituximab", "J9312", "rituximab", "mg", D(100), "50242-051-21", "ML", D(1), D("78.20")),
    Stock("ocrelizumab", "J2350", "ocrelizumab", "mg", D(300), _syn("0102"), "ML", D("0.0333333333"), D("55.10")),
    Stock("ivig", "J1569", "immune globulin IV (Gammagard Liquid)", "g", D("2.5"), _syn("0103"), "ML", D(5),
          D("44.80")),
    # IV iron
    Stock("iron_sucrose", "J1756", "iron sucrose", "mg", D(100), _syn("0104"), "ML", D("0.05"), D("0.42")),
    Stock("fcm", "J1439", "ferric carboxymaltose", "mg", D(750), _syn("0105"), "ML", D("0.02"), D("1.25")),
    # FOLFOX
    Stock("oxaliplatin", "J9263", "oxaliplatin", "mg", D(50), _syn("0106"), "ML", D("0.1"), D("0.15")),
    Stock("leucovorin", "J0640", "leucovorin calcium", "mg", D(100), _syn("0107"), "UN", D("0.5"), D("1.50")),
    Stock("fluorouracil", "J9190", "fluorouracil", "mg", D(500), _syn("0108"), "ML", D(10), D("2.10")),
    # premedication and supportive pushes
    Stock("ondansetron", "J2405", "ondansetron", "mg", D(4), _syn("0109"), "ML", D("0.5"), D("0.10")),
    Stock("dexamethasone", "J1100", "dexamethasone", "mg", D(4), _syn("0110"), "ML", D("0.25"), D("0.12")),
    Stock("diphenhydramine", "J1200", "diphenhydramine", "mg", D(50), _syn("0111"), "ML", D(1), D("0.90")),
    Stock("methylprednisolone", "J2930", "methylprednisolone", "mg", D(125), _syn("0112"), "ML", D(2), D("3.80")),
    Stock("palonosetron", "J2469", "palonosetron", "mg", D("0.25"), "58063-797-25", "ML", D("0.5"), D("1.20")),
    # anti-infectives
    Stock("ceftriaxone", "J0696", "ceftriaxone", "g", D(1), _syn("0113"), "UN", D("0.25"), D("0.55")),
    Stock("vancomycin", "J3370", "vancomycin", "mg", D(500), _syn("0114"), "UN", D(1), D("3.20")),
    Stock("ertapenem", "J1335", "ertapenem", "g", D(1), _syn("0115"), "UN", D("0.5"), D("12.50")),
    # injections
    Stock("denosumab", "J0897", "denosumab", "mg", D(60), _syn("0116"), "ML", D("0.0166666667"), D("24.90")),
    Stock("pegfilgrastim", "J2506", "pegfilgrastim", "mg", D(6), _syn("0117"), "ML", D("0.05"), D("318.00")),
    Stock("b12", "J3420", "cyanocobalamin", "mcg", D(1000), _syn("0118"), "ML", D(1), D("0.30")),
    # the hospital outpatient department's anemia clinic (non-ESRD epoetin alfa, 40,000 units/mL vials)
    Stock("epoetin", "J0885", "epoetin alfa", "units", D(40000), _syn("0121"), "ML", D("0.025"), D("9.40")),
    # fluids (hydration bags)
    Stock("ns1000", "J7030", "normal saline 1000 mL", "mL", D(1000), _syn("0119"), "UN", D(1), D("1.60")),
    Stock("ns500", "J7040", "normal saline 500 mL", "mL", D(500), _syn("0120"), "UN", D(1), D("1.10")),
)
STOCK_BY_KEY = {s.key: s for s in STOCK}


def drugs_rows() -> list[dict]:
    """The demo's Drugs table: each stocked drug's built-in row plus the clinic's NDC and vial size."""
    rows = []
    for s in STOCK:
        d = s.drug
        rows.append({
            "hcpcs": d.hcpcs, "drug_name": d.drug_name, "billing_unit_quantity": d.billing_unit_quantity,
            "billing_unit": d.billing_unit.value, "drug_class": d.drug_class.value, "container": d.container.value,
            "ndc": s.ndc, "ndc_unit": s.ndc_unit, "ndc_quantity_per_unit": s.ndc_per_unit,
            "up_to": "Y" if d.up_to else "N", "hormonal_antineoplastic": "Y" if d.hormonal_antineoplastic else "N",
            "vial_size": s.vial_in_billing_unit.normalize(),
            "antineoplastic": "Y" if d.antineoplastic else "N", "esa": "Y" if d.esa else "N",
            "opps_packaged_from": d.opps_packaged_from, "opps_packaged_to": d.opps_packaged_to,
        })
    return rows


# ----------------------------------------------------------------------------- services, fees, charges

#: Every administration code the coding engine can produce (docs/coding-rules.md section 2), our own labels.
ADMIN_CODES: dict[str, str] = {
    "96360": "Hydration IV, first hour", "96361": "Hydration IV, each added hour",
    "96365": "IV infusion, first hour", "96366": "IV infusion, each added hour",
    "96367": "IV infusion, sequential new drug", "96368": "IV infusion, concurrent",
    "96369": "SC infusion, first hour", "96370": "SC infusion, each added hour",
    "96371": "SC infusion, added pump set-up",
    "96372": "SC/IM injection", "96373": "Intra-arterial injection", "96374": "IV push, first drug",
    "96375": "IV push, each new drug", "96376": "IV push, same drug again", "96377": "On-body injector application",
    "96379": "Therapeutic administration, unlisted", "96401": "Chemo SC/IM injection", "96402": "Chemo SC/IM hormonal",
    "96405": "Chemo intralesional, up to 7", "96406": "Chemo intralesional, over 7",
    "96409": "Chemo IV push, first drug",
    "96411": "Chemo IV push, each new drug", "96413": "Chemo IV infusion, first hour",
    "96415": "Chemo IV infusion, each added hour", "96416": "Chemo prolonged infusion with pump",
    "96417": "Chemo IV infusion, sequential new drug", "96420": "Chemo intra-arterial push",
    "96422": "Chemo intra-arterial infusion, first hour", "96423": "Chemo intra-arterial, each added hour",
    "96425": "Chemo intra-arterial with pump", "96440": "Chemo pleural cavity", "96446": "Chemo peritoneal cavity",
    "96450": "Chemo CNS", "96521": "Pump refill, portable", "96522": "Pump refill, implanted",
    "96523": "Port or device irrigation", "96542": "Chemo via reservoir", "96547": "HIPEC, first 60 minutes",
    "96548": "HIPEC, each added 30 minutes", "96549": "Chemo administration, unlisted",
    "G0498": "Chemo IV infusion started in office with take-home pump",
}
EM_CODES: dict[str, str] = {
    "G0463": "Hospital outpatient clinic visit",
    "99211": "Office visit, established, minimal", "99212": "Office visit, established, straightforward",
    "99213": "Office visit, established, low", "99214": "Office visit, established, moderate",
    "99215": "Office visit, established, high",
}
#: Synthetic Medicare-like allowed amounts per unit for the services the clinic bills most.
SERVICE_FEES: dict[str, Decimal] = {
    "96360": D("152.40"), "96361": D("41.30"), "96365": D("171.90"), "96366": D("39.80"), "96367": D("58.70"),
    "96368": D("37.20"), "96372": D("14.90"), "96374": D("94.60"), "96375": D("37.80"), "96401": D("76.10"),
    "96409": D("109.80"), "96411": D("59.30"), "96413": D("262.40"), "96415": D("54.90"), "96416": D("255.10"),
    "96417": D("118.60"), "96523": D("29.70"), "99212": D("56.20"), "99213": D("91.40"), "99214": D("128.90"),
    "99215": D("181.70"), "G0463": D("131.20"),
}
_REVENUE = {"Hydration fluid": "0258", "Chemo/Complex": "0636", "Therapeutic": "0636"}
_CHARGE_PER_UNIT = {"Hydration fluid": D("2.00"), "Chemo/Complex": D("25.00"), "Therapeutic": D("5.00")}


def _money(d: Decimal) -> Decimal:
    return d.quantize(D("0.01"))


@lru_cache(maxsize=1)
def _stock_fees() -> dict[str, Decimal]:
    return {s.hcpcs: s.fee for s in STOCK}


def charge_master_rows() -> list[dict]:
    """A gross charge for every code the engine can produce: administration, E/M and every built-in drug."""
    rows = []
    for code, label in ADMIN_CODES.items():
        fee = SERVICE_FEES.get(code, D("60.00"))
        rev = "0335" if code.startswith(("964", "965")) or code == "G0498" else "0260"
        rows.append({"code": code, "description": label, "charge_amount": _money(fee * D("2.6")), "revenue_code": rev})
    for code, label in EM_CODES.items():
        rows.append({"code": code, "description": label,
                     "charge_amount": _money(SERVICE_FEES.get(code, D("28.00")) * D("2.2")), "revenue_code": "0510"})
    fees = _stock_fees()
    for code, drug in sorted(builtin_drugs().items()):
        cls = drug.drug_class.value
        charge = fees[code] * D("1.8") if code in fees else _CHARGE_PER_UNIT[cls]
        rows.append({"code": code, "description": drug.drug_name, "charge_amount": _money(charge),
                     "revenue_code": _REVENUE[cls]})
    return rows


def fee_schedule_rows(effective_from) -> list[dict]:
    """Each payer's allowed amount per unit for the common services and every stocked drug."""
    rows = []
    fees = {**SERVICE_FEES, **_stock_fees()}
    for payer in PAYERS:
        for code, fee in fees.items():
            rows.append({"payer_id": payer.payer_id, "code": code, "allowed_amount": _money(fee * payer.fee_factor),
                         "effective_from": effective_from})
    return rows


# ----------------------------------------------------------------------------- diagnoses

#: Billable ICD-10-CM codes (FY2026 code set) for each condition the clinic treats; tests check each one.
DIAGNOSES: dict[str, tuple[str, ...]] = {
    "crohns": ("K50.90", "K50.10", "K50.00"),
    "ulcerative_colitis": ("K51.90",),
    "rheumatoid": ("M06.9", "M05.79"),
    "lymphoma": ("C83.30", "C82.90", "C85.90"),
    "cll": ("C91.10",),
    "vasculitis": ("M31.31",),
    "cidp": ("G61.81",),
    "immunodeficiency": ("D83.9", "D80.1"),
    "itp": ("D69.3",),
    "myasthenia": ("G70.00",),
    "iron_deficiency": ("D50.9", "D50.0", "D50.8"),
    "ckd_anemia": ("D63.1",),
    "ckd": ("N18.4",),
    "ms": ("G35.A", "G35.B0", "G35.D"),
    "colon_cancer": ("C18.7", "C18.9", "C20"),
    "chemo_encounter": ("Z51.11",),
    "dehydration": ("E86.0",),
    "nausea": ("R11.2",),
    "gastroenteritis": ("K52.9",),
    "cellulitis": ("L03.115", "L03.116", "L03.90"),
    "osteomyelitis": ("M86.171", "M86.9", "M86.8X7"),
    "pyelonephritis": ("N10",),
    "pneumonia": ("J18.9",),
    "septic_arthritis": ("M00.9",),
    "mrsa": ("B95.62",),
    "osteoporosis": ("M81.0",),
    "breast_cancer": ("C50.911", "C50.912"),
    "aftercare": ("Z51.89",),
    "b12_deficiency": ("D51.0", "E53.8"),
    "anemia_chemo": ("D64.81",),
}


def all_diagnosis_codes() -> list[str]:
    return sorted({c for codes in DIAGNOSES.values() for c in codes})
