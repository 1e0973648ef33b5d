"""Every coding rule by its stable ID: the IDs in the Charges sheet's Rule column and on Findings.

A *line rule* produced a claim line (its ID is in that line's Rule column); a *finding rule* is
raised when an input cannot be coded as it stands or when the biller should know what the engine did.
IDs never change once released: billers filter on them and the pre-bill checks refer to them.

Source tags ``[Sn]`` and section numbers refer to ``docs/coding-rules.md`` (the project's coding reference).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..findings import Severity


@dataclass(frozen=True, slots=True)
class Rule:
    """One coding rule: stable ID, whether it makes lines or findings, and what it says."""

    id: str
    kind: str  # "line" or "finding"
    severity: Severity | None
    title: str


def _line(rule_id: str, title: str) -> str:
    _REGISTRY.append(Rule(rule_id, "line", None, title))
    return rule_id


def _finding(rule_id: str, severity: Severity, title: str) -> str:
    _REGISTRY.append(Rule(rule_id, "finding", severity, title))
    return rule_id


_REGISTRY: list[Rule] = []
E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

# --- lines: administration (sections 4-7) --------------------------------------------------------
INITIAL_INFUSION = _line("coding.initial-infusion", "Initial IV infusion 96365/96413, chosen by the hierarchy [S3][S14]")
INITIAL_PUSH = _line("coding.initial-push", "Initial IV push 96374/96409 when a push ranks highest [S3]")
INITIAL_HYDRATION = _line("coding.initial-hydration", "Initial hydration 96360 (31 minutes or more) when nothing ranks higher")
ADDON_HOUR = _line("coding.addon-hour", "Additional hours 96361/96366/96415/96370: units = floor(extra/60) + (extra mod 60 > 30), extra = T - 60 [S12][S22]")
SEQUENTIAL = _line("coding.sequential", "Sequential infusion of a new drug or mix 96367/96417, once per infusate")
CONCURRENT = _line("coding.concurrent", "Concurrent infusion 96368 from a separate bag, once per encounter, not timed [S19][S53]")
PUSH_ADDITIONAL = _line("coding.push-additional", "Each further push of a new drug 96375/96411")
PUSH_SAME_DRUG = _line("coding.push-same-drug", "Same-drug push 96376, facility only, more than 30 minutes after its last reported push [S11]")
HYDRATION_SECONDARY = _line("coding.hydration-secondary", "Secondary hydration 96361: units = floor(T/60) + (T mod 60 > 30), T >= 31 [S24]")
INJECTION = _line("coding.injection", "SC/IM/intra-arterial injection 96372/96373, chemo 96401 or hormonal 96402, per injection")
SC_INFUSION = _line("coding.sc-infusion", "SC infusion 96369 (+96370 hours, 96371 new site)")
PROLONGED_PUMP = _line("coding.prolonged-pump", "Chemo prolonged infusion with a pump 96416")
PORT_FLUSH = _line("coding.port-flush", "Port irrigation 96523 when nothing else is billed that day [S9]")
SEPARATE_SITE = _line("coding.separate-site", "Second required IV site: its initial carries the payer's 59/XS/XU [S7][S48]")
HYDRATION_59 = _line("coding.hydration-modifier-59", "Payer wants 59 on hydration after another initial (section 12 item 4) [S9]")
BIOLOGIC_THERAPEUTIC = _line("coding.biologic-therapeutic", "Payer codes biologics with therapeutic administration (section 12 item 1) [S41]")
EM_MODIFIER_25 = _line("coding.em-modifier-25", "E/M billed with administration carries 25 when separately identifiable [S59]")
EM_VISIT = _line("coding.em-visit", "E/M on a claim without administration codes")

# --- lines: drugs (section 9) and charges ---------------------------------------------------------
DRUG_UNITS = _line("coding.drug-units", "Drug units = ceil(dose in billing unit / unit quantity) [S27][S20]")
DRUG_SAME_DAY = _line("coding.drug-same-day", "Repeated doses of one drug on one date on one line [S52]")
JW_WASTE = _line("coding.jw-waste", "JW line: ceil((dose + waste)/unit) - ceil(dose/unit) units [S27][S28]")
JZ_NO_WASTE = _line("coding.jz-no-waste", "JZ on a single-dose drug line with no billable waste [S29][S30]")
NDC = _line("coding.ndc", "NDC as 11 digits with its unit and quantity [S34][S36]")
MODIFIER_340B = _line("coding.340b", "340B modifier JG/TB from Settings [S47]")
UNCLASSIFIED_DRUG = _line("coding.unclassified-drug", "Not-otherwise-classified drug code: one unit with the NDC [S44]")

# --- findings --------------------------------------------------------------------------------------
UNKNOWN_HCPCS = _finding("coding.unknown-hcpcs", E, "HCPCS not in the built-in or the workbook's Drugs table")
DRUG_UNIDENTIFIED = _finding("coding.drug-unidentified", E, "No HCPCS and no Drug Class: the administration cannot be coded")
ROUTE_MISSING = _finding("coding.route-missing", E, "No route: push, infusion or injection cannot be told apart")
STOP_TIME_FALLBACK = _finding("coding.stop-time-fallback", W, "Infusion without start or stop time coded as a push (section 12 item 5)")
TIMES_MISSING = _finding("coding.times-missing", E, "Infusion without start or stop time held (Missing Stop Time Fallback = Hold)")
STOP_BEFORE_START = _finding("coding.stop-before-start", E, "Stop time before start time without a later Stop Date")
INTERRUPTION_INVALID = _finding("coding.interruption-invalid", E, "Interrupted Minutes negative or not shorter than the infusion")
DOSE_MISSING = _finding("coding.dose-missing", E, "Drug line without a dose")
DOSE_INVALID = _finding("coding.dose-invalid", E, "Dose zero or negative")
DOSE_UNIT = _finding("coding.dose-unit", E, "Dose unit missing or not convertible to the HCPCS billing unit")
WASTE_INVALID = _finding("coding.waste-invalid", E, "Wasted amount negative")
JW_MULTI_DOSE = _finding("coding.jw-multi-dose", W, "Waste recorded on a multi-dose container: never billed with JW [S31][S60]")
WASTE_EXCEEDS_VIALS = _finding("coding.waste-exceeds-vials", W, "Waste larger than the smallest vial combination leaves: capped [S27]")
NDC_INVALID = _finding("coding.ndc-invalid", E, "NDC cannot be turned into 11 digits")
SECOND_SITE_UNDOCUMENTED = _finding("coding.second-site-undocumented", E, "IV services at a second site without Second Site Necessary = Y [S7]")
PRIMARY_ADMIN_FALLBACK = _finding("coding.primary-admin-fallback", W, "Professional claim without a usable Primary Admin ID: facility hierarchy used")
CONCURRENT_CHEMO = _finding("coding.concurrent-chemo", W, "Chemo running concurrently with another infusion: no code exists, manual review")
MANUAL_REVIEW = _finding("coding.manual-review", W, "A service the rule tables have no code for: manual review")
PUSH_SAME_DRUG_30 = _finding("coding.push-same-drug-30", W, "Repeat push exactly 30 minutes after the last one (section 12 item 9)")
PUSH_TIME_MISSING = _finding("coding.push-time-missing", W, "Repeat push of the same drug without a start time: 96376 not coded")
HYDRATION_NECESSITY = _finding("coding.hydration-necessity", W, "Hydration without documented medical necessity not billed as hydration [S8]")
HYDRATION_SHORT = _finding("coding.hydration-short", I, "Hydration of 30 minutes or less (after concurrent time) is not reportable")
WHITE_BAGGED = _finding("coding.white-bagged", I, "Drug supplied by a pharmacy or the patient: administration coded, no drug line")
ORAL_NOT_BILLED = _finding("coding.oral-not-billed", I, "Oral medication: no administration or drug line")
PROFESSIONAL_FACILITY_POS = _finding("coding.professional-facility-pos", I, "Professional claim in a facility: administration codes left to the facility [S6][S57]")
EM_99211 = _finding("coding.em-99211", I, "99211 is not reported with drug administration [S9]")
EM_NOT_SEPARATE = _finding("coding.em-not-separate", W, "E/M with administration but not separately identifiable: left off")
ADDON_WITHOUT_PRIMARY = _finding("coding.addon-without-primary", W, "Add-on code without one of its primary codes: left off")
DELETED_HCPCS = _finding("coding.deleted-hcpcs", W, "HCPCS deleted before the date of service (section 12 item 10)")
HOME_OUT_OF_SCOPE = _finding("coding.home-out-of-scope", I, "Home per-diem and nursing-visit coding is out of scope for this version")
PORT_FLUSH_BUNDLED = _finding("coding.port-flush-bundled", I, "96523 left off: other services on the same day [S9]")
NO_ADMINISTRATIONS = _finding("coding.no-administrations", I, "Encounter with no administrations and no E/M: nothing to code")
PAYER_MISSING = _finding("coding.payer-missing", E, "Encounter payer not in the Payers table: payer options unknown")
NO_CHARGEMASTER = _finding("coding.no-chargemaster", W, "No ChargeMaster table: every charge is 0")
CHARGE_MISSING = _finding("coding.charge-missing", W, "Code not in the ChargeMaster: its charge is 0")

RULES: tuple[Rule, ...] = tuple(_REGISTRY)
RULES_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}
del E, W, I
