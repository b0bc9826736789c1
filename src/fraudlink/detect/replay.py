"""Replay event files through the engine: the service behind ``detect``, ``backtest``, the demo."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from fraudlink.detect.alerts import Alert
from fraudlink.detect.engine import Engine, EngineStats
from fraudlink.detect.readers import count_events, merge_in_time, read_events
from fraudlink.detect.rules.compile import RulePack

Progress = Callable[[int, int | None], None]  # events done, total (None when unknown)


@dataclass
class ReplayResult:
    alerts: list[Alert]
    stats: EngineStats
    seconds: float
    total: int | None = None
    sources: list[Path] = field(default_factory=list)

    @property
    def events_per_second(self) -> float:
        return self.stats.events / self.seconds if self.seconds > 0 else 0.0


class ActiveAccounts:
    """Accounts with any event besides their opening: the ones a detector could see."""

    def __init__(self) -> None:
        self.accounts: set[str] = set()

    def __call__(self, batch: pa.Table) -> None:
        acting = batch.filter(pc.not_equal(batch.column("type"), "account_registered"))
        for name in ("account", "from_account", "to_account"):
            self.accounts.update(pc.unique(acting.column(name).drop_null()).to_pylist())


def event_batches(paths: Sequence[Path]) -> Iterator[pa.Table]:
    """All files merged in event-time order, one Arrow batch at a time."""
    return merge_in_time([read_events(p) for p in paths])


def replay(
    paths: Sequence[Path],
    pack: RulePack,
    *,
    lateness_us: int | None = None,
    progress: Progress | None = None,
    on_alert: Callable[[Alert], None] | None = None,
    on_batch: Callable[[pa.Table], None] | None = None,
    keep: bool = True,
) -> ReplayResult:
    """Run every event of ``paths`` through a fresh engine; alerts in the order they fired."""
    counts = [count_events(p) for p in paths]
    total = None if any(c is None for c in counts) else sum(c or 0 for c in counts)
    engine = Engine(pack, lateness_us=lateness_us)
    alerts: list[Alert] = []
    started = time.perf_counter()
    seen = 0

    def emit(batch: list[Alert]) -> None:
        for alert in batch:
            if on_alert is not None:
                on_alert(alert)
            if keep:
                alerts.append(alert)

    for batch in event_batches(paths):
        if on_batch is not None:
            on_batch(batch)
        emit(engine.push(batch))
        seen += batch.num_rows
        if progress is not None:
            progress(seen, total)
    emit(engine.flush())
    return ReplayResult(alerts, engine.stats, time.perf_counter() - started, total, list(paths))
