"""The examples in the identifier modules' docstrings are tests too (python-stdnum style)."""

import doctest

import pytest

import infusion_billing.identifiers as identifiers
from infusion_billing.identifiers import _util, hcpcs, ndc, npi


@pytest.mark.parametrize("module", [identifiers, _util, ndc, npi, hcpcs], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
