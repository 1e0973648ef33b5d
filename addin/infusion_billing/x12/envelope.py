"""Check the envelopes of a file being read: every opener closed, every trailer's count and number right.

The trailers are the receiver's guard against a lost or added piece (docs/remits.md section 1):
``SE01`` counts the transaction's segments, ``SE02`` repeats ``ST02``; ``GE01`` counts the group's
transactions, ``GE02`` repeats ``GS06``; ``IEA01`` counts the groups, ``IEA02`` repeats ``ISA13``.
A reader feeds :class:`EnvelopeCheck` the envelope segments with their segment numbers; what does
not agree becomes a warning (``x12.control-count``, ``x12.control-number``) and an opener left
open an ``x12.envelope-missing``, since the file may be cut short.

>>> check = EnvelopeCheck("batch.837")
>>> isa = "ISA*00**00**ZZ*S*ZZ*R*261207*0930*^*00501*000000005*0*P*:"
>>> for n, seg in enumerate([isa, "GS*HC*S*R*20261207*0930*9*X*005010X222A1",
...                          "ST*837*0001", "BHT*0019", "SE*3*0001", "GE*1*9", "IEA*1*000000005"], start=1):
...     check.segment(seg.split("*"), n)
>>> check.finish(8); check.findings
[]
"""

from __future__ import annotations

from ..findings import Finding
from ..rules import x12 as rules
from ..rules.spec import RuleSpec


class EnvelopeCheck:
    """Follows ISA/GS/ST openers and IEA/GE/SE trailers of one file, collecting Findings."""

    def __init__(self, source: str):
        self.source = source
        self.findings: list[Finding] = []
        self.isa: list | None = None  # [control number, segment number, groups]
        self.gs: list | None = None  # [control number, segment number, transactions]
        self.st: list | None = None  # [control number, segment number]

    def _add(self, rule: RuleSpec, message: str, value: str = "") -> None:
        self.findings.append(rule.finding(message, value=value, source=self.source,
                                          fix="Ask the sender for the file again; it may have been cut or edited."))

    def segment(self, el: list[str], n: int) -> None:
        """Feed an envelope segment (ISA, GS, ST, SE, GE, IEA), split into elements."""
        tag = el[0]
        value = el[1].strip() if len(el) > 1 else ""
        second = el[2].strip() if len(el) > 2 else ""
        if tag == "ISA":
            self._unclosed(n, "ISA", st=True, gs=True, isa=True)
            self.isa = [el[13].strip() if len(el) > 13 else "", n, 0]
        elif tag == "GS":
            self._unclosed(n, "GS", st=True, gs=True)
            if self.isa is not None:
                self.isa[2] += 1
            self.gs = [el[6].strip() if len(el) > 6 else "", n, 0]
        elif tag == "ST":
            self._unclosed(n, "ST", st=True)
            if self.gs is not None:
                self.gs[2] += 1
            self.st = [second, n]
        elif tag == "SE":
            if self.st is not None:
                counted = str(n - self.st[1] + 1)
                self._agree(n, "SE", "segment(s)", "transaction", value, counted, second, self.st[0], "ST")
                self.st = None
        elif tag == "GE":
            self._unclosed(n, "GE", st=True)
            if self.gs is not None:
                self._agree(n, "GE", "transaction(s)", "group", value, str(self.gs[2]), second, self.gs[0], "GS")
                self.gs = None
        elif tag == "IEA":
            self._unclosed(n, "IEA", st=True, gs=True)
            if self.isa is not None:
                self._agree(n, "IEA", "group(s)", "interchange", value, str(self.isa[2]), second, self.isa[0], "ISA")
                self.isa = None

    def _agree(self, n: int, tag: str, children: str, what: str, said: str, counted: str, closes: str,
               opened: str, opener: str) -> None:
        if said != counted:
            self._add(rules.CONTROL_COUNT,
                      f"{tag} at segment {n} counts {said or 'no'} {children} but the {what} has {counted}.", said)
        if closes != opened:
            self._add(rules.CONTROL_NUMBER,
                      f"{tag} at segment {n} closes {what} '{closes}' but the {opener} opened '{opened}'.", closes)

    def _unclosed(self, n: int, by: str, *, st: bool = False, gs: bool = False, isa: bool = False) -> None:
        for flag, opened, name, trailer in ((st, self.st, "transaction", "SE"), (gs, self.gs, "group", "GE"),
                                            (isa, self.isa, "interchange", "IEA")):
            if flag and opened is not None:
                self._add(rules.ENVELOPE_MISSING,
                          f"The {name} opened at segment {opened[1]} has no {trailer} before segment {n} ({by}).")
        if st:
            self.st = None
        if gs:
            self.gs = None
        if isa:
            self.isa = None

    def finish(self, n: int) -> None:
        """The end of the file: whatever is still open was never closed."""
        self._unclosed(n, "end of file", st=True, gs=True, isa=True)
