"""Pass-through: money that comes into an account and goes out again within a short time.

At each outgoing transfer of account A at time t: the inflows are A's incoming
transfers of at least ``min_in`` in [t - within, t]; the outflows are A's outgoing
transfers from the first of those inflows up to this one. The share passed on is
outflows / inflows (capped at 1). Only accounts with a qualifying inflow in reach
are looked at in Python; the rest of the batch is skipped with one array test.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from fraudlink.detect.frame import Frame
from fraudlink.detect.operators.base import Hit, Values, grown, key_array
from fraudlink.detect.rules.compile import PassThroughConfig
from fraudlink.detect.rules.predicates import Pred


@dataclass
class _Flows:
    ins: deque[tuple[int, int, int, str]] = field(default_factory=deque)  # ts, amount, payer, id
    outs: deque[tuple[int, int, int, str]] = field(default_factory=deque)  # ts, amount, payee, id


class PassThroughDetector:
    def __init__(self, cfg: PassThroughConfig, when: tuple[Pred, ...]) -> None:
        self.within = cfg.within_us
        self.min_in = cfg.min_in
        self.when = when
        self.flows: dict[int, _Flows] = {}
        self.last_in = key_array(-(2**62), np.int64)
        self._swept_at = -(2**62)

    def _grow(self, size: int) -> None:
        self.last_in = grown(self.last_in, size, -(2**62))

    def process(self, frame: Frame, rows: np.ndarray, values: Values) -> list[Hit]:
        if len(rows) == 0:
            return []
        payer = frame.codes("from_account")[rows]
        payee = frame.codes("to_account")[rows]
        self._grow(len(frame.interner_of("account")))
        amount = frame.ints("amount")[rows]
        ts = frame.ts[rows]
        qualifying = (amount >= self.min_in) & (payee >= 0)
        # Accounts in reach: an earlier qualifying inflow still within the window, or one now.
        active = np.zeros(len(rows), dtype=bool)
        safe = np.where(payer >= 0, payer, 0)
        active |= (payer >= 0) & (self.last_in[safe] >= ts[0] - self.within)
        fresh = np.unique(payee[qualifying])
        active |= np.isin(payer, fresh)
        touch = np.flatnonzero(active | qualifying)
        if len(qualifying):
            np.maximum.at(self.last_in, payee[qualifying], ts[qualifying])
        if len(touch) == 0:
            return []
        ids = frame.values("event_id", rows[touch])
        names = frame.interner_of("account").names
        hits = []
        for j, i in enumerate(touch.tolist()):
            t = int(ts[i])
            if qualifying[i]:
                flows = self.flows.setdefault(int(payee[i]), _Flows())
                flows.ins.append((t, int(amount[i]), int(payer[i]), ids[j]))
            if not active[i]:
                continue
            flows_out = self.flows.get(int(payer[i]))
            if flows_out is None:
                continue
            flows_out.outs.append((t, int(amount[i]), int(payee[i]), ids[j]))
            metrics = self._measure(flows_out, t)
            if metrics is None:
                continue
            if all(p.test(metrics.get(p.field)) for p in self.when):
                account = names[int(payer[i])]
                evidence = [e[3] for e in flows_out.ins] + [e[3] for e in flows_out.outs]
                start = metrics.pop("_start")
                assert isinstance(start, int)
                hits.append(
                    Hit(int(rows[i]), account, metrics, {}, start, evidence[-50:], [account])
                )
        return hits

    def _measure(self, flows: _Flows, t: int) -> dict[str, int | float | str | None] | None:
        cutoff = t - self.within
        while flows.ins and flows.ins[0][0] < cutoff:
            flows.ins.popleft()
        if not flows.ins:
            flows.outs.clear()
            return None
        first = flows.ins[0][0]
        while flows.outs and flows.outs[0][0] < first:
            flows.outs.popleft()
        received = sum(e[1] for e in flows.ins)
        passed = sum(e[1] for e in flows.outs)
        return {
            "in_amount": received,
            "out_amount": passed,
            "share": min(1.0, passed / received) if received else 0.0,
            "payers": len({e[2] for e in flows.ins}),
            "payees": len({e[2] for e in flows.outs}),
            "in_count": len(flows.ins),
            "out_count": len(flows.outs),
            "delay": t - first,
            "_start": first,
        }

    def expire(self, watermark_us: int) -> None:
        # A sweep walks every account in reach, so sweep once per quarter window of event
        # time, not on every (possibly tiny) batch; stale flows are also pruned on use.
        if watermark_us - self._swept_at < self.within // 4:
            return
        self._swept_at = watermark_us
        cutoff = watermark_us - self.within
        for account in [a for a, f in self.flows.items() if not f.ins or f.ins[-1][0] < cutoff]:
            del self.flows[account]
