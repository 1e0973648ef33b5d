"""The billing assessment: where a client's money leaks, in dollars, from the client's own files.

``infusion-billing assess`` reads 835s (required), billed claims (837s or a charge export), optionally the
infusion log (our template) and the contracted rates, and writes a de-identified workbook: Summary,
Findings ranked by dollar impact, Denials, Underpayments, Coding Review, AR and Filing Risk, Method and
Data. See docs/assessment.md.
"""

from .report import Assessment, Hasher, assess, salt_for, write_assessment

__all__ = ["Assessment", "Hasher", "assess", "salt_for", "write_assessment"]
