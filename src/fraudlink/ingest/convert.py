"""Per-field conversions from what a platform exports to canonical values.

Every converter takes one source value (text from CSV; typed from JSONL and
Parquet) and returns the canonical value, or raises :class:`ConversionError` with
a stable reason code and a detail a person can act on. Conversions are strict:
an amount with too many decimals or a local time that never existed is refused,
never rounded or guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from fraudlink.ingest.fields import CanonicalField, Kind
from fraudlink.model.money import to_minor

Converter = Callable[[Any, str | None], Any]
"""``(source value, currency of the row) -> canonical value``; only money uses the currency."""

TIME_WORDS = {"iso": 0, "epoch_s": 0, "epoch_ms": 3, "epoch_us": 6}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TRUE = frozenset({"true", "t", "yes", "y", "1", "是"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "否"})
_INTEGER = re.compile(r"^[+-]?\d+$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class ConversionError(ValueError):
    """A source value that cannot become the canonical value; ``code`` is a reason category."""

    def __init__(self, code: str, detail: str) -> None:
        self.code = code
        self.detail = detail
        super().__init__(detail)


def source_text(value: Any) -> str:
    """A scalar source value as text, the form map keys and text fields compare against."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, date):
        return value.isoformat()
    raise ConversionError("bad_value", f"expected a single value, got {type(value).__name__}")


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = source_text(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConversionError(
        "bad_value",
        f"{value!r} is not a yes/no value (true/false, yes/no, y/n, 1/0, 是/否 without a map)",
    )


def parse_enum(value: Any, choices: tuple[str, ...]) -> str:
    text = source_text(value)
    if text not in choices:
        raise ConversionError("bad_value", f"{text!r} is not one of: {', '.join(choices)}")
    return text


def parse_int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = source_text(value).strip()
    if not _INTEGER.match(text):
        raise ConversionError("bad_value", f"{value!r} is not a whole number")
    return int(text)


def parse_currency(value: Any) -> str:
    text = source_text(value).strip().upper()
    if not _CURRENCY.match(text):
        raise ConversionError("bad_value", f"{value!r} is not an ISO 4217 code such as CNY")
    return text


def parse_signed_money(value: Any, currency: str | None, unit: str) -> int:
    """Minor units of an amount that may be negative."""
    if unit == "minor":
        try:
            return parse_int(value)
        except ConversionError:
            raise ConversionError(
                "bad_amount", f"{value!r} is not a whole number of minor units"
            ) from None
    if currency is None:
        raise ConversionError("bad_amount", "no currency to read a major-unit amount in")
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ConversionError("bad_amount", f"{value!r} is not an amount")
    try:
        return to_minor(value, currency)
    except (ValueError, InvalidOperation) as exc:
        raise ConversionError("bad_amount", str(exc)) from None


def parse_money(value: Any, currency: str | None, unit: str) -> int:
    minor = parse_signed_money(value, currency, unit)
    if minor < 0:
        raise ConversionError(
            "bad_amount", f"{value!r} is negative; map signed amounts with signed_amount"
        )
    return minor


def parse_time(value: Any, fmt: str, zone: ZoneInfo | None) -> datetime:
    """An aware UTC datetime; naive source times are read as wall-clock time in ``zone``."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif fmt in TIME_WORDS and fmt != "iso":
        return _from_epoch(value, TIME_WORDS[fmt])
    else:
        text = source_text(value).strip()
        try:
            moment = datetime.fromisoformat(text) if fmt == "iso" else datetime.strptime(text, fmt)
        except ValueError:
            shape = "an ISO 8601 time" if fmt == "iso" else f"a time in format {fmt!r}"
            raise ConversionError("bad_timestamp", f"{text!r} is not {shape}") from None
    if moment.tzinfo is None:
        moment = _localise(moment, zone)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ConversionError("bad_timestamp", f"{value!r} is out of range in UTC") from None


def _localise(naive: datetime, zone: ZoneInfo | None) -> datetime:
    if zone is None:
        raise ConversionError(
            "bad_timestamp", f"{naive} has no time zone; set defaults.timezone in the mapping"
        )
    # fold=0: a wall time that happens twice (clocks going back) is the earlier instant.
    local = naive.replace(tzinfo=zone)
    try:
        round_trip = local.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    except OverflowError:
        raise ConversionError("bad_timestamp", f"{naive} is out of range in UTC") from None
    if round_trip != naive:
        raise ConversionError(
            "bad_timestamp", f"{naive} never happened in {zone.key} (clocks skipped it)"
        )
    return local


def _from_epoch(value: Any, digits: int) -> datetime:
    if isinstance(value, bool):
        raise ConversionError("bad_timestamp", f"{value!r} is not an epoch number")
    try:
        count = Decimal(source_text(value).strip())
        micros = count.scaleb(6 - digits)
        if not micros.is_finite() or micros != micros.to_integral_value():
            raise ValueError("finer than a microsecond")
        return EPOCH + timedelta(microseconds=int(micros))
    except (ValueError, ArithmeticError, ConversionError):
        raise ConversionError("bad_timestamp", f"{value!r} is not an epoch time") from None


def check_time_format(fmt: str) -> str | None:
    """Why ``fmt`` cannot be a time format, or None when it can."""
    if fmt in TIME_WORDS:
        return None
    if "%" not in fmt:
        return (
            "expected iso, epoch_s, epoch_ms, epoch_us or a strptime pattern"
            " such as '%Y/%m/%d %H:%M:%S'"
        )
    probe = datetime(2006, 1, 2, 15, 4, 5, tzinfo=UTC)
    try:
        datetime.strptime(probe.strftime(fmt), fmt)
    except ValueError as exc:
        return f"{fmt!r} is not a strptime pattern that can read back what it writes: {exc}"
    return None


def converter_for(
    field: CanonicalField, *, unit: str | None, fmt: str | None, zone: ZoneInfo | None
) -> Converter:
    """The converter of one field under the mapping's settings for it."""
    kind = field.kind
    if kind is Kind.MONEY:
        money_unit = unit or "major"
        return lambda value, currency: parse_money(value, currency, money_unit)
    if kind is Kind.TIME:
        time_format = fmt or "iso"
        return lambda value, _currency: parse_time(value, time_format, zone)
    if kind is Kind.ENUM:
        choices = field.choices
        return lambda value, _currency: parse_enum(value, choices)
    simple: dict[Kind, Callable[[Any], Any]] = {
        Kind.TEXT: source_text,
        Kind.BOOL: parse_bool,
        Kind.INT: parse_int,
        Kind.CURRENCY: parse_currency,
    }
    convert = simple[kind]
    return lambda value, _currency: convert(value)
