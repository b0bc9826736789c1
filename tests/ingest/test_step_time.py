"""Step times: ``ts: {column: step, unit: day, origin: 2017-01-01}``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fraudlink.ingest import MappingError, SourceError, check_sources
from fraudlink.ingest.convert import ConversionError
from fraudlink.ingest.rows import Rejection
from fraudlink.ingest.step_time import STEP_UNITS, OriginError, parse_origin, parse_steps
from fraudlink.model.events import Login
from tests.ingest.helpers import map_one, mapping, write_csv

ORIGIN = datetime(2017, 1, 1, tzinfo=UTC)


def step_mapping(ts: str, zone: str = "UTC") -> str:
    return f"""\
version: 1
defaults: {{timezone: {zone}, org: bank-a}}
event_type: login
events:
  login:
    ts: {ts}
    account: who
    success: {{const: true}}
"""


def mapped_ts(ts: str, step: object, zone: str = "UTC") -> datetime:
    event = map_one(step_mapping(ts, zone), {"step": step, "who": "c1"})
    assert isinstance(event, Login), event
    return event.ts


@given(
    steps=st.integers(-(10**5), 10**5),
    unit=st.sampled_from(sorted(STEP_UNITS)),
)
def test_whole_steps_are_exact_elapsed_time(steps: int, unit: str) -> None:
    expected = ORIGIN + timedelta(microseconds=steps * STEP_UNITS[unit])
    assert parse_steps(str(steps), STEP_UNITS[unit], ORIGIN) == expected
    assert parse_steps(steps, STEP_UNITS[unit], ORIGIN) == expected


@given(st.decimals(min_value=-1000, max_value=1000, places=6, allow_nan=False))
def test_fractional_seconds_are_exact_to_the_microsecond(seconds: Decimal) -> None:
    got = parse_steps(str(seconds), STEP_UNITS["second"], ORIGIN)
    assert got - ORIGIN == timedelta(microseconds=int(seconds * 1_000_000))


@given(st.integers(0, 10**5), st.integers(0, 10**5))
def test_order_and_gaps_are_kept(a: int, b: int) -> None:
    hour = STEP_UNITS["hour"]
    gap = parse_steps(b, hour, ORIGIN) - parse_steps(a, hour, ORIGIN)
    assert gap == timedelta(hours=b - a)


@pytest.mark.parametrize("bad", ["", "x", "1e-12", "nan", "inf", True, "1,5", "99999999999999"])
def test_what_is_not_a_step_count_is_bad_timestamp(bad: object) -> None:
    with pytest.raises(ConversionError) as caught:
        parse_steps(bad, STEP_UNITS["day"], ORIGIN)
    assert caught.value.code == "bad_timestamp"


def test_origin_forms() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    assert parse_origin("2017-01-01", shanghai) == datetime(2016, 12, 31, 16, tzinfo=UTC)
    assert parse_origin("2017-01-01T08:00:00+08:00", None) == datetime(2017, 1, 1, tzinfo=UTC)
    with pytest.raises(OriginError, match="no time zone"):
        parse_origin("2017-01-01", None)
    with pytest.raises(OriginError, match=r"expected e\.g\. 2017-01-01"):
        parse_origin("first of January", shanghai)


def test_a_mapped_step_column_gives_utc_times_from_the_origin() -> None:
    spec = "{column: step, unit: hour, origin: 2017-01-01}"
    assert mapped_ts(spec, "36") == datetime(2017, 1, 2, 12, tzinfo=UTC)
    assert mapped_ts(spec, 0) == ORIGIN
    # The origin's zone is the mapping's; a day is 24 hours of elapsed time.
    day = "{column: step, unit: day, origin: 2026-03-07}"
    york = mapped_ts(day, "2", zone="America/New_York")
    assert york == datetime(2026, 3, 7, 5, tzinfo=UTC) + timedelta(hours=48)
    aware = "{column: step, unit: minute, origin: '2017-01-01T00:00:00+08:00'}"
    assert mapped_ts(aware, 90, zone="Europe/London") == datetime(2016, 12, 31, 17, 30, tzinfo=UTC)


def test_a_bad_step_value_is_quarantined_with_its_column() -> None:
    text = step_mapping("{column: step, unit: day, origin: 2017-01-01}")
    r = map_one(text, {"step": "day three", "who": "c1"})
    assert isinstance(r, Rejection)
    assert (r.reason, r.field, r.column, r.value) == (
        "bad_timestamp",
        "ts",
        "step",
        "day three",
    )


@pytest.mark.parametrize(
    ("spec", "key", "message", "hint"),
    [
        (
            "{column: step, unit: days, origin: 2017-01-01}",
            "events.login.ts.unit",
            "unit 'days' is not a unit of step times",
            "did you mean day? expected one of: day, hour, minute, second, week",
        ),
        (
            "{column: step, unit: major, origin: 2017-01-01}",
            "events.login.ts.unit",
            "unit 'major' is not a unit of step times",
            "expected one of: day, hour, minute, second, week",
        ),
        (
            "{column: step, unit: day}",
            "events.login.ts",
            "a step time in days needs origin",
            "ts: {column: step, unit: day, origin: 2017-01-01}",
        ),
        (
            "{column: step, origin: 2017-01-01}",
            "events.login.ts.origin",
            "origin is the start of step times and needs a unit",
            "add unit: one of second, minute, hour, day, week",
        ),
        (
            "{column: step, unit: day, origin: 'new year'}",
            "events.login.ts.origin",
            "'new year' is not an ISO date or datetime",
            None,
        ),
        (
            "{column: step, unit: day, origin: 2017-01-01, format: '%d'}",
            "events.login.ts.format",
            "format does not apply to step times",
            None,
        ),
        (
            "{unit: day, origin: 2017-01-01}",
            "events.login.ts",
            "give exactly one of column, const or from",
            None,
        ),
    ],
)
def test_a_bad_step_spec_names_the_line_key_and_what_is_accepted(
    spec: str, key: str, message: str, hint: str | None
) -> None:
    with pytest.raises(MappingError) as caught:
        mapping(step_mapping(spec))
    error = caught.value
    assert (error.line, error.key) == (6, key)
    assert message in error.message
    if hint is not None:
        assert error.hint is not None and hint in error.hint


def test_a_naive_origin_needs_a_zone() -> None:
    text = step_mapping("{column: step, unit: day, origin: 2017-01-01}").replace(
        "timezone: UTC, ", ""
    )
    with pytest.raises(MappingError) as caught:
        mapping(text)
    assert caught.value.key == "events.login.ts.origin"
    assert "has no time zone" in caught.value.message


def test_unit_on_money_still_means_major_or_minor() -> None:
    text = """\
version: 1
defaults: {timezone: UTC, org: bank-a, currency: USD}
event_type: payment
events:
  payment:
    ts: t
    account: who
    order_id: o
    method: {const: wallet}
    amount: {column: a, unit: day}
"""
    with pytest.raises(MappingError) as caught:
        mapping(text)
    assert (caught.value.line, caught.value.key) == (10, "events.payment.amount.unit")
    assert caught.value.hint == "expected one of: major, minor"


def test_a_step_column_missing_from_the_file_stops_the_run_at_the_mapping_line(
    tmp_path: Path,
) -> None:
    text = step_mapping("{column: step, unit: day, origin: 2017-01-01}")
    source = write_csv(tmp_path / "ledger.csv", [{"Step": "1", "who": "c1"}])
    with pytest.raises(SourceError) as caught:
        check_sources([source], mapping(text, "bank.yaml"))
    assert "has no column 'step', which events.login.ts.column reads (bank.yaml:6)" in str(
        caught.value
    )
    assert caught.value.hint is not None and caught.value.hint.startswith("did you mean 'Step'?")
