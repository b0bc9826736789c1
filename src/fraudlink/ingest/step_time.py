"""Times written as a count of steps from a stated origin: ``step 36`` of hours since 2017-01-01.

Simulated and anonymised ledgers (AML generators, PaySim-style data) replace real
clock times with a step number. The mapping states the unit and the origin; a
step becomes ``origin + steps × unit`` in elapsed time (a day is 24 hours, also
across a daylight-saving change), so the order and the gaps between events, which
detection windows measure, are exactly those of the data.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from fraudlink.ingest.convert import ConversionError, source_text

STEP_UNITS: dict[str, int] = {
    "second": 1_000_000,
    "minute": 60_000_000,
    "hour": 3_600_000_000,
    "day": 86_400_000_000,
    "week": 604_800_000_000,
}
"""Microseconds in one step of each unit."""
MONEY_UNITS = ("major", "minor")


class OriginError(ValueError):
    """An origin that cannot be read; the message says what was expected."""


def parse_origin(value: Any, zone: ZoneInfo | None) -> datetime:
    """The origin instant: an ISO date (midnight) or datetime; naive ones are in ``zone``.

    >>> parse_origin("2017-01-01", ZoneInfo("UTC")).isoformat()
    '2017-01-01T00:00:00+00:00'
    >>> parse_origin("2017-01-01T08:00:00+08:00", None).isoformat()
    '2017-01-01T00:00:00+00:00'
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise OriginError(
                f"{value!r} is not an ISO date or datetime; "
                "expected e.g. 2017-01-01 or 2017-01-01T00:00:00+00:00"
            ) from None
    else:
        raise OriginError(f"expected an ISO date or datetime such as 2017-01-01, got {value!r}")
    if moment.tzinfo is None:
        if zone is None:
            raise OriginError(
                f"{moment.isoformat()} has no time zone; set defaults.timezone or the "
                "field's timezone, or write the offset (2017-01-01T00:00:00Z)"
            )
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def parse_steps(value: Any, step_us: int, origin: datetime) -> datetime:
    """``origin`` plus ``value`` steps of ``step_us`` microseconds; exact, never a float.

    >>> origin = datetime(2017, 1, 1, tzinfo=UTC)
    >>> parse_steps("36", STEP_UNITS["hour"], origin).isoformat()
    '2017-01-02T12:00:00+00:00'
    >>> parse_steps(1.5, STEP_UNITS["day"], origin).isoformat()
    '2017-01-02T12:00:00+00:00'
    """
    if isinstance(value, bool | datetime | date):
        raise ConversionError("bad_timestamp", f"{value!r} is not a number of steps")
    try:
        text = source_text(value).strip()
        micros = Decimal(text) * step_us
    except (ConversionError, InvalidOperation, ValueError):
        raise ConversionError("bad_timestamp", f"{value!r} is not a number of steps") from None
    if not micros.is_finite() or micros != micros.to_integral_value():
        raise ConversionError(
            "bad_timestamp", f"{value!r} steps is not a whole number of microseconds"
        )
    try:
        return origin + timedelta(microseconds=int(micros))
    except OverflowError:
        raise ConversionError(
            "bad_timestamp", f"{value!r} steps from {origin.isoformat()} is out of range"
        ) from None
