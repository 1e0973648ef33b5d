"""Claims: the typed claim (:mod:`.model`), the 837 writer (:mod:`.x837`), the 837 reader
(:mod:`.reader`) and the splitting of claims over a payer's line limit (:mod:`.split`).

``write_837(claims, batch, path)`` writes an 837P (005010X222A1) or 837I (005010X223A2) file and
reports the claims it left out as Findings; ``read_837(path|bytes|text)`` in :mod:`.reader` reads any
837 back into claim and line tables. The reader is imported from its own module, not from here: it
returns pandas tables, and every module of this package (the claim ledger the pre-bill check reads,
the model) would otherwise load pandas and pyarrow, about 60 MiB, for a run that never reads an 837.
"""

from .model import (
    INSTITUTIONAL,
    PROFESSIONAL,
    Address,
    Adjustment,
    Batch,
    Claim,
    ClaimLine,
    Coverage,
    LineAdjudication,
    OtherPayer,
    Payer,
    Person,
    Practice,
    Provider,
)
from .problems import Problem
from .split import split_claim
from .x837 import Written, render_837, write_837

__all__ = [
    "INSTITUTIONAL", "PROFESSIONAL", "Address", "Adjustment", "Batch", "Claim", "ClaimLine", "Coverage",
    "LineAdjudication", "OtherPayer", "Payer", "Person", "Practice", "Problem", "Provider", "Written",
    "render_837", "split_claim", "write_837",
]
