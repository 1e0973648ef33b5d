"""Class 5 on the Excel route: what the macros set on a cell is what Excel shows.

Excel reads a value set on a cell (Office.js ``range.values`` and COM ``Range.Value`` alike) as if it
were typed, so text the engine produced would silently become something else: a revenue code
``0260`` the number 260, a place of service ``02`` the number 2, a 20-digit payer claim number
1.23457E+19, ``2026-01`` a date, ``TRUE`` a boolean, ``=...`` a formula. The runner sends such text
with the apostrophe prefix Excel stores as "this is text"; the file writer never needs it (it writes
typed cells).
"""

from __future__ import annotations

import pytest

from infusion_billing.macros._runner import excel_value


@pytest.mark.parametrize("text", [
    "0260", "02", "96413", "12345678901234567890", "2026-01", "1/2", "10:30", "1E+308", ".5", "$40", "(5)",
    "TRUE", "false", "Jan 5", "dec-2026", "=HYPERLINK(\"x\")", "+1 555", "-5.00 CO-45", "@cmd", "'quoted",
])
def test_text_excel_would_retype_goes_with_the_apostrophe(text):
    assert excel_value(text) == "'" + text


@pytest.mark.parametrize("text", ["J1745", "E100-1", "CO-16 (M119)", "october.835", "March Health Plan",
                                  "Underpaid", "Truely Infusions", "", "mg"])
def test_plain_text_is_sent_as_it_is(text):
    assert excel_value(text) == text
