"""Converters, with property tests: what a platform writes reads back to the same value."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from fraudlink.ingest.convert import (
    ConversionError,
    check_time_format,
    parse_bool,
    parse_currency,
    parse_int,
    parse_money,
    parse_signed_money,
    parse_time,
    source_text,
)
from fraudlink.model.money import minor_exponent

ZONES = ("Asia/Shanghai", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC")
CURRENCIES = ("CNY", "JPY", "BHD", "USD")
LOCAL_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%d.%m.%Y %H:%M:%S", "%Y%m%d%H%M%S")

instants = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


def major_text(minor: int, currency: str, grouped: bool) -> str:
    exp = minor_exponent(currency)
    return f"{Decimal(minor).scaleb(-exp):{',' if grouped else ''}.{exp}f}"


@given(st.integers(0, 10**15), st.sampled_from(CURRENCIES), st.booleans(), st.booleans())
def test_major_amount_text_round_trips(minor: int, currency: str, grouped: bool, yen: bool) -> None:
    text = major_text(minor, currency, grouped)
    if yen and currency == "CNY":
        text = "¥" + text
    assert parse_money(text, currency, "major") == minor
    assert parse_signed_money("-" + text if minor else text, currency, "major") == -minor


@given(st.integers(1, 10**15), st.sampled_from(CURRENCIES))
def test_negative_amounts_are_refused_for_plain_amount_fields(minor: int, currency: str) -> None:
    with pytest.raises(ConversionError) as caught:
        parse_money("-" + major_text(minor, currency, True), currency, "major")
    assert caught.value.code == "bad_amount"


@given(st.integers(0, 10**15))
def test_minor_unit_text_round_trips(minor: int) -> None:
    assert parse_money(str(minor), "CNY", "minor") == minor
    assert parse_money(minor, "CNY", "minor") == minor


@given(st.integers(0, 10**12), st.sampled_from(CURRENCIES), st.integers(1, 9))
def test_excess_precision_is_refused_not_rounded(minor: int, currency: str, digit: int) -> None:
    text = major_text(minor, currency, False)
    text += str(digit) if "." in text else f".{digit}"
    with pytest.raises(ConversionError, match="decimal places"):
        parse_money(text, currency, "major")


@given(instants, st.sampled_from(ZONES), st.sampled_from(LOCAL_FORMATS))
def test_local_wall_time_round_trips(instant: datetime, zone_name: str, fmt: str) -> None:
    zone = ZoneInfo(zone_name)
    if "%f" not in fmt:
        instant = instant.replace(microsecond=0)
    wall = instant.astimezone(zone)
    # The second of two identical wall times (clocks going back) is documented to read as the first.
    assume(wall.fold == 0)
    parsed = parse_time(wall.strftime(fmt), fmt, zone)
    assert parsed == instant
    assert parsed.tzinfo is UTC


@given(instants, st.sampled_from(ZONES))
def test_iso_time_with_offset_round_trips_whatever_the_default_zone(
    instant: datetime, zone_name: str
) -> None:
    text = instant.astimezone(ZoneInfo(zone_name)).isoformat()
    assert parse_time(text, "iso", ZoneInfo("Asia/Shanghai")) == instant
    assert parse_time(text, "iso", None) == instant


@given(instants)
def test_epoch_round_trips(instant: datetime) -> None:
    micros = (instant - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    assert parse_time(str(micros), "epoch_us", None) == instant
    assert parse_time(micros, "epoch_us", None) == instant
    assert parse_time(f"{Decimal(micros).scaleb(-6)}", "epoch_s", None) == instant
    whole_ms = instant.replace(microsecond=instant.microsecond // 1000 * 1000)
    assert parse_time(str(micros // 1000), "epoch_ms", None) == whole_ms


def test_epoch_finer_than_a_microsecond_is_refused() -> None:
    with pytest.raises(ConversionError, match="epoch"):
        parse_time("1.0000001", "epoch_s", None)
    with pytest.raises(ConversionError, match="epoch"):
        parse_time(True, "epoch_s", None)


def test_typed_times_from_parquet() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    assert parse_time(datetime(2026, 10, 3, 14), "iso", shanghai) == datetime(
        2026, 10, 3, 6, tzinfo=UTC
    )
    aware = datetime(2026, 10, 3, 14, tzinfo=UTC)
    assert parse_time(aware, "iso", shanghai) == aware
    assert parse_time(date(2026, 10, 3), "iso", shanghai) == datetime(2026, 10, 2, 16, tzinfo=UTC)


def test_out_of_range_time() -> None:
    with pytest.raises(ConversionError, match="out of range"):
        parse_time("0001-01-01T00:00:00", "iso", ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize("fmt", ["iso", "epoch_s", "epoch_ms", "epoch_us", "%Y/%m/%d", "%H:%M %z"])
def test_good_time_formats(fmt: str) -> None:
    assert check_time_format(fmt) is None


@pytest.mark.parametrize("fmt", ["yyyy-mm-dd", "%Y/%m/%Q", "epoch"])
def test_bad_time_formats(fmt: str) -> None:
    assert check_time_format(fmt) is not None


def test_scalars() -> None:
    assert source_text(True) == "true"
    assert source_text(3.0) == "3"
    assert source_text(3.5) == "3.5"
    assert source_text(Decimal("1.50")) == "1.50"
    assert source_text(date(2026, 1, 2)) == "2026-01-02"
    with pytest.raises(ConversionError):
        source_text({"a": 1})
    assert parse_bool(False) is False
    assert parse_int(" -12 ") == -12
    with pytest.raises(ConversionError):
        parse_int("1.5")
    assert parse_currency(" usd ") == "USD"
    with pytest.raises(ConversionError, match="not an amount"):
        parse_money(True, "CNY", "major")
    with pytest.raises(ConversionError, match="no currency"):
        parse_money("1.00", None, "major")
