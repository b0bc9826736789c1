"""Exact "latest earlier event with the same key" inside a batch, without a Python loop."""

from __future__ import annotations

import numpy as np

# Below this many (source, request) pairs, comparing every pair in Python is cheaper
# than the dozen array calls of the sort; live batches have a handful of each.
SMALL_PAIRS = 256


def latest_before(
    s_keys: np.ndarray, s_pos: np.ndarray, r_keys: np.ndarray, r_pos: np.ndarray
) -> np.ndarray:
    """For each request r, the index into S of the last s with the same key and s_pos < r_pos.

    -1 where there is none. Positions order events in time, so a lookup never sees an
    event that came after it (a row that is both S and R does not see itself).

    >>> s_keys, s_pos = np.array([7, 7, 8]), np.array([0, 2, 1])
    >>> latest_before(s_keys, s_pos, np.array([7, 8, 7]), np.array([1, 1, 5]))
    array([ 0, -1,  1])
    """
    n_s = len(s_keys)
    if len(r_keys) == 0:
        return np.empty(0, dtype=np.int64)
    if n_s == 0:
        return np.full(len(r_keys), -1, dtype=np.int64)
    if n_s * len(r_keys) <= SMALL_PAIRS:
        return _latest_before_by_pairs(s_keys, s_pos, r_keys, r_pos)
    keys = np.concatenate([s_keys, r_keys])
    pos = np.concatenate([s_pos, r_pos])
    # At an equal position the request sorts first, so it does not see itself.
    late = np.concatenate([np.ones(n_s, dtype=np.int8), np.zeros(len(r_keys), dtype=np.int8)])
    order = np.lexsort((late, pos, keys))
    is_s = order < n_s
    marks = np.where(is_s, np.arange(len(order)), -1)
    running = np.maximum.accumulate(marks)
    sorted_keys = keys[order]
    found = running >= 0
    same = np.zeros(len(order), dtype=bool)
    same[found] = sorted_keys[running[found]] == sorted_keys[found]
    result_sorted = np.where(same, order[np.where(found, running, 0)], -1)
    out = np.empty(len(order), dtype=np.int64)
    out[order] = result_sorted
    return out[n_s:]


def _latest_before_by_pairs(
    s_keys: np.ndarray, s_pos: np.ndarray, r_keys: np.ndarray, r_pos: np.ndarray
) -> np.ndarray:
    """:func:`latest_before` for a few rows: the same answer, ties to the later source."""
    keys, positions = s_keys.tolist(), s_pos.tolist()
    out = []
    for key, pos in zip(r_keys.tolist(), r_pos.tolist(), strict=True):
        found, at = -1, 0
        for j, (k, p) in enumerate(zip(keys, positions, strict=True)):
            if k == key and p < pos and (found < 0 or p >= at):
                found, at = j, p
        out.append(found)
    return np.array(out, dtype=np.int64)
