from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fraudlink.sim.truth import Truth
from fraudlink.sim.world import WorldSummary, simulate


@dataclass
class World:
    path: Path
    summary: WorldSummary
    events: pa.Table
    truth: Truth

    def rows(self, event_type: str) -> list[dict[str, object]]:
        mask = pa.compute.equal(self.events["type"], event_type)
        return self.events.filter(mask).to_pylist()


def load_world(path: Path, summary: WorldSummary) -> World:
    truth = msgspec.json.decode((path / "truth.json").read_bytes(), type=Truth)
    return World(path, summary, pq.read_table(path / "events.parquet"), truth)


@pytest.fixture(scope="session")
def tiny_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    out = tmp_path_factory.mktemp("tiny-1")
    return load_world(out, simulate("tiny", 1, out))


@pytest.fixture(scope="session")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    out = tmp_path_factory.mktemp("small-3")
    return load_world(out, simulate("small", 3, out))


@dataclass
class BankWorld:
    path: Path
    events: pa.Table
    truth: Truth

    def transfers(self) -> list[dict[str, Any]]:
        mask = pa.compute.equal(self.events["type"], "wallet_transfer")
        return self.events.filter(mask).to_pylist()


def load_bank(path: Path) -> BankWorld:
    truth = msgspec.json.decode((path / "truth.json").read_bytes(), type=Truth)
    return BankWorld(path, pq.read_table(path / "events.parquet"), truth)


@pytest.fixture(scope="session")
def bank_world(tmp_path_factory: pytest.TempPathFactory) -> BankWorld:
    from fraudlink.sim.bank.profile import BankConfig, simulate_bank

    out = tmp_path_factory.mktemp("bank-usd")
    simulate_bank(BankConfig(seed=3, accounts=2_000, currency="USD"), out)
    return load_bank(out)


@pytest.fixture(scope="session")
def bank_jpy(tmp_path_factory: pytest.TempPathFactory) -> BankWorld:
    from fraudlink.sim.bank.profile import BankConfig, simulate_bank

    out = tmp_path_factory.mktemp("bank-jpy")
    simulate_bank(BankConfig(seed=3, accounts=2_000, currency="JPY"), out)
    return load_bank(out)
