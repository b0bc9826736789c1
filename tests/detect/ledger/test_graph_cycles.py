"""Cycle: rings of money found at every time scale and amount; back-and-forth of
family members who trade every month is not a ring; the walk equals brute force."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from fraudlink.detect.ledger.finding import Finding
from fraudlink.detect.ledger.operators import graph_cycles
from fraudlink.detect.ledger.run import Known
from fraudlink.detect.rules.ledger_schema import CycleSpec
from tests.detect.ledger.builders import LedgerBuilder, background, days, hours, minutes

CUSTOMERS = [f"c{i}" for i in range(30)]


def _ring(
    b: LedgerBuilder, members: list[str], amount: int, step: timedelta, at: timedelta
) -> None:
    for i, payer in enumerate(members):
        b.pay(payer, members[(i + 1) % len(members)], int(amount * 0.97**i), at + step * i)


def _found(tmp_path: Path, b: LedgerBuilder, spec: CycleSpec) -> dict[str, Finding]:
    ledger = b.ledger(tmp_path)
    return {f.account: f for f in graph_cycles.cycle(ledger, spec, Known())}


def test_rings_found_at_minutes_days_weeks_and_any_amount(tmp_path: Path) -> None:
    b = LedgerBuilder()
    background(b, CUSTOMERS)
    _ring(b, ["m1", "m2", "m3", "m4", "m5"], 4_210_00, minutes(7), days(10))
    _ring(b, ["d1", "d2", "d3"], 120_00, days(2), days(20))
    _ring(b, ["w1", "w2", "w3", "w4"], 48_000_00, timedelta(weeks=1), days(5))
    found = _found(tmp_path, b, CycleSpec(within="30d"))
    rings = {"m1", "m2", "m3", "m4", "m5", "d1", "d2", "d3", "w1", "w2", "w3", "w4"}
    assert set(found) == rings
    m1 = found["m1"]
    assert "sent $4,210.00" in m1.reason and "after 5 hops through m2, m3, m4, m5" in m1.reason
    assert set(m1.linked) == {"m2", "m3", "m4", "m5"}
    assert len(m1.event_ids) == 5 and 0 < m1.strength <= 1
    assert "$48,000.00" in found["w3"].reason


def test_yen_ring_in_hours(tmp_path: Path) -> None:
    b = LedgerBuilder(currency="JPY")
    background(b, CUSTOMERS, salary=300_000)
    _ring(b, ["y1", "y2", "y3", "y4"], 5_000_000, hours(3), days(40))
    found = _found(tmp_path, b, CycleSpec())
    assert set(found) == {"y1", "y2", "y3", "y4"}
    assert "¥5,000,000" in found["y1"].reason or "5,000,000" in found["y1"].reason


def test_slow_or_shrinking_ring_is_not_a_cycle(tmp_path: Path) -> None:
    b = LedgerBuilder()
    background(b, CUSTOMERS)
    _ring(b, ["s1", "s2", "s3"], 900_00, days(20), days(1))  # 40 days round
    b.pay("k1", "k2", 1_000_00, days(3))
    b.pay("k2", "k3", 100_00, days(4))  # keeps 10 %
    b.pay("k3", "k1", 90_00, days(5))
    assert _found(tmp_path, b, CycleSpec(within="30d")) == {}


def test_family_back_and_forth_is_not_a_ring(tmp_path: Path) -> None:
    b = LedgerBuilder()
    background(b, CUSTOMERS, months=6)
    for month in range(6):
        b.pay("mum", "son", 500_00, days(30 * month + 2))
        b.pay("son", "mum", 450_00, days(30 * month + 9))
    found = _found(tmp_path, b, CycleSpec())
    assert "mum" not in found and "son" not in found
    # The same pair closing one quick round trip, once, is a 2-cycle.
    b2 = LedgerBuilder()
    background(b2, CUSTOMERS)
    b2.pay("p", "q", 2_000_00, days(3))
    b2.pay("q", "p", 1_900_00, days(4))
    assert set(_found(tmp_path, b2, CycleSpec())) == {"p", "q"}


def _brute(
    src: list[int], dst: list[int], amount: list[float], ts: list[int], r: graph_cycles.CycleRules
) -> set[tuple[int, ...]]:
    found: set[tuple[int, ...]] = set()
    n = len(src)
    for length in range(r.min_length, r.max_length + 1):
        for seq in itertools.permutations(range(n), length):
            nodes = [src[k] for k in seq]
            if len(set(nodes)) != length or dst[seq[-1]] != src[seq[0]]:
                continue
            if any(dst[seq[i]] != src[seq[i + 1]] for i in range(length - 1)):
                continue
            if any(ts[seq[i + 1]] <= ts[seq[i]] for i in range(length - 1)):
                continue
            if any(amount[seq[i + 1]] < r.min_retained * amount[seq[i]] for i in range(length - 1)):
                continue
            if ts[seq[-1]] - ts[seq[0]] > r.within_us:
                continue
            found.add(tuple(seq))
    return found


edge = st.tuples(
    st.integers(0, 4), st.integers(0, 4), st.integers(1, 100), st.integers(0, 20)
).filter(lambda e: e[0] != e[1])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(edge, min_size=1, max_size=7),
    st.integers(1, 20),
    st.integers(2, 4),
    st.sampled_from([0.0, 0.5, 0.9]),
)
def test_walk_equals_brute_force(
    es: list[tuple[int, int, int, int]], within: int, max_length: int, keep: float
) -> None:
    src, dst = [e[0] for e in es], [e[1] for e in es]
    amount, ts = [float(e[2]) for e in es], [e[3] for e in es]
    rules = graph_cycles.CycleRules(within, 2, max_length, keep)
    walked = graph_cycles.temporal_cycles(src, dst, amount, ts, rules)
    assert len(walked) == len(set(walked))
    assert set(walked) == _brute(src, dst, amount, ts, rules)
