"""Speed of the graph ledger operators on a random ledger of the external benchmark's size.

A random ledger (default 12,000 accounts, 200,000 completed transfers over 180 days (``--days``),
amounts log-normal around $300, payees drawn with a heavy tail so some accounts are
hubs) is written as canonical events once, loaded through ``load_ledger`` like a
user's files, and every graph operator is run on it with its default parameters;
risk propagation starts from 50 random seeds. Prints a table: operator, accounts,
transfers, seconds, findings.

    PYTHONPATH=src python benchmarks/ledger_graph.py \\
        [--accounts 12000] [--transfers 200000] [--days 180]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from fraudlink.detect.ledger.book import Ledger, load_ledger
from fraudlink.detect.ledger.operators import (
    graph_communities,
    graph_cycles,
    graph_fans,
    graph_layers,
    graph_risk,
)
from fraudlink.detect.ledger.run import Known
from fraudlink.detect.rules import ledger_schema as schema
from fraudlink.model.columns import events_to_table
from fraudlink.model.events import WalletTransfer

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def random_ledger(folder: Path, accounts: int, transfers: int, seed: int, span_days: int) -> Ledger:
    rng = np.random.default_rng(seed)
    src = rng.integers(0, accounts, transfers)
    # Zipf-like payees: a few merchants and hubs, a long tail of people.
    dst = np.minimum((rng.pareto(1.2, transfers) * accounts / 50).astype(int), accounts - 1)
    dst = np.where(dst == src, (dst + 1) % accounts, dst)
    amount = np.maximum(rng.lognormal(np.log(300_00), 1.0, transfers).astype(int), 1)
    seconds = np.sort(rng.integers(0, span_days * 86_400, transfers))
    events = []
    for n in range(transfers):
        ts = T0 + timedelta(seconds=int(seconds[n]))
        events.append(
            WalletTransfer(
                event_id=f"e{n:07d}",
                ts=ts,
                org="bank",
                transfer_id=f"t{n:07d}",
                from_account=f"a{int(src[n]):05d}",
                to_account=f"a{int(dst[n]):05d}",
                to_org="bank",
                amount=int(amount[n]),
                currency="USD",
                channel="bank_transfer",
                status="completed",
                initiated_at=ts,
                completed_at=ts,
            )
        )
    path = folder / "events.parquet"
    pq.write_table(events_to_table(events), path)
    return load_ledger([path])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=12_000)
    parser.add_argument("--transfers", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=180, help="time the transfers span")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        ledger = random_ledger(Path(tmp), args.accounts, args.transfers, args.seed, args.days)
        print(f"built and loaded the ledger in {time.perf_counter() - began:.1f} s")
        rng = np.random.default_rng(args.seed)
        seeds = frozenset(f"a{int(i):05d}" for i in rng.integers(0, args.accounts, 50))
        runs = [
            ("cycle", graph_cycles.cycle, schema.CycleSpec(), Known()),
            ("scatter_gather", graph_fans.scatter_gather, schema.ScatterGatherSpec(), Known()),
            (
                "gather_scatter",
                graph_fans.scatter_gather,
                schema.ScatterGatherSpec(shape="gather_scatter"),
                Known(),
            ),
            ("layering", graph_layers.layering, schema.LayeringSpec(), Known()),
            (
                "community_flow",
                graph_communities.community_flow,
                schema.CommunityFlowSpec(),
                Known(),
            ),
            (
                "risk_propagation",
                graph_risk.risk_propagation,
                schema.RiskPropagationSpec(),
                Known(bad=seeds),
            ),
        ]
        print(f"{'operator':<18}{'accounts':>10}{'transfers':>11}{'seconds':>9}{'findings':>10}")
        for name, fn, spec, known in runs:
            began = time.perf_counter()
            found = sum(1 for _ in fn(ledger, spec, known))
            took = time.perf_counter() - began
            print(f"{name:<18}{args.accounts:>10,}{args.transfers:>11,}{took:>9.1f}{found:>10,}")


if __name__ == "__main__":
    main()
