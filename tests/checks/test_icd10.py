"""The diagnosis check answers exactly what simple-icd-10-cm's is_valid_item + is_leaf answer."""

from __future__ import annotations

import random
import warnings

import pytest

from infusion_billing.checks import icd10


@pytest.fixture(scope="module")
def package():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm

    return simple_icd_10_cm


def test_flat_list_is_the_package_code_set(package):
    codes, parents = icd10._flat_code_set()
    assert codes == set(package.get_all_codes(False)) - {c for c in package.get_all_codes(False)
                                                        if "-" in c or c.isdigit()}
    for code in codes:  # every one of the ~98,000 codes
        assert (code in parents) == (not package.is_leaf(code)), code


def test_strings_that_are_not_codes_agree_with_the_package(package):
    rng = random.Random(10)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    samples = ["".join(rng.choice(letters) for _ in range(rng.randint(3, 7))) for _ in range(3000)]
    samples += ["C50", "C509", "C5091", "G35", "Z51", "A00-A09", "1", "S72001", "T360X1A"]
    for text in samples:
        expected = None if package.is_valid_item(text) and package.is_leaf(text) else "bad"
        assert (icd10.problem(text) is None) == (expected is None), text


@pytest.mark.parametrize("code, answer", [
    ("C50.911", None), ("c50.911", None), (" C50911 ", None), ("Z51.11", None), ("I10", None),
    ("C50.9", icd10.NOT_BILLABLE), ("G35", icd10.NOT_BILLABLE), ("C509.11", icd10.NOT_A_CODE),
    ("XYZ", icd10.NOT_A_CODE), ("A00-A09", icd10.NOT_A_CODE),
])
def test_biller_typed_codes(code, answer):
    assert icd10.problem(code) == answer


def test_package_api_fallback_gives_the_same_answers():
    assert icd10._problem_from_package("C50911") is None
    assert icd10._problem_from_package("C509") == icd10.NOT_BILLABLE
    assert icd10._problem_from_package("XX99") == icd10.NOT_A_CODE


def test_installed_release_window_is_known():
    code_set = icd10.installed_code_set()
    assert code_set.valid_from is not None, "add the installed simple-icd-10-cm release to icd10cm_code_sets.csv"
    assert code_set.covers(code_set.valid_from) and not code_set.covers(code_set.valid_to.replace(year=2099))
