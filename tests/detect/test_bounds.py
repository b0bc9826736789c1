"""The row-by-row upper bounds of live batches equal the vectorised ones, batch after batch."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fraudlink.detect.operators.base import grown
from fraudlink.detect.operators.bounds import BoundInput, WindowBounds

INPUTS = [
    BoundInput("events", "events"),
    BoundInput("n", "count"),
    BoundInput("total", "sum"),
    BoundInput("top", "max"),
    BoundInput("kinds", "distinct"),
]
Row = tuple[int, int, float, int, bool]  # key, time step, amount, distinct code, mask

rows = st.tuples(
    st.integers(0, 5),
    st.integers(0, 3),
    st.one_of(st.floats(-5, 1e6, allow_nan=False, allow_infinity=False), st.just(float("nan"))),
    st.integers(0, 4),
    st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(batches=st.lists(st.lists(rows, min_size=1, max_size=8), min_size=1, max_size=8))
def test_bounds_of_rows_equal_the_vectorised_bounds(batches: list[list[Row]]) -> None:
    width = 10
    vectorised, by_row = WindowBounds(width, INPUTS), WindowBounds(width, INPUTS)
    now = 0
    for batch in batches:
        ts = []
        for _, step, _, _, _ in batch:  # in time order, sometimes across a bucket's edge
            now += step * 3
            ts.append(now)
        keys = np.array([r[0] for r in batch], dtype=np.int64)
        mask = np.array([r[4] for r in batch], dtype=bool)
        amounts = np.array([r[2] for r in batch], dtype=np.float64)
        values = {
            "total": amounts,
            "top": amounts,
            "kinds": np.array([r[3] for r in batch], dtype=np.int64),
        }
        masks = {"n": mask, "total": mask, "top": mask, "kinds": mask}
        size = 6 if now % 2 else 2000  # the key space as the interner has it now
        a = vectorised.bounds(keys, np.array(ts, dtype=np.int64), values, masks, size)
        b = by_row.bounds_of_rows(keys, np.array(ts, dtype=np.int64), values, masks, size)
        assert {k: v.tolist() for k, v in a.items()} == b
        assert vectorised.negative_seen == by_row.negative_seen


@settings(max_examples=200, deadline=None)
@given(
    batches=st.lists(
        st.lists(
            st.tuples(
                st.integers(0, 5),
                st.sampled_from([0, 1, 3, 7, 25, 60]),  # sometimes over several buckets
                st.floats(0, 1e6, allow_nan=False, allow_infinity=False),
                st.integers(0, 4),
                st.booleans(),
            ),
            min_size=1,
            max_size=8,
        ),
        min_size=1,
        max_size=12,
    ),
    by_row=st.booleans(),
)
def test_bounds_hold_the_exact_window_aggregates(batches: list[list[Row]], by_row: bool) -> None:
    """Each bound is at least the aggregate over the rows of its key in [t - width, t],
    across bucket rolls and jumps, with keys' totals of old buckets zeroed lazily."""
    width = 10
    bounds = WindowBounds(width, INPUTS)
    seen: list[tuple[int, int, float, int, bool]] = []
    now = 0
    for batch in batches:
        ts = []
        for _, step, _, _, _ in batch:
            now += step
            ts.append(now)
        keys = np.array([r[0] for r in batch], dtype=np.int64)
        mask = np.array([r[4] for r in batch], dtype=bool)
        amounts = np.array([r[2] for r in batch], dtype=np.float64)
        codes = np.array([r[3] for r in batch], dtype=np.int64)
        values = {"total": amounts, "top": amounts, "kinds": codes}
        masks = {"n": mask, "total": mask, "top": mask, "kinds": mask}
        times = np.array(ts, dtype=np.int64)
        if by_row:
            got = bounds.bounds_of_rows(keys, times, values, masks, 6)
        else:
            got = {k: v.tolist() for k, v in bounds.bounds(keys, times, values, masks, 6).items()}
        for i, (key, _, amount, code, kept) in enumerate(batch):
            seen.append((key, ts[i], amount, code, kept))
            window = [r for r in seen if r[0] == key and ts[i] - width <= r[1] <= ts[i]]
            used = [r for r in window if r[4]]
            assert got["events"][i] >= len(window)
            assert got["n"][i] >= len(used)
            assert got["total"][i] >= sum(r[2] for r in used)
            assert got["top"][i] >= max((r[2] for r in used), default=0.0)
            assert got["kinds"][i] >= len({r[3] for r in used})


@settings(max_examples=100, deadline=None)
@given(
    start=st.lists(st.integers(-5, 5), max_size=20),
    size=st.integers(0, 70),
    fill=st.sampled_from([0, -1, -(2**62)]),
)
def test_grown_keeps_old_slots_and_fills_new_ones(start: list[int], size: int, fill: int) -> None:
    """Per-key arrays past their reserved slots: old values kept, new slots filled, doubled."""
    arr = np.array(start, dtype=np.int64)
    out = grown(arr, size, fill)
    if size <= len(arr):
        assert out is arr
        return
    assert len(out) == max(size, 2 * len(arr))
    assert out.dtype == arr.dtype
    assert out[: len(arr)].tolist() == start
    assert (out[len(arr) :] == fill).all()
