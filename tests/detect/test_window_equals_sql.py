"""Streaming equals batch: every window aggregate equals DuckDB's answer over the same events.

The SQL is a self-join rather than a RANGE window frame on purpose: a RANGE frame
includes *peers* (later events with the same timestamp), while a streaming window
at an event holds only the events that have arrived, so ties are broken by arrival
order (``o.seq <= e.seq``), exactly as the engine does.
"""

from __future__ import annotations

import math
from typing import Any

import duckdb
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.detect.harness import rule_from, window_hits
from tests.detect.streams import batch_cuts, split, table, transfer_streams

WINDOW = """
  - id: w
    title: window under test
    typology: test
    weight: 0.5
    on: [wallet_transfer]
    where: {status: completed}
    detect:
      op: window
      key: from_account
      length: 1h
      aggregates:
        n: {fn: count, where: {amount: {ge: 50000}}}
        total: {fn: sum, field: amount}
        payees: {fn: distinct, field: to_account}
        biggest: {fn: max, field: amount}
        big_share: {fn: share, where: {amount: {ge: 200000}}}
        odd: {fn: count, where: {amount: {not_multiple_of: 10000}}}
        timing: {fn: gap_cv}
    when: {WHEN}
    reason: "{events} events"
"""

SQL = """
with ev as (select * from t where status = 'completed'),
w as (
  select e.seq as eseq, o.seq, o.ts, o.amount, o.to_account
  from ev e join ev o
    on o.from_account = e.from_account and o.ts >= e.ts - 3600000000 and o.seq <= e.seq
),
g as (select eseq, ts - lag(ts) over (partition by eseq order by seq) as gap from w),
cv as (
  select eseq,
    case when count(gap) >= 2 and avg(gap) > 0 then stddev_pop(gap) / avg(gap) end as timing
  from g group by eseq
)
select w.eseq, count(*) as events, max(ts) - min(ts) as span,
  count(*) filter (where amount >= 50000) as n,
  sum(amount) as total,
  count(distinct to_account) as payees,
  max(amount) as biggest,
  avg(case when amount >= 200000 then 1.0 else 0.0 end) as big_share,
  count(*) filter (where amount % 10000 <> 0) as odd,
  any_value(cv.timing) as timing
from w join cv using (eseq)
group by w.eseq order by w.eseq
"""


def sql_windows(t: pa.Table) -> dict[int, dict[str, Any]]:
    flat = pa.table(
        {
            "seq": pa.array(range(t.num_rows), type=pa.int64()),
            "ts": t.column("ts").cast(pa.int64()),
            "from_account": t.column("from_account"),
            "to_account": t.column("to_account"),
            "amount": t.column("amount"),
            "status": t.column("status"),
        }
    )
    con = duckdb.connect()
    con.register("t", flat)
    cursor = con.execute(SQL)
    names = [d[0] for d in cursor.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), rows=transfer_streams())
def test_every_window_aggregate_equals_duckdb(
    data: st.DataObject, rows: list[dict[str, Any]]
) -> None:
    t = table(rows)
    cuts = data.draw(batch_cuts(t.num_rows))
    rule = rule_from(WINDOW.replace("{WHEN}", "{events: {ge: 1}}"))
    hits = dict(window_hits(rule, split(t, cuts)))
    expected = sql_windows(t)
    assert set(hits) == set(expected)
    for seq, want in expected.items():
        got = hits[seq].metrics
        for name in ("events", "span", "n", "total", "payees", "biggest", "odd"):
            assert got[name] == want[name], (seq, name, got[name], want[name])
        assert close(got["big_share"], want["big_share"])
        assert close(got["timing"], want["timing"]), (seq, got["timing"], want["timing"])


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    rows=transfer_streams(),
    n_min=st.integers(min_value=0, max_value=4),
    payees_min=st.integers(min_value=1, max_value=4),
    total_min=st.sampled_from([0, 100_000, 1_000_000, 3_000_000]),
)
def test_prefiltered_hits_equal_sql_thresholds(
    data: st.DataObject, rows: list[dict[str, Any]], n_min: int, payees_min: int, total_min: int
) -> None:
    """The upper-bound prefilter never loses a hit nor invents one."""
    t = table(rows)
    parts = split(t, data.draw(batch_cuts(t.num_rows)))
    when = f"{{n: {{ge: {n_min}}}, payees: {{ge: {payees_min}}}, total: {{ge: {total_min}}}}}"
    rule = rule_from(WINDOW.replace("{WHEN}", when))
    fast = [seq for seq, _ in window_hits(rule, parts, prefilter=True)]
    slow = [seq for seq, _ in window_hits(rule, parts, prefilter=False)]
    expected = [
        seq
        for seq, w in sql_windows(t).items()
        if w["n"] >= n_min and w["payees"] >= payees_min and w["total"] >= total_min
    ]
    assert fast == slow == expected
