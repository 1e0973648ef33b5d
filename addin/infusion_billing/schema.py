"""The workbook schema: every input table declared once.

Each input table is one pydantic row model whose field aliases are the exact header texts, plus one
:class:`TableSpec` (sheet/Table name, key columns, references, description). That single declaration
drives the template (headers, drop-downs, number formats, widths), the reader (types, allowed values,
required columns, duplicate keys, dangling references) and the schema section of the README.

Allowed values are :class:`~infusion_billing.values.Choice` enums and match leniently (``iv_push`` is
``IV push``). Types come from the annotated aliases below (``Money``, ``Clock``, ``YesNo`` ...), each of
which carries a :class:`Kind` telling the template how to format the column.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Self, TypeVar

from pydantic import BeforeValidator, ConfigDict, Field, ModelWrapValidatorHandler, TypeAdapter, model_validator
from pydantic.config import JsonDict
from pydantic.dataclasses import dataclass as pydantic_dataclass
from pydantic.fields import FieldInfo

from . import values as v
from .values import Choice, add_synonyms

# --------------------------------------------------------------------------- column kinds


@dataclass(frozen=True)
class Kind:
    """How a column is typed and shown in Excel: a name, a number format and a default width."""

    name: str
    number_format: str = "General"
    width: float = 14


def in_range(convert, low: int, high: int, what: str):
    """``convert`` for a number column, refusing values outside ``low``..``high`` before converting.

    Every number a biller types has a sane size: no charge is ten million dollars a unit and no dose
    is a billion milligrams. A value outside it (a 1E+308 pasted into Dose) is a located
    ``reader.out-of-range`` Finding and its row is left out, instead of reaching the coding engine
    and the checks, where such a number breaks the arithmetic for everyone. The ranges bound the size
    only: a negative dose or waste is a documentation error the coding rules name themselves.
    """

    def refuse(number: Decimal) -> None:
        if not low <= number <= high:
            shown = f"{number:,}" if number.copy_abs() < 10**15 else "a number that large"
            raise v.cell_error("out_of_range", f"{shown} is outside the range a {what} can have "
                                               f"({low:,} to {high:,})")

    def checked(value: object):
        # Checked before converting too: rounding 1E+308 to the cent is itself an arithmetic error,
        # whether the cell holds the number or the text "1E+308" (with a unit or without).
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            refuse(v.to_decimal(value))
        elif isinstance(value, str):
            try:
                number = v.to_decimal(v.split_amount(value)[0])
            except ValueError:  # not number text: the conversion below says what is wrong with it
                pass
            else:
                refuse(number)
        result = convert(value)
        if isinstance(result, (int, Decimal)) and not isinstance(result, bool):
            refuse(Decimal(result))
        return result

    checked.__name__ = getattr(convert, "__name__", "convert")
    checked.__doc__ = convert.__doc__
    return checked


#: The sane range of each kind of number (see :func:`in_range`).
MONEY_RANGE = (-10_000_000, 10_000_000)
NUMBER_RANGE = (-1_000_000, 1_000_000)
WHOLE_RANGE = (-1_000_000, 1_000_000)

Text = Annotated[str, BeforeValidator(v.to_text), Kind("text", "@", 18)]
Code = Annotated[str, BeforeValidator(v.to_code), Kind("code", "@", 11)]
Money = Annotated[Decimal, BeforeValidator(in_range(v.to_money, *MONEY_RANGE, "money amount")),
                  Kind("money", "#,##0.00", 13)]
Number = Annotated[Decimal, BeforeValidator(in_range(v.to_decimal, *NUMBER_RANGE, "quantity")),
                   Kind("number", "0.###", 11)]
#: A dose or waste: a number, or a number with its unit typed in the cell (``750 mg``), whose unit the
#: reader puts in the column named by ``col(unit_column=...)`` when blank and checks when filled.
Amount = Annotated[Decimal, BeforeValidator(in_range(v.to_amount, *NUMBER_RANGE, "quantity")),
                   Kind("number", "0.###", 11)]
#: An NDC as text; typed as a number, its lost leading zeros are put back where that is certain.
Ndc = Annotated[str, BeforeValidator(v.to_ndc_text), Kind("text", "@", 15)]
Percent = Annotated[Decimal, BeforeValidator(lambda x: _to_fraction(x)), Kind("percent", "0%", 12)]
Whole = Annotated[int, BeforeValidator(in_range(v.to_int, *WHOLE_RANGE, "whole number")), Kind("whole", "0", 11)]
YesNo = Annotated[bool, BeforeValidator(v.to_yes_no), Kind("yesno", "General", 10)]
Day = Annotated[date, BeforeValidator(v.to_date), Kind("date", "yyyy-mm-dd", 12)]
Clock = Annotated[time, BeforeValidator(v.to_clock), Kind("time", "hh:mm", 9)]
CHOICE_KIND = Kind("choice", "@", 16)


def _to_fraction(value: object) -> Decimal:
    """Coinsurance as a fraction: 20, "20%" and 0.2 all mean twenty percent."""
    is_text_percent = isinstance(value, str) and value.strip().endswith("%")
    d = v.to_decimal(value)
    if is_text_percent or d > 1:
        d = d / 100
    if not 0 <= d <= 1:
        raise v.cell_error("wrong_type", "expected a percentage between 0% and 100%")
    return d


# --------------------------------------------------------------------------- allowed values


class PayerType(Choice):
    MEDICARE = "Medicare"
    MEDICARE_ADVANTAGE = "Medicare Advantage"
    MEDICAID = "Medicaid"
    COMMERCIAL = "Commercial"
    SELF_PAY = "Self-pay"
    OTHER = "Other"


class SiteModifier(Choice):
    """Modifier for a second initial service at a separate, medically required IV site."""

    M59 = "59"
    XS = "XS"
    XU = "XU"


class MeasureUnit(Choice):
    """Units a dose or a HCPCS billing unit is expressed in."""

    MG = "mg"
    MCG = "mcg"
    G = "g"
    UNITS = "units"
    ML = "mL"


class DrugClass(Choice):
    """Which administration family a drug uses (docs/coding-rules.md section 8)."""

    CHEMO_COMPLEX = "Chemo/Complex"
    THERAPEUTIC = "Therapeutic"
    HYDRATION = "Hydration fluid"


class Container(Choice):
    SINGLE_DOSE = "Single-dose"
    MULTI_DOSE = "Multi-dose"


class NdcUnit(Choice):
    """NDC unit of measure on the claim (837 CTP05): unit, millilitre, gram, international unit, milligram."""

    UN = "UN"
    ML = "ML"
    GR = "GR"
    F2 = "F2"
    ME = "ME"


class EsaIndication(Choice):
    """Why a non-ESRD erythropoiesis-stimulating agent was given (Medicare EA/EB/EC modifiers, CR 5818)."""

    EA = "EA"  # anemia caused by anti-cancer chemotherapy
    EB = "EB"  # anemia caused by anti-cancer radiotherapy
    EC = "EC"  # anemia not caused by anti-cancer chemotherapy or radiotherapy


class Sex(Choice):
    FEMALE = "F"
    MALE = "M"
    UNKNOWN = "U"


class Relationship(Choice):
    """The patient's relationship to the insured (837 SBR02/PAT01: 18 self, 01 spouse, 19 child, G8 other)."""

    SELF = "Self"
    SPOUSE = "Spouse"
    CHILD = "Child"
    OTHER = "Other"


class Priority(Choice):
    PRIMARY = "Primary"
    SECONDARY = "Secondary"
    TERTIARY = "Tertiary"


class Setting(Choice):
    """Who bills the encounter: the facility (UB-04/837I), the professional (837P) or home infusion."""

    FACILITY = "Facility"
    PROFESSIONAL = "Professional"
    HOME = "Home"


class Route(Choice):
    IV_INFUSION = "IV infusion"
    IV_PUSH = "IV push"
    SC_INJECTION = "SC injection"
    IM_INJECTION = "IM injection"
    IA_INJECTION = "Intra-arterial injection"
    SC_INFUSION = "SC infusion"
    PROLONGED_PUMP = "Prolonged pump"
    PORT_FLUSH = "Port flush"
    ORAL = "Oral"


class Purpose(Choice):
    """Why a bag or push was given; KVO, carrier and flush fluid is never billed as hydration."""

    PRIMARY = "Primary"
    PREMEDICATION = "Premedication"
    HYDRATION = "Hydration"
    KVO = "KVO"
    CARRIER = "Carrier"
    FLUSH = "Flush"


add_synonyms(PayerType, {"medicare part b": "Medicare", "ma": "Medicare Advantage",
                         "medicare hmo": "Medicare Advantage", "cash": "Self-pay", "selfpay": "Self-pay",
                         "private": "Commercial"})
add_synonyms(MeasureUnit, {"milligram": "mg", "milligrams": "mg", "microgram": "mcg", "ug": "mcg", "µg": "mcg",
                           "gram": "g", "grams": "g", "unit": "units", "iu": "units", "u": "units", "cc": "mL",
                           "milliliter": "mL", "millilitre": "mL"})
add_synonyms(DrugClass, {"chemo": "Chemo/Complex", "complex": "Chemo/Complex", "chemotherapy": "Chemo/Complex",
                         "biologic": "Chemo/Complex", "hydration": "Hydration fluid", "fluid": "Hydration fluid"})
add_synonyms(Container, {"sdv": "Single-dose", "singleuse": "Single-dose", "mdv": "Multi-dose"})
add_synonyms(Sex, {"female": "F", "male": "M", "unknown": "U", "x": "U"})
add_synonyms(Relationship, {"18": "Self", "01": "Spouse", "1": "Spouse", "19": "Child", "g8": "Other",
                            "insured": "Self", "dependent": "Child", "dependant": "Child"})
add_synonyms(Priority, {"1": "Primary", "2": "Secondary", "3": "Tertiary", "primary insurance": "Primary"})
add_synonyms(Setting, {"hopd": "Facility", "hospital": "Facility", "outpatient": "Facility", "office": "Professional",
                       "physician": "Professional", "clinic": "Professional", "homeinfusion": "Home"})
add_synonyms(Route, {"iv": "IV infusion", "infusion": "IV infusion", "ivpb": "IV infusion",
                     "ivpiggyback": "IV infusion", "push": "IV push", "ivp": "IV push", "sc": "SC injection",
                     "subq": "SC injection",
                     "subcutaneous": "SC injection", "im": "IM injection", "intramuscular": "IM injection",
                     "ia": "Intra-arterial injection", "intraarterial": "Intra-arterial injection",
                     "scig": "SC infusion", "pump": "Prolonged pump", "po": "Oral", "bymouth": "Oral", "orally": "Oral",
                     "flush": "Port flush"})
add_synonyms(Purpose, {"premed": "Premedication", "keepveinopen": "KVO", "tko": "KVO", "diluent": "Carrier"})


# --------------------------------------------------------------------------- row models


def col(header: str, description: str, default: Any = ..., *, phi: bool = False, example: Any = None,
        unit_column: str = "") -> Any:
    """Declare a column: its exact header text, what it holds, and whether it is patient data (PHI).

    ``unit_column`` names the column that holds this amount's unit: a unit typed in the cell with the
    number (``750 mg``) fills that column when it is blank and must agree with it when it is not.
    """
    extra: JsonDict = {"phi": phi}
    if example is not None:
        extra["example"] = example
    if unit_column:
        extra["unit_column"] = unit_column
    return Field(default, alias=header, description=description, json_schema_extra=extra)


_R = TypeVar("_R")
_ROW_CONFIG = ConfigDict(populate_by_name=True, extra="ignore")


def row_model(cls: type[_R]) -> type[_R]:
    """Make ``cls`` a row model: a frozen, slotted pydantic dataclass whose fields take the header texts.

    A clinic-year is half a million rows, so a row holds its values in slots (about 250 bytes for the
    widest table) instead of an attribute dictionary and a set of the fields given (1.6 KB a row as
    pydantic models, issue 16). Validation stays pydantic's: :meth:`SheetRow.model_validate` and the
    reader's per-column converters (:func:`row_constructor`) type the same cells the same way.
    """
    made = pydantic_dataclass(frozen=True, slots=True, kw_only=True, config=_ROW_CONFIG)(cls)
    made.model_fields = made.__pydantic_fields__  # type: ignore[attr-defined]
    return made  # type: ignore[return-value]


@row_model
class SheetRow:
    """Base of every row model: frozen, header texts as aliases, and the Excel row it came from."""

    #: Field name -> pydantic FieldInfo (alias = header text), as on a pydantic model.
    model_fields: ClassVar[dict[str, FieldInfo]]

    excel_row: int = Field(0, alias="__row__", exclude=True, description="Excel row number the user sees")

    @classmethod
    def model_validate(cls, data: Mapping[str, Any]) -> Self:
        """A row from ``{header or field name: cell value}``, every cell typed and checked by pydantic."""
        return _adapter(cls).validate_python(data)

    def model_copy(self, *, update: Mapping[str, Any] | None = None) -> Self:
        """This row with the fields of ``update`` (field name -> typed value) replaced, not validated again."""
        return row_constructor(type(self))({**self.model_dump(exclude_row=False), **(update or {})})

    def model_dump(self, *, exclude_row: bool = True) -> dict[str, Any]:
        """Field name -> value (without the Excel row, which is where the row was, not what it says)."""
        return {name: getattr(self, name) for name in type(self).model_fields
                if not (exclude_row and name == "excel_row")}


_ADAPTERS: dict[type, TypeAdapter] = {}
_CONSTRUCTORS: dict[type, Callable[[Mapping[str, Any]], Any]] = {}


def _adapter(model: type[_R]) -> TypeAdapter[_R]:
    if model not in _ADAPTERS:
        _ADAPTERS[model] = TypeAdapter(model)
    return _ADAPTERS[model]


def has_row_validators(model: type[SheetRow]) -> bool:
    """Whether the row model checks fields against each other (Payer's type-dependent defaults)."""
    return bool(getattr(model, "__pydantic_decorators__").model_validators)  # noqa: B009 — set by pydantic


def row_constructor(model: type[_R]) -> Callable[[Mapping[str, Any]], _R]:
    """Rows of ``model`` from already-typed field values (field name -> value), without validating again.

    The reader types each cell through its column's own converter, remembered per distinct value;
    building the row is then only filling its slots, the way a frozen dataclass's own ``__init__``
    does (``object.__setattr__``), with each absent field's default.
    ``tests/workbook/test_reader_rows.py`` checks the rows equal what :meth:`SheetRow.model_validate` gives.
    """
    if model in _CONSTRUCTORS:
        return _CONSTRUCTORS[model]
    defaults = [(name, None if info.is_required() else info.get_default(call_default_factory=True))
                for name, info in model.__pydantic_fields__.items()]  # type: ignore[attr-defined]
    new, put = object.__new__, object.__setattr__

    def construct(fields: Mapping[str, Any]) -> _R:
        row = new(model)
        get = fields.get
        for name, default in defaults:
            put(row, name, get(name, default))
        return row

    _CONSTRUCTORS[model] = construct
    return construct


@row_model
class SettingRow(SheetRow):
    setting: Text = col("Setting", "Name of the setting (see the list on the Instructions sheet).")
    value: Any | None = col("Value", "The value; blank means the documented default.", None)
    notes: Text | None = col("Notes", "Free text for your team; not read by the tool.", None)


@row_model
class Payer(SheetRow):
    payer_id: Code = col("Payer ID", "Your short code for the payer, used in every other table.", example="MCR")
    payer_name: Text = col("Payer Name", "Name as it appears on the remittance.", example="Medicare Part B")
    payer_type: PayerType = col("Payer Type", "Medicare, Medicare Advantage, Medicaid, Commercial, Self-pay or Other.")
    timely_filing_days: Whole | None = col(
        "Timely Filing Days", "Days from date of service to file a claim.", None, example=365)
    appeal_days: Whole | None = col("Appeal Days", "Days from the remittance to file an appeal.", None, example=120)
    requires_jw_jz: YesNo | None = col(
        "Requires JW/JZ", "Y when the payer wants JW waste lines and JZ (default Y for Medicare).", None)
    requires_ndc: YesNo | None = col(
        "Requires NDC", "Y when drug lines need the 11-digit NDC (default Y for Medicaid).", None)
    biologics_as_chemo: YesNo = col(
        "Biologics As Chemo Admin", "Y when monoclonal antibodies and biologics use chemo/complex administration codes "
        "(CPT).", True)
    separate_site_modifier: SiteModifier = col(
        "Separate Site Modifier", "Modifier on the initial service at a second, required IV site: 59, XS or XU.",
        SiteModifier.M59)
    secondary_hydration_59: YesNo = col(
        "Secondary Hydration Modifier 59", "Y when the payer wants modifier 59 on hydration reported after another "
        "initial service (some commercial plans).", False)
    clinic_visit_g0463: YesNo | None = col(
        "Clinic Visit G0463", "Y when a hospital outpatient clinic visit (99202-99215) is billed as G0463 on "
        "facility claims (default Y for Medicare).", None)
    lesser_of_charge: YesNo = col(
        "Lesser Of Charge", "Y when the contract allows the lesser of the billed charge and the fee schedule rate "
        "(most contracts); N when it allows the rate whatever the charge.", True)

    @model_validator(mode="wrap")
    @classmethod
    def _payer_type_defaults(cls, data: Any, handler: ModelWrapValidatorHandler[Payer]) -> Payer:
        """The validated row, with the blank cells whose default depends on the payer type filled in.

        JW/JZ is a Medicare Part B rule that many MA plans copy (docs/payer-rules.md section 5); NDC is
        required by Medicaid under the DRA 2005; G0463 is Medicare's one clinic visit code (CY2014 OPPS
        final rule). A row is frozen, so the defaults make a new row rather than change this one.
        """
        payer = handler(data)
        kind = payer.payer_type
        defaults = {"requires_jw_jz": kind is PayerType.MEDICARE, "requires_ndc": kind is PayerType.MEDICAID,
                    "clinic_visit_g0463": kind is PayerType.MEDICARE}
        blank = {name: value for name, value in defaults.items() if getattr(payer, name) is None}
        return payer.model_copy(update=blank) if blank else payer


@row_model
class FeeScheduleRow(SheetRow):
    payer_id: Code = col("Payer ID", "Payer the rate belongs to.")
    code: Code = col("Code", "CPT or HCPCS code.", example="96413")
    modifier: Code | None = col("Modifier", "Only when the rate differs by modifier; usually blank.", None)
    allowed_amount: Money = col("Allowed Amount", "Contracted allowed amount per unit.", example=Decimal("142.35"))
    effective_from: Day = col("Effective From", "First date of service the rate applies to.")
    effective_to: Day | None = col("Effective To", "Last date of service; blank = open-ended.", None)


@row_model
class Drug(SheetRow):
    hcpcs: Code = col("HCPCS", "HCPCS code billed for the drug.", example="J1745")
    drug_name: Text = col("Drug Name", "Generic (brand) name.", example="infliximab")
    billing_unit_quantity: Number = col(
        "Billing Unit Quantity", "Amount in one HCPCS billing unit (10 for 'per 10 mg').", example=10)
    billing_unit: MeasureUnit = col("Billing Unit", "mg, mcg, g, units or mL.")
    drug_class: DrugClass = col("Drug Class", "Chemo/Complex, Therapeutic or Hydration fluid.")
    container: Container = col("Container", "Single-dose or Multi-dose (JW/JZ apply to single-dose only).")
    ndc: Ndc | None = col(
        "NDC", "NDC of the package you stock, 10-digit hyphenated or 11-digit.", None, example="57894-030-01")
    ndc_unit: NdcUnit | None = col("NDC Unit", "UN, ML, GR, F2 or ME.", None)
    ndc_quantity_per_unit: Number | None = col("NDC Quantity Per Billing Unit", "NDC quantity in one HCPCS unit.", None)
    up_to: YesNo = col("Up To", "Y when the descriptor reads 'up to X' (J1200: up to 50 mg).", False)
    hormonal_antineoplastic: YesNo = col(
        "Hormonal Antineoplastic", "Y for hormonal anti-cancer injections (96402).", False)
    vial_size: Number | None = col(
        "Vial Size", "Content of one vial in the billing unit's measure (100 for a 100 mg vial).", None)
    antineoplastic: YesNo | None = col(
        "Antineoplastic", "Y for an anti-cancer drug (cytotoxic, hormonal, or an antineoplastic antibody such as "
        "rituximab): given for cancer it always keeps chemotherapy administration codes. Blank = the built-in "
        "table's value.", None)
    esa: YesNo | None = col(
        "ESA", "Y for a non-ESRD erythropoiesis-stimulating agent (epoetin, darbepoetin): Medicare lines carry EA, "
        "EB or EC. Blank = the built-in table's value.", None)
    opps_packaged_from: Day | None = col(
        "OPPS Packaged From", "First date of service the hospital outpatient PPS packages the drug (status N): no "
        "JW/JZ on facility claims. Blank = the built-in table's dates.", None)
    opps_packaged_to: Day | None = col(
        "OPPS Packaged To", "Last date of service it is packaged; blank = open-ended.", None)


@row_model
class ChargeMasterRow(SheetRow):
    code: Code = col("Code", "CPT or HCPCS code.", example="96413")
    description: Text = col("Description", "Your own short description (not the AMA text).")
    charge_amount: Money = col("Charge Amount", "Gross charge per unit.", example=Decimal("420.00"))
    revenue_code: Text | None = col("Revenue Code", "UB-04 revenue code for facility claims (0636, 0260...).", None)


@row_model
class Patient(SheetRow):
    patient_id: Code = col("Patient ID", "Your medical record or account number.", example="P0001")
    last_name: Text = col("Last Name", "Patient's last name.", phi=True)
    first_name: Text = col("First Name", "Patient's first name.", phi=True)
    date_of_birth: Day = col("Date of Birth", "Date of birth.", phi=True)
    sex: Sex | None = col("Sex", "F, M or U.", None)
    address_line_1: Text | None = col("Address Line 1", "Street address (the 837 subscriber/patient N3).", None,
                                      phi=True)
    address_line_2: Text | None = col("Address Line 2", "Apartment or suite.", None, phi=True)
    city: Text | None = col("City", "City.", None, phi=True)
    state: Code | None = col("State", "2-letter state code.", None, example="IL")
    zip_code: Code | None = col("ZIP", "5- or 9-digit ZIP code.", None, phi=True)


@row_model
class CoverageRow(SheetRow):
    patient_id: Code = col("Patient ID", "Patient this coverage belongs to.")
    payer_id: Code = col("Payer ID", "Payer of this coverage.")
    member_id: Text | None = col("Member ID", "Member/subscriber ID on the card.", None, phi=True)
    priority: Priority = col("Priority", "Primary, Secondary or Tertiary.")
    effective_from: Day = col("Effective From", "First covered date.")
    effective_to: Day | None = col("Effective To", "Last covered date; blank = still active.", None)
    copay: Money | None = col("Copay", "Copay per visit.", None)
    coinsurance: Percent | None = col("Coinsurance %", "Patient's coinsurance (20 or 20%).", None)
    deductible_remaining: Money | None = col("Deductible Remaining", "Deductible not yet met.", None)
    group_number: Text | None = col("Group Number", "Employer group number on the card (837 SBR03).", None)
    relationship: Relationship = col(
        "Relationship", "Patient's relationship to the insured: Self, Spouse, Child or Other.", Relationship.SELF)
    subscriber_last_name: Text | None = col(
        "Subscriber Last Name", "The insured's last name when the patient is not the insured.", None, phi=True)
    subscriber_first_name: Text | None = col("Subscriber First Name", "The insured's first name.", None, phi=True)
    subscriber_date_of_birth: Day | None = col("Subscriber Date of Birth", "The insured's date of birth.", None,
                                               phi=True)
    subscriber_sex: Sex | None = col("Subscriber Sex", "The insured's sex: F, M or U.", None)


@row_model
class Authorization(SheetRow):
    auth_id: Code = col("Auth ID", "Authorization number from the payer.")
    patient_id: Code = col("Patient ID", "Patient authorized.")
    payer_id: Code = col("Payer ID", "Payer that issued the authorization.")
    code: Code | None = col("Code", "HCPCS or CPT authorized; blank covers the whole regimen.", None)
    units_authorized: Whole | None = col("Units Authorized", "HCPCS units authorized for the period.", None)
    visits_authorized: Whole | None = col("Visits Authorized", "Visits authorized for the period.", None)
    start_date: Day = col("Start Date", "First date of service covered.")
    end_date: Day = col("End Date", "Last date of service covered.")


@row_model
class PayerRule(SheetRow):
    payer_id: Code = col("Payer ID", "Payer the rule belongs to.")
    code: Code | None = col(
        "Code", "HCPCS or CPT the rule is about; blank = by Drug Class (both blank = every drug).", None)
    drug_class: DrugClass | None = col(
        "Drug Class", "Chemo/Complex, Therapeutic or Hydration fluid; used when Code is blank.", None)
    requires_auth: YesNo = col(
        "Requires Auth", "Y when the payer needs a prior authorization for it, N when it does not.")
    effective_from: Day | None = col(
        "Effective From", "First date of service the rule applies to; blank = always.", None)
    effective_to: Day | None = col("Effective To", "Last date of service; blank = open-ended.", None)
    notes: Text | None = col("Notes", "Where the rule comes from (payer policy number, portal page).", None)


@row_model
class PayerDrugClass(SheetRow):
    payer_id: Code = col("Payer ID", "Payer the rule belongs to.")
    hcpcs: Code = col("HCPCS", "Drug whose administration the payer codes differently.", example="J0897")
    administration_class: DrugClass = col(
        "Administration Class", "Chemo/Complex or Therapeutic: the administration codes this payer wants for the drug.")
    effective_from: Day | None = col(
        "Effective From", "First date of service the rule applies to; blank = always.", None)
    effective_to: Day | None = col("Effective To", "Last date of service; blank = open-ended.", None)
    notes: Text | None = col("Notes", "Where the rule comes from (payer policy number, bulletin).", None)

    def applies(self, day: date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and \
            (self.effective_to is None or day <= self.effective_to)


@row_model
class Encounter(SheetRow):
    encounter_id: Code = col("Encounter ID", "One visit; one claim.", example="E000001")
    patient_id: Code = col("Patient ID", "Patient seen.")
    payer_id: Code = col("Payer ID", "Payer billed (the primary).")
    date_of_service: Day = col("Date of Service", "Date the visit started.")
    setting: Setting = col("Setting", "Facility, Professional or Home.")
    place_of_service: Code | None = col(
        "Place of Service", "CMS POS code: 11 office, 19/22 hospital outpatient, 12 home.", None)
    rendering_npi: Text | None = col("Rendering NPI", "10-digit NPI of the rendering provider.", None)
    ordering_npi: Text | None = col("Ordering NPI", "10-digit NPI of the ordering provider.", None)
    diagnosis_codes: Text | None = col(
        "Diagnosis Codes", "ICD-10-CM codes, separated by commas or spaces; first is primary.", None)
    primary_admin_id: Code | None = col(
        "Primary Admin ID", "Admin ID of the key reason for the visit (professional initial).", None)
    em_code: Code | None = col("E/M Code", "Office visit code billed with the infusion, e.g. 99213.", None)
    em_separately_identifiable: YesNo = col(
        "E/M Separately Identifiable", "Y when the E/M is significant and separately documented (modifier 25).", False)
    second_site_necessary: YesNo = col(
        "Second Site Necessary", "Y when a second IV site was medically required.", False)
    order_on_file: YesNo | None = col(
        "Order On File", "Y when a signed order covers drug, dose, route and reason.", None)
    billed_date: Day | None = col("Billed Date", "Date the claim was first sent; blank = not billed yet.", None)

    @property
    def diagnoses(self) -> list[str]:
        """The diagnosis codes in order, upper case, without dots."""
        if not self.diagnosis_codes:
            return []
        parts = self.diagnosis_codes.replace(";", ",").replace(",", " ").split()
        return [p.upper().replace(".", "") for p in parts if p]


@row_model
class Administration(SheetRow):
    encounter_id: Code = col("Encounter ID", "Encounter the administration belongs to.")
    admin_id: Code = col("Admin ID", "Unique ID of this administration (one bag, push or injection); blank = numbered "
                         "from the Encounter ID (E001-1, E001-2 ...).", example="A000001")
    drug: Text | None = col("Drug", "Drug or fluid given.", None, example="infliximab")
    hcpcs: Code | None = col(
        "HCPCS", "HCPCS of the drug; blank when the drug was supplied by a pharmacy or the patient.", None)
    drug_class: DrugClass | None = col("Drug Class", "Overrides the Drugs table when filled.", None)
    dose: Amount | None = col("Dose", "Amount given; a unit typed with it (750 mg) fills Dose Unit.", None,
                                 unit_column="Dose Unit")
    dose_unit: MeasureUnit | None = col("Dose Unit", "mg, mcg, g, units or mL.", None)
    wasted: Amount | None = col("Wasted", "Amount discarded from single-dose containers, same unit as the dose.", None,
                                   unit_column="Dose Unit")
    container: Container | None = col("Container", "Overrides the Drugs table when filled.", None)
    route: Route | None = col(
        "Route", "IV infusion, IV push, SC injection, IM injection, Intra-arterial injection, SC infusion, Prolonged "
        "pump, Port flush or Oral.", None)
    start: Clock | None = col("Start", "Clock time the drug started (HH:MM).", None)
    stop: Clock | None = col("Stop", "Clock time the drug stopped (HH:MM).", None)
    stop_date: Day | None = col("Stop Date", "Only when the infusion ran past midnight.", None)
    interrupted_minutes: Whole = col(
        "Interrupted Minutes", "Minutes the infusion was stopped (reaction, pump alarm).", 0)
    iv_site: Text | None = col("IV Site", "Access site, e.g. L forearm, port.", None)
    bag: Text | None = col("Bag", "Bag label; drugs sharing a bag are one administration.", None)
    purpose: Purpose = col("Purpose", "Primary, Premedication, Hydration, KVO, Carrier or Flush.", Purpose.PRIMARY)
    necessity_documented: YesNo | None = col(
        "Necessity Documented", "Y when medical necessity for hydration is documented.", None)
    ndc: Ndc | None = col("NDC", "NDC of the container used.", None)
    lot: Text | None = col("Lot", "Lot number.", None)
    start_date: Day | None = col(
        "Start Date", "Date the drug started when it is not the encounter's date of service (a push after "
        "midnight); blank = the date of service.", None)
    pump: Text | None = col(
        "Pump", "Pump label of a subcutaneous infusion: sites on one pump are one pump set-up (96369); a second "
        "pump is 96371.", None)
    esa_indication: EsaIndication | None = col(
        "ESA Indication", "EA, EB or EC for an epoetin or darbepoetin dose billed to Medicare; blank = from the "
        "diagnosis codes.", None)
    hemoglobin: Number | None = col(
        "Hemoglobin", "Latest hemoglobin (g/dL) before an ESA dose; Medicare ESA claims need it or the hematocrit.",
        None)
    hematocrit: Number | None = col(
        "Hematocrit", "Latest hematocrit (%) before an ESA dose, when no hemoglobin is given.", None)


@row_model
class PracticeRow(SheetRow):
    payer_id: Code | None = col(
        "Payer ID", "Payer these details are used for; blank = every payer without a row of its own.", None)
    setting: Setting | None = col(
        "Setting", "Facility (837I) or Professional/Home (837P); blank = both.", None)
    name: Text = col("Billing Provider Name", "Legal name of the billing provider (837 2010AA).",
                     example="Lakeside Infusion Center")
    npi: Code = col("NPI", "Group or facility NPI (type 2), 10 digits.", example="1234567893")
    ein: Code = col("EIN", "Federal tax ID, 9 digits.", example="12-3456789")
    taxonomy: Code = col("Taxonomy", "Billing provider taxonomy code (PRV), e.g. 261QI0500X.", example="261QI0500X")
    address_line_1: Text = col("Address Line 1", "Street address; no P.O. box.")
    address_line_2: Text | None = col("Address Line 2", "Suite.", None)
    city: Text = col("City", "City.")
    state: Code = col("State", "2-letter state code.", example="IL")
    zip_code: Code = col("ZIP", "9-digit ZIP+4 (required for the billing provider).", example="627011234")
    submitter_id: Code = col("Submitter ID", "ID the clearinghouse gave you (ISA06, at most 15 characters).")
    submitter_name: Text | None = col("Submitter Name", "Name of the sender; blank = the provider name.", None)
    contact_name: Text = col("Contact Name", "Whom the payer calls about a file.", example="Billing Office")
    contact_phone: Text = col("Contact Phone", "10-digit phone number.", example="217-555-0142")
    receiver_id: Code = col("Receiver ID", "The clearinghouse's or payer's ID (ISA08, at most 15 characters).")
    receiver_name: Text = col("Receiver Name", "The clearinghouse or payer receiving the file.")
    test_files: YesNo = col("Test Files", "Y while the clearinghouse still wants test files (ISA15 T).", False)


@row_model
class ProviderRow(SheetRow):
    npi: Code = col("NPI", "The clinician's individual NPI (type 1), 10 digits: the Rendering NPI on Encounters.",
                    example="1112223338")
    last_name: Text = col("Last Name", "Last name as enrolled with the payers (837 NM103).", example="Okonkwo")
    first_name: Text | None = col("First Name", "First name (837 NM104).", None, example="Ada")
    taxonomy: Code | None = col("Taxonomy", "The clinician's taxonomy code (PRV), e.g. 207RH0003X hematology "
                                "and oncology.", None, example="207RH0003X")


@row_model
class CoverageRuleRow(SheetRow):
    hcpcs: Code = col("HCPCS", "Drug or service code the coverage policy is about.", example="J1745")
    diagnoses: Text = col(
        "Allowed Diagnoses", "ICD-10-CM codes or prefixes the policy covers, separated by commas or spaces "
        "(K50 covers every K50.x).", example="K50, K51, M05, M06, L40.5")
    payer_id: Code | None = col("Payer ID", "Only this payer; blank = by Payer Type.", None)
    payer_type: PayerType | None = col("Payer Type", "Only payers of this type; both blank = every payer.", None)
    effective_from: Day | None = col("Effective From", "First date of service the policy applies to.", None)
    effective_to: Day | None = col("Effective To", "Last date of service; blank = open-ended.", None)
    source: Text = col("Source", "The NCD, LCD or payer policy the row comes from.", example="LCD L35677")

    @property
    def allowed(self) -> tuple[str, ...]:
        """The allowed codes or prefixes, upper case, without dots."""
        return tuple(p.upper().replace(".", "") for p in self.diagnoses.replace(";", ",").replace(",", " ").split())


# --------------------------------------------------------------------------- table specs


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a table, derived from the row model's field."""

    header: str
    field: str
    kind: Kind
    required: bool
    description: str
    choices: tuple[str, ...] = ()
    phi: bool = False
    default: Any = None
    example: Any = None
    #: The cell coercer (``values.to_money`` ...) and the Choice enum, for the reader's fast path.
    convert: Any = None
    choice: Any = None
    #: The column holding this amount's unit ("" for most columns), see :func:`col`.
    unit_column: str = ""


@dataclass(frozen=True)
class TableSpec:
    """One input table: its name (sheet and Excel Table), row model, key, references and purpose."""

    name: str
    model: type[SheetRow]
    description: str
    key: tuple[str, ...] = ()
    references: dict[str, tuple[str, str]] = field(default_factory=dict)
    key_value_table: bool = False
    #: Other names practices give the sheet or Table (``Visits`` for Encounters), tried after the
    #: table's own name; the reader says which one it used.
    synonyms: tuple[str, ...] = ()
    #: ``(ID column, parent column)``: a blank ID is numbered from the parent's ID plus a sequence
    #: (``E001-1``, ``E001-2``), so a MAR without IDs can still be read; the column may be absent.
    numbered_from: tuple[str, str] | None = None

    @property
    def columns(self) -> list[ColumnSpec]:
        return _columns(self.model)

    def column(self, header: str) -> ColumnSpec:
        for c in self.columns:
            if c.header == header:
                return c
        raise KeyError(header)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


_COLUMN_CACHE: dict[type, list[ColumnSpec]] = {}


def _columns(model: type[SheetRow]) -> list[ColumnSpec]:
    if model not in _COLUMN_CACHE:
        specs = []
        for name, info in model.model_fields.items():
            if name == "excel_row":
                continue
            specs.append(_column_spec(name, info))
        _COLUMN_CACHE[model] = specs
    return _COLUMN_CACHE[model]


def _column_spec(name: str, info: FieldInfo) -> ColumnSpec:
    kind = next((m for m in info.metadata if isinstance(m, Kind)), None)
    choice = None
    annotation = info.annotation
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, Choice):
            choice = candidate
        elif typing.get_origin(candidate) is Annotated:
            inner = typing.get_args(candidate)
            kind = kind or next((m for m in inner[1:] if isinstance(m, Kind)), None)
    if kind is None:
        # Optional[Money] hides the Annotated metadata one level down.
        for arg in typing.get_args(annotation):
            kind = kind or next((m for m in getattr(arg, "__metadata__", ()) if isinstance(m, Kind)), None)
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}  # col() gives a dict
    default = None if info.is_required() else info.default
    convert = None
    for holder in (info, *typing.get_args(annotation)):
        for m in (*getattr(holder, "metadata", ()), *getattr(holder, "__metadata__", ())):
            if isinstance(m, BeforeValidator):
                convert = convert or m.func
    return ColumnSpec(
        header=info.alias or name,
        field=name,
        kind=CHOICE_KIND if choice else (kind or Kind("any")),
        required=info.is_required(),
        description=info.description or "",
        choices=tuple(choice.values()) if choice else (),
        phi=bool(extra.get("phi")),
        default=default.value if isinstance(default, Choice) else default,
        example=extra.get("example"),
        convert=convert,
        choice=choice,
        unit_column=str(extra.get("unit_column", "")),
    )


@row_model
class PatientPaymentRow(SheetRow):
    payment_id: Code = col("Payment ID", "Your receipt or transaction number; one row per payment.", example="PP0001")
    patient_id: Code = col("Patient ID", "Patient who paid.")
    payment_date: Day = col("Date", "Date the payment was received.")
    amount: Money = col("Amount", "Amount received (a refund is negative).", example=Decimal("25.00"))
    method: Text | None = col("Method", "Cash, check, card, portal ...", None)
    claim_id: Code | None = col("Claim ID", "The claim it pays; blank = applied to the oldest balance first.", None)


@row_model
class StatementNoticeRow(SheetRow):
    notice: Text = col("Notice", "The notice's name, printed at the top of the statement.", example="Reminder")
    earlier_statements: Whole = col(
        "Earlier Statements", "Statements already sent for the balance before this notice may be used (0, 1, 2).",
        example=1)
    days_since_billed: Whole = col(
        "Days Since Billed", "Days since the oldest open balance became the patient's before this notice may be "
        "used.", example=30)
    message: Text = col("Message", "The text printed on the statement under the amount due.")


SETTINGS = TableSpec(
    "Settings", SettingRow,
    "Practice-wide options: the as-of date for aging and timely filing, 340B modifier, coding options. "
    "One setting per row; blank values take the documented default.",
    key=("Setting",), key_value_table=True,
)
PAYERS = TableSpec(
    "Payers", Payer, "Every payer you bill, with the rules that change how its claims are coded.",
    key=("Payer ID",),
)
FEE_SCHEDULE = TableSpec(
    "FeeSchedule", FeeScheduleRow, "Contracted allowed amount per unit, by payer, code and effective dates.",
    key=("Payer ID", "Code", "Modifier", "Effective From"), references={"Payer ID": ("Payers", "Payer ID")},
)
DRUGS = TableSpec(
    "Drugs", Drug,
    "Drugs you stock: HCPCS billing unit, class and container. Rows here override the built-in drug table.",
    key=("HCPCS",), synonyms=("Formulary", "Drug List"),
)
CHARGE_MASTER = TableSpec(
    "ChargeMaster", ChargeMasterRow, "Your gross charge per unit for each code.", key=("Code",),
    synonyms=("CDM", "Charge Description Master", "Price List"),
)
PATIENTS = TableSpec(
    "Patients", Patient, "Patients (synthetic in the demo). Names stay in the workbook, never in logs.",
    key=("Patient ID",), synonyms=("Patient List", "Demographics"),
)
COVERAGE = TableSpec(
    "Coverage", CoverageRow, "Each patient's insurance, with priority and dates.",
    key=("Patient ID", "Payer ID", "Priority", "Effective From"),
    references={"Patient ID": ("Patients", "Patient ID"), "Payer ID": ("Payers", "Payer ID")},
)
AUTHORIZATIONS = TableSpec(
    "Authorizations", Authorization, "Prior authorizations: units and visits approved for a date range.",
    key=("Auth ID",), synonyms=("Auths", "Prior Auths", "Prior Authorizations", "Auth Log"),
    references={"Patient ID": ("Patients", "Patient ID"), "Payer ID": ("Payers", "Payer ID")},
)
PAYER_RULES = TableSpec(
    "Payer Rules", PayerRule,
    "Which codes or drug classes each payer prior-authorizes, with dates. Rows here win over the built-in "
    "defaults (commercial, Medicaid and Medicare Advantage: chemo/complex drugs and immune globulin; Medicare: none).",
    key=("Payer ID", "Code", "Drug Class", "Effective From"), references={"Payer ID": ("Payers", "Payer ID")},
)
PAYER_DRUG_CLASSES = TableSpec(
    "Payer Drug Classes", PayerDrugClass,
    "Drugs a payer codes with other administration codes than CPT's, with dates (e.g. denosumab as therapeutic). "
    "An antineoplastic drug given for cancer always keeps chemotherapy administration codes.",
    key=("Payer ID", "HCPCS", "Effective From"), references={"Payer ID": ("Payers", "Payer ID")},
)
ENCOUNTERS = TableSpec(
    "Encounters", Encounter, "One row per visit (one claim).",
    key=("Encounter ID",), synonyms=("Visits", "Visit Log", "Encounter Log", "Encounter List"),
    references={"Patient ID": ("Patients", "Patient ID"), "Payer ID": ("Payers", "Payer ID")},
)
ADMINISTRATIONS = TableSpec(
    "Administrations", Administration,
    "One row per drug or fluid given: a bag, a push or an injection, with its clock times.",
    key=("Admin ID",), references={"Encounter ID": ("Encounters", "Encounter ID")},
    synonyms=("MAR", "Infusions", "Infusion Log", "Meds", "Medications", "Med Admin", "Administration Log"),
    numbered_from=("Admin ID", "Encounter ID"),
)

PRACTICE = TableSpec(
    "Practice", PracticeRow,
    "Who sends the claims: billing provider name, NPI, EIN, taxonomy, address, and the submitter and receiver "
    "IDs of the 837 files, per payer (a blank Payer ID serves every payer without its own row).",
    key=("Payer ID", "Setting"), references={"Payer ID": ("Payers", "Payer ID")},
    synonyms=("Billing Provider", "Provider Info"),
)
PROVIDERS = TableSpec(
    "Providers", ProviderRow,
    "The clinicians who render the services, by NPI: the 837P rendering provider (loop 2310B) and 837I "
    "attending provider (loop 2310A) are named from here when the encounter's Rendering NPI is not the "
    "billing provider's.",
    key=("NPI",), synonyms=("Rendering Providers", "Provider Roster", "Clinicians"),
)
COVERAGE_RULES = TableSpec(
    "Coverage Rules", CoverageRuleRow,
    "Which diagnoses a payer covers a drug for (NCD/LCD or payer policy). The claim scrubber holds a drug "
    "line whose diagnoses are all outside the list. Without this table the shipped examples are used.",
    key=("HCPCS", "Payer ID", "Payer Type", "Effective From"),
    synonyms=("Coverage Policies", "LCD Rules"),
)

PATIENT_PAYMENTS = TableSpec(
    "PatientPayments", PatientPaymentRow,
    "Payments received from patients (copays, coinsurance, statements). A payment with a Claim ID goes to that "
    "claim; one without goes to the patient's oldest balance first.",
    key=("Payment ID",), references={"Patient ID": ("Patients", "Patient ID")},
    synonyms=("Patient Receipts", "Patient Payment Log"),
)
STATEMENT_NOTICES = TableSpec(
    "Statement Notices", StatementNoticeRow,
    "The dunning messages of patient statements: a statement uses the last notice whose Earlier Statements and "
    "Days Since Billed it has reached (first notice, reminder, final notice). Empty: the shipped texts.",
    key=("Notice",), synonyms=("Dunning Messages", "Statement Messages"),
)

#: Every input table, in workflow order (the template's sheet order).
INPUT_TABLES: tuple[TableSpec, ...] = (
    SETTINGS, PRACTICE, PROVIDERS, PAYERS, FEE_SCHEDULE, DRUGS, CHARGE_MASTER, PATIENTS, COVERAGE, AUTHORIZATIONS,
    ENCOUNTERS, ADMINISTRATIONS, PAYER_RULES, COVERAGE_RULES, PAYER_DRUG_CLASSES, PATIENT_PAYMENTS,
    STATEMENT_NOTICES,
)
TABLES_BY_NAME: dict[str, TableSpec] = {t.name: t for t in INPUT_TABLES}


def table_spec(name: str) -> TableSpec:
    return TABLES_BY_NAME[name]
