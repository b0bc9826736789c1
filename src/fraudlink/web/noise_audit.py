"""Refusals of unauthenticated noise, audited without letting noise flood the log.

Per (action, source) the first ``FIRST_ROWS`` refusals of a ``WINDOW_S`` window are
written as they come; the rest are counted, and one ``noise.suppressed`` row says how
many more there were when the window closes (at the next refusal from that source,
when the entry expires or is pushed out, or at shutdown). Nothing is dropped
silently: every refusal is in a row or in a count, and the log stays hash-chained.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cachetools import TTLCache

from fraudlink.exchange.node import Node

FIRST_ROWS = 5
WINDOW_S = 60.0
MAX_SOURCES = 50_000


@dataclass
class _Window:
    start: float
    written: int = 0
    suppressed: int = 0
    last_detail: dict[str, Any] = field(default_factory=dict)


class _Windows(TTLCache[tuple[str, str], _Window]):
    """A TTL cache that hands what it expires or pushes out to ``on_close``."""

    def __init__(
        self, on_close: Callable[[tuple[str, str], _Window], None], timer: Callable[[], float]
    ) -> None:
        super().__init__(maxsize=MAX_SOURCES, ttl=WINDOW_S, timer=timer)
        self.on_close = on_close

    def expire(self, time: float | None = None) -> list[tuple[tuple[str, str], _Window]]:
        gone = list(super().expire(time))
        for key, value in gone:
            self.on_close(key, value)
        return gone

    def popitem(self) -> tuple[tuple[str, str], _Window]:
        key, value = super().popitem()
        self.on_close(key, value)
        return key, value


class NoiseAudit:
    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._node: Node | None = None
        self._windows = _Windows(self._close, clock)

    def _close(self, key: tuple[str, str], window: _Window) -> None:
        if window.suppressed and self._node is not None:
            action, source = key
            with self._node.store() as store:
                store.append_audit(
                    "noise", "noise.suppressed", source,
                    {"action": action, "source": source, "more": window.suppressed,
                     "window_s": WINDOW_S, "last": window.last_detail},
                )  # fmt: skip

    def refused(self, node: Node, action: str, source: str, detail: dict[str, Any]) -> None:
        """Audit one refusal of ``action`` from ``source`` (row or count)."""
        self._node = node
        now = self.clock()
        self._windows.expire()
        key = (action, source)
        window: _Window | None = self._windows.get(key)
        if window is not None and now - window.start >= WINDOW_S:
            self._close(key, window)
            window = None
        if window is None:
            window = _Window(start=now)
        if window.written < FIRST_ROWS:
            window.written += 1
            with node.store() as store:
                store.append_audit("noise", action, source, {**detail, "source": source})
        else:
            window.suppressed += 1
            window.last_detail = detail
        self._windows[key] = window

    def flush(self) -> None:
        """Write every open window's count (at shutdown)."""
        for key in list(self._windows.keys()):
            window = self._windows.pop(key)
            self._close(key, window)
