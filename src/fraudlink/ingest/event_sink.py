"""Accepted events → Arrow record batches → an unsorted Parquet file, a batch at a time.

Each row also gets ``_seq``, its arrival number, so the sort pass can order ties
of (ts, event_id) by arrival whatever engine sorts: the output is the same on
every machine.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from fraudlink.model.columns import EVENT_SCHEMA, event_to_row
from fraudlink.model.events import AnyEvent

SEQ = "_seq"
UNSORTED_SCHEMA: pa.Schema = EVENT_SCHEMA.append(pa.field(SEQ, pa.int64()))
BATCH_ROWS = 65_536


class EventSink:
    """Buffers rows and writes a record batch whenever ``batch_rows`` are waiting."""

    def __init__(self, path: Path, batch_rows: int | None = None) -> None:
        self._writer = pq.ParquetWriter(path, UNSORTED_SCHEMA, compression="zstd")
        self._rows: list[dict[str, object]] = []
        self._batch_rows = batch_rows or BATCH_ROWS
        self.count = 0
        self.by_type: Counter[str] = Counter()

    def add(self, event: AnyEvent) -> None:
        row = event_to_row(event)
        row[SEQ] = self.count
        self.count += 1
        self.by_type[str(row["type"])] += 1
        self._rows.append(row)
        if len(self._rows) >= self._batch_rows:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._writer.write_table(pa.Table.from_pylist(self._rows, schema=UNSORTED_SCHEMA))
            self._rows.clear()

    def close(self) -> None:
        self._flush()
        self._writer.close()
