"""Exposure: is an account (the payer, say) under an alert of given rules right now?

Money that leaves an account just flagged as compromised, or as a mule's cash-out,
marks its receiver; that is how a drop account or a coordinator is found. The
index is fed by the engine with every rule hit, in event-time order.
"""

from __future__ import annotations

from bisect import insort
from collections import defaultdict

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fraudlink.detect.durations import parse_duration
from fraudlink.detect.frame import Frame
from fraudlink.detect.operators.base import Values
from fraudlink.detect.rules.schema import ExposureSpec


class HitIndex:
    """Recent rule hits per account: (ts, seq, rule id), oldest first."""

    def __init__(self) -> None:
        self.hits: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        self.keep_us = 0
        self._swept_at = -(2**62)

    def add(self, account: str, ts: int, seq: int, rule_id: str) -> None:
        # The engine adds a batch's hits rule by rule, so a later rule's early hit can
        # arrive after an earlier rule's late one; keep each list in stream order.
        insort(self.hits[account], (ts, seq, rule_id))

    def expire(self, watermark_us: int) -> None:
        # A sweep walks every flagged account, so sweep once per quarter of the longest
        # reach, not per (possibly tiny) batch; exposure checks each hit's age anyway.
        if watermark_us - self._swept_at < self.keep_us // 4:
            return
        self._swept_at = watermark_us
        cutoff = watermark_us - self.keep_us
        for account in [a for a, h in self.hits.items() if h[-1][0] < cutoff]:
            del self.hits[account]


class Exposure:
    """``flagged``, ``rule`` and ``age`` of the latest matching hit on the account, if any."""

    def __init__(self, spec: ExposureSpec, index: HitIndex) -> None:
        self.account = spec.account
        self.rules = frozenset(spec.rules)
        self.within = parse_duration(spec.within)
        self.index = index
        index.keep_us = max(index.keep_us, self.within)

    def enrich(self, frame: Frame, rows: np.ndarray) -> Values:
        n = len(rows)
        flagged = np.zeros(n, dtype=bool)
        rule = np.full(n, None, dtype=object)
        age = np.full(n, np.nan)
        if n == 0 or not self.index.hits:
            return {"flagged": flagged, "rule": rule, "age": age}
        hits = self.index.hits
        if frame.small:
            # Probing the index per row beats building an Arrow set of all its accounts.
            found = [(i, a) for i, a in enumerate(frame.values(self.account, rows)) if a in hits]
        else:
            accounts = frame.take(self.account, rows)
            known = pa.array(list(hits), type=pa.string())
            is_known = pc.is_in(accounts, value_set=known).to_numpy(zero_copy_only=False)
            maybe = np.flatnonzero(is_known)
            names = accounts.take(pa.array(maybe, type=pa.int64())).to_pylist()
            found = list(zip(maybe.tolist(), names, strict=True))
        for i, name in found:
            pos = int(rows[i])
            t, s = int(frame.ts[pos]), int(frame.seq[pos])
            for ts, seq, rid in reversed(self.index.hits[name]):
                if (ts, seq) > (t, s) or rid not in self.rules:
                    continue
                if t - ts <= self.within:
                    flagged[i], rule[i], age[i] = True, rid, t - ts
                break
        return {"flagged": flagged, "rule": rule, "age": age}

    def advance(self, frame: Frame) -> None:
        """The engine feeds the index; nothing to absorb here."""

    def expire(self, watermark_us: int) -> None:
        self.index.expire(watermark_us)
