"""Whatever happens to a file on its way from the payer, the reader returns tables and Findings.

Hypothesis takes valid 835s (public samples and synthetic infusion remits) and damages them the
way real transfers and hand edits do: cut anywhere, segments dropped, duplicated or swapped,
delimiters and digits corrupted, junk inserted. The reader must never raise, must always return
the six tables with their columns, money stays Decimal, and no Finding says the reader itself broke.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infusion_billing.findings import Finding
from infusion_billing.remits import Remit835, read_835
from infusion_billing.remits.synthetic import synthetic_835
from infusion_billing.remits.tables import TABLES

HERE = Path(__file__).resolve().parent
BASES = [p.read_text() for p in sorted((HERE / "data" / "public" / "835").iterdir())
         if p.name != "SOURCES.md"]
BASES += [p.read_text() for p in sorted((HERE / "data").glob("*.835"))]
BASES.append(synthetic_835(4, payments=2, seed=3))

MONEY = {
    "payments": ["payment_amount", "claim_charges", "claim_payments", "plb_total", "variance"],
    "claims": ["charge", "paid", "patient_responsibility", "claim_adjustments", "line_adjustments", "variance"],
    "lines": ["charge", "paid", "allowed", "adjustments", "variance"],
    "adjustments": ["amount"],
    "provider_adjustments": ["amount"],
}
NASTY = ["*", "~", ":", "^", "|", ">", "\n", "\r", "\x00", "ISA", "ST*835*", "SE*", "CLP*", "SVC*HC:", "CAS*CO*",
         "PLB*", "-", ".", "E9", "9" * 40, "\ufffd", " ", ""]


@st.composite
def damaged(draw):
    text = draw(st.sampled_from(BASES))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["cut", "drop", "duplicate", "swap", "corrupt", "insert", "delims"]))
        term = "~" if "~" in text else "\n"
        segs = text.split(term)
        i = draw(st.integers(0, max(len(segs) - 1, 0)))
        j = draw(st.integers(0, max(len(segs) - 1, 0)))
        at = draw(st.integers(0, max(len(text) - 1, 0)))
        if kind == "cut":
            text = text[:at]
        elif kind == "drop" and segs:
            del segs[i]
            text = term.join(segs)
        elif kind == "duplicate" and segs:
            segs.insert(i, segs[i])
            text = term.join(segs)
        elif kind == "swap" and segs:
            segs[i], segs[j] = segs[j], segs[i]
            text = term.join(segs)
        elif kind == "corrupt":
            text = text[:at] + draw(st.sampled_from(NASTY)) + text[at + 1:]
        elif kind == "insert":
            text = text[:at] + draw(st.text(max_size=12)) + text[at:]
        else:
            old, new = draw(st.sampled_from(["*", "~", ":", "|", "^"])), draw(st.sampled_from(NASTY[:9]))
            text = text.replace(old, new, draw(st.integers(1, 50)))
    return text


def assert_well_formed(remit):
    assert isinstance(remit, Remit835)
    for name, columns in TABLES.items():
        frame = getattr(remit, name)
        assert isinstance(frame, pd.DataFrame)
        assert list(frame.columns) == [c for c, _ in columns]
    for name, columns in MONEY.items():
        for column in columns:
            assert all(v is None or isinstance(v, Decimal) for v in getattr(remit, name)[column]), (name, column)
    assert all(isinstance(f, Finding) for f in remit.findings)
    assert not [f for f in remit.findings if f.rule_id == "era.internal-error"], [f.message for f in remit.findings]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_damaged_files_never_raise(text):
    assert_well_formed(read_835(text, name="damaged.835"))
    assert_well_formed(read_835(text.encode("utf-8", errors="replace"), name="damaged.835"))


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(blob):
    remit = read_835(blob, name="random.bin")
    assert_well_formed(remit)
    assert remit.findings  # random bytes are never a clean 835


def test_every_base_file_is_itself_well_formed():
    for text in BASES:
        assert_well_formed(read_835(text))
