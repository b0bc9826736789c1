"""Money parsing and formatting: exact, in minor units, never rounded silently."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fraudlink.model.money import format_money, minor_exponent, to_minor
from tests.model.strategies import CURRENCIES, currencies

minor_amounts = st.integers(-(10**15), 10**15)


def plain_text(minor: int, currency: str, grouped: bool = False) -> str:
    exp = minor_exponent(currency)
    return f"{Decimal(minor).scaleb(-exp):{',' if grouped else ''}.{exp}f}"


@given(minor_amounts, st.sampled_from(["CNY", "JPY"]))
def test_formatted_amount_parses_back(minor: int, currency: str) -> None:
    assert to_minor(format_money(minor, currency), currency) == minor


@given(minor_amounts, currencies(), st.booleans())
def test_decimal_text_round_trips(minor: int, currency: str, grouped: bool) -> None:
    assert to_minor(plain_text(minor, currency, grouped), currency) == minor


@pytest.mark.parametrize("currency", ["USD", "EUR", "GBP", "HKD", "XYZ"])
def test_formatted_amount_parses_back_in_other_currencies(currency: str) -> None:
    assert to_minor(format_money(123456, currency), currency) == 123456


@given(minor_amounts, currencies(), st.integers(1, 9))
def test_excess_precision_is_rejected(minor: int, currency: str, digit: int) -> None:
    text = plain_text(minor, currency)
    text += str(digit) if "." in text else f".{digit}"
    with pytest.raises(ValueError, match="decimal places"):
        to_minor(text, currency)


@given(st.integers(0, 10**15 - 1))
def test_float_input_has_no_binary_rounding_error(fen: int) -> None:
    # fen / 100 has at most 15 significant digits, so its repr is the exact decimal.
    assert to_minor(fen / 100, "CNY") == fen


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.29", 29),
        (0.29, 29),
        (0.57, 57),
        (1.1, 110),
        (4.35, 435),
        (0.07, 7),
        (Decimal("12.30"), 1230),
        (12, 1200),
        ("1,234.50", 123450),
        ("¥23,400.00", 2340000),
        ("￥5", 500),
        (" 7.5 ", 750),
        ("-¥0.05", -5),
    ],
)
def test_known_awkward_values_in_cny(value: str | float | Decimal, expected: int) -> None:
    assert to_minor(value, "CNY") == expected


@pytest.mark.parametrize(
    ("currency", "major", "expected"), [("JPY", 12, 12), ("BHD", 12, 12000), ("CNY", 12, 1200)]
)
def test_minor_exponent_per_currency(currency: str, major: int, expected: int) -> None:
    assert to_minor(major, currency) == expected


@pytest.mark.parametrize("text", ["", "abc", "NaN", "Infinity", "-inf", "1.2.3", "¥"])
def test_non_numbers_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match=r"not a number|not a finite amount"):
        to_minor(text, "CNY")


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (2340000, "CNY", "¥23,400.00"),
        (-5, "CNY", "-¥0.05"),
        (0, "CNY", "¥0.00"),
        (123456, "JPY", "¥123,456"),
        (5, "BHD", "0.005 BHD"),
        (123456, "USD", "$1,234.56"),
    ],
)
def test_format_money(minor: int, currency: str, text: str) -> None:
    assert format_money(minor, currency) == text


def test_exponent_table_is_iso_4217() -> None:
    assert {c: minor_exponent(c) for c in CURRENCIES} == {
        "CNY": 2,
        "USD": 2,
        "HKD": 2,
        "EUR": 2,
        "JPY": 0,
        "KRW": 0,
        "BHD": 3,
        "KWD": 3,
    }
