"""Speed and memory of detection: replay, live latency, and the same rule as one DuckDB query.

For each world (simulated once into --workdir and reused):

* **replay** — ``fraudlink detect events.parquet`` with the full built-in pack, as its own
  process: wall time (start-up included), events/s, alerts, peak RSS;
* **watch** — ``fraudlink watch`` fed canonical JSON lines on stdin at a steady rate by
  the wall clock; latency is from the moment an event's line was written to the pipe to
  the moment the alert it fired was read back: p50 / p99 / max;
* **refund burst** — the refund-burst rule alone, by the engine in this process and as one
  DuckDB SQL query (an as-of join to the latest parcel scan and a RANGE window of two
  hours per account) over the same Parquet; both times, their ratio, and whether they
  flag the same accounts.

    python benchmarks/detect.py [--scales medium,large] [--seed 7] [--watch-seconds 30]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from fraudlink.detect.replay import replay
from fraudlink.detect.rules.loader import load_rules_text
from fraudlink.model.columns import table_to_events

BIN = Path(sys.executable).with_name("fraudlink")
PACK = Path(__file__).resolve().parents[1] / "src/fraudlink/detect/builtin/pack.yaml"
RULE = "refund-burst-signed"


def world(workdir: Path, scale: str, seed: int) -> Path:
    out = workdir / f"{scale}-{seed}"
    if not (out / "manifest.json").exists():
        print(f"simulating {scale} (seed {seed}) into {out} ...", file=sys.stderr)
        subprocess.run(
            [str(BIN), "simulate", "--scale", scale, "--seed", str(seed), "--out", str(out), "-q"],
            check=True,
        )
    return out / "events.parquet"


def timed_process(args: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (MiB) of one child process, measured alone."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed")
    return time.perf_counter() - started, round(usage.ru_maxrss / 1024)


def bench_replay(events: Path, workdir: Path) -> dict[str, Any]:
    out = workdir / "alerts.jsonl"
    seconds, rss = timed_process([str(BIN), "detect", str(events), "--out", str(out), "-q"])
    n = pq.ParquetFile(events).metadata.num_rows
    alerts = sum(1 for _ in out.open("rb"))
    return {"events": n, "seconds": seconds, "rss": rss, "alerts": alerts}


def bench_watch(events: Path, seconds: float, rate: int, warm: int) -> dict[str, Any]:
    """Warm the rules' state with ``warm`` events as fast as the pipe takes them, then time."""
    n = warm + int(seconds * rate)
    batches = []
    with pq.ParquetFile(events) as parquet:
        for batch in parquet.iter_batches(batch_size=65_536):
            batches.append(batch)
            if sum(b.num_rows for b in batches) >= n:
                break
    table = pa.Table.from_batches(batches).slice(0, n)
    lines = [msgspec.json.encode(e) + b"\n" for e in table_to_events(table)]
    ids = table.column("event_id").to_pylist()
    warm_lines, lines, ids = lines[:warm], lines[warm:], ids[warm:]
    sent: dict[str, float] = {}
    arrived: list[tuple[float, str]] = []
    proc = subprocess.Popen(
        [str(BIN), "watch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdin is not None and proc.stdout is not None
    time.sleep(2.0)  # let it import and load the rules before the clock starts

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            now = time.perf_counter()
            arrived.append((now, json.loads(line)["event_ids"][-1]))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    fd = proc.stdin.fileno()
    for i in range(0, len(warm_lines), 10_000):
        os.write(fd, b"".join(warm_lines[i : i + 10_000]))
    # Wait until watch has caught up: an alert-free probe would need a round trip, so
    # give it the time the warm-up took it at the replay rate, generously.
    time.sleep(2.0 + len(warm_lines) / 40_000)
    start = time.perf_counter()
    done = 0
    behind = 0.0
    while done < len(lines):
        now = time.perf_counter()
        due = min(len(lines), int((now - start) * rate) + 1)
        if due > done:
            behind = max(behind, now - (start + done / rate))
            chunk = b"".join(lines[done:due])
            for i in range(done, due):
                sent[ids[i]] = now
            os.write(fd, chunk)
            done = due
        time.sleep(0.001)
    feed_seconds = time.perf_counter() - start
    proc.stdin.close()
    proc.wait(timeout=120)
    reader.join(timeout=10)
    latencies = np.array([(t - sent[e]) * 1000 for t, e in arrived if e in sent])
    return {
        "events": len(lines),
        "rate": len(lines) / feed_seconds,
        "alerts": len(latencies),
        "p50": float(np.percentile(latencies, 50)) if len(latencies) else float("nan"),
        "p99": float(np.percentile(latencies, 99)) if len(latencies) else float("nan"),
        "max": float(latencies.max()) if len(latencies) else float("nan"),
    }


REFUND_BURST_SQL = """
WITH ev AS (SELECT * FROM read_parquet($path)),
claims AS (
    SELECT event_id, account, ts, amount, order_id FROM ev
    WHERE type = 'refund_requested' AND reason = 'not_received'
),
scans AS (SELECT order_id, ts, scan_status FROM ev WHERE type = 'parcel_scan'),
joined AS (
    SELECT c.*, CASE WHEN s.ts >= c.ts - INTERVAL 60 DAY THEN s.scan_status END AS latest
    FROM claims c ASOF LEFT JOIN scans s ON c.order_id = s.order_id AND c.ts >= s.ts
),
windowed AS (
    SELECT account,
           count(*) OVER w AS claims,
           sum(amount) OVER w AS total,
           count(*) FILTER (WHERE latest = 'signed') OVER w AS signed
    FROM joined
    WINDOW w AS (PARTITION BY account ORDER BY ts
                 RANGE BETWEEN INTERVAL 2 HOUR PRECEDING AND CURRENT ROW)
)
SELECT DISTINCT account FROM windowed WHERE claims >= 3 AND signed >= 3
"""


def bench_refund_burst(events: Path) -> dict[str, Any]:
    # Cut the rule's block out of the pack text (YAML 1.1 would read its `on:` key as true).
    text = PACK.read_text(encoding="utf-8")
    head, body = text.split("\nrules:\n", 1)
    block = next(b for b in body.split("\n  - id: ") if b.lstrip("- id:").startswith(RULE))
    rules = load_rules_text(f"{head}\nrules:\n  - id: {block.removeprefix('  - id: ')}")
    started = time.perf_counter()
    result = replay([events], rules)
    engine_s = time.perf_counter() - started
    engine_accounts = {a.entity for a in result.alerts}
    con = duckdb.connect()
    started = time.perf_counter()
    rows = con.execute(REFUND_BURST_SQL, {"path": str(events)}).fetchall()
    sql_s = time.perf_counter() - started
    con.close()
    sql_accounts = {r[0] for r in rows}
    return {
        "engine_s": engine_s,
        "sql_s": sql_s,
        "agree": engine_accounts == sql_accounts,
        "accounts": len(engine_accounts),
        "only_engine": len(engine_accounts - sql_accounts),
        "only_sql": len(sql_accounts - engine_accounts),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="medium,large")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/fraudlink-bench"))
    parser.add_argument("--watch-seconds", type=float, default=30.0)
    parser.add_argument("--rate", type=int, default=5000)
    parser.add_argument(
        "--warm", type=int, default=500_000, help="events fed unmeasured first, to fill state"
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    for scale in args.scales.split(","):
        events = world(args.workdir, scale, args.seed)
        print(f"{scale}: replay ...", file=sys.stderr)
        r = bench_replay(events, args.workdir)
        rows.append(
            f"| detect (replay, full pack) | {scale} | {r['events']:,} | {r['seconds']:.1f} s | "
            f"{r['events'] / r['seconds']:,.0f} | {r['rss']:,} MiB | {r['alerts']:,} alerts |"
        )
        print(f"{scale}: refund burst, engine vs DuckDB ...", file=sys.stderr)
        b = bench_refund_burst(events)
        agree = "same accounts" if b["agree"] else (
            f"differ: {b['only_engine']} only engine, {b['only_sql']} only SQL"
        )  # fmt: skip
        rows.append(
            f"| refund burst, engine (one rule) | {scale} | {r['events']:,} | "
            f"{b['engine_s']:.1f} s | {r['events'] / b['engine_s']:,.0f} | | "
            f"{b['accounts']:,} accounts |"
        )
        rows.append(
            f"| refund burst, DuckDB SQL | {scale} | {r['events']:,} | {b['sql_s']:.1f} s | "
            f"{r['events'] / b['sql_s']:,.0f} | | "
            f"engine/SQL time {b['engine_s'] / b['sql_s']:.2f}; {agree} |"
        )
        if scale == args.scales.split(",")[0]:
            print(f"{scale}: watch at {args.rate:,} events/s ...", file=sys.stderr)
            w = bench_watch(events, args.watch_seconds, args.rate, args.warm)
            rows.append(
                f"| watch (live, full pack) | {scale} | {w['events']:,} | "
                f"{w['events'] / w['rate']:.1f} s | {w['rate']:,.0f} | | "
                f"latency p50 {w['p50']:.1f} ms, p99 {w['p99']:.1f} ms, max {w['max']:.1f} ms "
                f"over {w['alerts']} alerts (after {args.warm:,} events of warm-up) |"
            )
    cpus = os.cpu_count()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(f"\n{cpus} cores, {mem:.0f} GiB, Python {platform.python_version()}, "
          f"DuckDB {duckdb.__version__}\n")  # fmt: skip
    print("| what | world | events | time | events/s | peak RSS | notes |")
    print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    print("\n".join(rows))
    (args.workdir / "alerts.jsonl").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
