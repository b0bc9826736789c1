"""Collect generated events into day buckets and write them in event-time order.

Generators emit events out of order (an order today schedules its parcel scans for
the coming days), so events wait in the bucket of their day until the generator
has moved past it. Only a few days are ever held in memory.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from fraudlink.model.columns import EVENT_SCHEMA
from fraudlink.sim.scales import DAY_US

_TS_TYPE = EVENT_SCHEMA.field("ts").type


def frame(event_type: str, ts: np.ndarray, columns: dict[str, Any]) -> pa.Table:
    """A table in the canonical layout; columns not given are null."""
    n = len(ts)
    arrays = []
    for field in EVENT_SCHEMA:
        if field.name == "type":
            arrays.append(pa.repeat(pa.scalar(event_type), n))
        elif field.name == "ts":
            arrays.append(pa.array(ts, type=_TS_TYPE))
        elif field.name in columns:
            value = columns[field.name]
            if isinstance(value, str | bool):
                arrays.append(pa.repeat(pa.scalar(value, type=field.type), n))
            else:
                arrays.append(pa.array(value, type=field.type))
        else:
            arrays.append(pa.nulls(n, type=field.type))
    return pa.Table.from_arrays(arrays, schema=EVENT_SCHEMA)


def rows_frame(rows: list[dict[str, Any]]) -> tuple[np.ndarray, pa.Table]:
    """Planted events written as dicts (timestamps as integer microseconds)."""
    table = pa.Table.from_pylist(rows, schema=EVENT_SCHEMA)
    ts = np.array([r["ts"] for r in rows], dtype=np.int64)
    return ts, table


class DaySink:
    """Buckets events by day and writes each finished day sorted by event time."""

    def __init__(self, path: Path, start_us: int, days: int, row_group: int = 262_144) -> None:
        self.start_us = start_us
        self.end_us = start_us + days * DAY_US
        self.buckets: dict[int, list[tuple[np.ndarray, pa.Table]]] = defaultdict(list)
        self.writer = pq.ParquetWriter(path, EVENT_SCHEMA, compression="zstd")
        self.row_group = row_group
        self.written = 0
        self.counts: dict[str, int] = defaultdict(int)

    def add(self, ts: np.ndarray, table: pa.Table) -> None:
        if len(ts) == 0:
            return
        # Events past the end of the world have not happened yet: they are not emitted.
        day = np.where(ts < self.start_us, -1, (ts - self.start_us) // DAY_US)
        keep = ts < self.end_us
        for d in np.unique(day[keep]):
            mask = keep & (day == d)
            if mask.all():
                self.buckets[int(d)].append((ts, table))
            else:
                self.buckets[int(d)].append((ts[mask], table.filter(pa.array(mask))))

    def flush(self, day: int) -> None:
        """Write every bucket up to and including ``day``."""
        for d in sorted(k for k in self.buckets if k <= day):
            parts = self.buckets.pop(d)
            ts = np.concatenate([p[0] for p in parts])
            table = pa.concat_tables([p[1] for p in parts])
            order = np.argsort(ts, kind="stable")
            table = table.take(pa.array(order))
            seq = np.arange(self.written, self.written + len(order), dtype=np.int64)
            ids = pc.binary_join_element_wise(
                "ev-", pc.utf8_lpad(pc.cast(pa.array(seq), pa.string()), width=10, padding="0"), ""
            )
            table = table.set_column(0, EVENT_SCHEMA.field("event_id"), ids)
            for name, count in zip(
                *np.unique(table["type"].to_numpy(zero_copy_only=False), return_counts=True),
                strict=True,
            ):
                self.counts[str(name)] += int(count)
            self.writer.write_table(table, row_group_size=self.row_group)
            self.written += len(order)

    def close(self) -> None:
        self.flush(10**9)
        self.writer.close()
