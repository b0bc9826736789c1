"""What a simulated world must contain, checked against its own events."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from itertools import pairwise

import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fraudlink.model.columns import row_to_event
from fraudlink.model.geo import CITY_BY_NAME, distance_km
from fraudlink.sim.planted.refund_ring import _phone_to_lend
from tests.sim.conftest import World


def test_every_event_is_canonical_and_in_event_time_order(tiny_world: World) -> None:
    rows = tiny_world.events.to_pylist()
    assert 7_000 <= len(rows) <= 14_000  # "tiny ≈ 10k events"
    for row in rows:
        row_to_event(row)
    ids = [r["event_id"] for r in rows]
    assert len(set(ids)) == len(ids)
    ts = [r["ts"] for r in rows]
    assert ts == sorted(ts)
    start = datetime.fromisoformat(tiny_world.truth.start)
    end = datetime.fromisoformat(tiny_world.truth.end)
    assert all(t < end for t in ts)
    assert all(r["ts"] >= start for r in rows if r["type"] != "account_registered")


def test_world_spans_platforms_wallets_cities_and_provinces(tiny_world: World) -> None:
    orgs = set(tiny_world.events["org"].to_pylist())
    assert {"hx-mall", "jy-shop", "qb-pay", "lt-pay"} <= orgs
    cities = {r["city"] for r in tiny_world.rows("account_registered")}
    assert len(cities) >= 10
    assert len({CITY_BY_NAME[c].province for c in cities}) >= 5
    kinds = set(pq.read_table(tiny_world.path / "organisations.parquet")["kind"].to_pylist())
    assert kinds >= {"ecommerce", "wallet", "police"}


def test_daily_rhythm_quiet_nights_busy_evenings(small_world: World) -> None:
    hours = Counter((r["ts"] + timedelta(hours=8)).hour for r in small_world.rows("login"))
    night = sum(hours[h] for h in (2, 3, 4))
    evening = sum(hours[h] for h in (19, 20, 21))
    assert evening > 10 * night


def _refunds_by_account(world: World) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = defaultdict(list)
    for r in world.rows("refund_requested"):
        out[str(r["account"])].append(r)
    return out


def _latest_scan(world: World) -> dict[str, list[tuple[datetime, str]]]:
    scans: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for r in world.rows("parcel_scan"):
        scans[str(r["order_id"])].append((r["ts"], str(r["scan_status"])))
    return scans


def _max_not_received_in_2h(refunds: list[dict[str, object]]) -> list[dict[str, object]]:
    claims = sorted((r for r in refunds if r["reason"] == "not_received"), key=lambda r: r["ts"])
    best: list[dict[str, object]] = []
    for i, first in enumerate(claims):
        window = [c for c in claims[i:] if c["ts"] - first["ts"] <= timedelta(hours=2)]
        best = max(best, window, key=len)
    return best


@pytest.mark.parametrize("world_name", ["tiny_world", "small_world"])
def test_refund_rings_burst_on_parcels_signed_for(
    world_name: str, request: pytest.FixtureRequest
) -> None:
    world: World = request.getfixturevalue(world_name)
    refunds = _refunds_by_account(world)
    scans = _latest_scan(world)
    logins: dict[str, set[str]] = defaultdict(set)
    for r in world.rows("login"):
        logins[str(r["account"])].add(str(r["city"]))
    claimants = [a for a, lab in world.truth.accounts.items() if lab.role == "claimant"]
    assert claimants
    for account in claimants:
        burst = _max_not_received_in_2h(refunds[account])
        assert len(burst) >= 5, account
        for claim in burst:
            assert claim["amount"] >= 100_000  # ≥ ¥1,000
            before = [s for s in scans[str(claim["order_id"])] if s[0] <= claim["ts"]]
            assert max(before)[1] == "signed"
        assert len(logins[account]) >= 3


@pytest.mark.parametrize("world_name", ["tiny_world", "small_world"])
def test_a_refund_organisers_phone_works_two_claimants_or_more(
    world_name: str, request: pytest.FixtureRequest
) -> None:
    """An organiser holds no account: one phone of theirs in two claimants' hands is the
    ring, as far as the events can tell."""
    world: World = request.getfixturevalue(world_name)
    device_accounts: dict[str, set[str]] = defaultdict(set)
    for kind in ("login", "account_registered"):
        for r in world.rows(kind):
            device_accounts[str(r["device_id"])].add(str(r["account"]))
    rings = [g for g in world.truth.gangs if g.typology == "refund_fraud"]
    assert rings
    for ring in rings:
        organiser = next(m for m in ring.members if m.role == "organiser")
        claimants = [set(m.accounts) for m in ring.members if m.role == "claimant"]
        most = max(sum(bool(device_accounts[d] & c) for c in claimants) for d in organiser.devices)
        assert most >= 2, ring.gang_id


@given(
    st.lists(
        st.lists(st.sampled_from([None, "a", "b"]), min_size=3, max_size=3),
        min_size=3,
        max_size=5,
    )
)
def test_the_last_claimants_are_lent_a_phone_when_none_worked_two(
    draws: list[list[str | None]],
) -> None:
    """Whatever the random draws, one of the organiser's phones ends up with two claimants
    or more; a ring whose first claimants already share a phone is left as drawn."""
    lent: dict[str, set[int]] = {"a": set(), "b": set()}
    changed = False
    shared_early = False
    for index, accounts in enumerate(draws):
        if index == len(draws) - 2:
            shared_early = max(len(users) for users in lent.values()) >= 2
        for k, natural in enumerate(accounts):
            phone = natural
            lent_phone = _phone_to_lend(index, len(draws), lent) if k == 0 else None
            if lent_phone is not None:
                phone, changed = lent_phone, True
            if phone is not None:
                lent[phone].add(index)
    assert max(len(users) for users in lent.values()) >= 2
    if shared_early:
        assert not changed


def test_no_unlabelled_account_looks_like_a_refund_ring(small_world: World) -> None:
    refunds = _refunds_by_account(small_world)
    for account, items in refunds.items():
        if account not in small_world.truth.accounts:
            assert len(_max_not_received_in_2h(items)) < 3, account


def test_victim_money_is_conserved_and_moves_forward_in_time(small_world: World) -> None:
    truth = small_world.truth
    assert truth.victims
    for victim in truth.victims:
        assert victim.loss == sum(p.amount for p in victim.payments)
        for p in victim.payments:
            assert sum(p.destinations.values()) == p.amount
            assert truth.accounts[p.to_account].layer == 1
    # Time-respecting: a gang account never sends money it has not yet received.
    gang_accounts = {a for a, lab in truth.accounts.items() if lab.role in ("mule", "cash_out")}
    moves = []
    for r in small_world.rows("wallet_transfer"):
        if r["to_account"] in gang_accounts:
            moves.append((r["completed_at"], 1, r["to_account"], r["amount"]))
        if r["from_account"] in gang_accounts:
            moves.append((r["initiated_at"], 0, r["from_account"], -r["amount"]))
    balance: Counter[str] = Counter()
    for _, _, account, delta in sorted(moves, key=lambda m: (m[0], -m[1])):
        balance[account] += delta
        assert balance[account] >= 0, account


def test_scam_gangs_have_layers_cash_out_and_controlled_devices(small_world: World) -> None:
    device_accounts: dict[str, set[str]] = defaultdict(set)
    for r in small_world.rows("login"):
        device_accounts[str(r["device_id"])].add(str(r["account"]))
    provinces = {v.province for v in small_world.truth.victims}
    assert len(provinces) >= 3
    for gang in small_world.truth.gangs:
        if gang.typology != "impersonation_scam":
            continue
        layers = {m.layer for m in gang.members if m.role == "mule"}
        assert 2 <= len(layers) <= 4 and layers == set(range(1, len(layers) + 1))
        assert any(m.role == "cash_out" for m in gang.members)
        coordinator = next(m for m in gang.members if m.role == "coordinator")
        controlled = set().union(*(device_accounts[d] for d in coordinator.devices))
        mules = {a for m in gang.members if m.role in ("mule", "cash_out") for a in m.accounts}
        assert len(controlled & mules) >= 3


def test_takeovers_hop_between_distant_cities(small_world: World) -> None:
    by_account: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for r in small_world.rows("login"):
        by_account[str(r["account"])].append((r["ts"], str(r["city"])))
    assert small_world.truth.takeovers
    for t in small_world.truth.takeovers:
        started = datetime.fromisoformat(t.started)
        seq = sorted(
            x for x in by_account[t.account_id] if started <= x[0] <= started + timedelta(hours=2)
        )
        speeds = [
            distance_km(a[1], b[1]) / max((b[0] - a[0]).total_seconds() / 3600, 1e-6)
            for a, b in pairwise(seq)
            if a[1] != b[1]
        ]
        assert speeds and max(speeds) > 900, t.account_id


def test_lookalikes_stay_honest(small_world: World) -> None:
    refunds = _refunds_by_account(small_world)
    logins: dict[str, list[tuple[datetime, str, str]]] = defaultdict(list)
    for r in small_world.rows("login"):
        logins[str(r["account"])].append((r["ts"], str(r["city"]), str(r["device_id"])))
    kinds = Counter(x.kind for x in small_world.truth.lookalikes)
    assert set(kinds) == {"returner", "traveller", "small_merchant", "family_device"}
    for look in small_world.truth.lookalikes:
        if look.kind == "returner":
            items = refunds[look.accounts[0]]
            assert len(items) >= 4
            assert all(r["reason"] != "not_received" for r in items)
        if look.kind == "traveller":
            seq = sorted(logins[look.accounts[0]])
            for a, b in pairwise(seq):
                hours = (b[0] - a[0]).total_seconds() / 3600
                if a[1] != b[1]:
                    assert distance_km(a[1], b[1]) / hours < 750
        if look.kind == "family_device":
            shared = Counter(d for a in look.accounts for _, _, d in logins[a])
            device = shared.most_common(1)[0][0]
            users = {a for a, seq in logins.items() if any(d == device for _, _, d in seq)}
            assert 3 <= len(users) <= 4


def test_identities_cover_every_account_once_with_variants(small_world: World) -> None:
    accounts = pq.read_table(small_world.path / "accounts.parquet")["account_id"].to_pylist()
    held = [a for accs in small_world.truth.identities.values() for a in accs]
    assert sorted(held) == sorted(accounts)
    parties = pq.read_table(small_world.path / "parties.parquet").to_pylist()
    name_of = {p["party_id"].removeprefix("PTY-"): p["name"] for p in parties}
    org_of = {p["party_id"].removeprefix("PTY-"): p["org"] for p in parties}
    members = [m for g in small_world.truth.gangs for m in g.members if len(m.accounts) >= 2]
    assert any(len({org_of[a] for a in m.accounts}) >= 2 for m in members)
    variant_people = [
        p for p, accs in small_world.truth.identities.items() if len({name_of[a] for a in accs}) > 1
    ]
    assert len(variant_people) >= 5
