"""Invariants of every bank world, whatever the seed and currency."""

from __future__ import annotations

import tempfile
from pathlib import Path

import msgspec
import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fraudlink.detect.backtest import positives
from fraudlink.sim.bank.amounts import PER_USD
from fraudlink.sim.bank.profile import TYPOLOGIES, BankConfig, simulate_bank
from fraudlink.sim.truth import Truth


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), currency=st.sampled_from(sorted(PER_USD)))
def test_any_bank_world_is_ordered_positive_and_fully_labelled(seed: int, currency: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        simulate_bank(BankConfig(seed=seed, accounts=250, days=120, currency=currency), Path(tmp))
        events = pq.read_table(Path(tmp) / "events.parquet")
        truth = msgspec.json.decode((Path(tmp) / "truth.json").read_bytes(), type=Truth)
    ts = events["ts"].cast("int64").to_numpy()
    assert (np.diff(ts) >= 0).all()
    transfers = events.filter(pc.equal(events["type"], "wallet_transfer"))
    assert pc.min(transfers["amount"]).as_py() > 0
    assert set(transfers["currency"].to_pylist()) == {currency}
    assert len(set(events["event_id"].to_pylist())) == events.num_rows
    assert len(set(transfers["transfer_id"].to_pylist())) == transfers.num_rows
    wanted = positives(truth)
    assert all(len(wanted[t]) >= 2 for t in TYPOLOGIES)
    for planted in truth.planted:
        assert planted.accounts and all(a in truth.accounts for a in planted.accounts)
        assert all(h > 0 for h in planted.hop_delays_s)
    # No customer moves money before its account is opened.
    opened = {
        r["account"]: r["ts"]
        for r in events.filter(pc.equal(events["type"], "account_registered")).to_pylist()
    }
    for r in transfers.select(["ts", "from_account", "to_account", "external"]).to_pylist():
        for side, account in (("payer", r["from_account"]), ("payee", r["to_account"])):
            if r["external"] != side:
                assert opened[account] <= r["ts"], (account, r)
    # Every account that opens in the ledger belongs to a person in the identities.
    holders = {a for accounts in truth.identities.values() for a in accounts}
    assert set(events["account"].drop_null().to_pylist()) <= holders
