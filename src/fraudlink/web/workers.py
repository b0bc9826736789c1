"""``fraudlink serve --workers N``: one listening socket, N processes answering on it.

One Python process renders pages on one core at a time, so under many clients a node's
pages queue behind each other. N processes share the socket the parent bound (the kernel
hands each connection to one of them); everything they share lives in the store (sessions,
login throttling, TOTP steps, the audit chain, the outbox), so any worker can answer any
request. Only the first worker sends the outbox, so messages are not sent twice at once.

Workers are started with ``spawn``, not ``fork``: the parent has loaded native libraries
(Arrow, DuckDB, NumPy) whose threads do not survive a fork. The settings, passphrase
included, reach each worker through the spawn pipe, never through the environment.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import signal
import socket
import threading
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

import uvicorn

from fraudlink.detect.live import tune_gc_for_latency
from fraudlink.web.app import create_app
from fraudlink.web.settings import Settings

log = logging.getLogger("fraudlink.web")
RESTART_PAUSE_S = 1.0


def run_worker(settings: Settings, sock: socket.socket, options: dict[str, Any]) -> None:
    """One worker: build the app from ``settings`` and answer on the inherited socket."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    application = create_app(settings)
    tune_gc_for_latency()  # the payee check's slowest answers were collector pauses
    uvicorn.Server(uvicorn.Config(application, **options)).run(sockets=[sock])


def worker_settings(settings: Settings, index: int) -> Settings:
    """The first worker sends the outbox; the others only answer requests."""
    return settings if index == 0 else dataclasses.replace(settings, pump_every=0)


def serve_workers(
    settings: Settings, host: str, port: int, workers: int, options: dict[str, Any]
) -> None:
    """Bind ``host:port``, run ``workers`` processes on it until SIGINT/SIGTERM, restart any
    that dies meanwhile."""
    sock = uvicorn.Config(app="unused:app", host=host, port=port).bind_socket()
    spawn = multiprocessing.get_context("spawn")
    stop = threading.Event()

    def start(index: int) -> BaseProcess:
        process = spawn.Process(target=run_worker, name=f"fraudlink-web-{index}",
                                args=(worker_settings(settings, index), sock, options))  # fmt: skip
        process.start()
        return process

    def ask_stop(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous: dict[int, Callable[[int, FrameType | None], Any] | int | None] = {
        s: signal.signal(s, ask_stop) for s in (signal.SIGINT, signal.SIGTERM)
    }
    running = [start(i) for i in range(workers)]
    try:
        while not stop.wait(RESTART_PAUSE_S):
            for index, process in enumerate(running):
                if not process.is_alive():
                    log.warning("worker %d stopped (exit %s); starting it again", index,
                                process.exitcode)  # fmt: skip
                    running[index] = start(index)
    finally:
        for process in running:
            process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        for process in running:
            process.join(timeout=30)
        sock.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
