"""Write X12: segments from element values, and the envelopes around them with their counts.

An X12 file nests three envelopes, each closed by a trailer that counts what it holds and repeats
the opener's control number (ASC X12 5010 envelope rules, summarised in docs/remits.md section 1):

* ``ISA ... IEA``: the interchange. The ISA is fixed-width: every element is padded to its exact
  size (ISA06/ISA08 sender and receiver IDs to 15 characters, ISA13 the control number to 9 digits),
  so a receiver can read it by position. ``IEA01`` counts the groups.
* ``GS ... GE``: a functional group of one kind (``HC`` for 837 claims); ``GE01`` counts the
  transactions, ``GE02`` repeats ``GS06``.
* ``ST ... SE``: one transaction (one 837 batch); ``SE01`` counts every segment from ST to SE
  inclusive, ``SE02`` repeats ``ST02``.

X12 5010 has no escape character: a separator inside a value would cut the element in two and the
payer would read a different claim. So :meth:`SegmentWriter.segment` **refuses** a value holding a
separator, a segment terminator or a line break (:class:`DataError`, which names the segment and
element for the caller's Finding), and :meth:`SegmentWriter.clean` turns free text (names, street
addresses) into something safe to send by replacing those characters with a space.

>>> w = SegmentWriter()
>>> w.segment("SV1", ("HC", "J1745", "JZ"), "1500.00", "UN", "10", "", "", ("1", "2"))
'SV1*HC:J1745:JZ*1500.00*UN*10***1:2~\\n'
>>> w.segment("NM1", "IL", "1", "DOE", "JANE", "", "", "", "MI", "")  # trailing empties dropped
'NM1*IL*1*DOE*JANE****MI~\\n'
>>> w.segment("NM1", "85", "2", "ACME*INFUSION")
Traceback (most recent call last):
...
infusion_billing.x12.writer.DataError: NM1 element 03 holds '*', the element separator: 'ACME*INFUSION'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import IO

from .tokenizer import Delimiters

#: The separators the writer uses: the common choice of clearinghouses and the TR3 examples.
WRITE_DELIMITERS = Delimiters("*", ":", "~", "^")
CENT = Decimal("0.01")

Element = str | tuple | list | None


class DataError(ValueError):
    """A value that cannot be written into an element, with where it was going.

    Attributes:
        segment: the segment tag (``NM1``).
        position: the element number, two digits as the TR3 writes it (``03`` for NM103).
        value: the value refused (callers keep patient identifiers out of their messages).
        reason: why, in words for the biller.
    """

    def __init__(self, segment: str, position: int, value: str, reason: str):
        self.segment, self.position, self.value, self.reason = segment, f"{position:02d}", value, reason
        super().__init__(f"{segment} element {self.position} holds {reason}: {value!r}")


class SegmentWriter:
    """Build segment text for one set of separators.

    Args:
        delimiters: the separators (``*``, ``:``, ``~``, repetition ``^`` by default).
        line_break: written after each terminator so the file is readable one segment per line;
            ``""`` for one unbroken line, as some clearinghouses want.
    """

    def __init__(self, delimiters: Delimiters = WRITE_DELIMITERS, line_break: str = "\n"):
        self.delimiters = delimiters
        self.element, self.component, self.terminator = delimiters.element, delimiters.component, delimiters.segment
        self.repetition = delimiters.repetition or ""
        self.end = delimiters.segment + line_break
        names = {delimiters.element: "the element separator", delimiters.component: "the component separator",
                 delimiters.segment: "the segment terminator", "\r": "a line break", "\n": "a line break"}
        if delimiters.repetition:
            names[delimiters.repetition] = "the repetition separator"
        self._names = names
        # Besides the separators, anything outside printable ASCII: the 5010 character sets are ASCII,
        # and a receiver would read an accented or control character as something else, or reject it.
        outside = r"\x00-\x1f\x7f-\U0010ffff"
        self._forbidden = re.compile("[" + re.escape("".join(names)) + outside + "]")
        self._not_element = re.compile(
            "[" + re.escape("".join(c for c in names if c != delimiters.element)) + outside + "]")
        self._unsafe = re.compile("[" + re.escape("".join(names)) + r"\s" + outside + "]+")

    # ------------------------------------------------------------------ values
    def problem(self, value: str) -> str | None:
        """What makes ``value`` unwritable (``"'*', the element separator"``), or None when it is fine."""
        found = self._forbidden.search(value)
        if found is None:
            return None
        ch = found.group()
        if ch in self._names:
            return f"{_show(ch)}, {self._names[ch]}"
        return f"the character U+{ord(ch):04X}, which is not in the X12 character set"

    def clean(self, text: str) -> str:
        """Free text made safe to send: accents dropped (José -> Jose), separators, line breaks and
        other characters outside printable ASCII become one space, ends trimmed.

        >>> SegmentWriter().clean("Suite 4~B\\n  North*Wing"), SegmentWriter().clean("Muñoz-Peña, José")
        ('Suite 4 B North Wing', 'Munoz-Pena, Jose')
        """
        if not text.isascii():
            text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii") or text
        return self._unsafe.sub(" ", text).strip()

    # ------------------------------------------------------------------ segments
    def segment(self, tag: str, *elements: Element) -> str:
        """One segment with its terminator: ``str`` elements as they are, a ``tuple`` as a composite
        (``HC:J1745:JZ``), a ``list`` as repetitions; ``None`` or ``""`` is an empty element.
        Trailing empty elements and components are dropped, as X12 requires.

        Raises:
            DataError: a value holds a separator, the terminator or a line break.
        """
        sep = self.element
        try:
            text = sep.join((tag, *elements))  # type: ignore[arg-type]  # plain text only: the common case
        except TypeError:
            return self._general(tag, elements)
        # One count and one search over the whole segment find a separator inside any value.
        if text.count(sep) != len(elements) or self._not_element.search(text) is not None:
            self._refuse(tag, elements)
        return text.rstrip(sep) + self.end

    def trusted(self, tag: str, *elements: str) -> str:
        """A segment of text elements already known to be free of separators (checked together with
        :meth:`problem`, or made by :meth:`clean`); composites come joined. Trailing empties dropped.

        >>> SegmentWriter(line_break="").trusted("REF", "6R", "C1-1", "", "")
        'REF*6R*C1-1~'
        """
        sep = self.element
        return sep.join((tag, *elements)).rstrip(sep) + self.end

    def _general(self, tag: str, elements: tuple) -> str:
        """:meth:`segment` for elements with composites, repetitions or ``None``."""
        parts = [tag]
        components = 0
        repetitions = 0
        for value in elements:
            if value is None:
                parts.append("")
            elif isinstance(value, str):
                parts.append(value)
            elif isinstance(value, tuple):
                joined, inner = self._composite(value)
                components += inner
                parts.append(joined)
            else:
                texts = []
                for item in value:
                    joined, inner = self._composite(item) if isinstance(item, tuple) else (item or "", 0)
                    components += inner
                    texts.append(joined)
                repetitions += len(texts) - 1
                parts.append(self.repetition.join(texts))
        while len(parts) > 1 and not parts[-1]:
            parts.pop()
        text = self.element.join(parts)
        # One count per separator catches a separator inside any value without scanning each one.
        if (text.count(self.element) != len(parts) - 1 or text.count(self.component) != components
                or (self.repetition and text.count(self.repetition) != repetitions)
                or self.terminator in text or "\n" in text or "\r" in text):
            self._refuse(tag, elements)
        return text + self.end

    def _composite(self, components: tuple) -> tuple[str, int]:
        """The composite's text and how many component separators it should hold."""
        items = ["" if c is None else c for c in components]
        while items and not items[-1]:
            items.pop()
        return self.component.join(items), max(len(items) - 1, 0)

    def _refuse(self, tag: str, elements: Sequence[Element]) -> None:
        for position, value in enumerate(elements, start=1):
            values = value if isinstance(value, (tuple, list)) else (value,)
            for item in values:
                for text in item if isinstance(item, tuple) else (item,):
                    why = self.problem(text or "")
                    if why:
                        raise DataError(tag, position, text, why)
        raise DataError(tag, 0, "", "a separator")  # not reached: a count differed, so some value held one


# ---------------------------------------------------------------------------- values
def amount(value: Decimal) -> str:
    """Money for an X12 amount element: to the cent, no trailing zeros beyond it, no float.

    >>> amount(Decimal("1500")), amount(Decimal("12.5")), amount(Decimal("-0.10"))
    ('1500.00', '12.50', '-0.10')
    """
    return str(value.quantize(CENT))


def number(value: Decimal) -> str:
    """A quantity (units, NDC quantity): as few digits as it needs (``10``, ``2.5``, ``0.125``).

    >>> number(Decimal("10.00")), number(Decimal("2.50")), number(Decimal("0.125"))
    ('10', '2.5', '0.125')
    """
    text = format(value.normalize(), "f")
    return text


# ---------------------------------------------------------------------------- envelopes
@dataclass(frozen=True, slots=True)
class Party:
    """A sender or receiver in the ISA: its ID qualifier (``ZZ`` mutually defined, ``30`` federal
    tax ID, ``01`` DUNS) and ID (at most 15 characters; the GS uses the same ID)."""

    qualifier: str
    id: str


@dataclass(frozen=True, slots=True)
class ControlNumbers:
    """The numbers that identify one file to the receiver; each must differ from every earlier
    file's (the receiver rejects a repeat as a duplicate), so the caller stores and increases them.

    Attributes:
        interchange: ISA13/IEA02, 1 to 999,999,999, written as 9 digits.
        group: GS06/GE02, 1 to 999,999,999.
        transaction: ST02/SE02 of the first transaction, written with at least 4 digits.
    """

    interchange: int
    group: int
    transaction: int = 1

    def problems(self) -> list[str]:
        """Why these numbers cannot be written, in words (empty when they can)."""
        out = []
        for name, value in (("interchange", self.interchange), ("group", self.group),
                            ("transaction", self.transaction)):
            if not 1 <= value <= 999_999_999:
                out.append(f"the {name} control number {value} is not between 1 and 999,999,999")
        return out


def isa_segment(writer: SegmentWriter, sender: Party, receiver: Party, control: int, when: datetime,
                *, usage: str = "P", acknowledgment: str = "0", version: str = "00501") -> str:
    """The fixed-width ISA: no authorization or security information (``00`` and ten spaces),
    sender and receiver padded to 15, date ``YYMMDD``, time ``HHMM``, the repetition separator in
    ISA11, the control number as 9 digits, ISA15 ``P`` production or ``T`` test, ISA16 the
    component separator. Always 105 characters before the terminator.

    >>> w = SegmentWriter()
    >>> isa = isa_segment(w, Party("ZZ", "SUBMIT1"), Party("ZZ", "CLEARHOUSE"), 42, datetime(2026, 12, 7, 9, 5))
    >>> isa
    'ISA*00*          *00*          *ZZ*SUBMIT1        *ZZ*CLEARHOUSE     *261207*0905*^*00501*000000042*0*P*:~\\n'
    >>> len(isa.rstrip("~\\n"))
    105
    """
    for role, party in (("sender", sender), ("receiver", receiver)):
        if not party.id or len(party.id) > 15:
            raise DataError("ISA", 6 if role == "sender" else 8, party.id,
                            f"a {role} ID of {len(party.id)} characters (1 to 15 allowed)")
        if len(party.qualifier) != 2:
            raise DataError("ISA", 5 if role == "sender" else 7, party.qualifier,
                            "an ID qualifier that is not 2 characters")
    if not 1 <= control <= 999_999_999:
        raise DataError("ISA", 13, str(control), "a control number outside 1 to 999,999,999")
    fields = [
        "00", " " * 10, "00", " " * 10,
        sender.qualifier, sender.id.ljust(15), receiver.qualifier, receiver.id.ljust(15),
        when.strftime("%y%m%d"), when.strftime("%H%M"), writer.repetition or "U", version,
        f"{control:09d}", acknowledgment, usage, writer.component,
    ]
    text = writer.element.join(["ISA", *fields])
    for position, value in enumerate(fields, start=1):
        why = writer.problem(value) if position not in (11, 16) else None
        if why:
            raise DataError("ISA", position, value, why)
    return text + writer.end


class Interchange:
    """Write one interchange (ISA/IEA) holding one functional group (GS/GE) to a text stream.

    Transactions are written with :meth:`transaction`, which writes the ST, takes the body's
    segments and writes the SE with its count; :meth:`close` writes GE and IEA with theirs.

    >>> import io
    >>> out = io.StringIO()
    >>> x = Interchange(out, SegmentWriter(line_break=""), Party("ZZ", "S"), Party("ZZ", "R"),
    ...                 ControlNumbers(7, 3, 1), datetime(2026, 12, 7, 9, 5), functional_id="HC",
    ...                 application_sender="S", application_receiver="R", version="005010X222A1")
    >>> x.transaction("837", ["BHT*0019*00*B1*20261207*0905*CH~"])
    '0001'
    >>> x.close()
    >>> out.getvalue()[106:]
    'GS*HC*S*R*20261207*0905*3*X*005010X222A1~ST*837*0001*005010X222A1~BHT*0019*00*B1*20261207*0905*CH~SE*3*0001~GE*1*3~IEA*1*000000007~'
    """

    def __init__(self, out: IO[str], writer: SegmentWriter, sender: Party, receiver: Party,
                 control: ControlNumbers, when: datetime, *, functional_id: str, application_sender: str,
                 application_receiver: str, version: str, usage: str = "P",
                 implementation_reference: str | None = None):
        problems = control.problems()
        if problems:
            raise DataError("ISA", 13, "", "; ".join(problems))
        self.out, self.writer, self.control, self.version = out, writer, control, version
        # ST03 repeats the guide's version in the 837 guides (the default); the 835 guide (X221A1) marks it
        # Not Used, so its writer passes "".
        self.st03 = version if implementation_reference is None else implementation_reference
        self.transactions = 0
        self.next_transaction = control.transaction
        self.segments = 0
        out.write(isa_segment(writer, sender, receiver, control.interchange, when, usage=usage))
        out.write(writer.segment("GS", functional_id, application_sender, application_receiver,
                                 when.strftime("%Y%m%d"), when.strftime("%H%M"), str(control.group), "X", version))

    def transaction(self, set_id: str, body: Sequence[str]) -> str:
        """Write ``ST``, the body's segments (each with its terminator) and ``SE`` counting them all.
        Returns the ST02 control number used."""
        number = f"{self.next_transaction:04d}"
        self.next_transaction += 1
        self.transactions += 1
        w = self.writer
        self.out.write(w.segment("ST", set_id, number, self.st03))
        self.out.writelines(body)
        self.out.write(w.segment("SE", str(len(body) + 2), number))
        self.segments += len(body) + 2
        return number

    def close(self) -> None:
        """Write the GE (transactions in the group) and IEA (groups in the interchange) trailers."""
        w = self.writer
        self.out.write(w.segment("GE", str(self.transactions), str(self.control.group)))
        self.out.write(w.segment("IEA", "1", f"{self.control.interchange:09d}"))


def _show(ch: str) -> str:
    return {"\n": "a line feed", "\r": "a carriage return"}.get(ch, f"'{ch}'")
