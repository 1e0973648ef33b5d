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
    # 0002759701 could be 0002-7597-01 (4-4-2) or 00027-597-01 (5-3-2): different drugs.
    with pytest.raises(InvalidFormat, match="ambiguous"):
        ndc.to_ndc11("0002759701")
    assert not ndc.is_valid("0002759701")


@pytest.mark.parametrize(
    "text, error",
    [
        ("0002-7597-1", InvalidFormat),     # 4-4-1 is no FDA layout
        ("002-7597-01", InvalidFormat),
        ("50242-0404-621", InvalidFormat),
        ("50242-040", InvalidFormat),        # package missing
        ("5024A-040-62", InvalidFormat),
        ("N450242004062", InvalidFormat),
        ("2759701", InvalidLength),          # Excel dropped the leading zeros
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
