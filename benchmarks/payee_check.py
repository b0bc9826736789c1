"""Latency of the payee check API at a steady request rate over loopback HTTP.

A node with many known accounts (alerts on every 10th of 200,000 accounts) runs `fraudlink
serve` in its own process; a load generator sends requests at a fixed rate for a fixed
time, each from its scheduled moment (so a slow server shows up as latency, not as fewer
requests), one in ten for a known account, from 50 keep-alive connections. Prints
p50 / p99 / max and errors.

    python benchmarks/payee_check.py [--rate 500] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np

import machine_line
from fraudlink.exchange.node import Node
from fraudlink.store import AlertRecord

T = datetime(2026, 9, 1, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def seed(home: Path, accounts: int) -> None:
    node = Node.init(home, "qb-pay", "platform", None)
    with node.store() as store:
        for i in range(0, accounts, 10):
            store.add_alert(AlertRecord(
                id=f"al-{i}", rule_id="mule-pass-through", rule_version=1, entity_kind="account",
                entity_id=f"qb-u{i:08d}", ts=T, score=60 + i % 40, severity="high",
                reasons=["passed on"], body={"title": "Mule pass-through",
                                             "accounts": [f"qb-u{i:08d}"]}, created_at=T,
            ))  # fmt: skip


async def _worker(
    host: str, port: int, key: str, jobs: asyncio.Queue[tuple[float, str] | None],
    latencies: list[float], errors: list[int],
) -> None:  # fmt: skip
    """One keep-alive connection, like a wallet's connection pool member; HTTP/1.1 by hand so
    the load generator costs far less CPU than the server it measures."""
    reader, writer = await asyncio.open_connection(host, port)
    while (job := await jobs.get()) is not None:
        due, account = job
        writer.write(f"GET /api/v1/payee-check?account={account} HTTP/1.1\r\nHost: {host}\r\n"
                     f"Authorization: Bearer {key}\r\n\r\n".encode())  # fmt: skip
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))  # type: ignore[union-attr]
        await reader.readexactly(length)
        if not head.startswith(b"HTTP/1.1 200"):
            errors.append(1)
        latencies.append(time.perf_counter() - due)
    writer.close()


async def load(
    port: int, key: str, rate: int, seconds: float, accounts: int, clients: int = 50
) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors: list[int] = []
    jobs: asyncio.Queue[tuple[float, str] | None] = asyncio.Queue()
    workers = [asyncio.create_task(_worker("127.0.0.1", port, key, jobs, latencies, errors))
               for _ in range(clients)]  # fmt: skip
    start = time.perf_counter() + 0.2
    for i in range(int(rate * seconds)):
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        jobs.put_nowait((due, f"qb-u{(i * 7919) % accounts:08d}"))
    for _ in workers:
        jobs.put_nowait(None)
    await asyncio.gather(*workers)
    return latencies, len(errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--accounts", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-payee-") as tmp:
        home = Path(tmp) / "wallet"
        seed(home, args.accounts)
        made = subprocess.run(
            [sys.executable, "-c", "from fraudlink.cli import main; main()", "apikey", "add",
             "--org", "qb-pay", "--label", "bench", "--home", str(home)],
            capture_output=True, text=True, check=True, env={**os.environ, "COLUMNS": "300"},
        )  # fmt: skip
        key = re.search(r"flk_[A-Za-z0-9_-]+", made.stdout).group(0)  # type: ignore[union-attr]
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-c", "from fraudlink.cli import main; main()", "serve", "--home",
             str(home), "--port", str(port), "--pump-every", "0", "--no-passphrase"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    httpx.get(f"{url}/healthz", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            asyncio.run(load(port, key, args.rate, 2, args.accounts))  # warm-up
            lat, errors = asyncio.run(load(port, key, args.rate, args.seconds, args.accounts))
        finally:
            server.terminate()
            server.wait()
    ms = np.array(lat) * 1000
    print(f"# payee check — {machine_line.machine('fastapi', 'uvicorn')}\n")
    print("| rate | seconds | requests | errors | p50 | p99 | max | known accounts |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(f"| {args.rate}/s | {args.seconds:.0f} | {len(ms):,} | {errors} | "
          f"{np.percentile(ms, 50):.2f} ms | {np.percentile(ms, 99):.2f} ms | {ms.max():.1f} ms | "
          f"{args.accounts // 10:,} |")  # fmt: skip


if __name__ == "__main__":
    main()
