"""Time and peak memory of ``fraudlink simulate`` at each scale.

Each scale runs in its own process so its peak RSS is its own. Prints a Markdown
table: scale, events, seconds, events/s, peak RSS.

    python benchmarks/simulate.py [--scales tiny,small,medium,large] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import machine_line

CHILD = """
import sys
from pathlib import Path
from fraudlink.sim.world import simulate
summary = simulate(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]))
print(summary.events)
"""


def run(scale: str, seed: int) -> dict[str, float | int | str]:
    with tempfile.TemporaryDirectory(prefix=f"bench-{scale}-") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, scale, str(seed), out], stdout=subprocess.PIPE, text=True
        )
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        assert proc.stdout is not None
        events = int(proc.stdout.read().strip() or 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"simulate {scale} failed with exit code {proc.returncode}")
        size = sum(p.stat().st_size for p in Path(out).iterdir())
    return {
        "scale": scale,
        "events": events,
        "seconds": round(elapsed, 1),
        "events_per_s": round(events / elapsed),
        "peak_rss_mib": round(usage.ru_maxrss / 1024),  # Linux reports KiB
        "output_mib": round(size / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="tiny,small,medium,large")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print JSON rows instead of a table")
    args = parser.parse_args()
    rows = [run(scale, args.seed) for scale in args.scales.split(",")]
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"simulate benchmark ({machine_line.machine()})\n")
    print("| scale | events | time (s) | events/s | peak RSS (MiB) | output (MiB) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['scale']} | {r['events']:,} | {r['seconds']} | {r['events_per_s']:,} "
              f"| {r['peak_rss_mib']:,} | {r['output_mib']} |")  # fmt: skip


if __name__ == "__main__":
    main()
