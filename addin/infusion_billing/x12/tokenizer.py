"""Cut an X12 file (835 remittance, 837 claim) into segments, whatever punctuation the sender chose.

An X12 file is a stream of *segments* (``CLP*5554555444*1*800.00*450.00~``): a tag, then
*elements* split by an element separator (``*``), ended by a segment terminator (``~``). Some
elements are *composites* whose parts are split by a component separator (``HC:J1745:JZ``).
The sender picks the characters and declares them in the ISA envelope segment that opens the file:

* the element separator is the character right after ``ISA``;
* the component separator is the last element, ISA16;
* the segment terminator is the character right after ISA16.

Real files bend this (docs/remits.md section 1), so the reader (shared by the 835 and 837 readers):

* splits the ISA into its 16 elements instead of trusting fixed offsets (unpadded ISAs exist);
* ignores CR/LF around and inside segments (one segment per line, or wrapped at 80 columns);
* accepts newline itself as the terminator, and the odd ``newline + ~`` joint seen in TigerShark
  samples;
* accepts "bare" files that start at ``ST`` or ``GS`` with no ISA, sniffing the separators there;
* re-reads the separators at every ISA, so interchanges from different payers can be concatenated.

The file is read in chunks (1 MB by default) and handed on as lists of segment strings, so a
100 MB file never sits in memory at once. Problems become :class:`~infusion_billing.findings.Finding`
objects in :attr:`SegmentStream.findings`; nothing here raises on bad input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..findings import Finding
from ..rules import era, x12

#: The rules a tokenizer reports under, by ID (it reports as ``era.*`` for an 835, ``x12.*`` otherwise).
_SPECS = {s.id: s for s in (*era.SPECS, *x12.SPECS)}

#: Characters read before sniffing the separators: an ISA is ~106 characters, padded ones more.
SNIFF_WINDOW = 4096
_NEWLINES = "\r\n"


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The punctuation of one interchange.

    Attributes:
        element: splits a segment into elements (``*`` in most files, ``|`` in some).
        component: splits a composite element such as ``HC:J1745:JZ`` (ISA16).
        segment: ends a segment (``~``; ``"\\n"`` when the payer ends segments with newlines).
        repetition: repeats an element (ISA11 in 5010); ``None`` in 4010, where ISA11 is ``U``.
        enveloped: False for a bare file that starts at ST or GS and had its separators guessed.
    """

    element: str
    component: str
    segment: str
    repetition: str | None = None
    enveloped: bool = True


#: What a bare file (no ISA) is assumed to use when its own punctuation cannot be read.
DEFAULT_DELIMITERS = Delimiters("*", ":", "~", None, enveloped=False)


def _is_punct(ch: str) -> bool:
    """A usable separator: a single printable character that is not a letter, digit or space."""
    return len(ch) == 1 and not ch.isalnum() and not ch.isspace()


@dataclass(frozen=True, slots=True)
class Sniffed:
    """Result of reading the separators at the start of an interchange."""

    delimiters: Delimiters
    first_segment: str | None  # the ISA segment text (without terminator), None for a bare file
    consumed: int  # characters of the input used by ``first_segment`` and its terminator
    note: str = ""  # why the separators had to be guessed, for an info/warning Finding


def sniff_isa(text: str) -> Sniffed | None:
    """Read the separators of an ISA segment at the start of ``text``, or None if it is no ISA.

    The ISA has exactly 16 elements, so the 16th element separator is followed by ISA16 (the
    component separator) and then the segment terminator, possibly after CR/LF.

    >>> s = sniff_isa("ISA*00*...*00*...*ZZ*A*ZZ*B*250101*1200*^*00501*1*0*P*:~GS*HP")
    >>> (s.delimiters.element, s.delimiters.component, s.delimiters.segment, s.delimiters.repetition)
    ('*', ':', '~', '^')
    """
    if len(text) < 4 or not text.startswith("ISA") or not _is_punct(text[3]):
        return None
    sep = text[3]
    pos = 3
    for _ in range(15):
        pos = text.find(sep, pos + 1)
        if pos < 0:
            return None
    if pos + 1 >= len(text):
        return None
    component = text[pos + 1]
    after = pos + 2  # where the terminator should be
    k = after
    while k < len(text) and text[k] in _NEWLINES:
        k += 1
    note = ""
    if k == after:
        ch = text[after] if after < len(text) else ""
        if ch == "" :
            term, consumed = "~", after
        elif _is_punct(ch):
            term, consumed = ch, after + 1
        elif _is_punct(component):
            # "...*P*~GS": ISA16 is missing and the character we took for it is the terminator.
            term, component, consumed = component, ":", pos + 2
            note = "the ISA has no component separator (ISA16); ':' was assumed"
            return _build(text, sep, component, term, pos + 1, consumed, note)
        else:
            return None
    else:
        ch = text[k] if k < len(text) else ""
        if ch == "" or ch.isalnum():
            term, consumed = "\n", k  # one segment per line, no other terminator
        elif _is_punct(ch):
            term, consumed = ch, k + 1  # newline + "~" joint
        else:
            return None
    if term != "\n" and term in text[:pos]:
        return None  # the "ISA" ran into the next segment: it has fewer than 16 elements
    if not _is_punct(component):
        component = ":"
        note = "the ISA component separator (ISA16) is not a punctuation mark; ':' was assumed"
    return _build(text, sep, component, term, after, consumed, note)


def _build(text: str, sep: str, component: str, term: str, end: int, consumed: int, note: str) -> Sniffed:
    isa = text[:end].rstrip(_NEWLINES)
    elements = isa.split(sep)
    repetition = None
    # ISA11 is the repetition separator from 5010 (ISA12 = 00501) on; in 4010 it is the letter U.
    if len(elements) > 12 and _is_punct(elements[11]) and elements[11] not in (sep, component, term):
        repetition = elements[11]
    return Sniffed(Delimiters(sep, component, term, repetition, True), isa, consumed, note)


def sniff_fallback(text: str) -> Sniffed | None:
    """Separators of a file with no ISA that starts at ``ST`` or ``GS``, or of a malformed ISA.

    The element separator follows the tag; the terminator is whatever sits between the end of
    this segment and the tag of the next one (``GS`` after ISA, ``ST`` after GS, ``BPR`` after an
    835's ST, ``BHT`` after an 837's).

    >>> s = sniff_fallback("ST*835*0001~BPR*I*10*C*CHK~")
    >>> (s.delimiters.element, s.delimiters.segment, s.delimiters.enveloped)
    ('*', '~', False)
    """
    m = re.match(r"(ISA|GS|ST)([^0-9A-Za-z\s])", text)
    if not m:
        return None
    tag, sep = m.groups()
    other = r"[^0-9A-Za-z\s" + re.escape(sep) + r"]"
    nxt = re.compile(r"(?:(\r\n|\r|\n)(" + other + r")?|(" + other + r"))[\r\n]*(GS|ST|BPR|BHT)" + re.escape(sep))
    found = nxt.search(text, len(tag) + 1)
    if found is None:
        return None
    term = found.group(2) or found.group(3) or "\n"
    component = ":" if ":" not in (sep, term) else ">"
    if tag != "ISA":
        return Sniffed(Delimiters(sep, component, term, None, enveloped=False), None, 0)
    isa = text[: found.start()]
    elements = isa.split(sep)
    if len(elements) > 16 and _is_punct(elements[16][:1]):
        component = elements[16][:1]
    note = f"it has {len(elements) - 1} elements instead of 16; separators were read from the segments around it"
    consumed = found.start(4)  # where the next segment's tag begins
    return Sniffed(Delimiters(sep, component, term, None, True), isa, consumed, note)


def _isa_boundary(term: str) -> re.Pattern:
    """Finds the next ISA at a segment start: right after a terminator (or at the very start)."""
    return re.compile(r"(?:\A|" + re.escape(term) + r")[\s]*(ISA)(?=[^0-9A-Za-z\s])")


#: Where a transaction may start in a file with junk in front of it: an ISA, or an ST naming its type.
_X12_START = re.compile(r"ISA[^0-9A-Za-z\s]|ST[^0-9A-Za-z\s]\d{3}")


class SegmentStream:
    """Iterate over an X12 file's segments in batches: ``(delimiters, [segment text, ...])``.

    Each batch shares one set of delimiters. Segments come without terminator and without CR/LF;
    empty segments are dropped. Problems met while reading (no X12 at all, junk between
    interchanges, guessed separators) are collected in :attr:`findings`, under the rule IDs of
    :attr:`rules` (a reader of one transaction set, such as the 835's, names its own).

    Args:
        chunks: the file's text in pieces of any size (the readers pass 1 MB pieces).
        source: the file name, copied into every Finding.
    """

    #: The rule ID of each problem the stream reports.
    rules = {"no-envelope": "x12.no-envelope", "isa-malformed": "x12.isa-malformed",
             "junk-skipped": "x12.junk-skipped"}
    #: What the file should be, for the suggested fix of skipped junk.
    document = "X12 file"

    def __init__(self, chunks: Iterable[str], source: str = ""):
        self._chunks = iter(chunks)
        self._eof = False
        self._pending = ""
        self.source = source
        self.findings: list[Finding] = []
        self.any_segment = False

    def _read(self) -> str:
        if self._eof:
            return ""
        for chunk in self._chunks:
            if chunk:
                return chunk
        self._eof = True
        return ""

    def _fill(self, size: int) -> None:
        while not self._eof and len(self._pending) < size:
            self._pending += self._read()

    def _finding(self, rule: str, message: str, fix: str | None = None) -> None:
        """A Finding of ``rule`` (an ``era.*`` or ``x12.*`` ID) with the catalogue's severity and fix."""
        self.findings.append(_SPECS[rule].finding(message, fix=fix, source=self.source))

    def _sniff(self) -> Sniffed | None:
        """Find the next interchange (or bare transaction) and read its separators."""
        self._fill(SNIFF_WINDOW)
        self._pending = self._pending.lstrip("\ufeff\x00 \t\r\n")
        self._fill(SNIFF_WINDOW)
        text = self._pending
        if not text:
            return None
        if text.startswith("ISA"):
            text = self._pending = _unwrap_isa(text)
        sniffed = sniff_isa(text) or sniff_fallback(text)
        if sniffed:
            if not sniffed.delimiters.enveloped:
                self._finding(
                    self.rules["no-envelope"],
                    f"The file has no ISA envelope; it was read from its first segment with "
                    f"'{sniffed.delimiters.element}' between elements and "
                    f"'{_show(sniffed.delimiters.segment)}' ending segments.",
                )
            elif sniffed.note:
                self._finding(self.rules["isa-malformed"],
                              f"The ISA segment is malformed: {sniffed.note}.")
            return sniffed
        # Junk before the X12 (an e-mail header, a banner line): skip to the first ISA or ST.
        m = _X12_START.search(text)
        while m is None and not self._eof and len(self._pending) < 64 * SNIFF_WINDOW:
            self._fill(len(self._pending) + SNIFF_WINDOW)
            text = self._pending
            m = _X12_START.search(text)
        if m is not None:
            sniffed = sniff_isa(text[m.start():]) or sniff_fallback(text[m.start():])
            if sniffed:
                self._finding(
                    self.rules["junk-skipped"],
                    f"{m.start():,} characters that are not X12 were skipped before the "
                    f"{text[m.start():m.start() + 3].rstrip('*|^~:')} segment.",
                    fix=f"Check the file is the {self.document} as sent or downloaded, not a copy with added text.",
                )
                self._pending = text[m.start():]
                return self._sniff()
        return None

    def __iter__(self) -> Iterator[tuple[Delimiters, list[str]]]:
        while True:
            sniffed = self._sniff()
            if sniffed is None:
                if self._pending.strip("\x00 \t\r\n"):
                    self._report_junk(self._pending)
                return
            delims = sniffed.delimiters
            self._pending = self._pending[sniffed.consumed:]
            if sniffed.first_segment is not None:
                self.any_segment = True
                yield delims, [sniffed.first_segment]
            boundary = _isa_boundary(delims.segment)
            term = delims.segment
            while True:
                region, next_isa = self._region(term, boundary)
                segments = _split(region, term)
                if segments:
                    self.any_segment = True
                    yield delims, segments
                if next_isa or (self._eof and not self._pending):
                    break
            if not self._pending:
                return

    def _region(self, term: str, boundary: re.Pattern) -> tuple[str, bool]:
        """The next run of whole segments, cut before a new ISA when one starts inside it."""
        if not self._eof and term not in self._pending:
            while not self._eof:
                chunk = self._read()
                self._pending += chunk
                if term in chunk:
                    break
        if self._eof:
            region, self._pending = self._pending, ""
        else:
            cut = self._pending.rfind(term) + len(term)
            region, self._pending = self._pending[:cut], self._pending[cut:]
        if "ISA" in region:
            m = boundary.search(region)
            if m is not None:
                at = m.start(1)
                self._pending = region[at:] + self._pending
                return region[:at], True
        return region, False

    def _report_junk(self, text: str) -> None:
        if self.any_segment:
            self._finding(
                self.rules["junk-skipped"],
                f"{len(text.strip()):,} characters after the last readable segment are not X12 and were skipped.",
            )


def _unwrap_isa(text: str) -> str:
    """Join an ISA that was wrapped across lines (files wrapped at 80 columns cut it anywhere).

    CR/LF before ISA16 cannot be a terminator (the ISA has 16 elements), so they are dropped; the
    rest of the text is left alone for the terminator to be read after ISA16.
    """
    sep = text[3:4]
    first_newline = min((i for i in (text.find("\n"), text.find("\r")) if i >= 0), default=-1)
    if not sep or first_newline < 0 or text.count(sep, 0, first_newline) >= 16:
        return text
    seen, i = 0, 0
    kept: list[str] = []
    while i < len(text) and seen < 16:
        ch = text[i]
        if ch == sep:
            seen += 1
        if ch not in _NEWLINES:
            kept.append(ch)
        i += 1
    while i < len(text) and text[i] in _NEWLINES:  # a wrap right before ISA16
        i += 1
    return "".join(kept) + text[i:]


def _show(term: str) -> str:
    return {"\n": "newline", "\r": "carriage return"}.get(term, term)


def _split(region: str, term: str) -> list[str]:
    """Split whole segments on the terminator, dropping CR/LF (wrapped lines) and empty pieces."""
    if term == "\n" or term == "\r":
        parts = region.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    else:
        if "\n" in region or "\r" in region:
            region = region.replace("\r", "").replace("\n", "")
        parts = region.split(term)
    return [p.strip() for p in parts if p and not p.isspace()]
