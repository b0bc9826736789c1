"""Invariants that hold for every seed, not just the ones we looked at."""

from __future__ import annotations

import tempfile
from pathlib import Path

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fraudlink.sim.truth import Truth
from fraudlink.sim.world import simulate


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**31))
def test_any_seed_conserves_victim_money_and_labels_every_gang_account(seed: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        summary = simulate("tiny", seed, Path(tmp))
        truth = msgspec.json.decode((Path(tmp) / "truth.json").read_bytes(), type=Truth)
    assert summary.events > 5_000
    for victim in truth.victims:
        for payment in victim.payments:
            assert sum(payment.destinations.values()) == payment.amount
            assert all(v > 0 for v in payment.destinations.values())
    for gang in truth.gangs:
        for member in gang.members:
            for account in member.accounts:
                if account.startswith("6222"):
                    continue  # bank cards are evidence, not actors
                assert truth.accounts[account].gang_id == gang.gang_id
