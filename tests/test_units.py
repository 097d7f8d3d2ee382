"""Exact amount conversion: never silently rounded, never misread."""

import pytest

from steward.errors import StewardError
from steward.units import format_units, to_base_units


@pytest.mark.parametrize(("text", "decimals", "expected"), [
    ("25", 6, 25_000_000),
    ("25.5", 6, 25_500_000),
    ("0.000001", 6, 1),
    ("1,000", 6, 1_000_000_000),
    ("1,234,567.89", 6, 1_234_567_890_000),
    ("1", 18, 10**18),
    ("0.1", 18, 10**17),
])
def test_exact_conversion(text, decimals, expected):
    assert to_base_units(text, decimals) == expected


@pytest.mark.parametrize(("text", "decimals", "message"), [
    ("0.0000001", 6, "more decimal places than the token's 6"),
    ("1.5", 0, "more decimal places than the token's 0"),
    ("1,5", 6, "ambiguous"),
    ("12,34", 6, "ambiguous"),
    ("0", 6, "must be positive"),
    ("-1", 6, "must be positive"),
    ("ten", 6, "is not an amount"),
    ("NaN", 6, "is not an amount"),
    ("Infinity", 6, "is not an amount"),
    ("1e3", 0, "is not an amount"),  # exponents are refused, not read as 1000
])
def test_bad_amounts_are_refused(text, decimals, message):
    with pytest.raises(StewardError, match=message):
        to_base_units(text, decimals)


def test_format_round_trips():
    assert format_units(25_500_000, 6) == "25.5"
    assert format_units(0, 6) == "0"
    assert format_units(10**18, 18) == "1"
    assert format_units(1_234_567_890_000, 6, places=2) == "1,234,567.89"
    assert to_base_units(format_units(123_456_789, 6), 6) == 123_456_789
