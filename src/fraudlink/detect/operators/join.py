"""Join: attach the latest earlier event of another type with the same key.

The refund × parcel join is one use (a claim meets the last scan of its order); the
age of a payee account (its registration) is another. State keeps, per key, only
the fields rules ask for, and forgets keys whose last event is older than ``within``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fraudlink.detect.durations import parse_duration
from fraudlink.detect.frame import Frame
from fraudlink.detect.operators.base import Values
from fraudlink.detect.operators.ordering import latest_before
from fraudlink.detect.rules.schema import LatestSpec

_NUMERIC = (pa.types.is_integer, pa.types.is_timestamp, pa.types.is_floating)


class LatestJoin:
    """Latest event of type ``from`` whose ``match`` equals the row's ``on``, within ``within``."""

    def __init__(self, spec: LatestSpec, fields: set[str]) -> None:
        self.source = (spec.from_,)
        self.match = spec.match
        self.on = spec.on
        self.within = parse_duration(spec.within)
        self.fields = sorted(fields - {"found", "age"})
        # key → (ts, *fields): only what rules read, to keep millions of orders small.
        self.state: dict[str, tuple[Any, ...]] = {}
        self._swept_at = 0

    def enrich(self, frame: Frame, rows: np.ndarray) -> Values:
        s_rows = frame.rows_of(self.source)
        valid = frame.take(self.match, s_rows).is_valid()
        s_rows = s_rows[valid.to_numpy(zero_copy_only=False)]
        s_keys_arr = frame.take(self.match, s_rows)
        r_keys_arr = frame.take(self.on, rows)
        both = pc.dictionary_encode(pa.concat_arrays([s_keys_arr, r_keys_arr]))
        local = both.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        s_local, r_local = local[: len(s_rows)], local[len(s_rows) :]
        hit = latest_before(s_local, s_rows, r_local, rows)
        n = len(rows)
        ts = frame.ts
        found = np.zeros(n, dtype=bool)
        age = np.full(n, np.nan)
        out: dict[str, list[Any]] = {f: [None] * n for f in self.fields}
        inside = np.flatnonzero((hit >= 0) & (r_local >= 0))
        from_batch = s_rows[hit[inside]]
        batch_values = [_plain(frame.take(f, from_batch)) for f in self.fields]
        batch_seen = ts[from_batch].tolist()
        where = dict(zip(inside.tolist(), range(len(inside)), strict=True))
        r_keys = r_keys_arr.to_pylist()
        for i in range(n):
            j = where.get(i)
            if j is not None:
                seen = batch_seen[j]
                values: tuple[Any, ...] = tuple(col[j] for col in batch_values)
            else:
                key = r_keys[i]
                saved = self.state.get(key) if key is not None else None
                if saved is None:
                    continue
                seen, values = saved[0], saved[1:]
            t = int(ts[rows[i]])
            if t - seen > self.within:
                continue
            found[i] = True
            age[i] = t - seen
            for f, v in zip(self.fields, values, strict=True):
                out[f][i] = v
        result: Values = {"found": found, "age": age}
        for f in self.fields:
            result[f] = _as_array(out[f], frame.column_type(f))
        return result

    def advance(self, frame: Frame) -> None:
        s_rows = frame.rows_of(self.source)
        if len(s_rows) == 0:
            return
        keys = frame.values(self.match, s_rows)
        parts = [frame.ts[s_rows].tolist()]
        parts += [frame.values(f, s_rows) for f in self.fields]
        # Later rows overwrite earlier ones: the state holds the latest event per key.
        self.state.update((k, v) for k, v in zip(keys, zip(*parts, strict=True), strict=True) if k)

    def expire(self, watermark_us: int) -> None:
        # A full sweep costs one pass over the state, so do it once per quarter window.
        if watermark_us - self._swept_at < self.within // 4:
            return
        self._swept_at = watermark_us
        horizon = watermark_us - self.within
        self.state = {k: v for k, v in self.state.items() if v[0] >= horizon}


def _plain(values: pa.Array) -> list[Any]:
    if pa.types.is_timestamp(values.type):
        values = values.cast(pa.int64())
    out: list[Any] = values.to_pylist()
    return out


def _as_array(values: list[Any], arrow_type: pa.DataType) -> np.ndarray:
    if any(check(arrow_type) for check in _NUMERIC):
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    if pa.types.is_boolean(arrow_type):
        return np.array([bool(v) for v in values], dtype=bool)
    return np.array(values, dtype=object)
