"""One micro-batch of events in event-time order, with cached columnar views.

Operators ask for just the columns and rows they need; each conversion (Arrow →
numpy, strings → integer codes) happens at most once per batch whoever asks.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fraudlink.detect.intern import Interner, Interners


def ts_micros(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Timestamps as int64 microseconds since the epoch (UTC)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_timestamp(column.type) and column.type.unit != "us":
        column = column.cast(pa.timestamp("us", tz="UTC"))
    ints = column.cast(pa.int64()) if not pa.types.is_integer(column.type) else column
    out: np.ndarray = ints.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    return out


class Frame:
    """A batch with its global sequence numbers; rows are positions 0..n-1 in (ts, seq) order."""

    def __init__(self, table: pa.Table, seq: np.ndarray, interners: Interners) -> None:
        self.table = table
        self.n = table.num_rows
        self.seq = seq
        self.ts = ts_micros(table.column("ts"))
        self.interners = interners
        self._columns: dict[str, pa.Array] = {}
        self._codes: dict[str, np.ndarray] = {}
        self._ints: dict[str, np.ndarray] = {}
        self._valid: dict[str, np.ndarray] = {}
        self._bools: dict[str, np.ndarray] = {}
        self._type_rows: dict[tuple[str, ...], np.ndarray] = {}
        types = pc.dictionary_encode(self.column("type"))
        self._type_names: list[str] = types.dictionary.to_pylist()
        self._type_idx = types.indices.to_numpy(zero_copy_only=False)

    def column(self, name: str) -> pa.Array:
        col = self._columns.get(name)
        if col is None:
            chunked = self.table.column(name)
            col = chunked.combine_chunks() if isinstance(chunked, pa.ChunkedArray) else chunked
            self._columns[name] = col
        return col

    def rows_of(self, types: tuple[str, ...]) -> np.ndarray:
        """Positions of the events of these types."""
        rows = self._type_rows.get(types)
        if rows is None:
            # A lookup table per type code: far cheaper than np.isin on small batches.
            wanted = np.array([t in types for t in self._type_names] or [False], dtype=bool)
            rows = np.flatnonzero(wanted[self._type_idx]).astype(np.int64)
            self._type_rows[types] = rows
        return rows

    def codes(self, name: str) -> np.ndarray:
        """Interned integer codes of a string column (``-1`` where null)."""
        codes = self._codes.get(name)
        if codes is None:
            codes = self._codes[name] = self.interner_of(name).encode(self.column(name))
        return codes

    def interner_of(self, name: str) -> Interner:
        """The codes of column ``name`` (accounts in any account column share codes)."""
        return self.interners.of(name)

    def ints(self, name: str) -> np.ndarray:
        """An integer or timestamp column as int64 (0 where null)."""
        values = self._ints.get(name)
        if values is None:
            col = self.column(name)
            if pa.types.is_timestamp(col.type):
                col = col.cast(pa.int64())
            values = col.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
            self._ints[name] = values
        return values

    def bools(self, name: str) -> np.ndarray:
        """A boolean column as a numpy array (``False`` where null)."""
        values = self._bools.get(name)
        if values is None:
            col = self.column(name)
            if col.null_count:
                col = col.fill_null(False)
            values = self._bools[name] = col.to_numpy(zero_copy_only=False).astype(bool)
        return values

    def valid(self, name: str) -> np.ndarray:
        """Where a column has a value (not null), as a boolean array."""
        mask = self._valid.get(name)
        if mask is None:
            col = self.column(name)
            if col.null_count == 0:
                mask = np.ones(len(col), dtype=bool)
            else:
                mask = col.is_valid().to_numpy(zero_copy_only=False)
            self._valid[name] = mask
        return mask

    def take(self, name: str, rows: np.ndarray) -> pa.Array:
        return self.column(name).take(pa.array(rows, type=pa.int64()))

    def row(self, pos: int) -> dict[str, Any]:
        """One event as a dict (only for the few events that fire an alert)."""
        out: dict[str, Any] = self.table.slice(pos, 1).to_pylist()[0]
        return out

    def event_id(self, pos: int) -> str:
        return str(self.column("event_id")[pos].as_py())
