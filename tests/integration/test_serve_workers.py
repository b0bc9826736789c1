"""`fraudlink serve --workers N`: N processes answer on one port, a worker that dies is
started again, and stopping the server stops them all.

Real processes and a real socket: the passphrase reaches the workers through the spawn
pipe, so a node with encrypted keys is served (keys that did not load would fail here).
"""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from fraudlink.exchange.node import Node
from tests.integration.servers import PASSPHRASE, free_port, serving


def _workers(pid: int) -> list[int]:
    """The serving workers among ``pid``'s children (multiprocessing adds a resource tracker)."""
    children = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return [c for c in children if b"spawn_main" in _cmdline(c)]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return b""


def _wait_for(check: object, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.2)


def test_workers_share_the_port_and_come_back_when_one_dies(tmp_path: Path) -> None:
    home = tmp_path / "police"
    Node.init(home, "hz-cyber", "police", PASSPHRASE.encode())
    port = free_port()
    with serving(home, port, "--workers", "2") as server:
        # The parent spawns the workers; the server answered, so at least one is up.
        _wait_for(lambda: len(_workers(server.pid)) == 2)
        first = _workers(server.pid)
        health = f"http://127.0.0.1:{port}/healthz"
        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(lambda _: httpx.get(health, timeout=10).status_code, range(64)))
        assert codes == [200] * 64
        card = httpx.get(f"http://127.0.0.1:{port}/exchange/v1/card", timeout=10)
        assert card.status_code == 200 and "hz-cyber" in card.text

        os.kill(first[1], signal.SIGKILL)
        _wait_for(lambda: len(_workers(server.pid)) == 2 and first[1] not in _workers(server.pid))
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200
        running = _workers(server.pid)
    # serving() sent SIGTERM to the parent and waited for it: no worker is left behind.
    assert server.returncode == 0
    for pid in running:
        assert (
            not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
        )
