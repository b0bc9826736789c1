"""Live batches take per-row shortcuts; they must give exactly what the vectorised path gives.

Every generated stream here is small, so without forcing it the vectorised path would
never run: the reference run lowers ``SMALL_BATCH`` to zero and pushes the whole stream
at once, the live runs push it in batches of one to eight events as ``watch`` does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import msgspec
import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from fraudlink.detect import frame as frame_module
from fraudlink.detect.engine import Engine
from fraudlink.detect.frame import Frame
from fraudlink.detect.intern import Interners
from fraudlink.detect.live_rows import live_rows, live_table
from fraudlink.detect.operators import ordering, window_log
from fraudlink.detect.operators.base import Values
from fraudlink.detect.operators.geo import GeoVelocity
from fraudlink.detect.operators.ipcity import CityResolver
from fraudlink.detect.operators.ordering import latest_before
from fraudlink.detect.rules.compile import RulePack
from fraudlink.detect.rules.loader import builtin_pack, load_rules_text
from fraudlink.detect.rules.schema import GeoVelocitySpec
from fraudlink.model.columns import EVENT_SCHEMA, events_to_table, table_to_events
from tests.detect.streams import table
from tests.detect.test_operators import PACK, mixed_streams


@contextmanager
def vectorised_only() -> Iterator[None]:
    saved = frame_module.SMALL_BATCH
    frame_module.SMALL_BATCH = 0
    try:
        yield
    finally:
        frame_module.SMALL_BATCH = saved


def _alerts(
    pack: RulePack, rows: list[dict[str, Any]], sizes: list[int], *, as_rows: bool = True
) -> list[bytes]:
    """Alerts of the stream pushed as ``watch`` pushes it (``live_rows``), or as Arrow
    tables (``live_table``), in batches of the given sizes."""
    events = list(table_to_events(table(rows)))
    engine = Engine(pack)
    alerts, at, i = [], 0, 0
    while at < len(events):
        size = sizes[i % len(sizes)]
        part = events[at : at + size]
        alerts += engine.push_live(live_rows(part)) if as_rows else engine.push(live_table(part))
        at, i = at + size, i + 1
    alerts += engine.flush()
    return [msgspec.json.encode(a) for a in alerts]


@settings(max_examples=60, deadline=None)
@given(rows=mixed_streams(), sizes=st.lists(st.integers(1, 8), min_size=1, max_size=6))
def test_live_batches_give_the_alerts_of_one_vectorised_batch(
    rows: list[dict[str, Any]], sizes: list[int]
) -> None:
    pack = load_rules_text(PACK)
    with vectorised_only():
        whole = _alerts(pack, rows, [len(rows)])
    assert _alerts(pack, rows, sizes) == whole
    assert _alerts(pack, rows, [len(rows)]) == whole


@contextmanager
def small_limits(batch: int, list_ids: int) -> Iterator[None]:
    saved = frame_module.SMALL_BATCH, window_log.LIST_IDS
    frame_module.SMALL_BATCH, window_log.LIST_IDS = batch, list_ids
    try:
        yield
    finally:
        frame_module.SMALL_BATCH, window_log.LIST_IDS = saved


@settings(max_examples=40, deadline=None)
@given(rows=mixed_streams(), sizes=st.lists(st.integers(1, 8), min_size=1, max_size=6))
def test_small_and_vectorised_batches_mix(rows: list[dict[str, Any]], sizes: list[int]) -> None:
    """Batches of up to 4 rows take the per-row paths and bigger ones the vectorised ones, so
    window chunks of both kinds merge; event ids of small chunks turn to Arrow past 3 rows."""
    pack = load_rules_text(PACK)
    with vectorised_only():
        whole = _alerts(pack, rows, [len(rows)])
    with small_limits(batch=4, list_ids=3):
        assert _alerts(pack, rows, sizes) == whole


@settings(max_examples=20, deadline=None)
@given(rows=mixed_streams(), sizes=st.lists(st.integers(1, 8), min_size=1, max_size=6))
def test_live_batches_agree_under_the_built_in_pack(
    rows: list[dict[str, Any]], sizes: list[int]
) -> None:
    pack = builtin_pack()
    with vectorised_only():
        whole = _alerts(pack, rows, [len(rows)])
    assert _alerts(pack, rows, sizes) == whole


@settings(max_examples=60, deadline=None)
@given(rows=mixed_streams(), size=st.integers(1, 60))
def test_live_table_equals_events_to_table(rows: list[dict[str, Any]], size: int) -> None:
    events = list(table_to_events(table(rows)))
    for at in range(0, len(events), size):
        part = events[at : at + size]
        assert live_table(part).equals(events_to_table(part))


@settings(max_examples=200, deadline=None)
@given(
    s=st.lists(st.tuples(st.integers(-1, 3), st.integers(0, 12)), max_size=12),
    r=st.lists(st.tuples(st.integers(-1, 3), st.integers(0, 12)), min_size=1, max_size=12),
)
def test_latest_before_by_pairs_equals_the_sorted_path(
    s: list[tuple[int, int]], r: list[tuple[int, int]]
) -> None:
    s_keys = np.array([k for k, _ in s], dtype=np.int64)
    s_pos = np.array([p for _, p in s], dtype=np.int64)
    r_keys = np.array([k for k, _ in r], dtype=np.int64)
    r_pos = np.array([p for _, p in r], dtype=np.int64)
    small = latest_before(s_keys, s_pos, r_keys, r_pos)
    saved = ordering.SMALL_PAIRS
    ordering.SMALL_PAIRS = -1
    try:
        big = latest_before(s_keys, s_pos, r_keys, r_pos)
    finally:
        ordering.SMALL_PAIRS = saved
    np.testing.assert_array_equal(small, big)


def _hops(rows: list[dict[str, Any]], sizes: list[int]) -> list[Values]:
    """Geo-velocity's values for each batch's logins, the stream cut into these sizes."""
    events = list(table_to_events(table(rows)))
    geo = GeoVelocity(GeoVelocitySpec(), CityResolver(None))
    interners, out, at, i = Interners(), [], 0, 0
    while at < len(events):
        size = sizes[i % len(sizes)]
        batch = live_table(events[at : at + size])
        frame = Frame(batch, np.arange(at, at + batch.num_rows, dtype=np.int64), interners)
        out.append(geo.enrich(frame, frame.rows_of(("login",))))
        geo.advance(frame)
        at, i = at + size, i + 1
    return out


@settings(max_examples=60, deadline=None)
@given(rows=mixed_streams(), sizes=st.lists(st.integers(1, 8), min_size=1, max_size=6))
def test_geo_velocity_row_by_row_gives_the_vectorised_values_to_the_bit(
    rows: list[dict[str, Any]], sizes: list[int]
) -> None:
    with vectorised_only():
        reference = _hops(rows, sizes)
    live = _hops(rows, sizes)
    assert len(live) == len(reference)
    for mine, theirs in zip(live, reference, strict=True):
        assert mine.keys() == theirs.keys()
        for name, values in theirs.items():
            assert mine[name].dtype == values.dtype
            # NaN where there is no hop, in the same places; every other value bit for bit.
            np.testing.assert_array_equal(mine[name], values, strict=True)


@settings(max_examples=40, deadline=None)
@given(rows=mixed_streams(), sizes=st.lists(st.integers(1, 8), min_size=1, max_size=6),
       swaps=st.lists(st.integers(0, 48), max_size=6),
       lateness=st.sampled_from(["0s", "10m"]))  # fmt: skip
def test_rows_and_tables_agree_when_events_arrive_out_of_order(
    rows: list[dict[str, Any]], sizes: list[int], swaps: list[int], lateness: str
) -> None:
    # Late events (and, with a lateness, events that wait) take the Arrow path; the
    # rows that follow them must still give what tables give.
    for i in swaps:
        if i + 1 < len(rows):
            rows[i], rows[i + 1] = rows[i + 1], rows[i]
    settings = f"settings: {{score_horizon: 1d, lateness: {lateness}}}"
    pack = load_rules_text(PACK.replace("settings: {score_horizon: 1d}", settings))
    assert pack.lateness_us == (0 if lateness == "0s" else 600_000_000)
    assert _alerts(pack, rows, sizes) == _alerts(pack, rows, sizes, as_rows=False)


@settings(max_examples=60, deadline=None)
@given(rows=mixed_streams(), size=st.integers(1, 12))
def test_a_frame_of_rows_reads_as_a_frame_of_its_table(
    rows: list[dict[str, Any]], size: int
) -> None:
    events = list(table_to_events(table(rows)))[:size]
    batch = live_rows(events)
    seq = np.arange(len(events), dtype=np.int64)
    of_rows = Frame(batch, seq, Interners())
    of_table = Frame(live_table(events), seq, Interners())
    np.testing.assert_array_equal(of_rows.ts, of_table.ts, strict=True)
    everything = np.arange(len(events), dtype=np.int64)
    for field in EVENT_SCHEMA:
        name = field.name
        assert of_rows.pylist(name) == of_table.pylist(name), name
        assert of_rows.column_type(name) == of_table.column_type(name)
        assert of_rows.take(name, everything).equals(of_table.take(name, everything)), name
        np.testing.assert_array_equal(of_rows.valid(name), of_table.valid(name), strict=True)
        if pa.types.is_string(field.type):
            np.testing.assert_array_equal(of_rows.codes(name), of_table.codes(name), strict=True)
        elif not pa.types.is_boolean(field.type):
            np.testing.assert_array_equal(of_rows.ints(name), of_table.ints(name), strict=True)
        else:
            np.testing.assert_array_equal(of_rows.bools(name), of_table.bools(name), strict=True)
    for pos in range(len(events)):
        assert of_rows.event_id(pos) == of_table.event_id(pos)
        assert of_rows.row(pos) == of_table.row(pos)


@settings(max_examples=100, deadline=None)
@given(keys=st.lists(st.integers(-1, 30), max_size=700),
       wanted=st.lists(st.integers(-1, 30), max_size=8, unique=True))  # fmt: skip
def test_a_chunks_rows_of_some_keys_are_those_np_isin_finds(
    keys: list[int], wanted: list[int]
) -> None:
    key = np.array(keys, dtype=np.int64)
    n = len(key)
    order = np.arange(n, dtype=np.int64)
    chunk = window_log.Chunk(ts=order, seq=order, key=key, values={}, masks={}, ids=[],
                          max_ts=n, half_ts=n // 2)  # fmt: skip
    asked = np.array(sorted(wanted), dtype=np.int64)
    expected = np.flatnonzero(np.isin(key, asked))
    np.testing.assert_array_equal(chunk.rows_of(asked), expected, strict=False)
    assert chunk.rows_of(asked).dtype.kind == "i"


def _chunk_of(keys: list[int], first: int) -> window_log.Chunk:
    key = np.array(keys, dtype=np.int64)
    pos = np.arange(first, first + len(key), dtype=np.int64)
    return window_log.Chunk(ts=pos, seq=pos, key=key, values={}, masks={},
                            ids=[str(p) for p in pos.tolist()], max_ts=int(pos[-1]),
                            half_ts=int(pos[len(pos) // 2]))  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    parts=st.lists(st.lists(st.integers(0, 40), min_size=1, max_size=600), min_size=2, max_size=5),
    cut=st.floats(0, 1),
    wanted=st.lists(st.integers(0, 40), max_size=8, unique=True),
)
def test_merged_and_trimmed_chunks_keep_a_true_key_index(
    parts: list[list[int]], cut: float, wanted: list[int]
) -> None:
    """Merges build their key index from the halves' and trims filter it: both must find
    exactly the rows a fresh sort (and np.isin) finds."""
    merged, first = _chunk_of(parts[0], 0), len(parts[0])
    merged.key_index()
    for keys in parts[1:]:
        newer = _chunk_of(keys, first)
        newer.key_index()
        merged, first = window_log.concat(merged, newer), first + len(keys)
    trimmed = window_log.suffix(merged, int(cut * (len(merged.key) - 1)))
    asked = np.array(sorted(wanted), dtype=np.int64)
    for chunk in (merged, trimmed):
        if chunk.keeps_index():
            assert chunk._by_key is not None  # kept, not left to be sorted again
            order, sorted_keys = chunk._by_key
            np.testing.assert_array_equal(sorted_keys, np.sort(chunk.key))
            np.testing.assert_array_equal(chunk.key[order], sorted_keys)
            assert sorted(order.tolist()) == list(range(len(chunk.key)))
        expected = np.flatnonzero(np.isin(chunk.key, asked))
        np.testing.assert_array_equal(chunk.rows_of(asked), expected, strict=False)
        assert window_log.arrow_ids(chunk.ids).to_pylist() == [str(p) for p in chunk.seq.tolist()]
