"""Excel values -> core inputs."""

import doctest

import pytest

from infusion_billing.udfs import _convert
from infusion_billing.udfs._convert import cell_text, cellwise, is_blank, unwrap


def test_docstring_examples():
    assert doctest.testmod(_convert).failed == 0


@pytest.mark.parametrize(
    "value, text",
    [(96413.0, "96413"), (" J1745 ", "J1745"), (None, ""), ("  ", ""), ([[12.0]], "12"), (True, "TRUE"), (0.25, "0.25")],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_unwrap_and_blank():
    assert unwrap([[None]]) is None
    assert unwrap([[1, 2], [3, 4]]) == [[1, 2], [3, 4]]
    assert is_blank([[" "]]) and not is_blank(0)


def test_cellwise_maps_each_cell_and_keeps_the_shape():
    double = cellwise(lambda v: v * 2)
    assert double(3) == 6
    assert double([[1, 2], [3, 4]]) == [[2, 4], [6, 8]]
    assert double([1, 2, 3]) == [2, 4, 6]  # a 1-D list (classic add-in without ndim) stays 1-D
