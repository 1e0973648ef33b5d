"""X12 835 remittances (ERAs): read them into tables, balance them, label the adjustments.

``read_835(path_or_bytes_or_text)`` returns a :class:`Remit835` with six pandas tables
(payments, claims, lines, adjustments, remarks, provider_adjustments) and a list of Findings.
:mod:`infusion_billing.remits.parser` explains how an 835 is built and which checks run.
"""

from .reader import concat_remits, iter_835, read_835
from .tables import Remit835

__all__ = ["Remit835", "concat_remits", "iter_835", "read_835"]
