"""The lateness buffer: events out of order by up to ``lateness`` are put back in order.

Events wait until the watermark (the latest event time seen minus the lateness)
passes them, then leave sorted by (event time, arrival). An event older than one
already released cannot be placed in order any more: it is *late*, returned apart
so the caller counts and reports it. With zero lateness nothing waits, which is
what live alerting wants; the cost of lateness is that much event time of delay.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import pyarrow as pa

from fraudlink.detect import frame as _frame
from fraudlink.detect.frame import ts_micros

NEVER = -(2**62)


class Reorder:
    def __init__(self, lateness_us: int) -> None:
        self.lateness = lateness_us
        self.pending: pa.Table | None = None
        self.pending_ts = np.empty(0, dtype=np.int64)
        self.released_ts = NEVER
        self.max_ts = NEVER

    def push(self, table: pa.Table) -> tuple[pa.Table | None, pa.Table | None]:
        """Take arriving events; return (events now in order, late events)."""
        ts = ts_micros(table.column("ts"))
        late = None
        is_late = self._late(ts)
        if is_late is not None:
            late = table.filter(pa.array(is_late))
            table = table.filter(pa.array(~is_late))
            ts = ts[~is_late]
        if len(ts) == 0:
            return None, late
        self.max_ts = max(self.max_ts, int(ts.max()))
        if self.pending is None and self.lateness == 0 and _in_order(ts):
            # The common case: in order already and nothing waiting.
            self.released_ts = int(ts[-1])
            return table, late
        pending = table if self.pending is None else pa.concat_tables([self.pending, table])
        all_ts = np.concatenate([self.pending_ts, ts])
        order = np.argsort(all_ts, kind="stable")  # stable: arrival order breaks ties
        watermark = self.max_ts - self.lateness
        ready = int(np.searchsorted(all_ts[order], watermark, side="right"))
        out = pending.take(pa.array(order[:ready])) if ready else None
        rest = order[ready:]
        self.pending = pending.take(pa.array(rest)) if len(rest) else None
        self.pending_ts = all_ts[rest]
        if ready:
            self.released_ts = int(all_ts[order[ready - 1]])
        return out, late

    def take_in_order(self, ts: Sequence[int]) -> bool:
        """Release a batch at once if it needs no buffering; ``False``, and nothing
        changed, if it does (then :meth:`push` it). Exactly what :meth:`push` does with a
        batch that arrives in order, nothing late, with nothing waiting and no lateness."""
        if self.pending is not None or self.lateness != 0 or not ts:
            return False
        if ts[0] < self.max_ts or not _never_back(ts):
            return False
        self.max_ts = max(self.max_ts, ts[-1])
        self.released_ts = ts[-1]
        return True

    def _late(self, ts: np.ndarray) -> np.ndarray | None:
        """Which arriving events are late, exactly as if they had come one at a time.

        An event is late when something with a later time has already been released,
        and release follows the watermark of the events *before* it in arrival order,
        so a batch cannot hide an old event by carrying it in with newer ones. Only
        when some event falls behind the watermark is the exact walk needed.
        """
        if len(ts) == 0:
            return None
        if len(ts) <= _frame.SMALL_BATCH:  # a live batch: a loop beats three numpy calls
            newest, behind = self.max_ts, False
            for t in ts.tolist():
                if t < newest - self.lateness:
                    behind = True
                    break
                newest = max(newest, t)
            if not behind:
                return None
        else:
            before = np.maximum.accumulate(np.concatenate([[self.max_ts], ts[:-1]]))
            if not bool(np.any(ts < before - self.lateness)):
                return None
        waiting = self.pending_ts.tolist()
        heapq.heapify(waiting)
        released, newest = self.released_ts, self.max_ts
        out = np.zeros(len(ts), dtype=bool)
        for i, t in enumerate(ts.tolist()):
            while waiting and waiting[0] <= newest - self.lateness:
                released = max(released, heapq.heappop(waiting))
            if t < released:
                out[i] = True
                continue
            heapq.heappush(waiting, t)
            newest = max(newest, t)
        return out if bool(out.any()) else None

    def flush(self) -> pa.Table | None:
        """End of stream: everything still waiting, in order."""
        if self.pending is None:
            return None
        order = np.argsort(self.pending_ts, kind="stable")
        out = self.pending.take(pa.array(order))
        if len(order):
            self.released_ts = int(self.pending_ts[order[-1]])
        self.pending, self.pending_ts = None, np.empty(0, dtype=np.int64)
        return out


def _in_order(ts: np.ndarray) -> bool:
    """Whether times never go back (ties allowed)."""
    if len(ts) <= _frame.SMALL_BATCH:
        return _never_back(ts.tolist())
    return bool(np.all(ts[1:] >= ts[:-1]))


def _never_back(items: Sequence[int]) -> bool:
    return all(a <= b for a, b in pairwise(items))
