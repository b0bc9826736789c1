"""Money as integer minor units; conversions from the decimal text platforms export."""

from __future__ import annotations

import re
from decimal import Decimal, localcontext

# Exponent of the minor unit per ISO 4217; currencies absent here use 2.
_MINOR_EXPONENT = {"JPY": 0, "KRW": 0, "VND": 0, "BHD": 3, "KWD": 3}
_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "HKD": "HK$", "GBP": "£", "JPY": "¥"}


def minor_exponent(currency: str) -> int:
    """Digits after the decimal point for ``currency``.

    >>> minor_exponent("CNY"), minor_exponent("JPY")
    (2, 0)
    """
    return _MINOR_EXPONENT.get(currency, 2)


_PLAIN = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def to_minor(text: str | int | float | Decimal, currency: str) -> int:
    """Parse a major-unit amount ("1,234.50", "¥1,234.50", "$12", "12.00 USD") into minor units.

    Strict on purpose: thousands separators must group by three (so a European "1,50"
    is refused, not read as 150), and more precision than the currency has is refused
    rather than rounded away.

    >>> to_minor("1,234.50", "CNY")
    123450
    >>> to_minor("12.345", "CNY")
    Traceback (most recent call last):
    ...
    ValueError: 12.345 has more than 2 decimal places for CNY
    """
    if isinstance(text, float):
        text = repr(text)
    raw = str(text).strip()
    if raw.upper().endswith(currency):
        raw = raw[: -len(currency)].strip()
    negative = raw.startswith("-")
    raw = raw.removeprefix("-")
    for symbol in sorted({*_SYMBOLS.values(), "￥"}, key=len, reverse=True):
        if raw.startswith(symbol):
            raw = raw[len(symbol) :].strip()
            break
    if negative:
        raw = "-" + raw
    if not _PLAIN.match(raw):
        raise ValueError(f"{text!r} is not a number")
    places = minor_exponent(currency)
    with localcontext() as ctx:
        ctx.prec = 80  # enough that nothing below is rounded by the decimal context
        value = Decimal(raw.replace(",", ""))
        scaled = value.scaleb(places)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{text} has more than {places} decimal places for {currency}")
        return int(scaled)


def format_money(minor: int, currency: str) -> str:
    """Human text for an amount, e.g. ``¥23,400.00``.

    >>> format_money(2340000, "CNY")
    '¥23,400.00'
    """
    exp = minor_exponent(currency)
    sign = "-" if minor < 0 else ""
    major = Decimal(abs(minor)).scaleb(-exp)
    symbol = _SYMBOLS.get(currency)
    body = f"{major:,.{exp}f}"
    return f"{sign}{symbol}{body}" if symbol else f"{sign}{body} {currency}"
