"""The alert queue's table as last rendered, kept for a second.

Many analysts keep the queue open and reload it; each view would otherwise read and
render the same hundred alerts again (most of the page's time). A view is served from
here when the same filters, page and language were rendered less than ``ttl`` seconds
ago. A change made through this process (an outcome, an assignment) empties it at once;
one made through another worker shows within ``ttl``. The queue is a list of work, not a
record: the alert page itself is always read fresh.

When a view expires, one request renders it again while the others keep getting the
previous one: otherwise every client waiting on that view rendered it at the same
moment, and those renders were the slowest answers.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class QueueView:
    rules: list[str]  # the rules present, for the filter form
    table_html: str  # the rendered queue block


class QueueCache:
    def __init__(
        self, ttl: float = 1.0, size: int = 256, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.size = size
        self.clock = clock
        self._views: OrderedDict[Hashable, tuple[float, QueueView]] = OrderedDict()
        self._lock = threading.Lock()
        self._building: set[Hashable] = set()
        self._generation = 0  # counts clear(): a view read before a change is not kept

    def get(self, key: Hashable) -> QueueView | None:
        with self._lock:
            found = self._views.get(key)
            if found is None or self.clock() - found[0] >= self.ttl:
                return None
            return found[1]

    def claim(self, key: Hashable) -> tuple[QueueView | None, int | None]:
        """For a caller that must not wait: the kept view to serve now (None if there is
        none: build it with :meth:`view`), and, if it has expired and nobody is rebuilding
        it, a ticket to rebuild it with :meth:`rebuild` after answering (None otherwise).

        Serving the expired view while one rebuild runs in the background keeps every
        request off the rebuild: when each one that found it expired went to a thread,
        fifty of them queued there for the interpreter lock, for up to two seconds.
        """
        with self._lock:
            found = self._views.get(key)
            if found is None:
                return None, None
            if self.clock() - found[0] < self.ttl or key in self._building:
                return found[1], None
            self._building.add(key)
            return found[1], self._generation

    def rebuild(self, key: Hashable, build: Callable[[], QueueView], ticket: int) -> QueueView:
        """Build the view claimed with ``ticket``; kept unless the queue changed meanwhile."""
        try:
            built = build()
        finally:
            with self._lock:
                self._building.discard(key)
        with self._lock:
            if ticket == self._generation:
                self._keep(key, built)
        return built

    def view(self, key: Hashable, build: Callable[[], QueueView]) -> QueueView:
        """The view for ``key``: kept, or built by ``build``; while one caller rebuilds an
        expired view, the others get the expired one."""
        with self._lock:
            found = self._views.get(key)
            fresh = found is not None and self.clock() - found[0] < self.ttl
            if found is not None and (fresh or key in self._building):
                return found[1]
            self._building.add(key)
            ticket = self._generation
        return self.rebuild(key, build, ticket)

    def put(self, key: Hashable, view: QueueView) -> None:
        with self._lock:
            self._keep(key, view)

    def _keep(self, key: Hashable, view: QueueView) -> None:
        """Store ``view`` as the newest; the oldest go beyond ``size``. Lock held."""
        self._views[key] = (self.clock(), view)
        self._views.move_to_end(key)
        while len(self._views) > self.size:
            self._views.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._views.clear()
            self._generation += 1
