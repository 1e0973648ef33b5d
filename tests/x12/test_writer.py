"""Writing X12: separators inside data are refused, envelopes count what they hold, the ISA is fixed-width."""

from __future__ import annotations

import doctest
import io
from datetime import datetime

import pytest

from infusion_billing.x12 import elements, source, tokenizer, writer
from infusion_billing.x12.tokenizer import Delimiters, SegmentStream
from infusion_billing.x12.writer import ControlNumbers, DataError, Interchange, Party, SegmentWriter, isa_segment

WHEN = datetime(2026, 12, 7, 14, 30)


def read_back(text: str) -> list[str]:
    return [s for _, batch in SegmentStream([text]) for s in batch]


@pytest.mark.parametrize("value, position, reason", [
    ("ACME*INFUSION", "03", "'*', the element separator"),
    ("SUITE 4:B", "03", "':', the component separator"),
    ("NORTH~WING", "03", "'~', the segment terminator"),
    ("A^B", "03", "'^', the repetition separator"),
    ("LINE\nBREAK", "03", "a line feed, a line break"),
])
def test_a_separator_inside_a_value_is_refused_and_located(value, position, reason):
    with pytest.raises(DataError) as refused:
        SegmentWriter().segment("NM1", "85", "2", value, "", "", "", "", "XX", "1234567893")
    assert (refused.value.segment, refused.value.position, refused.value.reason) == ("NM1", position, reason)


def test_a_separator_inside_a_composite_component_is_refused():
    with pytest.raises(DataError) as refused:
        SegmentWriter().segment("SV1", ("HC", "J1745", "J:Z"), "100.00")
    assert (refused.value.segment, refused.value.position, refused.value.value) == ("SV1", "01", "J:Z")


def test_free_text_is_cleaned_not_refused():
    w = SegmentWriter()
    assert w.segment("N3", w.clean("12 Main St*Suite 4~B")) == "N3*12 Main St Suite 4 B~\n"


def test_composites_repetitions_and_trailing_empties():
    w = SegmentWriter(line_break="")
    assert w.segment("HI", ("ABK", "E1165"), ("ABF", "Z7901")) == "HI*ABK:E1165*ABF:Z7901~"
    assert w.segment("SV1", ("HC", "96365", "", "", ""), "250.00", "UN", "1", "", "", ("1", None)) == \
        "SV1*HC:96365*250.00*UN*1***1~"
    assert w.segment("XX", ["A", ("B", "C")]) == "XX*A^B:C~"
    assert w.segment("REF", "6R", "", None) == "REF*6R~"


def test_other_delimiters_are_honoured():
    w = SegmentWriter(Delimiters("|", ">", "\n", "!"), line_break="")
    assert w.segment("SV1", ("HC", "J1745"), "1.00") == "SV1|HC>J1745|1.00\n"
    with pytest.raises(DataError):
        w.segment("NM1", "A|B")


def test_isa_is_fixed_width_whatever_the_ids():
    w = SegmentWriter(line_break="")
    short = isa_segment(w, Party("ZZ", "A"), Party("ZZ", "B"), 1, WHEN)
    long = isa_segment(w, Party("30", "123456789012345"), Party("ZZ", "RECEIVER"), 999_999_999, WHEN, usage="T")
    assert len(short) == len(long) == 106
    assert short.split("*")[13] == "000000001" and long.split("*")[13] == "999999999"
    assert long.split("*")[15] == "T" and short[104] == ":" and short[105] == "~"


@pytest.mark.parametrize("sender, control, message", [
    ("SUBMITTER-ID-OF-20C", 1, "a sender ID of 19 characters (1 to 15 allowed)"),
    ("", 1, "a sender ID of 0 characters (1 to 15 allowed)"),
    ("OK", 1_000_000_000, "a control number outside 1 to 999,999,999"),
])
def test_isa_refuses_what_does_not_fit(sender, control, message):
    with pytest.raises(DataError) as refused:
        isa_segment(SegmentWriter(), Party("ZZ", sender), Party("ZZ", "R"), control, WHEN)
    assert refused.value.reason == message


def test_interchange_counts_segments_transactions_and_groups():
    out = io.StringIO()
    w = SegmentWriter()
    x = Interchange(out, w, Party("ZZ", "SUBMIT"), Party("ZZ", "PAYER"), ControlNumbers(12, 34, 56), WHEN,
                    functional_id="HC", application_sender="SUBMIT", application_receiver="PAYER",
                    version="005010X222A1")
    body = [w.segment("BHT", "0019", "00", "B1", "20261207", "1430", "CH"), w.segment("NM1", "41", "2", "X")]
    assert x.transaction("837", body) == "0056"
    assert x.transaction("837", body[:1]) == "0057"
    x.close()
    segments = read_back(out.getvalue())
    assert segments[0].startswith("ISA*00*") and segments[1] == "GS*HC*SUBMIT*PAYER*20261207*1430*34*X*005010X222A1"
    assert [s for s in segments if s[:2] in ("ST", "SE", "GE", "IE")] == [
        "ST*837*0056*005010X222A1", "SE*4*0056", "ST*837*0057*005010X222A1", "SE*3*0057", "GE*2*34",
        "IEA*1*000000012"]


def test_bad_control_numbers_are_refused_before_anything_is_written():
    out = io.StringIO()
    with pytest.raises(DataError) as refused:
        Interchange(out, SegmentWriter(), Party("ZZ", "S"), Party("ZZ", "R"), ControlNumbers(0, 1), WHEN,
                    functional_id="HC", application_sender="S", application_receiver="R", version="005010X222A1")
    assert "interchange control number 0" in refused.value.reason and out.getvalue() == ""


def test_a_bare_837_is_sniffed_from_its_first_segments():
    found = tokenizer.sniff_fallback("ST|837|0001|005010X222A1\nBHT|0019|00|1|20261207|1200|CH\n")
    assert (found.delimiters.element, found.delimiters.segment) == ("|", "\n")


def test_junk_before_an_837_is_skipped_with_the_x12_rule():
    stream = SegmentStream(["From: clearinghouse\n\nST*837*0001~BHT*0019~SE*3*0001~"], "batch.837")
    assert [s for _, b in stream for s in b] == ["ST*837*0001", "BHT*0019", "SE*3*0001"]
    assert [f.rule_id for f in stream.findings] == ["x12.junk-skipped", "x12.no-envelope"]
    assert "the X12 file as sent or downloaded" in stream.findings[0].fix


@pytest.mark.parametrize("module", [elements, source, tokenizer, writer], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
