"""
# infusion-billing

Infusion-therapy billing on this workbook, run by Python inside Excel on this computer: the
workbook's data never leaves it.

Buttons (scripts), in the order a month goes:

* **validate_workbook**: every bad cell on *Findings*, and the visits they hold on *Encounter Status*;
* **check_encounters**: pre-bill checks (documentation, eligibility, authorization, filing);
* **code_encounters**: the *Charges* sheet (codes, modifiers, units, NDC);
* **check_and_code**: both in one run (month end);
* **import_remits**: 835 text pasted into a sheet named *EraInbox* into the ERA sheets.

Worksheet functions start with `IB_` (`=IB_NDC11(Administrations[NDC])`); each is described in
docs/udfs.md of the project.

Setup: paste this whole file into the main.py tab and requirements.txt beside it into the
requirements.txt tab (README.md beside it says how to point that at a wheel you host), then restart.
"""

from infusion_billing.udfs import *  # noqa: F401,F403  worksheet functions, IB_ prefix
from infusion_billing.macros import *  # noqa: F401,F403  scripts: validate_workbook, check_and_code, ...
