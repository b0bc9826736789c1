"""Every valid event survives JSON, the wide Arrow table and a Parquet file unchanged."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import msgspec
import pyarrow.parquet as pq
from hypothesis import given
from hypothesis import strategies as st

from fraudlink.model import EVENT_TYPES, AnyEvent, Login, WalletTransfer
from fraudlink.model.columns import (
    EVENT_SCHEMA,
    decode_event_json,
    events_to_table,
    table_to_events,
)
from fraudlink.model.examples import example_events
from tests.model import strategies

event_lists = st.lists(strategies.events(), max_size=12)


def datetimes_of(event: msgspec.Struct) -> dict[str, datetime]:
    return {
        f.name: v
        for f in msgspec.structs.fields(event)
        if isinstance(v := getattr(event, f.name), datetime)
    }


def in_utc(event: AnyEvent) -> AnyEvent:
    """The same event with every timestamp expressed in UTC: equal iff same instants."""
    changes: dict[str, Any] = {k: v.astimezone(UTC) for k, v in datetimes_of(event).items()}
    return msgspec.structs.replace(event, **changes)


def assert_same_events(back: list[AnyEvent], sent: list[AnyEvent]) -> None:
    assert [in_utc(e) for e in back] == [in_utc(e) for e in sent]
    for event in back:
        for value in datetimes_of(event).values():
            assert value.utcoffset() is not None


@given(strategies.events())
def test_json_round_trip_keeps_instant_and_offset(event: AnyEvent) -> None:
    back = decode_event_json(msgspec.json.encode(event))
    assert type(back) is type(event)
    assert in_utc(back) == in_utc(event)
    # JSON carries the offset the source gave, not only the instant.
    sent, got = datetimes_of(event), datetimes_of(back)
    assert {k: v.utcoffset() for k, v in got.items()} == {k: v.utcoffset() for k, v in sent.items()}


@given(event_lists)
def test_wide_table_round_trip(events: list[AnyEvent]) -> None:
    table = events_to_table(events)
    assert table.schema == EVENT_SCHEMA
    assert_same_events(list(table_to_events(table)), events)


@given(event_lists, st.integers(1, 5))
def test_wide_table_round_trip_in_small_batches(events: list[AnyEvent], batch: int) -> None:
    back = list(table_to_events(events_to_table(events), batch_size=batch))
    assert_same_events(back, events)


@given(event_lists)
def test_parquet_file_round_trip(events: list[AnyEvent]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.parquet"
        pq.write_table(events_to_table(events), path)
        table = pq.read_table(path)
    assert table.schema == EVENT_SCHEMA
    assert_same_events(list(table_to_events(table)), events)


@given(strategies.events())
def test_columns_an_event_lacks_are_null(event: AnyEvent) -> None:
    row = events_to_table([event]).to_pylist()[0]
    own = {f.name for f in msgspec.structs.fields(event)} | {"type"}
    assert {k for k, v in row.items() if v is not None} <= own


def test_table_gives_back_utc_datetimes_of_the_same_instant() -> None:
    sent = [e for e in example_events() if e.ts.utcoffset() != timedelta(0)]
    assert sent, "the examples should include local (non-UTC) times"
    for event, back in zip(sent, table_to_events(events_to_table(sent)), strict=True):
        assert back.ts.utcoffset() == timedelta(0)
        assert back.ts == event.ts


def test_strategies_declare_every_field_of_every_event_type() -> None:
    common = set(strategies.COMMON_FIELDS)
    for cls in EVENT_TYPES.values():
        declared = {f.name for f in msgspec.structs.fields(cls)}
        covered = common | set(strategies.EVENT_FIELDS[cls])
        if cls is WalletTransfer:
            covered |= strategies.TRANSFER_TIME_FIELDS
        assert covered == declared, cls.__name__


@given(st.data())
def test_events_strategy_draws_every_type(data: st.DataObject) -> None:
    for cls in EVENT_TYPES.values():
        assert isinstance(data.draw(strategies.event_strategy(cls)), cls)


def test_sub_minute_offset_is_refused_or_survives_json() -> None:
    login = next(e for e in example_events() if isinstance(e, Login))
    odd = timezone(timedelta(hours=5, minutes=30, seconds=15))
    try:
        event = Login(**(msgspec.structs.asdict(login) | {"ts": login.ts.astimezone(odd)}))
    except (ValueError, msgspec.ValidationError):
        return
    assert decode_event_json(msgspec.json.encode(event)).ts == event.ts
