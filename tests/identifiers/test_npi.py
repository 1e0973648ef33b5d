"""NPI check digit (Luhn over 80840 + NPI) as on a rendering/ordering provider field."""

import pytest

from infusion_billing.identifiers import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, npi


@pytest.mark.parametrize("number", ["1234567893", "1245319599", "1003000126", "2000000002", " 1234 567 893 "])
def test_valid_npis(number):
    assert npi.is_valid(number)
    assert npi.validate(number) == number.replace(" ", "").strip()


def test_check_digit_is_computed_with_the_80840_prefix():
    assert npi.calc_check_digit("123456789") == "3"
    assert npi.calc_check_digit("124531959") == "9"
    # Plain Luhn without the prefix would give 7 for 123456789: the prefix matters.
    assert npi.calc_check_digit("123456789") != "7"


@pytest.mark.parametrize(
    "number, error",
    [
        ("1234567890", InvalidChecksum),   # last digit mistyped
        ("1234567839", InvalidChecksum),   # two digits swapped
        ("123456789", InvalidLength),
        ("12345678930", InvalidLength),
        ("123456789X", InvalidFormat),
        ("", InvalidFormat),
        ("3234567893", InvalidComponent),
    ],
)
def test_invalid_npis(number, error):
    with pytest.raises(error):
        npi.validate(number)
    assert not npi.is_valid(number)


def test_format_is_the_ten_digits():
    assert npi.format("123-456-7893") == "1234567893"
