"""New counterparty: has this payer paid this payee (a completed transfer) within the horizon?

Pairs are packed into one integer (payer code × 2³² + payee code) so the history is
a plain ``dict[int, int]`` updated with C-speed ``dict.update``.
"""

from __future__ import annotations

import numpy as np

from fraudlink.detect.durations import parse_duration
from fraudlink.detect.frame import Frame
from fraudlink.detect.operators.base import Values
from fraudlink.detect.operators.ordering import latest_before
from fraudlink.detect.rules.schema import CounterpartySpec

_SHIFT = np.int64(32)


def pair_codes(frame: Frame, rows: np.ndarray) -> np.ndarray:
    payer = frame.codes("from_account")[rows]
    payee = frame.codes("to_account")[rows]
    out: np.ndarray = np.asarray((payer << _SHIFT) | payee)
    return out


class NewCounterparty:
    """``new`` is true when no completed transfer from payer to payee is within ``horizon``."""

    def __init__(self, spec: CounterpartySpec) -> None:
        self.horizon = parse_duration(spec.horizon)
        self.last_paid: dict[int, int] = {}
        self._swept_at = 0

    def _completed(self, frame: Frame) -> np.ndarray:
        rows = frame.rows_of(("wallet_transfer",))
        done = frame.codes("status")[rows] == frame.interner_of("status").code("completed")
        out: np.ndarray = rows[done]
        return out

    def enrich(self, frame: Frame, rows: np.ndarray) -> Values:
        paid = self._completed(frame)
        r_pairs = pair_codes(frame, rows)
        prev = latest_before(pair_codes(frame, paid), paid, r_pairs, rows)
        ts = frame.ts[rows]
        seen = np.full(len(rows), -1, dtype=np.int64)
        inside = prev >= 0
        seen[inside] = frame.ts[paid[prev[inside]]]
        history = self.last_paid
        for i in np.flatnonzero(~inside).tolist():
            seen[i] = history.get(int(r_pairs[i]), -1)
        new = (seen < 0) | (ts - seen > self.horizon)
        return {"new": new}

    def advance(self, frame: Frame) -> None:
        paid = self._completed(frame)
        self.last_paid.update(
            zip(pair_codes(frame, paid).tolist(), frame.ts[paid].tolist(), strict=True)
        )

    def expire(self, watermark_us: int) -> None:
        if watermark_us - self._swept_at < self.horizon // 4:
            return
        self._swept_at = watermark_us
        cutoff = watermark_us - self.horizon
        self.last_paid = {k: v for k, v in self.last_paid.items() if v >= cutoff}
