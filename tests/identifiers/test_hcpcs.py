"""Procedure code and modifier shapes for infusion claim lines."""

import pytest

from infusion_billing.identifiers import InvalidComponent, InvalidFormat, InvalidLength, hcpcs


@pytest.mark.parametrize(
    "code, kind",
    [
        ("96413", "CPT"),
        ("96365", "CPT"),
        (96372.0, "CPT"),          # a code typed into a number cell
        ("j1745", "HCPCS Level II"),
        ("J7050", "HCPCS Level II"),
        ("Q5103", "HCPCS Level II"),
        ("0519T", "CPT Category III"),
        ("3074f", "CPT Category II"),
    ],
)
def test_code_shapes(code, kind):
    assert hcpcs.is_valid(code)
    assert hcpcs.kind(code) == kind
    assert hcpcs.validate(code) == hcpcs.compact(code)


@pytest.mark.parametrize(
    "code, error",
    [
        ("9641", InvalidLength),
        ("964133", InvalidLength),
        ("", InvalidLength),
        ("J174A", InvalidFormat),
        ("1745J", InvalidFormat),
        ("0519X", InvalidFormat),
        ("N1745", InvalidComponent),    # N is no HCPCS Level II section
        ("Z1745", InvalidComponent),
    ],
)
def test_bad_codes(code, error):
    with pytest.raises(error):
        hcpcs.validate(code)
    assert not hcpcs.is_valid(code)


@pytest.mark.parametrize("modifier, expected", [("jw", "JW"), ("JZ", "JZ"), ("25", "25"), (59.0, "59"), ("xs", "XS")])
def test_modifiers(modifier, expected):
    assert hcpcs.validate_modifier(modifier) == expected
    assert hcpcs.is_valid_modifier(modifier)


@pytest.mark.parametrize("modifier", ["J", "JWZ", "J-", ""])
def test_bad_modifiers(modifier):
    assert not hcpcs.is_valid_modifier(modifier)


def test_split_code_and_modifiers():
    assert hcpcs.split("J1745-JW") == ("J1745", ("JW",))
    assert hcpcs.split("96365 XS") == ("96365", ("XS",))
    assert hcpcs.split("96413") == ("96413", ())
    with pytest.raises(InvalidLength):
        hcpcs.split("J1745-JWZ")
