"""Bounded, expiring request limits per key (an address, an API key, a user name).

Each key keeps the times of its recent requests within ``window_s``; a key unseen
for a whole window is forgotten, and at most ``max_keys`` are held at once (the
least recently used go first), so a flood of new addresses costs bounded memory,
never one entry per address ever seen.
"""

from __future__ import annotations

import math
from collections import deque

from cachetools import TTLCache

# 100,000 keys of a few timestamps each: a few tens of MB at most.
MAX_KEYS = 100_000


class SlidingLimit:
    """At most ``per`` requests per key within any ``window_s`` seconds."""

    def __init__(self, per: int, window_s: float, max_keys: int = MAX_KEYS) -> None:
        self.per = per
        self.window_s = window_s
        self._now = 0.0
        self._seen: TTLCache[str, deque[float]] = TTLCache(
            maxsize=max_keys, ttl=window_s, timer=lambda: self._now
        )

    def retry_after(self, key: str, now: float) -> int:
        """0 when ``key`` may go ahead now (and the request is counted); otherwise the
        whole seconds until it may."""
        self._now = now
        times = self._seen.get(key)
        if times is None:
            times = deque()
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if len(times) >= self.per:
            self._seen[key] = times  # touched: expires a window after its last try
            return max(1, math.ceil(times[0] + self.window_s - now))
        times.append(now)
        self._seen[key] = times
        return 0

    def allow(self, key: str, now: float) -> bool:
        return self.retry_after(key, now) == 0

    def __len__(self) -> int:
        self._seen.expire()
        return len(self._seen)
