"""Per-address backoff for staff logins, before any password is checked.

Each failed login from an address counts for ``WINDOW_S``; past ``FREE_FAILURES``
the address must wait one minute, doubling with every further failure up to an
hour, and is answered 429 with ``Retry-After`` without the ~0.2 s of CPU a password
check costs. Held in a bounded, expiring cache: a flood of addresses costs bounded
memory. A success from the address clears it.
"""

from __future__ import annotations

import math

from cachetools import TTLCache

FREE_FAILURES = 10
WINDOW_S = 15 * 60.0
FIRST_WAIT_S = 60.0
LONGEST_WAIT_S = 3600.0
MAX_ADDRESSES = 100_000


class LoginGuard:
    def __init__(self, max_addresses: int = MAX_ADDRESSES) -> None:
        self._now = 0.0
        # address -> (failures, time of the last one)
        self._failures: TTLCache[str, tuple[int, float]] = TTLCache(
            maxsize=max_addresses, ttl=WINDOW_S + LONGEST_WAIT_S, timer=lambda: self._now
        )

    def wait_s(self, address: str, now: float) -> int:
        """0 when ``address`` may try now; else whole seconds until it may."""
        self._now = now
        failures, last = self._failures.get(address, (0, now))
        if failures < FREE_FAILURES:
            return 0
        wait = min(FIRST_WAIT_S * 2 ** min(failures - FREE_FAILURES, 12), LONGEST_WAIT_S)
        left = last + wait - now
        return max(1, math.ceil(left)) if left > 0 else 0

    def failed(self, address: str, now: float) -> None:
        self._now = now
        failures, last = self._failures.get(address, (0, now))
        if now - last > WINDOW_S:
            failures = 0
        self._failures[address] = (failures + 1, now)

    def succeeded(self, address: str) -> None:
        self._failures.pop(address, None)
