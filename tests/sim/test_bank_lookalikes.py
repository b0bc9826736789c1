"""The honest look-alikes have the shape of the typology they resemble, and stay honest."""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise
from typing import Any

import pytest

from fraudlink.sim.truth import Lookalike
from tests.sim.conftest import BankWorld

DAY = 86_400 * 1_000_000
Flows = dict[str, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def flows(bank_world: BankWorld) -> Flows:
    by: Flows = defaultdict(list)
    for r in bank_world.transfers():
        r["ts_us"] = int(r["ts"].timestamp() * 1_000_000)
        by[str(r["from_account"])].append(r)
        by[str(r["to_account"])].append(r)
    return by


def _kind(world: BankWorld, kind: str) -> list[Lookalike]:
    found = [lk for lk in world.truth.lookalikes if lk.kind == kind]
    assert len(found) >= 2, kind
    return found


def test_payroll_pays_the_same_staff_every_period(bank_world: BankWorld, flows: Flows) -> None:
    for lk in _kind(bank_world, "payroll"):
        (employer,) = lk.accounts
        paid = [r for r in flows[employer] if r["from_account"] == employer]
        by_period: dict[int, set[object]] = defaultdict(set)
        for r in paid:
            by_period[int(r["ts_us"]) // (30 * DAY)].add(r["to_account"])
        staff = set.union(*by_period.values())
        assert len(staff) >= 20 and len(by_period) >= 4


def test_landlord_receives_rent_from_regular_tenants(bank_world: BankWorld, flows: Flows) -> None:
    for lk in _kind(bank_world, "landlord"):
        (landlord,) = lk.accounts
        rent = [r for r in flows[landlord] if r["memo"] == "rent"]
        tenants = {r["from_account"] for r in rent}
        assert len(tenants) >= 5 and len(rent) >= 4 * len(tenants)


def test_savers_move_salary_to_their_own_account(bank_world: BankWorld, flows: Flows) -> None:
    for lk in _kind(bank_world, "saver"):
        current, savings = lk.accounts
        assert len(lk.person_ids) == 1  # one person, two accounts
        moved = [r for r in flows[savings] if r["from_account"] == current]
        salaries = [
            r for r in flows[current] if r["memo"] == "salary" and r["to_account"] == current
        ]
        assert len(moved) >= 5 and len(salaries) >= len(moved)


def test_small_shops_take_many_small_payments(bank_world: BankWorld, flows: Flows) -> None:
    for lk in _kind(bank_world, "small_shop"):
        (shop,) = lk.accounts
        got = [r for r in flows[shop] if r["memo"] == "shop" and r["to_account"] == shop]
        assert len(got) >= 10 * 150
        assert len({r["from_account"] for r in got}) >= 200


def test_returners_go_quiet_then_resume(bank_world: BankWorld, flows: Flows) -> None:
    for lk in _kind(bank_world, "returner"):
        (account,) = lk.accounts
        times = sorted(int(r["ts_us"]) for r in flows[account])
        gaps = [b - a for a, b in pairwise(times)]
        longest = max(gaps)
        assert longest >= 30 * DAY
        after = [t for t in times if t > times[gaps.index(longest)] + longest]
        assert len(after) >= 5


def test_family_and_shopper_lookalikes_exist(bank_world: BankWorld, flows: Flows) -> None:
    for lk in _kind(bank_world, "family_cycle"):
        assert 2 <= len(lk.accounts) <= 4
        members = set(lk.accounts)
        inner = [r for a in lk.accounts for r in flows[a]
                 if r["from_account"] == a and r["to_account"] in members]  # fmt: skip
        assert len(inner) >= 20 * len(members)
    for lk in _kind(bank_world, "honest_shopper"):
        (account,) = lk.accounts
        refunds = [r for r in flows[account] if r["memo"] == "refund"]
        assert 1 <= len(refunds) <= 4  # one or two of its own, perhaps one ordinary one


def test_honest_credential_changes_keep_spending_as_before(
    bank_world: BankWorld, flows: Flows
) -> None:
    changed = {
        r["account"]: int(r["ts"].timestamp() * 1_000_000)
        for r in bank_world.events.to_pylist()
        if r["type"] == "credential_changed"
    }
    for lk in _kind(bank_world, "credential_change"):
        (account,) = lk.accounts
        t = changed[account]
        out = [r for r in flows[account] if r["from_account"] == account]
        before = {r["to_account"] for r in out if r["ts_us"] < t}
        assert len(before) > 10
        assert 9 <= (t // 3_600_000_000) % 24 < 19  # by day, unlike a takeover
        # Nothing planted follows: after the change the account lives as it did before.
        after = [r for r in out if t <= r["ts_us"] < t + 7 * DAY]
        assert all(r["amount"] <= max(b["amount"] for b in out if b["ts_us"] < t) for r in after)
