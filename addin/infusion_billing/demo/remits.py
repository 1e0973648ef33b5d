"""A synthetic payer's 835 answering a practice's 837: what the demo, the assessment tests and the bench pay with.

Every claim of the 837 is paid line by line at an allowed amount the caller decides (the contracted
rate x units, or a share of the charge), the rest written off as contractual (CO-45); a claim listed in
``denials`` is denied in full with the given group, CARC and RARC. The 835 balances to the cent and
carries no patient name or member ID (the NM1*QC names a synthetic patient), so it is safe to ship.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
#: (payer ID, code, units, charge, date of service) -> allowed amount for the line.
AllowedOf = Callable[[str, str, Decimal, Decimal, date | None], Decimal]


def share_of_charge(share: str = "0.45") -> AllowedOf:
    """An allowed amount that is a fixed share of the charge (no contract known)."""
    return lambda payer, code, units, charge, day: (charge * Decimal(share)).quantize(CENT, ROUND_HALF_UP)


def remit_835(claims: pd.DataFrame, lines: pd.DataFrame, *, allowed_of: AllowedOf, paid_on: date,
              payee_npi: str, denials: Mapping[str, tuple[str, str, str]] | None = None, control: int = 1,
              trace: str = "", cuts: Mapping[tuple[str, int], Decimal] | None = None) -> str:
    """One 835 paying ``claims`` (read_837's claim and line tables), one ST per payer.

    ``cuts`` takes that many dollars off the allowed amount of a (claim, line): an underpayment."""
    denials, cuts = denials or {}, cuts or {}
    day = paid_on.strftime("%Y%m%d")
    out = [f"ISA*00*          *00*          *ZZ*SYNTHPAYER     *ZZ*SYNTHCLINIC    *{day[2:]}*1200*^*00501*"
           f"{control:09d}*0*P*:~", f"GS*HP*SYNTHPAYER*SYNTHCLINIC*{day}*1200*{control}*X*005010X221A1~"]
    by_claim: dict[str, list[tuple]] = {}
    for row in lines[["claim_id", "line", "code", "modifiers", "units", "charge", "service_from"]].itertuples(
            index=False, name=None):
        by_claim.setdefault(row[0], []).append(row[1:])
    st_count = 0
    for (payer_id, payer_name), group in claims.groupby(["payer_id", "payer_name"], sort=True):
        st_count += 1
        body: list[str] = []
        total = ZERO
        for n, (cid, dos) in enumerate(zip(group["claim_id"], group["statement_from"], strict=True), start=1):
            denial = denials.get(cid)
            dos = dos or min((r[5] for r in by_claim.get(cid, ()) if r[5]), default=paid_on)
            seg_lines: list[str] = []
            charge_sum = paid_sum = ZERO
            for line, code, mods, units, charge, served in by_claim.get(cid, ()):
                served = served or dos
                mod = ":".join(m for m in str(mods or "").split(",") if m)
                allowed = ZERO if denial else min(charge, allowed_of(str(payer_id), code, units, charge, served))
                allowed -= cuts.get((cid, int(line)), ZERO) if not denial else ZERO
                paid = allowed
                seg_lines.append(f"SVC*HC:{code}{':' + mod if mod else ''}*{charge}*{paid}**{units}")
                seg_lines.append(f"DTM*472*{served:%Y%m%d}")
                if denial:
                    seg_lines.append(f"CAS*{denial[0]}*{denial[1]}*{charge}")
                elif charge - allowed:
                    seg_lines.append(f"CAS*CO*45*{charge - allowed}")
                seg_lines.append(f"REF*6R*{cid}-{line}")
                if not denial:
                    seg_lines.append(f"AMT*B6*{allowed}")
                if denial and denial[2]:
                    seg_lines.append(f"LQ*HE*{denial[2]}")
                charge_sum += charge
                paid_sum += paid
            status = "4" if denial else "1"
            payer_claim = 9000000000 + control * 100000 + n
            body += [f"LX*{n}", f"CLP*{cid}*{status}*{charge_sum}*{paid_sum}**12*{payer_claim}*11*1",
                     "NM1*QC*1*PATIENT*SYNTH", f"DTM*232*{dos:%Y%m%d}", *seg_lines]
            total += paid_sum
        st = f"{st_count:04d}"
        segs = [f"ST*835*{st}*005010X221A1",
                f"BPR*I*{total}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*{day}",
                f"TRN*1*{trace or 'EFT'}{control:06d}{st_count:03d}*1512345678", f"DTM*405*{day}",
                f"N1*PR*{payer_name}*PI*{payer_id}", f"N1*PE*SYNTHETIC INFUSION CENTER*XX*{payee_npi}", *body]
        segs.append(f"SE*{len(segs) + 1}*{st}")
        out += [s + "~" for s in segs]
    out += [f"GE*{st_count}*{control}~", f"IEA*1*{control:09d}~"]
    return "\n".join(out) + "\n"
