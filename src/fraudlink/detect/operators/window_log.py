"""The log of a sliding window: its rows in per-batch numpy chunks, and the rows of some
keys gathered from every chunk (what :mod:`.window` keeps and evaluates)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pyarrow as pa

from fraudlink.detect.rules.compile import AggConfig

EVIDENCE_MAX = 50
INDEX_FROM = 256  # rows; a bigger chunk keeps a key index (see Chunk.rows_of)
LIST_IDS = 512  # rows; a chunk this small keeps its event ids as a Python list (see Chunk)
# Event ids: an Arrow array, or a Python list in the small chunks of live batches, where
# building an Arrow array per batch and concatenating on every merge would cost more than
# the ids are ever read (only for the rows of a hit).
Ids: TypeAlias = pa.Array | list[str]


@dataclass
class Chunk:
    ts: np.ndarray
    seq: np.ndarray
    key: np.ndarray
    values: dict[str, np.ndarray]
    masks: dict[str, np.ndarray]
    ids: Ids
    max_ts: int
    half_ts: int  # ts of the middle row: once it has expired, most of the chunk has
    _by_key: tuple[np.ndarray, np.ndarray] | None = None

    def rows_of(self, keys: np.ndarray) -> np.ndarray:
        """Positions of the rows of these (sorted, unique) keys, in stream order.

        A small chunk is scanned; a big one gets a key index once (chunks never change
        after they are built), so a few keys cost a binary search, not a full pass.
        """
        if len(self.key) <= 4 * len(keys) + INDEX_FROM:
            if len(keys) == 0:
                return np.empty(0, dtype=np.int64)
            if len(keys) <= 4:
                # A live alert asks for one key or two, chunk by chunk of the window:
                # comparisons cost a tenth of np.isin's sort at this size.
                hits = self.key == keys[0]
                for other in keys[1:].tolist():
                    hits |= self.key == other
                return np.flatnonzero(hits)
            return np.flatnonzero(np.isin(self.key, keys))
        order, sorted_keys = self.key_index()
        lo = np.searchsorted(sorted_keys, keys, side="left")
        hi = np.searchsorted(sorted_keys, keys, side="right")
        found = [order[a:b] for a, b in zip(lo.tolist(), hi.tolist(), strict=True) if b > a]
        if not found:
            return np.empty(0, dtype=np.int64)
        return np.sort(np.concatenate(found))

    def key_index(self) -> tuple[np.ndarray, np.ndarray]:
        """Row positions sorted by key, and the keys in that order."""
        if self._by_key is None:
            order = np.argsort(self.key, kind="stable")
            self._by_key = (order, self.key[order])
        return self._by_key

    def keeps_index(self) -> bool:
        """Whether this chunk is big enough that ``rows_of`` searches a key index."""
        return len(self.key) > INDEX_FROM


def merged_index(a: Chunk, b: Chunk) -> tuple[np.ndarray, np.ndarray]:
    """The key index of ``a`` then ``b`` from theirs: a stable sort of two sorted runs is
    one linear merge (timsort), where sorting a 32,768-row chunk afresh takes ~1 ms, paid
    by the first live alert that looks into it."""
    a_order, a_keys = a.key_index()
    b_order, b_keys = b.key_index()
    keys = np.concatenate([a_keys, b_keys])
    perm = np.argsort(keys, kind="stable")
    return np.concatenate([a_order, b_order + len(a.key)])[perm], keys[perm]


@dataclass
class Gathered:
    """The log rows of some keys, sorted by (key, stream order)."""

    ts: np.ndarray
    seq: np.ndarray
    key: np.ndarray
    values: dict[str, np.ndarray]
    masks: dict[str, np.ndarray]
    ids: pa.Array

    def ids_of(self, mine: np.ndarray) -> list[str]:
        return [str(x) for x in self.ids.take(pa.array(mine[-EVIDENCE_MAX:])).to_pylist()]

    def window_bounds(
        self, chunk: Chunk, candidates: np.ndarray, length: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per candidate: its key's rank and the [lo, hi) slice of its window, all vectorised.

        Rows are sorted by key then stream order, so a (key rank, time) or (key rank,
        sequence) pair packed into one int64 is sorted too and ``searchsorted`` finds both
        ends of every window at once.
        """
        keys = np.unique(self.key)
        rank = np.searchsorted(keys, self.key)
        c_rank = np.searchsorted(keys, chunk.key[candidates])
        t0, s0 = int(self.ts.min()), int(self.seq.min())
        t_span = int(self.ts.max()) - t0 + 1
        s_span = int(self.seq.max()) - s0 + 1
        if len(keys) * max(t_span, s_span) >= 2**62:  # too wide to pack: one key at a time
            lo = np.empty(len(candidates), dtype=np.int64)
            hi = np.empty(len(candidates), dtype=np.int64)
            for j, (r, i) in enumerate(zip(c_rank.tolist(), candidates.tolist(), strict=True)):
                a, b = np.searchsorted(rank, r, "left"), np.searchsorted(rank, r, "right")
                hi[j] = a + np.searchsorted(self.seq[a:b], chunk.seq[i], "right")
                lo[j] = a + np.searchsorted(self.ts[a:b], chunk.ts[i] - length, "left")
            return c_rank, lo, hi
        by_seq = rank * s_span + (self.seq - s0)
        by_ts = rank * t_span + (self.ts - t0)
        hi = np.searchsorted(by_seq, c_rank * s_span + (chunk.seq[candidates] - s0), "right")
        start = np.maximum(chunk.ts[candidates] - length - t0, 0)
        lo = np.searchsorted(by_ts, c_rank * t_span + start, "left")
        return c_rank, lo, hi


def gather(log: list[Chunk], keys: np.ndarray, aggs: tuple[AggConfig, ...]) -> Gathered:
    parts = [(c, c.rows_of(keys)) for c in log]
    parts = [(c, idx) for c, idx in parts if len(idx)]
    key = np.concatenate([c.key[i] for c, i in parts])
    seq = np.concatenate([c.seq[i] for c, i in parts])
    order = np.lexsort((seq, key))
    values = {
        a.name: np.concatenate([c.values[a.name][i] for c, i in parts])[order]
        for a in aggs
        if a.name in parts[0][0].values
    }
    masks = {a.name: np.concatenate([c.masks[a.name][i] for c, i in parts])[order] for a in aggs}
    return Gathered(
        ts=np.concatenate([c.ts[i] for c, i in parts])[order],
        seq=seq[order],
        key=key[order],
        values=values,
        masks=masks,
        ids=pa.concat_arrays([take_ids(c.ids, i) for c, i in parts]).take(pa.array(order)),
    )


def take_ids(ids: Ids, rows: np.ndarray) -> pa.Array:
    if isinstance(ids, list):
        return pa.array([ids[i] for i in rows.tolist()], type=pa.string())
    return ids.take(pa.array(rows, type=pa.int64()))


def concat_ids(a: Ids, b: Ids) -> Ids:
    if isinstance(a, list) and isinstance(b, list) and len(a) + len(b) <= LIST_IDS:
        return a + b
    return pa.concat_arrays([arrow_ids(a), arrow_ids(b)])


def arrow_ids(ids: Ids) -> pa.Array:
    return pa.array(ids, type=pa.string()) if isinstance(ids, list) else ids


def concat(a: Chunk, b: Chunk) -> Chunk:
    ts = np.concatenate([a.ts, b.ts])
    merged = Chunk(
        ts=ts,
        seq=np.concatenate([a.seq, b.seq]),
        key=np.concatenate([a.key, b.key]),
        values={k: np.concatenate([v, b.values[k]]) for k, v in a.values.items()},
        masks={k: np.concatenate([v, b.masks[k]]) for k, v in a.masks.items()},
        ids=concat_ids(a.ids, b.ids),
        max_ts=max(a.max_ts, b.max_ts),
        half_ts=int(ts[len(ts) // 2]),
    )
    if merged.keeps_index():
        merged._by_key = merged_index(a, b)
    return merged


def select(chunk: Chunk, keep: np.ndarray) -> Chunk:
    ts = chunk.ts[keep]
    ids = chunk.ids
    return Chunk(
        ts=ts,
        seq=chunk.seq[keep],
        key=chunk.key[keep],
        values={k: v[keep] for k, v in chunk.values.items()},
        masks={k: v[keep] for k, v in chunk.masks.items()},
        ids=[ids[i] for i in keep.tolist()] if isinstance(ids, list) else take_ids(ids, keep),
        max_ts=int(ts[-1]) if len(keep) else -(2**62),
        half_ts=int(ts[len(ts) // 2]) if len(keep) else -(2**62),
    )


def suffix(chunk: Chunk, start: int) -> Chunk:
    """The rows from ``start`` on, keeping the key index (filtered in one linear pass) that
    sorting afresh would cost the next live alert ~1 ms per 32,768 rows."""
    out = select(chunk, np.arange(start, len(chunk.ts)))
    if chunk._by_key is not None and out.keeps_index():
        order, keys = chunk._by_key
        keep = order >= start
        out._by_key = (order[keep] - start, keys[keep])
    return out
