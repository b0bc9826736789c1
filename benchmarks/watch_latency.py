"""Alert latency of a live ``fraudlink watch`` process fed at a steady rate by the wall clock.

The harness writes pre-encoded JSON lines to the child's stdin in small chunks (one
every ``tick`` seconds, as many lines as the clock says are due), stamping each line
with the moment it was handed to the pipe, and reads alert lines from the child's
stdout on another thread, stamping each read. An alert's latency is its read time
minus the send time of the event that fired it, which is the last of its
``event_ids`` (every detector puts the triggering event last in its evidence).

Before the clock starts the child is warmed with events sent as fast as it takes
them, and the harness waits until the child's CPU time stops growing, so the state
of the rules is filled and nothing of the warm-up is still queued.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

import peak_rss

_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Feed:
    """What to send: warm-up lines, then the timed lines with their ids and event times (µs)."""

    warm: list[bytes]
    lines: list[bytes]
    ids: list[str]
    ts_us: list[int]


@dataclass
class Latency:
    events: int
    seconds: float
    peak_rss_mib: int
    latencies_ms: np.ndarray
    alerts_total: int
    ts_mismatch: int
    max_feed_lag_ms: float
    busy: float  # the child's CPU seconds per wall second while fed

    def percentile(self, q: float) -> float:
        return float(np.percentile(self.latencies_ms, q)) if len(self.latencies_ms) else np.nan


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and its live descendants (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:  # it has just exited
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / _TICKS
    return own + sum(cpu_seconds(int(c)) for c in children)


def wait_idle(pid: int, quiet: float = 0.5, poll: float = 0.05) -> None:
    """Return once the process (and what it started) has used no CPU for ``quiet`` seconds."""
    last, since = cpu_seconds(pid), time.perf_counter()
    while time.perf_counter() - since < quiet:
        time.sleep(poll)
        now = cpu_seconds(pid)
        if now != last:
            last, since = now, time.perf_counter()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class _Reader(threading.Thread):
    """Reads the child's stdout, stamping every line with the moment its bytes arrived."""

    def __init__(self, fd: int) -> None:
        super().__init__(daemon=True)
        self.fd = fd
        self.lines: list[tuple[float, bytes]] = []

    def run(self) -> None:
        pending = b""
        while chunk := os.read(self.fd, 1 << 16):
            now = time.perf_counter()
            *lines, pending = (pending + chunk).split(b"\n")
            self.lines.extend((now, line) for line in lines)


def _pace(fd: int, lines: list[bytes], rate: float, tick: float) -> tuple[np.ndarray, float, float]:
    """Write ``lines`` at ``rate`` per second, a chunk per tick; send times, seconds, worst lag."""
    n = len(lines)
    sent = np.full(n, np.nan)
    start = next_tick = time.perf_counter()
    done, lag = 0, 0.0
    while done < n:
        now = time.perf_counter()
        due = min(n, int((now - start) * rate) + 1)
        if due > done:
            lag = max(lag, now - (start + done / rate))
            sent[done:due] = now
            _write_all(fd, b"".join(lines[done:due]))
            done = due
        next_tick += tick
        time.sleep(max(0.0, next_tick - time.perf_counter()))
    return sent, time.perf_counter() - start, lag


def _split_cores() -> tuple[set[int], set[int]] | None:
    """The cores for ``watch`` (the last) and for the feeder and reader (the others).

    A live detector is deployed with a core of its own; left to the scheduler on two
    cores, the watch process and the harness's threads trade places, and on large the
    feeder fell 27.5 ms behind its clock while ten alerts arrived 20 ms late together
    (p99 20.6 ms; the same 40 s run with the cores split: 7.8 ms). Without a spare core
    nothing is pinned.
    """
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        return None
    return {cores[-1]}, set(cores[:-1])


def measure(command: list[str], feed: Feed, rate: float, tick: float = 0.002) -> Latency:
    """Run ``command`` (a ``watch``), feed it and time every alert fired by a timed event."""
    with tempfile.TemporaryDirectory() as tmp:
        rss_file = Path(tmp) / "rss"
        launch = peak_rss.wrap(rss_file, command)
        split = _split_cores()
        mine = os.sched_getaffinity(0)

        def to_its_core() -> None:  # in the child before exec, so all it starts inherits it
            assert split is not None
            os.sched_setaffinity(0, split[0])

        proc = subprocess.Popen(
            launch,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            preexec_fn=to_its_core if split is not None else None,
        )
        if split is not None:
            os.sched_setaffinity(0, split[1])
        assert proc.stdin is not None and proc.stdout is not None
        reader = _Reader(proc.stdout.fileno())
        reader.start()
        fd = proc.stdin.fileno()
        for i in range(0, len(feed.warm), 5_000):
            _write_all(fd, b"".join(feed.warm[i : i + 5_000]))
        wait_idle(proc.pid)
        warm_alerts = len(reader.lines)
        gc.collect()
        gc.disable()  # a collection in the feeder would be charged to the engine
        try:
            cpu = cpu_seconds(proc.pid)
            sent, seconds, lag = _pace(fd, feed.lines, rate, tick)
            busy = (cpu_seconds(proc.pid) - cpu) / seconds
            wait_idle(proc.pid)
        finally:
            gc.enable()
        proc.stdin.close()
        proc.wait()
        os.sched_setaffinity(0, mine)  # what runs next (DuckDB's threads) gets every core
        reader.join(timeout=30)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed with exit code {proc.returncode}")
        rss = peak_rss.peak_mib(rss_file)
    position = {event_id: i for i, event_id in enumerate(feed.ids)}
    latencies, mismatch = [], 0
    for at, line in reader.lines[warm_alerts:]:
        alert = json.loads(line)
        i = position.get(alert["event_ids"][-1])
        if i is None:
            continue
        latencies.append((at - sent[i]) * 1000)
        mismatch += _micros(datetime.fromisoformat(alert["ts"])) != feed.ts_us[i]
    return Latency(
        events=len(feed.lines),
        seconds=seconds,
        peak_rss_mib=rss,
        latencies_ms=np.array(latencies),
        alerts_total=len(reader.lines) - warm_alerts,
        ts_mismatch=mismatch,
        max_feed_lag_ms=lag * 1000,
        busy=busy,
    )


def _micros(moment: datetime) -> int:
    delta = moment - datetime.fromtimestamp(0, moment.tzinfo)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
