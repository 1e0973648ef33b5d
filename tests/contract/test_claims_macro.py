"""``build_claims`` and ``export_837`` (Build Claims and Export 837 buttons) through xlwings' Office.js engine.

The workbook is a few days of the synthetic demo clinic. Build Claims must write the claim ledger
(one claim per Ready encounter, lines with their Line Control Numbers) and Encounter Status; Export
837, on the web where Python cannot write to the user's disk, must put the 837 text on the 837 Outbox
sheet (a file pyx12 accepts when saved as it is) and mark the claims Submitted, without an alert and
without writing to an input sheet.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from claims.clinic_book import clinic_rows
from pyx12_check import pyx12_errors

from infusion_billing.claims.reader import read_837
from infusion_billing.schema import TABLES_BY_NAME


def _excel(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        return "Y" if value else "N"
    return value


def clinic_sheets(encounters: int = 12) -> dict[str, list[list]]:
    sheets = {}
    for name, rows in clinic_rows(encounters).items():
        if rows:
            header = [c.header for c in TABLES_BY_NAME[name].columns]
            sheets[name] = [header, *[[_excel(v) for v in row] for row in rows]]
    return sheets


def added_sheets(actions):
    return {a["args"][1]: a["args"][0] for a in actions if a["func"] == "addSheet"}


def values_on(actions, position):
    (write,) = [a for a in actions if a["func"] == "setValues" and a["sheet_position"] == position]
    return write["values"]


def _claims_of(actions):
    added = added_sheets(actions)
    return values_on(actions, added["Claims"]), values_on(actions, added["ClaimLines"])


def _as_read_back(rows):
    """Values written as Office.js reads them on the next run: dates (sent as ISO text) as dates, text
    sent with Excel's apostrophe prefix (``'0260``, kept as text) without it."""
    out = []
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str) and value.startswith("'"):
                value = value[1:]
            elif isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-" \
                    and value[:4].isdigit():
                value = dt.date.fromisoformat(value[:10])
            cells.append(value)
        out.append(cells)
    return out


def test_build_claims_writes_the_ledger_and_encounter_status(run_script):
    sheets = clinic_sheets()
    actions, _ = run_script("build_claims", sheets)
    added = added_sheets(actions)
    assert {"Claims", "ClaimLines", "Encounter Status", "RunLog"} <= set(added)
    (header, *claims), (line_header, *lines) = _claims_of(actions)
    at = header.index
    status_header, *status = values_on(actions, added["Encounter Status"])
    ready = {r[0] for r in status if r[status_header.index("Status")] in ("Billed", "Ready")}
    assert {c[at("Encounter ID")] for c in claims} == ready and claims
    assert {c[at("Status")] for c in claims} == {"Ready"}
    assert [c[at("Claim ID")] for c in claims] == [c[at("Encounter ID")] for c in claims]
    first = claims[0][at("Claim ID")]
    assert [ln[line_header.index("Line Control Number")] for ln in lines if ln[0] == first] == [
        f"{first}-{n}" for n in range(1, claims[0][at("Lines")] + 1)]
    written = {a["sheet_position"] for a in actions if a["func"] == "setValues"}
    assert not written & set(range(len(sheets)))  # no input sheet written
    assert not [a for a in actions if a["func"] == "alert"]


def test_export_837_puts_the_file_on_the_outbox_sheet_and_marks_the_claims_submitted(run_script, tmp_path):
    sheets = clinic_sheets()
    actions, _ = run_script("build_claims", sheets)
    claims, lines = _claims_of(actions)
    sheets.update({"Claims": _as_read_back(claims), "ClaimLines": _as_read_back(lines)})
    actions, _ = run_script("export_837", sheets)
    added = added_sheets(actions)
    assert {"837 Outbox", "Claim Batches", "RunLog"} <= set(added)
    position = list(sheets).index("Claims")  # the ledger sheet the workbook already had, rewritten in place
    header, *submitted = values_on(actions, position)
    assert {r[header.index("Status")] for r in submitted} == {"Submitted"}
    files = {r[header.index("Batch File")] for r in submitted}
    outbox_header, *outbox = values_on(actions, added["837 Outbox"])
    assert outbox_header == ["File", "Segment"]
    assert {r[0] for r in outbox} == files
    for name in sorted(files):
        segments = [r[1] for r in outbox if r[0] == name]
        assert segments[0].startswith("ISA*") and segments[-1].startswith("IEA*")
        path = tmp_path / name
        path.write_text("\n".join(segments) + "\n", encoding="ascii")
        assert pyx12_errors(path) == [], name
        read = read_837(path)
        assert read.findings == [] and set(read.claims.claim_id) == {
            r[header.index("Claim ID")] for r in submitted if r[header.index("Batch File")] == name}
    assert not [a for a in actions if a["func"] == "alert"]
