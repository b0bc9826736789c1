"""One micro-batch of events in event-time order, with cached columnar views.

Operators ask for just the columns and rows they need; each conversion (Arrow →
numpy, strings → integer codes) happens at most once per batch whoever asks.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fraudlink.detect.intern import MISSING, Interner, Interners
from fraudlink.detect.live_rows import LiveRows
from fraudlink.model.columns import EVENT_SCHEMA

# Rows; a batch this small is a live one, and per-row Python over cached lists beats
# the fixed cost of an Arrow or numpy kernel call (tens of µs each) on it.
SMALL_BATCH = 64
_TYPES = {f.name: f.type for f in EVENT_SCHEMA}


def ts_micros(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Timestamps as int64 microseconds since the epoch (UTC)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_timestamp(column.type) and column.type.unit != "us":
        column = column.cast(pa.timestamp("us", tz="UTC"))
    if pa.types.is_timestamp(column.type) and column.null_count == 0:
        # The same 64-bit integers under another type: no cast kernel, no copy.
        view: np.ndarray = column.view(pa.int64()).to_numpy()
        return view
    ints = column.cast(pa.int64()) if not pa.types.is_integer(column.type) else column
    out: np.ndarray = ints.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    return out


class Frame:
    """A batch with its global sequence numbers; rows are positions 0..n-1 in (ts, seq) order.

    Built on an Arrow table, or on a live batch's rows as Python values (its table is
    built only if something needs it): the small-batch paths read Python values either way.
    """

    def __init__(self, table: pa.Table | LiveRows, seq: np.ndarray, interners: Interners) -> None:
        self._live: LiveRows | None = None
        self._table: pa.Table | None = None
        if isinstance(table, LiveRows):
            self._live, self.n, self.ts = table, len(table), np.array(table.ts, dtype=np.int64)
        else:
            self._table, self.n, self.ts = table, table.num_rows, ts_micros(table.column("ts"))
        self.seq = seq
        self.interners = interners
        self.small = self.n <= SMALL_BATCH
        # Filters shared by several rules (``status: completed``…) are evaluated once.
        self.masks: dict[object, np.ndarray] = {}
        self._columns: dict[str, pa.Array] = {}
        self._lists: dict[str, list[Any]] = {}
        self._codes: dict[str, np.ndarray] = {}
        self._ints: dict[str, np.ndarray] = {}
        self._valid: dict[str, np.ndarray] = {}
        self._bools: dict[str, np.ndarray] = {}
        self._type_rows: dict[tuple[str, ...], np.ndarray] = {}
        if self.small:
            names = self.pylist("type")
            index = {t: i for i, t in enumerate(dict.fromkeys(names))}
            self._type_names: list[str] = list(index)
            self._type_idx = np.array([index[t] for t in names], dtype=np.int64)
        else:
            types = pc.dictionary_encode(self.column("type"))
            self._type_names = types.dictionary.to_pylist()
            self._type_idx = types.indices.to_numpy(zero_copy_only=False)

    @property
    def table(self) -> pa.Table:
        if self._table is None:
            assert self._live is not None
            self._table = self._live.table()
        return self._table

    def column_type(self, name: str) -> pa.DataType:
        """A column's Arrow type (the canonical schema's, for a frame of rows)."""
        if self._table is None:
            return _TYPES[name]
        return self.column(name).type

    def column(self, name: str) -> pa.Array:
        col = self._columns.get(name)
        if col is None:
            chunked = self.table.column(name)
            if isinstance(chunked, pa.ChunkedArray):
                one = chunked.num_chunks == 1
                col = chunked.chunk(0) if one else chunked.combine_chunks()
            else:
                col = chunked
            self._columns[name] = col
        return col

    def pylist(self, name: str) -> list[Any]:
        """A whole column as Python values (times as int64 µs), converted once per batch."""
        values = self._lists.get(name)
        if values is None and self._live is not None:
            values = self._lists[name] = [row.get(name) for row in self._live.rows]
        if values is None:
            col = self.column(name)
            if pa.types.is_timestamp(col.type):
                col = col.cast(pa.int64())
            values = self._lists[name] = col.to_pylist()
        return values

    def values(self, name: str, rows: np.ndarray) -> list[Any]:
        """Python values of a column at some rows (times as int64 µs)."""
        if self.small:
            column = self.pylist(name)
            return [column[i] for i in rows.tolist()]
        col = self.take(name, rows)
        if pa.types.is_timestamp(col.type):
            col = col.cast(pa.int64())
        out: list[Any] = col.to_pylist()
        return out

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
            space = self.interner_of(name)
            if self.small:
                code = space.code
                items = self.pylist(name)
                codes = np.array([MISSING if v is None else code(v) for v in items], dtype=np.int64)
            else:
                codes = space.encode(self.column(name))
            self._codes[name] = codes
        return codes

    def interner_of(self, name: str) -> Interner:
        """The codes of column ``name`` (accounts in any account column share codes)."""
        return self.interners.of(name)

    def ints(self, name: str) -> np.ndarray:
        """An integer or timestamp column as int64 (0 where null)."""
        values = self._ints.get(name)
        if values is None and self.small:
            items = self.pylist(name)
            values = np.array([0 if v is None else v for v in items], dtype=np.int64)
            self._ints[name] = values
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
        if values is None and self.small:
            values = self._bools[name] = np.array([v is True for v in self.pylist(name)])
        if values is None:
            col = self.column(name)
            if col.null_count:
                col = col.fill_null(False)
            values = self._bools[name] = col.to_numpy(zero_copy_only=False).astype(bool)
        return values

    def valid(self, name: str) -> np.ndarray:
        """Where a column has a value (not null), as a boolean array."""
        mask = self._valid.get(name)
        if mask is None and self.small:
            mask = self._valid[name] = np.array([v is not None for v in self.pylist(name)])
        if mask is None:
            col = self.column(name)
            if col.null_count == 0:
                mask = np.ones(len(col), dtype=bool)
            else:
                mask = col.is_valid().to_numpy(zero_copy_only=False)
            self._valid[name] = mask
        return mask

    def take(self, name: str, rows: np.ndarray) -> pa.Array:
        if self.small:
            return pa.array(self.values(name, rows), type=self.column_type(name))
        return self.column(name).take(pa.array(rows, type=pa.int64()))

    def row(self, pos: int) -> dict[str, Any]:
        """One event as a dict (only for the few events that fire an alert)."""
        out: dict[str, Any] = self.table.slice(pos, 1).to_pylist()[0]
        return out

    def event_id(self, pos: int) -> str:
        if self._live is not None:
            return str(self._live.rows[pos]["event_id"])
        return str(self.column("event_id")[pos].as_py())
