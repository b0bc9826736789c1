"""Speed, memory and accuracy of gang finding on a simulated world.

In one process of its own (run under ``peak_rss.py``, so the peak RSS is gang finding's
alone): build the gang graph from the world's files (read, seed, select candidates,
graph), then find the gangs (Leiden per component, roles), then score them against
``truth.json``: membership ARI over the members who acted in the events and the
look-alikes, and the rank of each gang's true leader. Targets: graph ≤ 60 s, gangs
≤ 60 s, peak RSS ≤ 6 GiB, ARI ≥ 0.90, every leader in its gang's top 3.

    python benchmarks/investigate_gangs.py [--world DIR]

Without ``--world``: /tmp/world-large if it exists, else a medium world (seed 7) simulated
into a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import peak_rss

TARGET_S, TARGET_RSS_MIB, TARGET_ARI = 60.0, 6 * 1024, 0.90


def measure(world: Path) -> dict[str, Any]:
    """Runs in the child: every figure of the table except the peak RSS."""
    import msgspec

    from fraudlink.investigate.gang_graph import load_gang_graph
    from fraudlink.investigate.gang_score import acted_accounts, score_gangs
    from fraudlink.investigate.gangs import GangSettings, gangs_in
    from fraudlink.sim.truth import Truth

    settings = GangSettings()
    started = time.perf_counter()
    graph = load_gang_graph([world], settings.graph)
    graph_s = time.perf_counter() - started
    started = time.perf_counter()
    report = gangs_in(graph, settings)
    gangs_s = time.perf_counter() - started
    truth = msgspec.json.decode((world / "truth.json").read_bytes(), type=Truth)
    score = score_gangs(report, truth, acted_accounts([world / "events.parquet"]))
    ranks = Counter(str(r) for r in score.leader_ranks.values())
    return {
        "stats": report.stats,
        "graph_s": graph_s,
        "gangs_s": gangs_s,
        "true_gangs": len(truth.gangs),
        "ari": score.ari,
        "scored": score.scored,
        "unseen": score.unseen,
        "ranks": dict(sorted(ranks.items())),
        "top3": sum(r is not None and r <= 3 for r in score.leader_ranks.values()),
    }


def run(world: Path) -> tuple[dict[str, Any], int]:
    with tempfile.TemporaryDirectory() as tmp:
        rss = Path(tmp) / "rss"
        args = [sys.executable, __file__, "--child", "--world", str(world)]
        proc = subprocess.run(peak_rss.wrap(rss, args), stdout=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"gang finding failed with exit code {proc.returncode}")
        return json.loads(proc.stdout), peak_rss.peak_mib(rss)


def report(world: Path, f: dict[str, Any], rss_mib: int) -> None:
    cpu = f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}"
    s = f["stats"]
    print(f"gang finding on {world} ({cpu})\n")
    print("| what | figure | target |")
    print("| --- | ---: | ---: |")
    rows = [
        ("completed transfers read", f"{s['transfers']:,}", ""),
        ("pass-through accounts / relays / claim bursts",
         f"{s['pass-through accounts']:,} / {s['relays']:,} / {s['claim bursts']:,}", ""),
        ("candidate accounts / persons", f"{s['candidates']:,} / {s['persons']:,}", ""),
        ("graph vertices / edges", f"{s['vertices']:,} / {s['edges']:,}", ""),
        ("build the graph (s)", f"{f['graph_s']:.1f}", f"≤ {TARGET_S:.0f}"),
        ("find gangs and roles (s)", f"{f['gangs_s']:.2f}", f"≤ {TARGET_S:.0f}"),
        ("peak RSS (MiB)", f"{rss_mib:,}", f"≤ {TARGET_RSS_MIB:,}"),
        ("gangs found / planted", f"{s['gangs']} / {f['true_gangs']}", ""),
        ("membership ARI (persons scored / members unseen)",
         f"{f['ari']:.3f} ({f['scored']:,} / {f['unseen']})", f"≥ {TARGET_ARI:.2f}"),
        ("true leader's rank (rank: gangs)",
         ", ".join(f"{k}: {v}" for k, v in f["ranks"].items()), "≤ 3"),
    ]  # fmt: skip
    for what, figure, target in rows:
        print(f"| {what} | {figure} | {target} |")
    ok = (f["graph_s"] <= TARGET_S and f["gangs_s"] <= TARGET_S and rss_mib <= TARGET_RSS_MIB
          and f["ari"] >= TARGET_ARI and f["top3"] == f["true_gangs"])  # fmt: skip
    print(f"\nall targets met: {'yes' if ok else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", type=Path)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.world)))
        return
    world = args.world
    if world is None and Path("/tmp/world-large/events.parquet").exists():
        world = Path("/tmp/world-large")
    with tempfile.TemporaryDirectory(prefix="bench-gangs-") as tmp:
        if world is None:
            world = Path(tmp) / "medium-7"
            print(f"simulating medium (seed 7) into {world} ...", file=sys.stderr)
            fraudlink = Path(sys.executable).with_name("fraudlink")
            subprocess.run([str(fraudlink), "simulate", "--scale", "medium", "--seed", "7",
                            "--out", str(world), "-q"], check=True)  # fmt: skip
        figures, rss_mib = run(world)
        report(world, figures, rss_mib)


if __name__ == "__main__":
    main()
