"""The simulator's row beside the external generators': same scores, same columns.

Simulates a world (``fraudlink simulate``), runs ``fraudlink detect`` on its events
and scores the alerts with :mod:`fraudlink.evaluate.external` against the world's
truth, so recall at 5 % and 10 % of accounts sits next to the external rows.
``fraudlink backtest`` on the same world gives the per-rule view.

    python benchmarks/external_simulator.py --scale small --seed 1
    python benchmarks/external_simulator.py --profile bank --seed 1   # ledger only
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path

import msgspec

from external_pipeline import CLI, markdown, pack_settings
from fraudlink.detect.alerts import Alert
from fraudlink.evaluate.external import score_external
from fraudlink.evaluate.sim_labels import read_sim_labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--profile",
        default="platforms",
        help="simulate --profile: platforms or bank (default: platforms)",
    )
    parser.add_argument(
        "--scale", default="small", help="simulate --scale, platforms profile (default: small)"
    )
    parser.add_argument("--seed", type=int, default=1, help="simulate --seed (default: 1)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "fraudlink-external" / "simulator",
        help="where the world and the alerts go",
    )
    parser.add_argument("--rules", type=Path, help="rule file (default: the built-in pack)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()
    bank = args.profile == "bank"
    name = f"bank-{args.seed}" if bank else f"{args.scale}-{args.seed}"
    world = args.workdir / name
    if not (world / "manifest.json").exists():
        shape = ["--profile", "bank"] if bank else ["--scale", args.scale]
        simulate = ["simulate", *shape, "--seed", str(args.seed)]
        subprocess.run([*CLI, *simulate, "--out", str(world), "-q"], check=True)
    alerts_path = args.workdir / f"alerts-{name}.jsonl"
    started = time.perf_counter()
    detect = [*CLI, "detect", str(world / "events.parquet"), "--out", str(alerts_path), "-q"]
    subprocess.run(detect + (["--rules", str(args.rules)] if args.rules else []), check=True)
    seconds = time.perf_counter() - started
    decoder = msgspec.json.Decoder(Alert)
    with alerts_path.open("rb") as handle:
        alerts = [decoder.decode(line) for line in handle if line.strip()]
    flag_at, heaviest_first = pack_settings(args.rules)
    report = score_external(
        read_sim_labels(world), alerts, flag_at=flag_at, heaviest_first=heaviest_first
    )
    size = f"profile bank, seed {args.seed}" if bank else f"scale {args.scale}, seed {args.seed}"
    if args.json:
        print(
            json.dumps(
                {
                    "size": size,
                    "alerts": len(alerts),
                    "detect_s": seconds,
                    "report": msgspec.to_builtins(report),
                },
                indent=2,
            )
        )
        return
    print(f"{report.generator}: {size}; {len(alerts):,} alerts; detect {seconds:.1f} s")
    print(markdown(report))


if __name__ == "__main__":
    main()
