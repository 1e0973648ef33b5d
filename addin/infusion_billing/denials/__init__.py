"""Denial management: the worklist a biller starts the day from, and its summary (docs/denials.md)."""
