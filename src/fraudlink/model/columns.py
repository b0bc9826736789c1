"""The columnar layout of canonical events, derived from their declarations.

All event types share one wide Arrow/Parquet table: the union of their fields,
null where a field does not apply. One table keeps a whole stream in event-time
order in a single file, which is what replay and detection read; Parquet's
dictionary and null encodings make the unused columns almost free.
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any, Literal, Union, get_args, get_origin

import msgspec
import pyarrow as pa

from fraudlink.model.events import EVENT_TYPES, AnyEvent

TIMESTAMP = pa.timestamp("us", tz="UTC")


def _arrow_type(annotation: Any) -> pa.DataType:
    origin = get_origin(annotation)
    if origin is not None and hasattr(annotation, "__metadata__"):
        return _arrow_type(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        inner = [a for a in get_args(annotation) if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"cannot store union {annotation!r} in one column")
        return _arrow_type(inner[0])
    if origin is Literal:
        return pa.string()
    if annotation is str:
        return pa.string()
    if annotation is bool:
        return pa.bool_()
    if annotation is int:
        return pa.int64()
    if annotation is datetime:
        return TIMESTAMP
    if annotation is date:
        return pa.date32()
    raise TypeError(f"no column type for {annotation!r}")


def _build_schema() -> pa.Schema:
    fields: dict[str, pa.DataType] = {"type": pa.string()}
    for cls in EVENT_TYPES.values():
        hints = msgspec.structs.fields(cls)
        annotations = _resolved_annotations(cls)
        for f in hints:
            arrow = _arrow_type(annotations[f.name])
            seen = fields.get(f.name)
            if seen is not None and seen != arrow:
                raise TypeError(
                    f"field {f.name} is {seen} in one event type and {arrow} in another"
                )
            fields[f.name] = arrow
    order = ["event_id", "type", "ts", "org"]
    names = order + [n for n in fields if n not in order]
    return pa.schema([pa.field(n, fields[n]) for n in names])


def _resolved_annotations(cls: type) -> dict[str, Any]:
    import typing

    return typing.get_type_hints(cls, include_extras=True)


EVENT_SCHEMA: pa.Schema = _build_schema()
EVENT_COLUMNS: tuple[str, ...] = tuple(EVENT_SCHEMA.names)
TIMESTAMP_COLUMNS: frozenset[str] = frozenset(
    f.name for f in EVENT_SCHEMA if pa.types.is_timestamp(f.type)
)

_event_decoder = msgspec.json.Decoder(AnyEvent)


def event_to_row(event: AnyEvent) -> dict[str, Any]:
    """One event as a dict of its own fields plus ``type``."""
    row = msgspec.structs.asdict(event)
    row["type"] = event.__struct_config__.tag
    return row


def events_to_table(events: Iterable[AnyEvent]) -> pa.Table:
    """Build the wide table; columns an event lacks are null."""
    rows = [event_to_row(e) for e in events]
    columns = {name: [r.get(name) for r in rows] for name in EVENT_COLUMNS}
    return pa.table(columns, schema=EVENT_SCHEMA)


def row_to_event(row: dict[str, Any]) -> AnyEvent:
    """Rebuild one typed event from a wide-table row (nulls are dropped)."""
    cls = EVENT_TYPES[row["type"]]
    allowed = msgspec.structs.fields(cls)
    data = {f.name: row[f.name] for f in allowed if row.get(f.name) is not None}
    for key, value in data.items():
        if isinstance(value, datetime) and value.tzinfo is None:
            data[key] = value.replace(tzinfo=UTC)
    data["type"] = row["type"]
    event: AnyEvent = msgspec.convert(data, AnyEvent)
    return event


def table_to_events(table: pa.Table, batch_size: int = 65536) -> Iterator[AnyEvent]:
    """Stream typed events back out of a wide table."""
    for batch in table.to_batches(max_chunksize=batch_size):
        for row in batch.to_pylist():
            yield row_to_event(row)


def decode_event_json(line: bytes | str) -> AnyEvent:
    """Decode one canonical event from JSON, validating every field."""
    event: AnyEvent = _event_decoder.decode(line)
    return event
