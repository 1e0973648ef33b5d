"""NDC 10 -> 11 digits as billers meet it on labels and claims (docs/coding-rules.md section 9)."""

import pytest

from infusion_billing.identifiers import InvalidComponent, InvalidFormat, InvalidLength, ValidationError, ndc


@pytest.mark.parametrize(
    "label, billed",
    [
        ("0002-7597-01", "00002759701"),   # 4-4-2: zero in front of the labeler
        ("50242-040-62", "50242004062"),   # 5-3-2: zero in front of the product
        ("60575-4112-1", "60575411201"),   # 5-4-1: zero in front of the package
        ("58063-797-25", "58063079725"),
        ("50242-051-21", "50242005121"),
        ("00002-7597-01", "00002759701"),  # already 11 digits, hyphenated 5-4-2
        ("00002759701", "00002759701"),    # already 11 digits, bare
        (" 0002 - 7597 - 01 ", "00002759701"),   # spaces typed around the hyphens
        ("0002\u20137597\u201301", "00002759701"),  # en-dashes pasted from a PDF
    ],
)
def test_label_ndc_becomes_the_11_digit_billing_ndc(label, billed):
    assert ndc.to_ndc11(label) == billed
    assert ndc.validate(label) == billed
    assert ndc.is_valid(label)


def test_bare_ten_digits_are_rejected_as_ambiguous():
    # 5024204062 could be 5024-2040-62 (4-4-2), 50242-040-62 (5-3-2) or 50242-0406-2 (5-4-1).
    with pytest.raises(InvalidFormat, match="ambiguous"):
        ndc.to_ndc11("5024204062")
    assert not ndc.is_valid("5024204062")


def test_bare_ten_digits_starting_with_zero_are_a_4_digit_labeler():
    # A 5-digit labeler never starts with 0 (it would bill as the 4-digit labeler's 11 digits).
    assert ndc.to_ndc11("0002759701") == "00002759701"


@pytest.mark.parametrize(
    "number, read",
    [
        (2759701, "00002-7597-01"),        # 00002759701 or 0002759701 typed as a number
        (2759701.0, "00002-7597-01"),      # as the cell reader hands it over
        (409488802.0, "00409-4888-02"),    # 0409-4888-02: one zero lost
        (50242004062.0, "50242004062"),    # 11 digits: nothing lost
        (5024204062, "5024204062"),        # 10 digits: ambiguous, left for the NDC check to report
        (12.5, "12.5"),
    ],
)
def test_an_ndc_typed_as_a_number_gets_its_zeros_back_when_certain(number, read):
    assert ndc.from_number(number) == read
    assert ndc.is_valid(read) == (read != "5024204062" and read != "12.5")


@pytest.mark.parametrize(
    "text, error",
    [
        ("0002-7597-1", InvalidFormat),     # 4-4-1 is no FDA layout
        ("002-7597-01", InvalidFormat),
        ("50242-0404-621", InvalidFormat),
        ("50242-040", InvalidFormat),        # package missing
        ("5024A-040-62", InvalidFormat),
        ("N450242004062", InvalidFormat),
        ("2759701", InvalidLength),          # Excel dropped the leading zeros (text: not guessed)
        ("502420040621", InvalidLength),
        ("", InvalidLength),
        ("00000-1234-01", InvalidComponent),
        ("12345-0000-01", InvalidComponent),
    ],
)
def test_malformed_ndcs_raise_the_matching_error(text, error):
    with pytest.raises(error):
        ndc.to_ndc11(text)
    assert not ndc.is_valid(text)


def test_every_error_is_a_validation_error_with_a_message_and_no_value():
    with pytest.raises(ValidationError) as caught:
        ndc.to_ndc11("2759701")
    assert "11 digits" in str(caught.value)
    assert "2759701" not in str(caught.value)


def test_format_prints_5_4_2_with_hyphens():
    assert ndc.format("0002-7597-01") == "00002-7597-01"
    assert ndc.format("60575411201") == "60575-4112-01"
    assert ndc.format("50242-040-62", separator=" ") == "50242 0040 62"


def test_split_gives_labeler_product_package():
    assert ndc.split("58063079725") == ("58063", "0797", "25")
