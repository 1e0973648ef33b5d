"""Accounts receivable aging: who owes what on each claim, and how old it is (docs/aging.md)."""
