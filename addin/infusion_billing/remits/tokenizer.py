"""An 835's segments, cut by the shared X12 tokenizer (:mod:`infusion_billing.x12.tokenizer`).

The 835 reader reports what the tokenizer meets under its own ``era.*`` rule IDs, so a biller
importing remittances sees one family of remittance findings:

>>> stream = SegmentStream(["ST*835*0001~BPR*I*10*C*CHK~SE*3*0001~"], "remit.835")
>>> [batch for _, batch in stream]
[['ST*835*0001', 'BPR*I*10*C*CHK', 'SE*3*0001']]
>>> [f.rule_id for f in stream.findings]
['era.no-envelope']
"""

from __future__ import annotations

from ..x12 import tokenizer as _x12
from ..x12.tokenizer import DEFAULT_DELIMITERS, Delimiters, Sniffed, sniff_fallback, sniff_isa

__all__ = ["DEFAULT_DELIMITERS", "Delimiters", "SegmentStream", "Sniffed", "sniff_fallback", "sniff_isa"]


class SegmentStream(_x12.SegmentStream):
    """The shared segment stream, reporting as the 835 import (``era.*``)."""

    rules = {"no-envelope": "era.no-envelope", "isa-malformed": "era.isa-malformed",
             "junk-skipped": "era.junk-skipped"}
    document = "payer's 835"
