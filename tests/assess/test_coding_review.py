"""The coding review's comparison of one encounter: what the log supports against what was billed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd

from infusion_billing.assess.coding_review import Billed, Pricer, compare
from infusion_billing.coding.lines import ChargeLine
from infusion_billing.posting.contract import Contract, FeeSchedule, Rate

DOS = date(2026, 10, 28)


def _line(n: int, code: str, units: int, mods: tuple[str, ...] = (), ndc: str = "") -> ChargeLine:
    return ChargeLine("E1", n, DOS, code, mods, units, Decimal("0"), ndc, "ML" if ndc else "", None, (), (), "")


def _pricer() -> Pricer:
    rates = [Rate("MCR", "J1569", "", Decimal("44.80"), date(2026, 1, 1), None),
             Rate("MCR", "96365", "", Decimal("171.90"), date(2026, 1, 1), None)]
    return Pricer(Contract(FeeSchedule(rates)), None, pd.DataFrame(columns=["code", "units", "charge"]))


# Immune globulin 24 g given from a 25 g container: J1569 x 48 and J1569-JW x 2, both lines with the NDC.
IVIG = [_line(1, "96365", 1), _line(2, "J1569", 48, ndc="99999010301"),
        _line(3, "J1569", 2, ("JW",), ndc="99999010301")]


def test_a_waste_line_billed_without_its_ndc_is_a_missing_ndc_at_the_waste_lines_value():
    got = {"96365": [Billed(Decimal(1), Decimal("446.94"), frozenset(), False)],
           "J1569": [Billed(Decimal(48), Decimal("3870.72"), frozenset(), True),
                     Billed(Decimal(2), Decimal("161.28"), frozenset({"JW"}), False)]}
    rows = compare("E1", DOS, "MCR", IVIG, got, _pricer())
    assert [(r["code"], r["modifiers"], r["kind"], r["impact"]) for r in rows] == [
        ("J1569", "JW", "Missing NDC", Decimal("89.60"))]
    assert rows[0]["explanation"].startswith("A waste (JW) drug line without its NDC")


def test_every_line_billed_as_the_log_supports_gives_no_row():
    got = {"96365": [Billed(Decimal(1), Decimal("446.94"), frozenset(), False)],
           "J1569": [Billed(Decimal(48), Decimal("3870.72"), frozenset(), True),
                     Billed(Decimal(2), Decimal("161.28"), frozenset({"JW"}), True)]}
    assert compare("E1", DOS, "MCR", IVIG, got, _pricer()) == []


def test_a_waste_line_left_off_is_a_missing_jw_line():
    got = {"96365": [Billed(Decimal(1), Decimal("446.94"), frozenset(), False)],
           "J1569": [Billed(Decimal(48), Decimal("3870.72"), frozenset(), True)]}
    rows = compare("E1", DOS, "MCR", IVIG, got, _pricer())
    assert [(r["code"], r["modifiers"], r["kind"], r["billed"], r["expected"], r["impact"]) for r in rows] == [
        ("J1569", "JW", "Missing JW line", Decimal(0), Decimal(2), Decimal("89.60"))]


def test_a_charge_below_the_contract_leaves_money_only_with_a_payer_that_pays_the_lesser_of_the_two():
    want = [_line(1, "96365", 1)]
    got = {"96365": [Billed(Decimal(1), Decimal("137.52"), frozenset(), False)]}
    rates = FeeSchedule([Rate("MCR", "96365", "", Decimal("171.90"), date(2026, 1, 1), None)])
    no_lines = pd.DataFrame(columns=["code", "units", "charge"])
    rows = compare("E1", DOS, "MCR", want, got, Pricer(Contract(rates, {"MCR": True}), None, no_lines))
    assert [(r["kind"], r["impact"], r["priced_by"]) for r in rows] == [
        ("Charge below contract", Decimal("34.38"), "Contracted rate")]
    # A contract that allows the rate whatever the charge (Lesser Of Charge N) pays 171.90 all the same.
    assert compare("E1", DOS, "MCR", want, got, Pricer(Contract(rates, {"MCR": False}), None, no_lines)) == []


def test_a_rate_renewed_without_closing_the_old_row_prices_at_the_renewal():
    rates = FeeSchedule([Rate("MCR", "J1569", "", Decimal("44.80"), date(2026, 1, 1), None),
                         Rate("MCR", "J1569", "", Decimal("46.10"), date(2026, 7, 1), None)])
    pricer = Pricer(Contract(rates), None, pd.DataFrame(columns=["code", "units", "charge"]))
    assert pricer("J1569", "MCR", DOS) == (Decimal("46.10"), "Contracted rate")
    assert pricer("J1569", "MCR", date(2026, 6, 30)) == (Decimal("44.80"), "Contracted rate")
    # No rate of this payer: the client's own charge, never another payer's rate.
    assert pricer("J1569", "BCBS", DOS) == (None, "Not priced")
