"""Speed, memory and accuracy of fund tracing on a simulated world.

In one process of its own (run under ``peak_rss.py``, so the peak RSS is the tracing's
alone): build the ledger from the world's events.parquet, then trace every victim forward
from their payments with each method, and every gang's cash-out cards back. Reports the
ledger build time, per-trace p50 / p99 / max, peak RSS, and per victim the share of the
loss traced to the accounts it really ended in (min and mean; "to the amount" counts
each account at most its true amount). Targets: build ≤ 60 s, one trace ≤ 1 s, ≤ 6 GiB.

    python benchmarks/investigate_trace.py [--world DIR] [--methods lifo,fifo,proportional]

Without ``--world``: /tmp/world-large if it exists, else a medium world (seed 7) simulated
into a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import peak_rss

TARGET_BUILD_S, TARGET_TRACE_S, TARGET_RSS_MIB = 60.0, 1.0, 6 * 1024


def measure(world: Path, methods: list[str]) -> dict[str, Any]:
    """Runs in the child: every figure of the table except the peak RSS."""
    import msgspec

    from fraudlink.investigate.ledger_parquet import load_ledger
    from fraudlink.investigate.trace import trace_funds
    from fraudlink.investigate.trace_seeds import (
        exact_share,
        seeds_from_account,
        seeds_from_transfers,
        traced_share,
        victim_destinations,
    )
    from fraudlink.sim.truth import Truth

    started = time.perf_counter()
    ledger = load_ledger([world])
    build = time.perf_counter() - started
    truth = msgspec.json.decode((world / "truth.json").read_bytes(), type=Truth)
    rows: list[dict[str, Any]] = []
    for method in methods:
        times, shares, exact, reached = [], [], [], []
        for victim in truth.victims:
            seeds = seeds_from_transfers(ledger, [p.transfer_id for p in victim.payments])
            t0 = time.perf_counter()
            result = trace_funds(ledger, seeds, method=method)  # type: ignore[arg-type]
            times.append(time.perf_counter() - t0)
            destinations = victim_destinations(victim)
            shares.append(traced_share(result, destinations))
            exact.append(exact_share(result, destinations))
            reached.append(len(result.accounts))
        rows.append(_row(f"forward, {method}", times, reached, shares, exact))
    cards = sorted(
        account
        for v in truth.victims
        for p in v.payments
        for account in p.destinations
        if ledger.external[ledger.account_codes(account)[0]]
    )
    times, reached = [], []
    for card in sorted(set(cards)):
        seeds = seeds_from_account(ledger, card, direction="back")
        t0 = time.perf_counter()
        result = trace_funds(ledger, seeds, direction="back")
        times.append(time.perf_counter() - t0)
        reached.append(len(result.accounts))
    rows.append(_row("back from cash-out cards, lifo", times, reached, [], []))
    rows += _ordinary_accounts(ledger, seeds_from_account)
    return {
        "transfers": ledger.n_transfers,
        "accounts": ledger.n_accounts,
        "victims": len(truth.victims),
        "build_s": build,
        "rows": rows,
    }


def _ordinary_accounts(ledger: Any, seeds_from_account: Any) -> list[dict[str, Any]]:
    """Worst case for spreading: everything 50 random wallets sent, followed 8 hops."""
    import numpy as np

    from fraudlink.investigate.trace import trace_funds

    payers = np.unique(ledger.src[~ledger.external[ledger.src]])
    picked = np.random.default_rng(7).choice(payers, size=min(50, len(payers)), replace=False)
    rows = []
    for method in ("lifo", "proportional"):
        times, reached = [], []
        for code in picked:
            account, org = ledger.account(int(code)), ledger.org(int(code))
            seeds = seeds_from_account(ledger, account, org=org)
            t0 = time.perf_counter()
            result = trace_funds(ledger, seeds, method=method)
            times.append(time.perf_counter() - t0)
            reached.append(len(result.accounts))
        rows.append(_row(f"forward from ordinary wallets, {method}", times, reached, [], []))
    return rows


def _row(
    what: str, times: list[float], reached: list[int], shares: list[float], exact: list[float]
) -> dict[str, Any]:
    ordered = sorted(times)
    return {
        "what": what,
        "traces": len(times),
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))],
        "max_ms": 1000 * ordered[-1],
        "accounts_max": max(reached),
        "share_min": min(shares) if shares else None,
        "share_ok": sum(x >= 0.95 for x in shares),
        "share_mean": statistics.mean(shares) if shares else None,
        "exact_min": min(exact) if exact else None,
        "exact_mean": statistics.mean(exact) if exact else None,
    }


def run(world: Path, methods: list[str]) -> tuple[dict[str, Any], int]:
    with tempfile.TemporaryDirectory() as tmp:
        rss = Path(tmp) / "rss"
        args = [sys.executable, __file__, "--child", "--world", str(world),
                "--methods", ",".join(methods)]  # fmt: skip
        proc = subprocess.run(peak_rss.wrap(rss, args), stdout=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"tracing failed with exit code {proc.returncode}")
        return json.loads(proc.stdout), peak_rss.peak_mib(rss)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.2f} %"


def report(world: Path, figures: dict[str, Any], rss_mib: int) -> None:
    cpu = f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}"
    print(f"fund tracing on {world} ({cpu})\n")
    print(f"{figures['transfers']:,} completed transfers, {figures['accounts']:,} accounts, "
          f"{figures['victims']} victims. Ledger built in {figures['build_s']:.1f} s "
          f"(target ≤ {TARGET_BUILD_S:.0f} s); peak RSS {rss_mib:,} MiB "
          f"(target ≤ {TARGET_RSS_MIB:,}).\n")  # fmt: skip
    print(
        "| trace | traces | p50 (ms) | p99 (ms) | max (ms) | accounts reached (max) "
        "| traced to the right accounts (min / mean) | victims ≥ 95 % "
        "| to the amount (min / mean) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in figures["rows"]:
        print(f"| {r['what']} | {r['traces']} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} "
              f"| {r['max_ms']:.1f} | {r['accounts_max']:,} "
              f"| {_pct(r['share_min'])} / {_pct(r['share_mean'])} "
              f"| {r['share_ok'] if r['share_min'] is not None else '—'} "
              f"| {_pct(r['exact_min'])} / {_pct(r['exact_mean'])} |")  # fmt: skip
    slowest = max(r["max_ms"] for r in figures["rows"]) / 1000
    ok = (figures["build_s"] <= TARGET_BUILD_S and slowest <= TARGET_TRACE_S
          and rss_mib <= TARGET_RSS_MIB)  # fmt: skip
    print(f"\nall targets met: {'yes' if ok else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", type=Path)
    parser.add_argument("--methods", default="lifo,fifo,proportional")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    methods = args.methods.split(",")
    if args.child:
        print(json.dumps(measure(args.world, methods)))
        return
    world = args.world
    if world is None and Path("/tmp/world-large/events.parquet").exists():
        world = Path("/tmp/world-large")
    with tempfile.TemporaryDirectory(prefix="bench-trace-") as tmp:
        if world is None:
            world = Path(tmp) / "medium-7"
            print(f"simulating medium (seed 7) into {world} ...", file=sys.stderr)
            fraudlink = Path(sys.executable).with_name("fraudlink")
            subprocess.run([str(fraudlink), "simulate", "--scale", "medium", "--seed", "7",
                            "--out", str(world), "-q"], check=True)  # fmt: skip
        figures, rss_mib = run(world, methods)
        report(world, figures, rss_mib)


if __name__ == "__main__":
    main()
