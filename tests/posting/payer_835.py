"""An 835 as a payer sends it and a small claim ledger, built in code for the posting and assessment tests.

``remit_835`` writes one payer's (Cedar Valley Insurance, ``REF*2U*CVI``) 835 to the Synthetic Infusion
Clinic, balanced as the TR3 wants; ``line`` and ``claim`` build the ledger rows it answers.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from infusion_billing.claims.ledger import LedgerClaim, LedgerLine
from infusion_billing.remits import read_835
from infusion_billing.remits.importer import merge_remits

AUG3, SEP1 = date(2026, 8, 3), date(2026, 9, 1)


def line(claim_id, n, code, charge, units=1, modifiers=(), day=AUG3):
    return LedgerLine(claim_id, n, f"{claim_id}-{n}", claim_id, day, code, tuple(modifiers), D(units), D(charge))


def claim(claim_id, patient_id, *lines, payer="CVI", day=AUG3):
    return LedgerClaim(claim_id, claim_id, patient_id, payer, "Primary", "837P", "1", "", "", day, day,
                       sum((ln.charge for ln in lines), D("0.00")), "Submitted", "batch.837", date(2026, 11, 15),
                       tuple(lines))


def svc(code, charge, paid, units=1, *, cas=(), ref=None, allowed=None, submitted=None, day=AUG3):
    """One SVC loop: cas = ((group, CARC, amount), ...)."""
    return dict(code=code, charge=D(charge), paid=D(paid), units=units, cas=cas, ref=ref,
                allowed=None if allowed is None else D(allowed), submitted=submitted, day=day)


def clp(claim_id, icn, lines, *, status="1", claim_cas=()):
    return dict(claim_id=claim_id, icn=icn, lines=lines, status=status, claim_cas=claim_cas)


def remit_835(trace, check_date, *claims):
    """An 835 from payer CVI, balanced as the TR3 wants: CLP04 = the lines' SVC03 less claim-level CAS."""
    body, total = [], D("0.00")
    for n, c in enumerate(claims, start=1):
        charge = sum((ln["charge"] for ln in c["lines"]), D("0.00"))
        claim_adj = sum((a for _, _, a in c["claim_cas"]), D("0.00"))
        paid = sum((ln["paid"] for ln in c["lines"]), D("0.00")) - claim_adj
        pr = sum((a for ln in c["lines"] for g, _, a in ln["cas"] if g == "PR"), D("0.00")) + sum(
            (a for g, _, a in c["claim_cas"] if g == "PR"), D("0.00"))
        total += paid
        body += [f"LX*{n}", f"CLP*{c['claim_id']}*{c['status']}*{charge}*{paid}*{pr}*12*{c['icn']}*11*1",
                 "NM1*QC*1*PATIENT*SYNTHETIC****MI*M0001"]
        body += [f"CAS*{g}*{r}*{a}" for g, r, a in c["claim_cas"]]
        for ln in c["lines"]:
            code = "HC:" + ln["code"]
            seg = f"SVC*{code}*{ln['charge']}*{ln['paid']}**{ln['units']}"
            if ln["submitted"]:
                seg += f"*HC:{ln['submitted']}"
            body += [seg, f"DTM*472*{ln['day']:%Y%m%d}"]
            body += [f"CAS*{g}*{r}*{a}" for g, r, a in ln["cas"]]
            if ln["ref"]:
                body.append(f"REF*6R*{ln['ref']}")
            if ln["allowed"] is not None:
                body.append(f"AMT*B6*{ln['allowed']}")
    day = f"{check_date:%Y%m%d}"
    head = [f"BPR*I*{total}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*{day}",
            f"TRN*1*{trace}*1512345678", f"DTM*405*{day}", "N1*PR*Cedar Valley Insurance",
            "N3*100 SYNTHETIC PAYER WAY", "N4*SPRINGFIELD*IL*627010001", "REF*2U*CVI",
            "PER*BL*PROVIDER SERVICES*TE*8005550100", "N1*PE*Synthetic Infusion Clinic*XX*2101382705"]
    segments = ["ST*835*0001", *head, *body]
    segments.append(f"SE*{len(segments) + 1}*0001")
    isa = ("ISA*00*          *00*          *ZZ*SIMCVI         *ZZ*SYNCLINIC01    *261201*0600*^*00501*000000002*0*T*:")
    return "~\n".join([isa, f"GS*HP*SIMCVI*SYNCLINIC01*{day}*0600*2*X*005010X221A1", *segments, "GE*1*2",
                       "IEA*1*000000002"]) + "~\n"


def era_of(*texts):
    """The ERA sheets' rows as import-era writes them, for these 835 texts (each read cleanly)."""
    remits = []
    for n, text in enumerate(texts, start=1):
        remit = read_835(text, name=f"remit{n}.835")
        assert [f.rule_id for f in remit.findings] == [], f"remit{n}"
        remits.append(remit)
    merged = merge_remits({}, remits)
    return {t.name: [dict(zip(t.columns, row, strict=True)) for row in t.rows] for t in merged.tables}
