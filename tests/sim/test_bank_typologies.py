"""Each planted instance has the shape its typology names, read back from the events."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyarrow.compute as pc
import pytest

from fraudlink.sim.bank.amounts import Amounts
from fraudlink.sim.truth import Planted
from tests.sim.conftest import BankWorld

DAY = 86_400 * 1_000_000


class Index:
    """Transfers by payer and by payee, in time order."""

    def __init__(self, world: BankWorld) -> None:
        self.out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.into: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in world.transfers():
            r["ts_us"] = int(r["ts"].timestamp() * 1_000_000)
            self.out[r["from_account"]].append(r)
            self.into[r["to_account"]].append(r)
        self.credentials = {
            r["account"]: int(r["ts"].timestamp() * 1_000_000)
            for r in world.events.filter(
                pc.equal(world.events["type"], "credential_changed")
            ).to_pylist()
        }


@pytest.fixture(scope="module")
def index(bank_world: BankWorld) -> Index:
    return Index(bank_world)


def _instances(world: BankWorld, typology: str) -> list[Planted]:
    found = [p for p in world.truth.planted if p.typology == typology]
    assert len(found) >= 2, typology
    return found


def _role(world: BankWorld, inst: Planted, role: str) -> list[str]:
    return [a for a in inst.accounts if world.truth.accounts[a].role == role]


def test_time_scales_vary_across_instances(bank_world: BankWorld) -> None:
    hops = [h for p in bank_world.truth.planted for h in p.hop_delays_s if h > 0]
    assert max(hops) / min(hops) >= 100
    assert len({p.timescale for p in bank_world.truth.planted}) >= 3
    # Instances of one typology are dealt different scales.
    for typology in {p.typology for p in bank_world.truth.planted}:
        scales = [p.timescale for p in bank_world.truth.planted if p.typology == typology]
        assert len(set(scales)) >= 2, typology


def test_amounts_vary_across_instances(bank_world: BankWorld) -> None:
    amounts = [a for p in bank_world.truth.planted for a in p.amounts]
    assert max(amounts) / min(amounts) >= 100


def test_pass_through_mules_pass_on_80_to_98_percent(bank_world: BankWorld, index: Index) -> None:
    spans = []
    for inst in _instances(bank_world, "pass_through"):
        (mule,) = _role(bank_world, inst, "mule")
        assert len(index.out[mule]) > 20  # months of its own ordinary life first
        pairs = list(zip(inst.accounts[1::2], inst.accounts[2::2], strict=True))
        for (payer, payee), hop in zip(pairs, inst.hop_delays_s, strict=True):
            (got,) = [r for r in index.into[mule] if r["from_account"] == payer]
            sent = [r for r in index.out[mule] if r["to_account"] == payee]
            assert 0.79 <= sum(r["amount"] for r in sent) / got["amount"] <= 0.98
            first = min(r["ts_us"] for r in sent)
            assert first - got["ts_us"] == pytest.approx(hop * 1_000_000, abs=1_000_000)
            spans.append(first - got["ts_us"])
    assert min(spans) > 0


def test_cycles_return_to_their_origin(bank_world: BankWorld, index: Index) -> None:
    lengths = set()
    for inst in _instances(bank_world, "cycle"):
        (origin,) = _role(bank_world, inst, "origin")
        members = set(inst.accounts)
        lengths.add(len(members))
        back = [r for r in index.into[origin] if r["from_account"] in members]
        left = [r for r in index.out[origin] if r["to_account"] in members]
        assert back and left and min(r["ts_us"] for r in left) < max(r["ts_us"] for r in back)
        assert all(2 <= len(members) <= 8 for _ in [0])
    assert lengths


@pytest.mark.parametrize(("typology", "role", "side", "least"), [
    ("fan_in", "collector", "into", 8), ("fan_out", "distributor", "out", 8),
    ("gather_scatter", "hub", "into", 3), ("gather_scatter", "hub", "out", 3),
    ("scatter_gather", "source", "out", 3), ("scatter_gather", "sink", "into", 3),
    ("counterparty_explosion", "account", "out", 5),
])  # fmt: skip
def test_fans_reach_many_planted_counterparties(
    bank_world: BankWorld, index: Index, typology: str, role: str, side: str, least: int
) -> None:
    for inst in _instances(bank_world, typology):
        (hub,) = _role(bank_world, inst, role)
        rows = index.into[hub] if side == "into" else index.out[hub]
        key = "from_account" if side == "into" else "to_account"
        planted = {r[key] for r in rows} & set(inst.accounts)
        assert len(planted) >= least


def test_layering_passes_through_stacked_layers(bank_world: BankWorld, index: Index) -> None:
    for inst in _instances(bank_world, "layering"):
        layers: dict[int, list[str]] = defaultdict(list)
        for a in inst.accounts:
            label = bank_world.truth.accounts[a]
            if label.role == "layer" and label.layer is not None:
                layers[label.layer].append(a)
        assert 2 <= len(layers) <= 4 and all(len(v) >= 2 for v in layers.values())
        for level, accounts in layers.items():
            for a in accounts:
                payers = {r["from_account"] for r in index.into[a]}
                wanted = (
                    set(layers[level - 1]) if level > 1 else set(_role(bank_world, inst, "origin"))
                )
                assert payers & wanted, (inst.instance_id, level)
                assert index.out[a], (inst.instance_id, level)


def test_structuring_stays_just_under_the_threshold(bank_world: BankWorld, index: Index) -> None:
    threshold = Amounts("USD").threshold
    for inst in _instances(bank_world, "structuring"):
        (account,) = _role(bank_world, inst, "structurer")
        cash = [r for r in index.into[account] if r["channel"] == "cash"]
        assert len(cash) >= 3
        assert all(0.9 * threshold <= r["amount"] < threshold for r in cash)
        assert max(r["ts_us"] for r in cash) - min(r["ts_us"] for r in cash) < 7 * DAY


def test_dormant_accounts_are_silent_then_burst(bank_world: BankWorld, index: Index) -> None:
    for inst in _instances(bank_world, "dormant_burst"):
        (account,) = _role(bank_world, inst, "dormant")
        others = set(inst.accounts) - {account}
        rows = sorted(index.into[account] + index.out[account], key=lambda r: r["ts_us"])
        burst = [r for r in rows if r["from_account"] in others or r["to_account"] in others]
        start = burst[0]["ts_us"]
        before = [r for r in rows if r["ts_us"] < start]
        assert before, "a dormant account has a history before its silence"
        assert start - before[-1]["ts_us"] >= 35 * DAY
        assert len(burst) >= 6 and burst[-1]["ts_us"] - start < 7 * DAY


def test_rapid_in_out_accounts_are_new(bank_world: BankWorld, index: Index) -> None:
    opened = {
        r["account"]: int(r["ts"].timestamp() * 1_000_000)
        for r in bank_world.events.filter(
            pc.equal(bank_world.events["type"], "account_registered")
        ).to_pylist()
    }
    for inst in _instances(bank_world, "rapid_in_out"):
        (account,) = _role(bank_world, inst, "account")
        got = sum(r["amount"] for r in index.into[account])
        sent = sum(r["amount"] for r in index.out[account])
        assert index.into[account][0]["ts_us"] - opened[account] <= 21 * DAY
        assert 0.85 <= sent / got <= 1.0


def test_refund_abuse_repeats_purchase_then_refund(bank_world: BankWorld, index: Index) -> None:
    for inst in _instances(bank_world, "refund_abuse"):
        (account,) = inst.accounts
        refunds = [r for r in index.into[account] if r["memo"] == "refund"]
        bought = {r["to_account"] for r in index.out[account] if r["channel"] == "card_payment"}
        assert len(refunds) >= 5 and {r["from_account"] for r in refunds} <= bought


def test_takeovers_change_a_credential_then_drain(bank_world: BankWorld, index: Index) -> None:
    for inst in _instances(bank_world, "account_takeover"):
        (account,) = _role(bank_world, inst, "compromised")
        drops = set(_role(bank_world, inst, "drop"))
        changed = index.credentials[account]
        drained = [r for r in index.out[account] if r["to_account"] in drops]
        assert len(drained) >= 3 and all(r["ts_us"] > changed for r in drained)
        before = [r for r in index.out[account] if r["ts_us"] < changed]
        assert not {r["to_account"] for r in before} & drops
        assert len(before) > 20
