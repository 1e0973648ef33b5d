"""Seeded synthetic infusion 835s: balanced to the cent, no real patients, for tests and benchmarks.

No public 835 carries infusion lines (docs/remits.md section 3.4), so this writes the remits an
infusion practice gets from Medicare Part B: a drug line (J-code with JZ, or a JW line for the
discarded part of a single-dose vial) and its administration lines (96413 + 96415 chemo/complex,
or 96365 + 96366 therapeutic), each paid the Medicare way:

* allowed = a share of the charge; the rest is ``CO-45`` (over the fee schedule);
* the patient owes ``PR-1`` deductible (sometimes) and ``PR-2`` 20 % coinsurance;
* Medicare pays the remainder less 2 % sequestration, ``CO-253``;
* now and then a provider-level ``PLB*L6`` interest payment (negative: it adds to the check) or a
  ``PLB*WO`` recoupment of an earlier overpayment (positive: it is taken from the check).

Every claim, line and payment balances exactly, so any Finding the reader reports on this output is
a reader bug. Names and member IDs are invented (``PATIENT``/``SYNTH``) and carry no meaning.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

#: (code, modifier, charge per unit, units) — drug lines and the admin lines that go with them.
_REGIMENS = (
    (("J9312", "JZ", Decimal("95.00"), 70), ("96413", "", Decimal("410.00"), 1), ("96415", "", Decimal("95.00"), 3)),
    (("J1745", "JZ", Decimal("120.00"), 40), ("96365", "", Decimal("260.00"), 1), ("96366", "", Decimal("70.00"), 2)),
    (("J2505", "", Decimal("1100.00"), 1), ("96372", "", Decimal("60.00"), 1)),
    (("J9035", "JZ", Decimal("80.00"), 50), ("J9035", "JW", Decimal("80.00"), 10), ("96413", "", Decimal("410.00"), 1)),
    (("J0897", "", Decimal("25.00"), 60), ("96372", "", Decimal("60.00"), 1)),
)


def _c(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def _line(rng: random.Random, code: str, modifier: str, charge: Decimal, deductible_left: Decimal):
    """One adjudicated line: (segments, paid, patient responsibility, deductible used)."""
    allowed = _c(charge * Decimal(rng.choice(("0.38", "0.42", "0.45", "0.51"))))
    deductible = min(deductible_left, allowed)
    coinsurance = _c((allowed - deductible) * Decimal("0.20"))
    sequestration = _c((allowed - deductible - coinsurance) * Decimal("0.02"))
    paid = allowed - deductible - coinsurance - sequestration
    cas = [f"CAS*CO*45*{charge - allowed}**253*{sequestration}"]
    pr = [("1", deductible), ("2", coinsurance)]
    cas.append("CAS*PR" + "".join(f"*{r}*{a}*" for r, a in pr if a) .rstrip("*"))
    if cas[-1] == "CAS*PR":
        cas.pop()
    svc = f"SVC*HC:{code}" + (f":{modifier}" if modifier else "") + f"*{charge}*{paid}**1"
    return svc, cas, allowed, paid, deductible + coinsurance, deductible


def synthetic_835(
    claims: int = 20,
    *,
    seed: int = 7,
    payments: int = 1,
    newline: bool = True,
    plb: bool = True,
    control_start: int = 1,
) -> str:
    """An enveloped 5010 835 with ``claims`` infusion claims spread over ``payments`` ST transactions.

    >>> from infusion_billing.remits import read_835
    >>> remit = read_835(synthetic_835(claims=3, seed=1))
    >>> len(remit.claims), remit.balanced, [f.rule_id for f in remit.findings]
    (3, True, [])
    """
    rng = random.Random(seed)
    nl = "\n" if newline else ""
    out = [
        f"ISA*00*          *00*          *ZZ*SYNTHPAYER     *ZZ*SYNTHCLINIC    *261127*1200*^*00501*"
        f"{control_start:09d}*0*T*:~",
        f"GS*HP*SYNTHPAYER*SYNTHCLINIC*20261127*1200*{control_start}*X*005010X221A1~",
    ]
    per_payment = [claims // payments + (1 if i < claims % payments else 0) for i in range(payments)]
    claim_id = 0
    for p, count in enumerate(per_payment, start=1):
        body: list[str] = []
        total_paid = Decimal("0.00")
        for _ in range(count):
            claim_id += 1
            regimen = rng.choice(_REGIMENS)
            deductible_left = Decimal(rng.choice(("0", "0", "0", "50.00", "257.00")))
            day = 1 + claim_id % 28
            lines, charge_sum, paid_sum, pr_sum = [], Decimal("0.00"), Decimal("0.00"), Decimal("0.00")
            for n, (code, modifier, unit_charge, units) in enumerate(regimen, start=1):
                charge = unit_charge * units
                svc, cas, allowed, paid, pr, used = _line(rng, code, modifier, charge, deductible_left)
                deductible_left -= used
                svc = svc[: svc.rindex("*") + 1] + str(units)
                lines += [svc, f"DTM*472*202610{day:02d}", *cas, f"REF*6R*{claim_id}-{n}", f"AMT*B6*{allowed}"]
                charge_sum += charge
                paid_sum += paid
                pr_sum += pr
            body += [
                f"LX*{claim_id}",
                f"CLP*SYN{claim_id:07d}*1*{charge_sum}*{paid_sum}*{pr_sum}*MB*{9000000000 + claim_id}*11*1",
                "NM1*QC*1*PATIENT*SYNTH****MI*SYNTHMBI01",
                f"DTM*232*202610{day:02d}",
                f"DTM*233*202610{day:02d}",
                *lines,
            ]
            total_paid += paid_sum
        plb_segments = []
        if plb and count:
            interest = Decimal(rng.randint(1, 900)) / 100
            recoup = Decimal(rng.randint(100, 20000)) / 100 if p % 2 == 0 else Decimal("0")
            pairs = f"*L6:SYN{p}*-{interest:.2f}" + (f"*WO:SYN{p}-OLD*{recoup:.2f}" if recoup else "")
            plb_segments.append(f"PLB*1234567893*20261231{pairs}")
            total_paid += interest - recoup
        st = f"{p:04d}"
        segments = [
            f"ST*835*{st}*005010X221A1",
            f"BPR*I*{total_paid}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20261127",
            f"TRN*1*SYNEFT{control_start:05d}{p:04d}*1512345678",
            "DTM*405*20261126",
            "N1*PR*SYNTHETIC MEDICARE CONTRACTOR",
            "REF*2U*SYN01",
            "N1*PE*SYNTHETIC INFUSION CENTER*XX*1234567893",
            *body,
            *plb_segments,
        ]
        segments.append(f"SE*{len(segments) + 1}*{st}")
        out += [s + "~" for s in segments]
    out += [f"GE*{payments}*{control_start}~", f"IEA*1*{control_start:09d}~"]
    return nl.join(out) + nl
