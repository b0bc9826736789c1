"""Cheap upper bounds on window aggregates, so exact evaluation runs only where a rule can fire.

Event time is cut into tumbling buckets as wide as the window; a window [t - L, t]
lies inside bucket(t) and the one before, so per-key totals of those two buckets
bound count, sum (of non-negative values), max and distinct count from above. A
row whose bound already fails a ``>=``/``>`` threshold cannot fire and is skipped.
State is a few numpy arrays indexed by key code, reset lazily (a generation per key).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from fraudlink.detect.operators.base import grown, key_array

_SHIFT = np.int64(32)


@dataclass(frozen=True)
class BoundInput:
    """One bounded metric: how to add a batch's rows into its bucket totals."""

    name: str
    fn: str  # events | count | sum | max | distinct


_SHARDS = 16


class _PairSet:
    """The distinct (key, value) pairs of one bucket, as ints, in shards emptied lazily.

    A week's bucket can hold 100,000 pairs: freeing them all when the bucket rolls, or
    rehashing one set of that size as it grows, pauses a live stream for milliseconds.
    Split in 16 and each shard emptied the first time it is touched after a roll, the
    same work is spread over the batches that follow.
    """

    __slots__ = ("gen", "gens", "shards")

    def __init__(self) -> None:
        self.shards: list[set[int]] = [set() for _ in range(_SHARDS)]
        self.gens = [0] * _SHARDS
        self.gen = 0

    def clear(self) -> None:
        self.gen += 1

    def add_new(self, pairs: list[int]) -> list[int]:
        """Add the pairs (no repeats among them); return those not already present."""
        fresh = []
        shards, gens, gen = self.shards, self.gens, self.gen
        for p in pairs:
            i = (p ^ (p >> 32)) & (_SHARDS - 1)
            shard = shards[i]
            if gens[i] != gen:
                shard.clear()
                gens[i] = gen
            if p not in shard:
                shard.add(p)
                fresh.append(p)
        return fresh

    def __contains__(self, p: int) -> bool:
        i = (p ^ (p >> 32)) & (_SHARDS - 1)
        return self.gens[i] == self.gen and p in self.shards[i]


class _Bucket:
    """Per-key totals of one time bucket, zeroed lazily: each key carries the generation
    its totals belong to, so a roll is a counter increment and not a sweep of every key
    the bucket touched (20 ms for a busy week, once per week-long window)."""

    def __init__(self, names: list[str]) -> None:
        self.totals = {n: key_array(0.0, np.float64) for n in names}
        # 0 is no generation, so the stamps start as calloc'ed zero pages like the totals
        self.stamp = key_array(0, np.int64)
        self.gen = 1
        self.pairs: dict[str, _PairSet] = {}

    def grow(self, size: int) -> None:
        if size <= len(self.stamp):  # every batch asks; almost none needs more room
            return
        self.totals = {name: grown(arr, size, 0.0) for name, arr in self.totals.items()}
        self.stamp = grown(self.stamp, size, 0)

    def clear(self) -> None:
        self.gen += 1
        for pairs in self.pairs.values():
            pairs.clear()

    def own(self, keys: np.ndarray) -> None:
        """Zero the totals of the keys that still hold an older generation's."""
        stale = keys[self.stamp[keys] != self.gen]
        if len(stale):
            for arr in self.totals.values():
                arr[stale] = 0.0
            self.stamp[stale] = self.gen

    def own_rows(self, keys: list[int]) -> None:
        stamp, gen = self.stamp, self.gen
        for k in keys:
            if stamp[k] != gen:
                for arr in self.totals.values():
                    arr[k] = 0.0
                stamp[k] = gen

    def current(self, keys: np.ndarray) -> np.ndarray:
        """Which keys hold this generation's totals (the others count as zero)."""
        result: np.ndarray = self.stamp[keys] == self.gen
        return result

    def current_rows(self, keys: list[int]) -> list[bool]:
        stamp, gen = self.stamp, self.gen
        return [bool(stamp[k] == gen) for k in keys]

    def pair_set(self, name: str) -> _PairSet:
        pairs = self.pairs.get(name)
        if pairs is None:
            pairs = self.pairs[name] = _PairSet()
        return pairs


class WindowBounds:
    """Upper bounds per row of the chosen window metrics."""

    def __init__(self, width_us: int, inputs: list[BoundInput]) -> None:
        self.width = width_us
        self.inputs = inputs
        names = [i.name for i in inputs] + [f"{i.name}#new" for i in inputs if i.fn == "distinct"]
        self.cur = _Bucket(names)
        self.prev = _Bucket(names)
        self.cur_id: int | None = None
        self.negative_seen = False

    def bounds(
        self,
        keys: np.ndarray,
        ts: np.ndarray,
        values: dict[str, np.ndarray],
        masks: dict[str, np.ndarray],
        size: int,
    ) -> dict[str, np.ndarray]:
        """Add the rows (in time order) and return each metric's bound for each row."""
        self.cur.grow(size)
        self.prev.grow(size)
        out = {i.name: np.empty(len(keys), dtype=np.float64) for i in self.inputs}
        bucket = ts // self.width
        if bucket[0] == bucket[-1]:  # rows are in time order: one bucket, as live batches are
            segments = [(0, len(keys))]
        else:
            cuts = (np.flatnonzero(np.diff(bucket)) + 1).tolist()
            segments = list(zip([0, *cuts], [*cuts, len(keys)], strict=True))
        for lo, hi in segments:
            self._roll(int(bucket[lo]))
            seg = slice(lo, hi)
            k = keys[seg]
            self.cur.own(k)
            live = self.prev.current(k)
            for spec in self.inputs:
                self._add(spec, k, values.get(spec.name), masks.get(spec.name), seg)
                cur = self.cur.totals[spec.name]
                prev = np.where(live, self.prev.totals[spec.name][k], 0.0)
                if spec.fn == "max":
                    out[spec.name][seg] = np.maximum(cur[k], prev)
                elif spec.fn == "distinct":
                    # all pairs of the previous bucket plus this bucket's pairs not among them
                    out[spec.name][seg] = prev + self.cur.totals[f"{spec.name}#new"][k]
                else:
                    # float sums can round down; pad so the bound stays a bound
                    out[spec.name][seg] = (cur[k] + prev) * (1 + 1e-9) + 1e-6
        return out

    def bounds_of_rows(
        self,
        keys: np.ndarray,
        ts: np.ndarray,
        values: dict[str, np.ndarray],
        masks: dict[str, np.ndarray],
        size: int,
    ) -> dict[str, list[float]]:
        """``bounds`` row by row, for the few rows of a live batch: the same totals, added
        in the same order, without numpy kernel calls (a few µs each) per metric."""
        self.cur.grow(size)
        self.prev.grow(size)
        n = len(keys)
        ks: list[int] = keys.tolist()
        width = self.width
        buckets = [t // width for t in ts.tolist()]
        out: dict[str, list[float]] = {}
        cuts = [i for i in range(1, n) if buckets[i] != buckets[i - 1]]
        segments = list(zip([0, *cuts], [*cuts, n], strict=True)) if cuts else [(0, n)]
        for spec in self.inputs:
            out[spec.name] = [0.0] * n
        for lo, hi in segments:
            self._roll(buckets[lo])
            self.cur.own_rows(ks[lo:hi])
            live = self.prev.current_rows(ks[lo:hi])
            for spec in self.inputs:
                name = spec.name
                value = values.get(name)
                mask = masks.get(name)
                keep = mask[lo:hi].tolist() if mask is not None else [True] * (hi - lo)
                got = value[lo:hi].tolist() if value is not None else None
                self._add_rows(spec, ks[lo:hi], got, keep)
                bound = out[name]
                cur, prev = self.cur.totals[name], self.prev.totals[name]
                before = [float(prev[ks[i]]) if live[i - lo] else 0.0 for i in range(lo, hi)]
                if spec.fn == "max":
                    for i in range(lo, hi):
                        bound[i] = max(float(cur[ks[i]]), before[i - lo])
                elif spec.fn == "distinct":
                    extra = self.cur.totals[f"{name}#new"]
                    for i in range(lo, hi):
                        bound[i] = before[i - lo] + float(extra[ks[i]])
                else:
                    for i in range(lo, hi):
                        bound[i] = (float(cur[ks[i]]) + before[i - lo]) * (1 + 1e-9) + 1e-6
        return out

    def _add_rows(
        self, spec: BoundInput, keys: list[int], values: list[Any] | None, keep: list[bool]
    ) -> None:
        total = self.cur.totals[spec.name]
        if spec.fn in ("events", "count"):
            for k, kept in zip(keys, keep, strict=True):
                if kept:
                    total[k] += 1.0
            return
        assert values is not None
        if spec.fn == "sum":
            for k, kept, x in zip(keys, keep, values, strict=True):
                if kept:
                    v = _finite(float(x), 0.0)
                    if v < 0:
                        self.negative_seen = True
                    total[k] += v
        elif spec.fn == "max":
            for k, kept, x in zip(keys, keep, values, strict=True):
                if kept:
                    total[k] = max(float(total[k]), _finite(float(x), -math.inf))
        else:
            before = self.prev.pair_set(spec.name)
            extra = self.cur.totals[f"{spec.name}#new"]
            pairs = {(k << 32) | c for k, kept, c in zip(keys, keep, values, strict=True) if kept}
            for p in self.cur.pair_set(spec.name).add_new(list(pairs)):
                total[p >> 32] += 1.0
                if p not in before:
                    extra[p >> 32] += 1.0

    def _roll(self, bucket_id: int) -> None:
        if self.cur_id == bucket_id:
            return
        if self.cur_id is not None and bucket_id == self.cur_id + 1:
            self.prev.clear()
            self.cur, self.prev = self.prev, self.cur
        else:
            self.prev.clear()
            self.cur.clear()
        self.cur_id = bucket_id

    def _add(
        self,
        spec: BoundInput,
        keys: np.ndarray,
        values: np.ndarray | None,
        mask: np.ndarray | None,
        seg: slice,
    ) -> None:
        total = self.cur.totals[spec.name]
        m = mask[seg] if mask is not None else None
        k = keys if m is None else keys[m]
        if spec.fn in ("events", "count"):
            np.add.at(total, k, 1.0)
            return
        assert values is not None
        v = values[seg] if m is None else values[seg][m]
        if spec.fn == "sum":
            v = np.nan_to_num(v.astype(np.float64), nan=0.0)
            if (v < 0).any():
                self.negative_seen = True
            np.add.at(total, k, v)
        elif spec.fn == "max":
            v = np.nan_to_num(v.astype(np.float64), nan=-np.inf)
            np.maximum.at(total, k, v)
        else:
            # distinct: pairs of this bucket, and apart those not in the previous one, so
            # the bound is the size of the union and not double the steady users
            before = self.prev.pair_set(spec.name)
            pairs = (k.astype(np.int64) << _SHIFT) | v.astype(np.int64)
            distinct = list(set(pairs.tolist())) if len(pairs) <= 64 else np.unique(pairs).tolist()
            fresh = self.cur.pair_set(spec.name).add_new(distinct)
            if fresh:
                np.add.at(total, np.array(fresh, dtype=np.int64) >> _SHIFT, 1.0)
                new = [p for p in fresh if p not in before]
                if new:
                    extra = self.cur.totals[f"{spec.name}#new"]
                    np.add.at(extra, np.array(new, dtype=np.int64) >> _SHIFT, 1.0)


def _finite(x: float, nan: float) -> float:
    """``np.nan_to_num`` of one value: NaN as given, infinities as the largest floats."""
    if x != x:
        return nan
    if x == math.inf:
        return sys.float_info.max
    if x == -math.inf:
        return -sys.float_info.max
    return x
