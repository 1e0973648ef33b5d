"""Synthetic infusion claims, seeded, for tests, documentation examples and the 837 benchmark.

Every name, member ID and address is made up; NPIs are built with a valid check digit. A claim is an
infusion visit: an initial IV infusion (96365) and perhaps an additional hour (96366) or a push
(96375), with the drug on its own line (J-code, 11-digit NDC, JZ when nothing was wasted, or a JW
waste line), plus hydration now and then. One claim in ten is for a dependant (the patient is not
the insured), one in eight a secondary claim with the primary payer's adjudication.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from . import model as m

#: (HCPCS, NDC 11, NDC unit, NDC quantity per billing unit, charge per unit, revenue code)
DRUGS = (
    ("J1745", "57894003001", "UN", Decimal("0.1"), Decimal("118.40"), "0636"),  # infliximab 10 mg, 100 mg vials
    ("J1569", "00944270003", "ML", Decimal("10"), Decimal("92.15"), "0636"),  # immune globulin 500 mg
    ("J0897", "55513073001", "ML", Decimal("1"), Decimal("24.10"), "0636"),  # denosumab 1 mg
    ("J2505", "55513019001", "ML", Decimal("0.6"), Decimal("610.00"), "0636"),  # pegfilgrastim 6 mg
)
ADMIN = {"96365": Decimal("210.00"), "96366": Decimal("64.00"), "96375": Decimal("58.00"), "96360": Decimal("150.00")}
DIAGNOSES = ("K50.90", "M05.79", "D80.1", "M81.0", "Z79.899", "E11.9", "I10")
LAST = ("Rivera", "Nguyen", "Okafor", "Smith", "Kowalski", "Haddad", "Larsen", "Ito")
FIRST = ("Ana", "Ben", "Chidi", "Dana", "Eli", "Fay", "Gus", "Hana")
PAYERS = (m.Payer("Synthetic Health Plan", "SHP01"), m.Payer("Medicare Part B Synthetic", "MCRB1"))


def valid_npi(stem: int) -> str:
    """A 10-digit NPI starting with 1 whose Luhn check digit (prefix 80840) is right.

    >>> valid_npi(123456789)
    '1234567893'
    """
    base = f"{stem:09d}"
    if len(base) != 9 or base[0] not in "12":
        raise ValueError("an NPI stem is 9 digits starting with 1 or 2")
    digits = [int(c) for c in "80840" + base]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return base + str((10 - total % 10) % 10)


def sample_practice() -> m.Practice:
    return m.Practice(
        name="Lakeside Infusion Center", npi=valid_npi(123456789), ein="12-3456789", taxonomy="261QI0500X",
        address=m.Address("100 Harbor Way", "Springfield", "IL", "627011234", "Suite 200"),
        submitter_id="LAKESIDE01", submitter_name="Lakeside Infusion Center", contact_name="Billing Office",
        contact_phone="217-555-0142", receiver_id="CLEARHOUSE1", receiver_name="Synthetic Clearinghouse",
    )


def sample_batch(**changes: Any) -> m.Batch:
    """A batch for :func:`sample_practice` with fixed control numbers and date (reproducible files)."""
    batch = m.Batch(practice=sample_practice(), interchange_control=101, group_control=101,
                  created=datetime(2026, 12, 7, 9, 30), test=True)
    return replace(batch, **changes)


def _person(rng: random.Random, n: int, member: bool) -> m.Person:
    return m.Person(
        last_name=rng.choice(LAST), first_name=rng.choice(FIRST),
        birth_date=date(1940, 1, 1) + timedelta(days=rng.randrange(25_000)), sex=rng.choice("FM"),
        address=m.Address(f"{rng.randrange(1, 9999)} Elm Street", "Springfield", "IL", "62704"),
        member_id=f"SYN{n:09d}" if member else "",
    )


def sample_claims(count: int, *, seed: int = 7, claim_type: str = m.PROFESSIONAL, start: int = 1) -> list[m.Claim]:
    """``count`` infusion claims with IDs ``C0000001``... and line control numbers ``C0000001-1``...

    >>> claims = sample_claims(3)
    >>> [(c.claim_id, len(c.lines), c.total_charge) for c in claims]
    [('C0000001', 3, Decimal('1195.50')), ('C0000002', 2, Decimal('820.00')), ('C0000003', 3, Decimal('5010.00'))]
    """
    rng = random.Random(seed)
    provider = m.Provider("Okonkwo", "Ada", valid_npi(111222333), "207RR0500X")
    claims = []
    day0 = date(2026, 11, 2)
    for n in range(start, start + count):
        claim_id = f"C{n:07d}"
        day = day0 + timedelta(days=rng.randrange(28))
        code, ndc, unit, per_unit, price, revenue = rng.choice(DRUGS)
        units = Decimal(rng.choice((1, 2, 5, 10, 40)))
        diagnoses = tuple(rng.sample(DIAGNOSES, rng.randint(1, 3)))
        pointer = (1,)
        admin = ["96365"] + (["96366"] if rng.random() < 0.5 else []) + (["96375"] if rng.random() < 0.3 else [])
        lines: list[m.ClaimLine] = []
        for code_admin in admin:
            lines.append(m.ClaimLine(f"{claim_id}-{len(lines) + 1}", code_admin, ADMIN[code_admin], Decimal(1), day,
                                   diagnosis_pointers=pointer, revenue_code="0260"))
        wasted = rng.random() < 0.2
        # JZ: nothing discarded; when some was, the discarded amount is its own JW line and the
        # administered line carries neither. JG marks a 340B-acquired drug.
        modifiers = (("JG",) if rng.random() < 0.05 else ()) + (() if wasted else ("JZ",))
        lines.append(m.ClaimLine(f"{claim_id}-{len(lines) + 1}", code, (price * units).quantize(Decimal("0.01")), units,
                               day, modifiers=modifiers, diagnosis_pointers=pointer, revenue_code=revenue, ndc=ndc,
                               ndc_unit=unit,
                               ndc_quantity=(per_unit * units).normalize()))
        if wasted:
            lines.append(m.ClaimLine(f"{claim_id}-{len(lines) + 1}", code, price, Decimal(1), day, modifiers=("JW",),
                                   diagnosis_pointers=pointer, revenue_code=revenue, ndc=ndc, ndc_unit=unit,
                                   ndc_quantity=per_unit.normalize()))
        subscriber = _person(rng, n, True)
        patient = _person(rng, n, False) if n % 10 == 0 else None
        payer = PAYERS[n % 2]
        coverage = m.Coverage(payer, subscriber, filing_indicator="MB" if payer is PAYERS[1] else "CI",
                            group_number="" if payer is PAYERS[1] else f"GRP{n % 50:03d}",
                            relationship="19" if patient else "18", patient=patient)
        others: tuple[m.OtherPayer, ...] = ()
        if n % 8 == 0:
            primary = m.Coverage(PAYERS[(n + 1) % 2], subscriber, priority="Primary", filing_indicator="CI",
                               relationship="18")
            paid_lines = []
            paid_total = Decimal("0.00")
            for line in lines:
                paid = (line.charge * Decimal("0.6")).quantize(Decimal("0.01"))
                paid_total += paid
                paid_lines.append(m.LineAdjudication(
                    line.control_number, paid, line.code, line.units, day + timedelta(days=20), line.modifiers,
                    line.revenue_code, (m.Adjustment("CO", "45", (line.charge - paid) / 2),
                                        m.Adjustment("PR", "2", line.charge - paid - (line.charge - paid) / 2))))
            others = (m.OtherPayer(primary, paid_total, day + timedelta(days=20), lines=tuple(paid_lines),
                                 payer_claim_number=f"PCN{n:08d}"),)
            coverage = m.Coverage(payer, subscriber, priority="Secondary", filing_indicator=coverage.filing_indicator,
                                group_number=coverage.group_number, relationship=coverage.relationship,
                                patient=patient)
        claims.append(m.Claim(
            claim_id=claim_id, claim_type=claim_type, coverage=coverage, diagnoses=diagnoses, lines=tuple(lines),
            place_of_service="11", provider=provider,
            other_payers=others, reason_for_visit=diagnoses[0] if claim_type == m.INSTITUTIONAL else "",
            encounter_id=f"E{n:07d}",
        ))
    return claims
