"""Read X12 835 remittance files: the public entry points :func:`read_835` and :func:`iter_835`.

A source may be a path, the file's bytes, its text, or a binary file object. The file is hashed
(SHA-256, the key that stops one file importing twice), then decoded and cut into segments 1 MB at a
time by the shared X12 layer (:mod:`infusion_billing.x12`) and walked by the state machine in
:mod:`.parser`, which fills the tables and balances each payment, claim and line.

Nothing here raises on bad input. A file that cannot be read at all (missing, a folder, a PDF,
an 837) gives empty tables and one ``era.unreadable-file`` Finding, so the other files of an import
still go in.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pandas as pd

from ..findings import Finding
from ..gcpause import paused_cycle_collector
from ..rules import era as era_rules
from ..x12.source import Unreadable, describe, open_source
from .parser import Parser
from .tables import TABLES, Remit835
from .tokenizer import SegmentStream


def iter_835(source, *, name: str | None = None, batch_claims: int | None = 20_000) -> Iterator[Remit835]:
    """Read an 835 in pieces: yield a :class:`Remit835` each time ``batch_claims`` claims are complete.

    Batches are cut only between payments (after an SE), so every batch's payments balance on
    their own. Memory holds one 1 MB chunk of text plus one batch of rows, however large the file
    (a single payment with more claims than ``batch_claims`` is still kept whole).
    ``batch_claims=None`` yields once, at the end. Never raises on bad input: problems are
    Findings of the batch they occur in.
    """
    try:
        label, digest, chunks = open_source(source, name, "835")
    except Unreadable as why:
        label = name or (os.path.basename(str(source))[:120] if isinstance(source, (str, os.PathLike)) else "835 data")
        yield Remit835(name=label, findings=[_unreadable(label, str(why))])
        return
    parser = Parser(label, digest, batch_claims)
    head: list[str] = []
    stream = SegmentStream(_remember_head(chunks, head), label)
    stream.findings = parser.findings  # one list, in file order
    segments = iter(stream)
    while True:
        # The collector is paused while rows are built (see gcpause) and runs as it was whenever the
        # caller's code runs, each batch being handed out outside the pause.
        with paused_cycle_collector():
            batches, last = _next_batches(parser, segments, stream, label, head)
        yield from batches
        if last is not None:
            yield last
            return


def _next_batches(parser: Parser, segments: Iterator, stream: SegmentStream, label: str,
                  head: list[str]) -> tuple[list[Remit835], Remit835 | None]:
    """Feed segments until batches are ready (and None), or to the end of the file (and the last batch).

    A 5,000-claim file creates some 100,000 small lists (rows, split segments), none of them cyclic,
    which is why this runs with the cycle collector paused.
    """
    try:
        for delims, segs in segments:
            parser.feed(delims, segs)
            if parser.ready:
                batches, parser.ready = parser.ready, []
                return batches, None
        parser.finish()
        _whole_file_findings(parser, stream, label, head)
    except Exception as exc:  # last line of defence: never lose the whole run to one file
        parser.findings.append(era_rules.INTERNAL_ERROR.finding(
            f"Reading stopped at segment {parser.seg_no} ({type(exc).__name__}); the rows before it were kept.",
            fix="Report this file to the infusion-billing maintainers.", source=label,
        ))
    batches, parser.ready = parser.ready, []
    return batches, parser.cut()  # the row lists are freed here, before the collector runs again


def _whole_file_findings(parser: Parser, stream: SegmentStream, label: str, head: list[str]) -> None:
    """A file with no X12 at all, or with no 835 in it, is one ``era.unreadable-file`` Finding."""
    if not stream.any_segment:
        parser.findings[:] = [f for f in parser.findings if f.rule_id != "era.junk-skipped"]
        parser.findings.append(_unreadable(label, f"{label} is not an 835 remittance file: {describe(''.join(head))}"))
    elif "835" not in parser.seen_types:
        found = ", ".join(sorted(t for t in parser.seen_types if t)) or "none"
        parser.findings[:] = [f for f in parser.findings if f.rule_id != "era.not-835"]
        parser.findings.append(
            _unreadable(label, f"{label} holds no 835 remittance (transaction types found: {found})"))


def _remember_head(chunks: Iterator[str], head: list[str]) -> Iterator[str]:
    """Pass chunks through, keeping the first characters to say what an unreadable file is."""
    for chunk in chunks:
        if not head and chunk:
            head.append(chunk[:16])
        yield chunk


def _unreadable(label: str, why: str) -> Finding:
    return era_rules.UNREADABLE_FILE.finding(
        why + ("" if why.endswith(".") else "."),
        fix="Choose the 835 (ERA) file the payer or clearinghouse sent; the other files were still imported.",
        source=label,
    )


def read_835(source, *, name: str | None = None) -> Remit835:
    """Read one X12 835 remittance (a path, bytes or the text itself) into ERA tables and Findings.

    Args:
        source: a file path (``str`` or ``Path``), the file's bytes, its text, or a binary file object.
        name: the name to show in the ``file`` column and in Findings (default: the file name).

    Returns:
        A :class:`Remit835` with ``payments``, ``claims``, ``lines``, ``adjustments``, ``remarks``,
        ``provider_adjustments`` DataFrames and ``findings``. Never raises on bad input: an
        unreadable file gives empty tables and one ``era.unreadable-file`` Finding.

    >>> remit = read_835("ST*835*0001~BPR*I*10*C*CHK~TRN*1*T1*1999~CLP*C1*1*25*10**MB~"
    ...                  "CAS*CO*45*15~SE*6*0001~")
    >>> remit.payments.loc[0, ["trace_number", "payment_amount", "balanced"]].tolist()
    ['T1', Decimal('10.00'), 'Y']
    """
    batches = list(iter_835(source, name=name, batch_claims=None))
    return batches[0] if len(batches) == 1 else concat_remits(batches)


def concat_remits(remits: list[Remit835]) -> Remit835:
    """Join batches (or several files' results) into one Remit835, tables and findings in order."""
    first = remits[0]
    merged = Remit835(name=first.name, file_hash=first.file_hash)
    for table in TABLES:
        frames = [getattr(r, table) for r in remits if len(getattr(r, table))]
        if frames:
            setattr(merged, table, pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0])
    merged.findings = [f for r in remits for f in r.findings]
    return merged
