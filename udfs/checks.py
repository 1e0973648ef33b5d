"""``IB_ENCOUNTER_STATUS``: Ready, Hold or Review for an encounter, from the Findings sheet.

After a ``Pre-bill Checks`` run the Findings sheet lists every problem with its encounter. A biller's
own work list (a claims log, a schedule) can show each visit's status next to it with
``=IB_ENCOUNTER_STATUS([@[Encounter ID]], Findings[#All])``: **Hold** when any error concerns the
encounter, **Review** when only warnings do, **Ready** otherwise; the same rule as the Encounter
Status sheet (:func:`infusion_billing.checks.stage.status_of`).

``IB_NPI_VALID`` lives in :mod:`.npi`.
"""

from __future__ import annotations

from typing import Any

from xlwings import arg, func

from infusion_billing.checks.stage import status_of
from infusion_billing.findings import FINDING_COLUMNS, Severity

from ._convert import NA, cell_text, cellwise, unwrap

__all__ = ["IB_ENCOUNTER_STATUS"]

_HEADERS = [h for h, _ in FINDING_COLUMNS]
_SEVERITY = {s.value for s in Severity}


def _severities_by_encounter(findings: Any) -> dict[str, list[str]] | str:
    """Encounter ID -> severities, from the Findings range with or without its header row."""
    rows = unwrap(findings)
    if rows is None or rows == "":
        return {}
    if not isinstance(rows, (list, tuple)) or not rows or not isinstance(rows[0], (list, tuple)):
        return "Invalid findings range: select the Findings table"
    header = [cell_text(c) for c in rows[0]]
    if "Severity" in header and "Encounter ID" in header:
        sev_col, enc_col, rows = header.index("Severity"), header.index("Encounter ID"), rows[1:]
    else:  # the table body only, in the Findings sheet's column order
        sev_col, enc_col = _HEADERS.index("Severity"), _HEADERS.index("Encounter ID")
    out: dict[str, list[str]] = {}
    for row in rows:
        if len(row) <= max(sev_col, enc_col):
            return "Invalid findings range: select the Findings table"
        severity = cell_text(row[sev_col]).lower()
        enc_id = cell_text(row[enc_col]).upper()
        if enc_id and severity in _SEVERITY:
            out.setdefault(enc_id, []).append(severity)
    return out


@func
@arg("encounter_id", ndim=2, doc="Encounter ID (a cell or a column of them).")
@arg("findings_range", ndim=2, doc="The Findings table, e.g. Findings[#All] (with or without headers).")
def IB_ENCOUNTER_STATUS(encounter_id, findings_range):
    """Ready, Hold (an error) or Review (a warning) for the encounter, from the Findings sheet. #N/A if empty."""
    index = _severities_by_encounter(findings_range)

    def one(value: Any) -> str:
        enc_id = cell_text(value).upper()
        if not enc_id:
            return NA
        if isinstance(index, str):
            return index
        return status_of(index.get(enc_id, ()))

    return cellwise(one)(encounter_id)
