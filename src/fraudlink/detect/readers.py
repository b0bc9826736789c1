"""Event files in, Arrow batches out: Parquet in record batches, JSON lines through msgspec.

Several files are merged in event-time order (each file is expected in order, as
the simulator and ingest write them), holding only one batch per file at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from fraudlink.detect.frame import ts_micros
from fraudlink.model.columns import EVENT_SCHEMA, decode_event_json, events_to_table

BATCH_ROWS = 65_536


class BadLineError(ValueError):
    """A JSON line that is not a canonical event."""

    def __init__(self, source: str, line: int, reason: str) -> None:
        super().__init__(f"{source}:{line}: {reason}")
        self.source, self.line, self.reason = source, line, reason


def count_events(path: Path) -> int | None:
    """Rows in a Parquet file (for a progress bar); None when unknown without reading it."""
    if path.suffix == ".parquet":
        return int(pq.ParquetFile(path).metadata.num_rows)
    return None


def read_parquet(path: Path, batch_rows: int = BATCH_ROWS) -> Iterator[pa.Table]:
    with pq.ParquetFile(path) as parquet:
        names = [n for n in EVENT_SCHEMA.names if n in parquet.schema_arrow.names]
        for batch in parquet.iter_batches(batch_size=batch_rows, columns=names):
            yield pa.Table.from_batches([batch])


def read_jsonl(path: Path, batch_rows: int = BATCH_ROWS) -> Iterator[pa.Table]:
    """Canonical events as JSON lines; a line that does not decode stops with its number."""
    events = []
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                events.append(decode_event_json(line))
            except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as exc:
                raise BadLineError(str(path), number, str(exc)) from exc
            if len(events) >= batch_rows:
                yield events_to_table(events)
                events = []
    if events:
        yield events_to_table(events)


def read_events(path: Path, batch_rows: int = BATCH_ROWS) -> Iterator[pa.Table]:
    if path.suffix == ".parquet":
        return read_parquet(path, batch_rows)
    if path.suffix in (".jsonl", ".ndjson", ".json"):
        return read_jsonl(path, batch_rows)
    raise ValueError(f"{path}: expected .parquet or .jsonl (use --mapping for other files)")


def merge_in_time(streams: list[Iterable[pa.Table]]) -> Iterator[pa.Table]:
    """Merge time-ordered streams: release what no stream can still precede."""
    if len(streams) == 1:
        yield from streams[0]
        return
    iters = [iter(s) for s in streams]
    held: list[pa.Table | None] = [next(it, None) for it in iters]
    while any(h is not None for h in held):
        live = [i for i, h in enumerate(held) if h is not None]
        # Each stream is in order, so nothing later than the smallest "last ts" can be overtaken.
        bound = min(int(ts_micros(held[i].column("ts"))[-1]) for i in live)  # type: ignore[union-attr]
        parts = []
        for i in live:
            table = held[i]
            assert table is not None
            ts = ts_micros(table.column("ts"))
            cut = int(np.searchsorted(ts, bound, side="right"))
            parts.append(table.slice(0, cut))
            rest = table.slice(cut)
            held[i] = rest if rest.num_rows else next(iters[i], None)
        merged = pa.concat_tables([p.cast(EVENT_SCHEMA) for p in parts if p.num_rows])
        if merged.num_rows:
            order = np.argsort(ts_micros(merged.column("ts")), kind="stable")
            yield merged.take(pa.array(order))
