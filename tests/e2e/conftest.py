"""Shared by the browser tests: a node's web app served on loopback for the length of a test."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
import uvicorn
from fastapi import FastAPI

from tests.integration.servers import free_port

Serve = Callable[[FastAPI], str]


@pytest.fixture
def live_app() -> Iterator[Serve]:
    """``live_app(app)`` serves ``app`` with uvicorn in a thread and returns its base URL;
    every server started is stopped when the test ends."""
    running: list[tuple[uvicorn.Server, threading.Thread]] = []

    def serve(app: FastAPI) -> str:
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="error"))  # fmt: skip
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        running.append((server, thread))
        while not server.started:
            time.sleep(0.02)
        return f"http://127.0.0.1:{port}"

    yield serve
    for server, thread in running:
        server.should_exit = True
        thread.join(timeout=10)
