"""The lateness buffer: which events are late must not depend on how arrivals are batched."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from fraudlink.detect import frame as frame_module
from fraudlink.detect.frame import ts_micros
from fraudlink.detect.reorder import Reorder
from tests.detect.streams import MINUTE, T0, batch_cuts, login, split, table


@st.composite
def shuffled_arrivals(draw: st.DrawFn) -> list[int]:
    """Event times in arrival order: mostly rising, some events held back for a while."""
    n = draw(st.integers(min_value=1, max_value=40))
    base = [T0 + i * MINUTE for i in range(n)]
    delays = draw(st.lists(st.sampled_from([0, 0, 0, 1, 3, 10]), min_size=n, max_size=n))
    return [t for _, t in sorted(zip((b + d * MINUTE for b, d in zip(base, delays, strict=True)),
                                     base, strict=True))]  # fmt: skip


def run(parts: list[pa.Table], lateness: int) -> tuple[list[str], list[str]]:
    buffer = Reorder(lateness)
    released: list[str] = []
    late: list[str] = []
    for part in parts:
        ready, too_late = buffer.push(part)
        if ready is not None:
            released += ready.column("event_id").to_pylist()
        if too_late is not None:
            late += too_late.column("event_id").to_pylist()
    rest = buffer.flush()
    if rest is not None:
        released += rest.column("event_id").to_pylist()
    return released, late


@settings(max_examples=150, deadline=None)
@given(data=st.data(), times=shuffled_arrivals(), lateness=st.sampled_from([0, 2, 5, 60]))
def test_late_events_are_the_same_whatever_the_batching(
    data: st.DataObject, times: list[int], lateness: int
) -> None:
    t = table([login(ts, f"acc{i}") for i, ts in enumerate(times)])
    one_by_one = run([t.slice(i, 1) for i in range(t.num_rows)], lateness * MINUTE)
    assert run([t], lateness * MINUTE) == one_by_one
    saved, frame_module.SMALL_BATCH = frame_module.SMALL_BATCH, 0  # the vectorised checks too
    try:
        assert run([t], lateness * MINUTE) == one_by_one
    finally:
        frame_module.SMALL_BATCH = saved
    assert run(split(t, data.draw(batch_cuts(t.num_rows))), lateness * MINUTE) == one_by_one
    released, late = one_by_one
    # Nothing lost, nothing twice; what was used is in event-time order.
    assert sorted(released + late) == sorted(t.column("event_id").to_pylist())
    by_id = dict(zip(t.column("event_id").to_pylist(), ts_micros(t.column("ts")), strict=True))
    used = [int(by_id[i]) for i in released]
    assert used == sorted(used)


def test_an_event_older_than_what_was_already_released_is_late() -> None:
    t = table([login(T0 + 60 * MINUTE, "a"), login(T0 + 120 * MINUTE, "b"), login(T0, "c")])
    assert run([t], 5 * MINUTE) == (["ev-000000", "ev-000001"], ["ev-000002"])
    # With an hour and a half of lateness nothing had been released when c came.
    assert run([t], 90 * MINUTE) == (["ev-000002", "ev-000000", "ev-000001"], [])
