"""Speed and memory of detection: replay, live latency, and one rule against DuckDB SQL.

For each world (simulated once into --workdir and reused), with the full built-in pack:

* **replay** — the ``fraudlink detect events.parquet`` process alone: wall time (start-up
  included), events/s, alerts, peak RSS (every command runs under ``peak_rss.py`` so its
  peak is its own);
* **watch** — a ``fraudlink watch`` process fed canonical JSON lines at a steady rate by the
  wall clock (``watch_latency.py``); latency runs from writing an event's line to the pipe
  to reading the alert it fired: p50 / p99 / max. The timed slice is the stretch of the
  world densest in the replay's alerts, after ``--warm`` events of warm-up before it;
* **refund burst** — the ``refund-burst-signed`` rule alone, by the engine and as one
  DuckDB SQL query (an as-of join to the latest parcel scan, a two-hour RANGE window per
  account) over the same Parquet, each in its own process: both times, their ratio, and
  whether they flag the same accounts.

    python benchmarks/detect.py [--scales medium large] [--seed 7] [--watch-seconds 20]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import machine_line
import peak_rss
from fraudlink.model.columns import table_to_events
from watch_latency import Feed, Latency, measure

BIN = Path(sys.executable).with_name("fraudlink")
REFUND_BURST = Path(__file__).with_name("refund_burst.py")
TARGET_RATE, TARGET_P99_MS, TARGET_RSS_MIB = 100_000, 10.0, 4 * 1024


def world(workdir: Path, scale: str, seed: int) -> Path:
    out = workdir / f"{scale}-{seed}"
    if not (out / "manifest.json").exists():
        print(f"simulating {scale} (seed {seed}) into {out} ...", file=sys.stderr)
        subprocess.run(
            [str(BIN), "simulate", "--scale", scale, "--seed", str(seed), "--out", str(out), "-q"],
            check=True,
        )
    return out / "events.parquet"


def child(args: list[str]) -> tuple[str, float, int]:
    """Stdout, wall seconds and peak RSS (MiB) of one command, measured alone."""
    with tempfile.TemporaryDirectory() as tmp:
        rss_file = Path(tmp) / "rss"
        started = time.perf_counter()
        proc = subprocess.run(peak_rss.wrap(rss_file, args), stdout=subprocess.PIPE, text=True)
        seconds = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed with exit code {proc.returncode}")
        return proc.stdout, seconds, peak_rss.peak_mib(rss_file)


# -- replay -------------------------------------------------------------------------
def bench_replay(events: Path, alerts: Path) -> dict[str, Any]:
    _, seconds, rss = child([str(BIN), "detect", str(events), "--out", str(alerts), "-q"])
    n = pq.ParquetFile(events).metadata.num_rows
    with alerts.open("rb") as fh:
        count = sum(1 for _ in fh)
    return {"events": n, "seconds": seconds, "rss": rss, "alerts": count}


# -- watch --------------------------------------------------------------------------
def densest_slice(events: Path, alerts: Path, length: int, lead: int) -> int:
    """First row of the ``length`` rows holding most triggers of the replay's alerts."""
    with alerts.open("rb") as fh:
        triggers = pa.array([json.loads(line)["event_ids"][-1] for line in fh], pa.string())
    ids = pq.read_table(events, columns=["event_id"]).column("event_id")
    rows = np.flatnonzero(pc.is_in(ids, value_set=triggers).to_numpy(zero_copy_only=False))
    if len(rows) == 0:
        return 0
    starts = np.maximum(rows - lead, 0)
    inside = np.searchsorted(rows, starts + length) - np.searchsorted(rows, starts)
    return int(starts[np.argmax(inside)])


def read_rows(events: Path, first: int, stop: int) -> pa.Table:
    """Rows [first, stop) of a Parquet file, reading only the row groups that hold them."""
    with pq.ParquetFile(events) as parquet:
        sizes = [parquet.metadata.row_group(i).num_rows for i in range(parquet.num_row_groups)]
        bounds = np.concatenate([[0], np.cumsum(sizes)])
        lo = int(np.searchsorted(bounds, first, "right")) - 1
        hi = int(np.searchsorted(bounds, stop, "left"))
        table = parquet.read_row_groups(list(range(lo, hi)))
    return table.slice(first - int(bounds[lo]), stop - first)


def bench_watch(events: Path, alerts: Path, args: argparse.Namespace) -> tuple[Latency, str]:
    length = int(args.watch_seconds * args.rate)
    start = densest_slice(events, alerts, length, lead=args.rate)
    warm = min(args.warm, start)
    table = read_rows(events, start - warm, start + length)
    lines = [msgspec.json.encode(e) + b"\n" for e in table_to_events(table)]
    timed = table.slice(warm)
    feed = Feed(
        warm=lines[:warm],
        lines=lines[warm:],
        ids=timed.column("event_id").to_pylist(),
        ts_us=timed.column("ts").cast(pa.int64()).to_pylist(),
    )
    where = f"rows {start:,}–{start + timed.num_rows:,} after {warm:,} of warm-up"
    return measure([str(BIN), "watch"], feed, args.rate), where


# -- refund burst: engine vs DuckDB -------------------------------------------------
def bench_refund_burst(events: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The engine's and DuckDB's seconds, peak RSS (MiB) and flagged accounts."""
    out = []
    for how in ("engine", "sql"):
        text, _, rss = child([sys.executable, str(REFUND_BURST), how, str(events)])
        result = json.loads(text)
        out.append({"seconds": result["seconds"], "rss": rss, "accounts": set(result["accounts"])})
    return out[0], out[1]


# -- report -------------------------------------------------------------------------
def machine() -> str:
    return machine_line.machine("duckdb")


def row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def measured(what: str, scale: str, events: int, seconds: float, rss: int, extra: str) -> str:
    """One table row; events/s is events over seconds."""
    return row(what, scale, f"{events:,}", f"{seconds:.2f} s", f"{events / seconds:,.0f}",
               f"{rss:,} MiB", extra)  # fmt: skip


def verdict(what: str, value: str, target: str, met: bool) -> str:
    return f"{what} {value} (target {target}): {'met' if met else 'MISSED'}"


def scale_rows(scale: str, args: argparse.Namespace, verdicts: list[str]) -> list[str]:
    events = world(args.workdir, scale, args.seed)
    alerts = args.workdir / f"alerts-{scale}-{args.seed}.jsonl"
    print(f"{scale}: replay ...", file=sys.stderr)
    r = bench_replay(events, alerts)
    n, rate = r["events"], r["events"] / r["seconds"]
    rows = [measured("detect (replay, full pack)", scale, n, r["seconds"], r["rss"],
                     f"{r['alerts']:,} alerts")]  # fmt: skip
    verdicts.append(verdict(f"replay {scale}", f"{rate:,.0f} events/s", f"≥ {TARGET_RATE:,}",
                            rate >= TARGET_RATE))  # fmt: skip
    if scale == "large":
        verdicts.append(verdict("peak RSS large", f"{r['rss']:,} MiB", f"≤ {TARGET_RSS_MIB:,}",
                                r["rss"] <= TARGET_RSS_MIB))  # fmt: skip
    if args.watch_seconds > 0:
        print(f"{scale}: watch at {args.rate:,} events/s ...", file=sys.stderr)
        w, where = bench_watch(events, alerts, args)
        p50, p99, top = (w.percentile(q) for q in (50, 99, 100))
        extra = (
            f"latency p50 {p50:.1f} / p99 {p99:.1f} / max {top:.1f} ms over "
            f"{len(w.latencies_ms):,} alerts; watch {w.busy:.0%} busy; {where}; "
            f"feeder lag ≤ {w.max_feed_lag_ms:.1f} ms"
        )
        if w.alerts_total != len(w.latencies_ms):
            extra += f"; {w.alerts_total - len(w.latencies_ms)} alerts not matched to a timed event"
        if w.ts_mismatch:
            extra += f"; {w.ts_mismatch} alerts whose ts is not their last event's"
        rows.append(measured("watch (live, full pack)", scale, w.events, w.seconds,
                             w.peak_rss_mib, extra))  # fmt: skip
        verdicts.append(verdict(f"watch {scale}", f"p99 {p99:.1f} ms", f"≤ {TARGET_P99_MS:g}",
                                p99 <= TARGET_P99_MS))  # fmt: skip
    print(f"{scale}: refund burst, engine vs DuckDB ...", file=sys.stderr)
    e, s = bench_refund_burst(events)
    if e["accounts"] == s["accounts"]:
        agree = f"same {len(e['accounts']):,} accounts"
    else:
        agree = (f"DIFFER: {len(e['accounts'] - s['accounts'])} only engine, "
                 f"{len(s['accounts'] - e['accounts'])} only SQL")  # fmt: skip
    ratio = e["seconds"] / s["seconds"]
    rows.append(measured("refund burst, engine (one rule)", scale, n, e["seconds"], e["rss"],
                         f"{len(e['accounts']):,} accounts"))  # fmt: skip
    rows.append(measured("refund burst, DuckDB SQL", scale, n, s["seconds"], s["rss"],
                         f"engine/SQL time {ratio:.1f}×; {agree}"))  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=["medium", "large"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/fraudlink-bench"))
    parser.add_argument("--watch-seconds", type=float, default=20.0, help="0 skips watch")
    parser.add_argument("--rate", type=int, default=5000, help="watch feed, events/s")
    parser.add_argument("--warm", type=int, default=500_000, help="watch warm-up events")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    scales = [s for item in args.scales for s in item.split(",") if s]
    rows: list[str] = []
    verdicts: list[str] = []
    for scale in scales:
        rows += scale_rows(scale, args, verdicts)
    print(f"\ndetect benchmark on {machine()}\n")
    print(row("what", "scale", "events", "time", "events/s", "peak RSS", "extra"))
    print(row("---", "---", "---:", "---:", "---:", "---:", "---"))
    print("\n".join(rows))
    print("\nTargets: " + "; ".join(verdicts))


if __name__ == "__main__":
    main()
