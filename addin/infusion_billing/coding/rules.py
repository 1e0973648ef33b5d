"""Every coding rule by its stable ID: the IDs in the Charges sheet's Rule column and on Findings.

A *line rule* produced a claim line (its ID is in that line's Rule column); a *finding rule* is
raised when an input cannot be coded as it stands or when the biller should know what the engine did.
IDs never change once released: billers filter on them and the pre-bill checks refer to them.

This module is the ``coding`` family of the rule catalogue (:mod:`infusion_billing.rules.catalogue`):
each rule is declared once here with its title, severity, suggested fix and source. Sections are those
of ``docs/coding-rules.md``; source tags ``[Sn]`` resolve in ``docs/sources.md``.
"""

from __future__ import annotations

from ..findings import Severity
from ..rules.spec import Family, RuleSpec

CODING = Family("coding")
ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


def _line(rule_id: str, title: str, source: str) -> str:
    return CODING.line(rule_id, title, source=source).id


def _finding(rule_id: str, severity: Severity, title: str, fix: str, source: str) -> str:
    return CODING.finding(rule_id, severity, title, fix=fix, source=source).id


S = "docs/coding-rules.md section "

# --- lines: administration (sections 4-7) --------------------------------------------------------
INITIAL_INFUSION = _line("coding.initial-infusion", "Initial IV infusion 96365/96413, chosen by the hierarchy",
                         S + "5 [S3][S14]")
INITIAL_PUSH = _line("coding.initial-push", "Initial IV push 96374/96409 when a push ranks highest", S + "5 [S3]")
INITIAL_HYDRATION = _line("coding.initial-hydration",
                          "Initial hydration 96360 (31 minutes or more) when nothing ranks higher", S + "4, 5 [S13]")
ADDON_HOUR = _line("coding.addon-hour", "Additional hours 96361/96366/96415/96370: units = floor(extra/60) + "
                   "(extra mod 60 > 30), extra = T - 60", S + "4 [S12][S22]")
SEQUENTIAL = _line("coding.sequential", "Sequential infusion of a new drug or mix 96367/96417, once per infusate",
                   S + "6 [S9][S59]")
CONCURRENT = _line("coding.concurrent", "Concurrent infusion 96368 from a separate bag, once per encounter, not timed",
                   S + "3, 6 [S19][S53]")
PUSH_ADDITIONAL = _line("coding.push-additional", "Each further push of a new drug 96375/96411", S + "6 [S9][S59]")
PUSH_SAME_DRUG = _line("coding.push-same-drug", "Same-drug push 96376, facility only, more than 30 minutes after "
                       "its last reported push", S + "2, 4 [S11][S52]")
HYDRATION_SECONDARY = _line("coding.hydration-secondary", "Secondary hydration 96361: units = floor(T/60) + "
                            "(T mod 60 > 30), T >= 31", S + "4 [S24]")
INJECTION = _line("coding.injection", "SC/IM/intra-arterial injection 96372/96373, chemo 96401 or hormonal 96402, "
                  "per injection", S + "2, 6 [S6][S10-FAQ]")
SC_INFUSION = _line("coding.sc-infusion", "SC infusion 96369 (+96370 hours, 96371 new site)", S + "2")
PROLONGED_PUMP = _line("coding.prolonged-pump", "Chemo prolonged infusion with a pump 96416", S + "2")
PORT_FLUSH = _line("coding.port-flush", "Port irrigation 96523 when nothing else is billed that day", S + "2, 7 [S9]")
SEPARATE_SITE = _line("coding.separate-site", "Second required IV site: its initial carries the payer's 59/XS/XU",
                      S + "5, 10 [S7][S48]")
HYDRATION_59 = _line("coding.hydration-modifier-59", "Payer wants 59 on hydration after another initial",
                     S + "12 item 4 [S9]")
BIOLOGIC_THERAPEUTIC = _line("coding.biologic-therapeutic", "Payer codes biologics with therapeutic administration",
                             S + "8, 12 item 1 [S41]")
EM_MODIFIER_25 = _line("coding.em-modifier-25", "E/M billed with administration carries 25 when separately "
                       "identifiable", S + "10 [S59]")
EM_VISIT = _line("coding.em-visit", "E/M on a claim without administration codes", S + "6 item 11")

# --- lines: drugs (section 9) and charges ---------------------------------------------------------
DRUG_UNITS = _line("coding.drug-units", "Drug units = ceil(dose in billing unit / unit quantity)", S + "9 [S27][S20]")
DRUG_SAME_DAY = _line("coding.drug-same-day", "Repeated doses of one drug on one date on one line", S + "9 [S52]")
JW_WASTE = _line("coding.jw-waste", "JW line: ceil((dose + waste)/unit) - ceil(dose/unit) units", S + "9 [S27][S28]")
JZ_NO_WASTE = _line("coding.jz-no-waste", "JZ on a single-dose drug line with no billable waste", S + "9 [S29][S30]")
NDC = _line("coding.ndc", "NDC as 11 digits with its unit and quantity", S + "9 [S34][S36]")
MODIFIER_340B = _line("coding.340b", "340B modifier JG/TB from Settings", S + "10 [S47]")
CLINIC_VISIT = _line("coding.clinic-visit-g0463", "Facility claim to Medicare (or a payer so flagged): the office/"
                     "outpatient E/M is reported as the clinic visit G0463, with 25 beside a procedure",
                     S + "10 [S81]")
ESA_MODIFIER = _line("coding.esa-modifier", "Non-ESRD ESA line to Medicare carries exactly one of EA, EB, EC",
                     S + "10 [S82][S83]")
PUSH_AFTER_INFUSION = _line("coding.push-after-infusion", "Push of a substance already given by infusion: "
                            "not a new drug; facility 96376 where its time rule allows", S + "6 [S61][S11]")
UNCLASSIFIED_DRUG = _line("coding.unclassified-drug", "Not-otherwise-classified drug code: one unit with the NDC",
                          S + "12 item 6 [S44]")

# --- findings --------------------------------------------------------------------------------------
UNKNOWN_HCPCS = _finding(
    "coding.unknown-hcpcs", ERROR, "HCPCS not in the built-in or the workbook's Drugs table",
    "Correct the HCPCS, or add the drug (billing unit, class, container) to the workbook's Drugs table.", S + "13")
DRUG_UNIDENTIFIED = _finding(
    "coding.drug-unidentified", ERROR, "No HCPCS and no Drug Class: the administration cannot be coded",
    "Fill in the HCPCS of the drug, or at least its Drug Class.", S + "8")
ROUTE_MISSING = _finding(
    "coding.route-missing", ERROR, "No route: push, infusion or injection cannot be told apart",
    "Fill in the Route.", S + "3 (the order names drug, dose, route and reason [S33d])")
STOP_TIME_FALLBACK = _finding(
    "coding.stop-time-fallback", WARNING, "Infusion without start or stop time coded as a push",
    "Fill in the missing time from the MAR or pump record to code the infusion by its minutes.",
    S + "12 item 5 [S8][S33d]")
TIMES_MISSING = _finding(
    "coding.times-missing", ERROR, "Infusion without start or stop time held (Missing Stop Time Fallback = Hold)",
    "Fill in the missing time from the infusion record.", S + "12 item 5 [S8]")
STOP_BEFORE_START = _finding(
    "coding.stop-before-start", ERROR, "Stop time not after the start time without a later Stop Date",
    "Correct Start or Stop; if the infusion ran past midnight, fill in its Stop Date.", S + "4 item 5 [S50]")
INTERRUPTION_INVALID = _finding(
    "coding.interruption-invalid", ERROR, "Interrupted Minutes negative or not shorter than the infusion",
    "Enter the minutes the infusion was stopped, from the infusion record.", S + "4 item 2 [S20]")
DOSE_MISSING = _finding(
    "coding.dose-missing", ERROR, "Drug line without a dose",
    "Fill in the amount given, from the MAR.", S + "9 (units are counted from the dose) [S27]")
DOSE_INVALID = _finding(
    "coding.dose-invalid", ERROR, "Dose zero or negative", "Correct the Dose.", S + "9")
DOSE_UNIT = _finding(
    "coding.dose-unit", ERROR, "Dose unit missing or not convertible to the HCPCS billing unit",
    "Fill in the Dose Unit the dose was charted in; for mL of a per-mg drug add the concentration to the Drugs table.",
    S + "9 (convert the dose to the billing measure first)")
WASTE_INVALID = _finding(
    "coding.waste-invalid", ERROR,
    "Wasted amount negative", "Enter the amount discarded, or leave Wasted blank.", S + "9")
JW_MULTI_DOSE = _finding(
    "coding.jw-multi-dose", WARNING, "Waste recorded on a multi-dose container: never billed with JW",
    "Leave Wasted blank for multi-dose vials, or correct the Container.", S + "9 [S31][S60]")
WASTE_EXCEEDS_VIALS = _finding(
    "coding.waste-exceeds-vials", WARNING, "Waste larger than the smallest vial combination leaves: capped",
    "Check the charted waste and the Drugs table's vial size; waste from a needlessly large vial is not billable.",
    S + "9 [S27]")
NDC_INVALID = _finding(
    "coding.ndc-invalid", ERROR, "NDC cannot be turned into 11 digits",
    "Enter the NDC as printed on the label, with its hyphens, or as 11 digits.", S + "9 [S34]")
SECOND_SITE_UNDOCUMENTED = _finding(
    "coding.second-site-undocumented", WARNING, "IV services at a second site without Second Site Necessary = Y: one "
    "initial service, everything else sequenced after it",
    "If the second site was medically required, document why and set Second Site Necessary to Y.", S + "5 [S7][S63]")
ADDON_RESEQUENCED = _finding(
    "coding.addon-resequenced", INFO, "The chosen initial service cannot be the primary of an add-on that follows: "
    "another initial was chosen", "Nothing to do; check the explanation of the initial line.", S + "5 [S61]")
ANTINEOPLASTIC_STAYS_CHEMO = _finding(
    "coding.antineoplastic-stays-chemo", WARNING,
    "Payer asks for therapeutic codes, but an antineoplastic drug given for "
    "cancer keeps chemotherapy administration", "Check the payer's list: it may move only non-cancer drugs.",
    S + "8 [S61][S80]")
PROFESSIONAL_FACILITY_DRUG = _finding(
    "coding.professional-facility-drug", INFO, "Professional claim in a facility: the hospital bills the drug, so its "
    "line was left off", "Nothing to do; the facility bills the drug.", S + "2 [S85]")
SC_SAME_PUMP = _finding(
    "coding.sc-same-pump", INFO, "A further SC infusion site on the same pump is part of its set-up: no 96371",
    "Nothing to do; fill in Pump when a second pump was set up.", S + "2 [S61]")
ESA_INDICATION_MISSING = _finding(
    "coding.esa-indication-missing", ERROR, "ESA to Medicare without EA/EB/EC: no ESA Indication and no diagnosis that "
    "decides it", "Fill in ESA Indication (EA, EB or EC), or the diagnosis code of the anemia.", S + "10 [S82]")
ESA_LAB_MISSING = _finding(
    "coding.esa-lab-missing", ERROR, "ESA to Medicare without the latest hemoglobin or hematocrit",
    "Fill in Hemoglobin (g/dL) or Hematocrit (%) from the most recent lab before the dose.", S + "10 [S82][S83]")
PUSH_SAME_SUBSTANCE_PRO = _finding(
    "coding.push-same-substance-professional", INFO, "Professional claim: a push of a substance already infused earns "
    "no administration code", "Nothing to do.", S + "6 [S61][S52]")
START_DATE_INVALID = _finding(
    "coding.start-date-invalid", ERROR, "Start Date before the encounter's date of service",
    "Correct the Start Date (blank = the date of service).", S + "4 item 5 [S50]")
PRIMARY_ADMIN_FALLBACK = _finding(
    "coding.primary-admin-fallback", WARNING,
    "Professional claim without a usable Primary Admin ID: facility hierarchy used",
    "Fill in Primary Admin ID with the administration that was the main reason for the visit.", S + "5 [S9][S59]")
CONCURRENT_CHEMO = _finding(
    "coding.concurrent-chemo", WARNING,
    "Chemo running concurrently with another infusion: no code exists, manual review",
    "Review the record and code the overlapping chemotherapy by hand.", S + "6 item 6")
MANUAL_REVIEW = _finding(
    "coding.manual-review", WARNING, "A service the rule tables have no code for: manual review",
    "Code this service by hand, or add its code to the coding tables.", S + "2")
PUSH_SAME_DRUG_30 = _finding(
    "coding.push-same-drug-30", WARNING, "Repeat push exactly 30 minutes after the last one",
    "Check the charted times; Settings 96376 At Exactly 30 Minutes decides whether it is billed.", S + "12 item 9")
PUSH_TIME_MISSING = _finding(
    "coding.push-time-missing", WARNING, "Repeat push of the same drug without a start time: 96376 not coded",
    "Fill in the push's Start time.", S + "4 [S11]")
HYDRATION_NECESSITY = _finding(
    "coding.hydration-necessity", WARNING, "Hydration without documented medical necessity not billed as hydration",
    "Set Necessity Documented = Y when the record documents why the patient needed fluids.", S + "3, 6 [S8]")
HYDRATION_SHORT = _finding(
    "coding.hydration-short", INFO, "Hydration of 30 minutes or less (after concurrent time) is not reportable",
    "Nothing to do.", S + "4 [S13]")
WHITE_BAGGED = _finding(
    "coding.white-bagged", INFO, "Drug supplied by a pharmacy or the patient: administration coded, no drug line",
    "Nothing to do; the supplier bills the drug.", S + "9")
ORAL_NOT_BILLED = _finding(
    "coding.oral-not-billed", INFO, "Oral medication: no administration or drug line", "Nothing to do.", S + "6 item 1")
PROFESSIONAL_FACILITY_POS = _finding(
    "coding.professional-facility-pos", INFO,
    "Professional claim in a facility: administration codes left to the facility",
    "Nothing to do; the facility bills the administration.", S + "2 [S6][S57]")
EM_99211 = _finding(
    "coding.em-99211", INFO, "99211 is not reported with drug administration", "Nothing to do.", S + "7 [S9]")
EM_NOT_SEPARATE = _finding(
    "coding.em-not-separate", WARNING, "E/M with administration but not separately identifiable: left off",
    "Bill the E/M only when the visit was significant and separately documented (then it carries 25).",
    S + "10 [S59]")
ADDON_WITHOUT_PRIMARY = _finding(
    "coding.addon-without-primary", WARNING, "Add-on code without one of its primary codes: left off",
    "Check the administrations: the service the add-on belongs to is missing or was not billed.",
    S + "2 [S3][S9][S59]")
DELETED_HCPCS = _finding(
    "coding.deleted-hcpcs", WARNING, "HCPCS deleted before the date of service",
    "Use the replacement code named in the message.", S + "12 item 10 [S39]")
HOME_OUT_OF_SCOPE = _finding(
    "coding.home-out-of-scope", INFO, "Home per-diem and nursing-visit coding is out of scope for this version",
    "Add the per-diem and nursing-visit lines by hand.", S + "11 [S45][S46]")
PORT_FLUSH_BUNDLED = _finding(
    "coding.port-flush-bundled", INFO, "96523 left off: other services on the same day", "Nothing to do.", S + "7 [S9]")
NO_ADMINISTRATIONS = _finding(
    "coding.no-administrations", WARNING, "Encounter with no administrations and no E/M: nothing to code",
    "Enter what was given on the Administrations sheet, or delete the encounter.", S + "3 (an encounter is one visit)")
PAYER_MISSING = _finding(
    "coding.payer-missing", ERROR, "Encounter payer not in the Payers table: payer options unknown",
    "Add the payer to the Payers table, or correct the encounter's Payer ID.", "docs/payer-rules.md section 8")
NO_CHARGEMASTER = _finding(
    "coding.no-chargemaster", WARNING, "No ChargeMaster table: every charge is 0",
    "Add a ChargeMaster table with the practice's charge for each code.", "docs/payer-rules.md section 6")
CHARGE_MISSING = _finding(
    "coding.charge-missing", ERROR,
    "Code without a ChargeMaster price: the line's Charge is blank and the encounter held",
    "Add the code and its charge to the ChargeMaster.", "docs/payer-rules.md section 6")
ENCOUNTER_FAILED = _finding(
    "coding.encounter-failed", ERROR, "One encounter the engine stopped on: held, the others coded",
    "Check the encounter's administrations for unusual values; run infusion-billing code --debug and report it if "
    "they look right.", "README.md (Data safety: one bad row never stops the run)")

RULES: tuple[RuleSpec, ...] = tuple(CODING.specs)
RULES_BY_ID: dict[str, RuleSpec] = {r.id: r for r in RULES}
del ERROR, WARNING, INFO, S
