from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fraudlink.sim.world import WorldSummary, simulate

# Seed 5 of the small world: in some seeds (seed 1: 10 of 72) a tenth or more of the
# scam gang's wallets are spares that no money ever reaches, which caps any detector's
# strict recall below 0.9; the backtest reports recall over active accounts beside it.
SMALL_SEED = 5


@pytest.fixture(scope="session")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorldSummary]:
    out = tmp_path_factory.mktemp("small-world")
    yield simulate("small", SMALL_SEED, out)


@pytest.fixture(scope="session")
def tiny_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorldSummary]:
    out = tmp_path_factory.mktemp("tiny-world")
    yield simulate("tiny", 2, out)


@pytest.fixture(scope="session")
def small_events(small_world: WorldSummary) -> Path:
    return small_world.out_dir / "events.parquet"
