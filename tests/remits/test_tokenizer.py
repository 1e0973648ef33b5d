"""Separators are read from the file, whatever the payer chose (docs/remits.md section 1)."""

from __future__ import annotations

import pytest

from infusion_billing.remits import read_835
from infusion_billing.remits.synthetic import synthetic_835
from infusion_billing.remits.tokenizer import SegmentStream, sniff_fallback, sniff_isa

PADDED = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261127*1200*^*00501*000000001*0*T*:~"


def segments(text: str) -> list[str]:
    return [s for _, batch in SegmentStream([text]) for s in batch]


def test_padded_isa():
    found = sniff_isa(PADDED + "GS*HP")
    assert (found.delimiters.element, found.delimiters.component, found.delimiters.segment,
            found.delimiters.repetition) == ("*", ":", "~", "^")
    assert found.consumed == len(PADDED)


def test_unpadded_isa_is_split_not_measured():
    isa = "ISA*00**00**ZZ*S*ZZ*R*261127*1200*U*00401*1*0*P*>~GS*HP"
    found = sniff_isa(isa)
    assert (found.delimiters.component, found.delimiters.segment, found.delimiters.repetition) == (">", "~", None)


def test_newline_is_the_terminator_when_no_other_follows_isa16():
    found = sniff_isa(PADDED[:-1] + "\nGS*HP*A*B\n")
    assert found.delimiters.segment == "\n"


def test_newline_then_tilde_joint():
    found = sniff_isa(PADDED.replace("*", "|")[:-1] + "\n~GS|HP")
    assert (found.delimiters.element, found.delimiters.segment) == ("|", "~")


def test_missing_isa16_assumes_colon():
    found = sniff_isa(PADDED[:-2] + "~GS*HP")
    assert (found.delimiters.component, found.delimiters.segment) == (":", "~")
    assert "ISA16" in found.note


def test_bare_file_sniffs_its_own_separators():
    found = sniff_fallback("ST|835|0001\nBPR|I|10|C|CHK\n")
    assert (found.delimiters.element, found.delimiters.segment, found.delimiters.enveloped) == ("|", "\n", False)


@pytest.mark.parametrize("layout", ["one per line", "unwrapped", "crlf", "wrapped at 80", "newline terminated"])
def test_same_segments_whatever_the_line_layout(layout):
    flat = synthetic_835(3, newline=False)
    text = {
        "one per line": synthetic_835(3),
        "unwrapped": flat,
        "crlf": synthetic_835(3).replace("\n", "\r\n"),
        "wrapped at 80": "\n".join(flat[i:i + 80] for i in range(0, len(flat), 80)),
        "newline terminated": synthetic_835(3).replace("~\n", "\n"),
    }[layout]
    assert segments(text) == segments(flat)


def test_chunk_boundaries_do_not_matter():
    text = synthetic_835(40, payments=3)
    whole = segments(text)
    for size in (7, 101, 4096):
        pieces = [text[i:i + size] for i in range(0, len(text), size)]
        assert [s for _, b in SegmentStream(pieces) for s in b] == whole


def test_back_to_back_interchanges_with_different_separators():
    first = synthetic_835(2, seed=1)
    second = synthetic_835(3, seed=2, control_start=2).replace("*", "|").replace(":", "^").replace("~", "\n")
    remit = read_835(first + second)
    assert remit.findings == []
    assert remit.payments["claims"].tolist() == [2, 3]
    assert remit.lines["procedure_code"].notna().all()
