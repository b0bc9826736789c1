"""The ledger as one trace reads it: in one direction of time, one currency, up to ``now``.

Read back, time runs from the latest transfer to the earliest and every transfer's payee
is where the money came from, so a trace back is the same walk as a trace forward. This
view hides the difference: "out" is the side traced money leaves by, "before" is earlier
in the trace's order.

All lookups work on one account's slice of the ledger's index with numpy, so following
a busy merchant costs a few vector operations, not a Python step per payment it took.
"""

from __future__ import annotations

import numpy as np

from fraudlink.investigate.ledger import Bools, Int32s, Int64s, Ledger

_FIRST_CHUNK = 32  # entries scanned for the next outgoing transfer before widening


class TraceView:
    def __init__(self, ledger: Ledger, *, back: bool, currency: int, now_us: int) -> None:
        self.ledger, self.back, self.currency, self.now_us = ledger, back, currency, now_us
        self.step = -1 if back else 1
        # Read back, the payee of a transfer is where traced money came from.
        self.payer: Int32s = ledger.dst if back else ledger.src
        self.payee: Int32s = ledger.src if back else ledger.dst
        self.out: Bools = ~ledger.outgoing if back else ledger.outgoing

    def entry_of(self, account: int, k: int) -> int:
        """Where transfer ``k`` sits in the account's slice of the index."""
        ledger = self.ledger
        lo, hi = int(ledger.offsets[account]), int(ledger.offsets[account + 1])
        return lo + int(np.searchsorted(ledger.entries[lo:hi], k))

    def opening_balance(self, account: int, entry: int) -> int:
        """What the account held before ``entry`` as far as the ledger shows.

        The running sum of its earlier transfers floored at zero: money sent beyond what
        the ledger shows arriving was held before the data starts, and is not a debt later
        arrivals pay off. With prefix sums ``S`` that is ``S_n - min(0, min_i S_i)``.
        """
        ledger = self.ledger
        lo, hi = int(ledger.offsets[account]), int(ledger.offsets[account + 1])
        span = slice(entry + 1, hi) if self.back else slice(lo, entry)
        prior, out = ledger.entries[span], self.out[span]
        if self.back:
            prior, out = prior[::-1], out[::-1]
        keep = ledger.currency[prior] == self.currency
        if self.back:
            keep &= ledger.time_us[prior] <= self.now_us
        amounts = np.where(out, -ledger.amount[prior], ledger.amount[prior])[keep]
        if not len(amounts):
            return 0
        sums = np.cumsum(amounts)
        return int(sums[-1]) - min(0, int(sums.min()))

    def inflow_between(self, account: int, after: int, before: int) -> int:
        """Money that came in strictly between two entries (in the trace's order)."""
        ledger = self.ledger
        span = slice(before + 1, after) if self.back else slice(after + 1, before)
        ks = ledger.entries[span]
        keep = ~self.out[span] & (ledger.currency[ks] == self.currency)
        return int(ledger.amount[ks[keep]].sum())

    def statement(self, account: int) -> tuple[Int64s, Int64s, Int64s, Bools]:
        """The account's transfers this trace counts, in ledger order: their entries,
        times, amounts, and whether each went out (forward only)."""
        ledger = self.ledger
        lo, hi = int(ledger.offsets[account]), int(ledger.offsets[account + 1])
        ks = ledger.entries[lo:hi]
        keep = (ledger.currency[ks] == self.currency) & (ledger.time_us[ks] <= self.now_us)
        entries = np.flatnonzero(keep) + lo
        ks = ks[keep]
        return entries, ledger.time_us[ks], ledger.amount[ks], self.out[entries]

    def next_out(self, account: int, entry: int) -> int | None:
        """The entry of the account's next outgoing transfer after ``entry``, if any.

        Scanned in widening chunks: a mule's next move is usually a few entries on, and
        a merchant that never pays out is ruled out in a handful of vector operations.
        """
        ledger = self.ledger
        lo, hi = int(ledger.offsets[account]), int(ledger.offsets[account + 1])
        chunk = _FIRST_CHUNK
        near = entry + self.step
        while lo <= near < hi:
            far = near + self.step * chunk
            span = slice(max(far + 1, lo), near + 1) if self.back else slice(near, min(far, hi))
            ks = ledger.entries[span]
            hits = np.flatnonzero(self.out[span] & (ledger.currency[ks] == self.currency))
            if len(hits):
                found = span.start + int(hits[-1] if self.back else hits[0])
                if not self.back and ledger.time_us[ledger.entries[found]] > self.now_us:
                    return None
                return found
            near, chunk = far, chunk * 4
        return None
