"""What part of an account's money is traced, under each attribution rule.

Once traced money lands in an account it mixes with the account's other money, and an
outgoing transfer carries "some" of it: which part is a convention, not a fact. Each class
here is one convention, with the same two operations:

* ``put(amount, traced)`` — a transfer arrived, ``traced`` of its ``amount`` is traced;
* ``take(amount) -> traced`` — a transfer left; how much of it was traced money.

The observed balance follows ``max(0, balance + delta)``: an account may send more than
the ledger ever showed it receiving (money it held before the data starts). That shortfall
is untraced money, so it never carries taint.

Integers only: a traced share is rounded down, so what leaves never exceeds what is there
and nothing is created or lost.
"""

from __future__ import annotations

from collections import deque
from typing import Protocol


class Holding(Protocol):
    traced: int
    total: int

    def put(self, amount: int, traced: int) -> None: ...

    def take(self, amount: int) -> int: ...


class LotQueue:
    """Lots in arrival order; FIFO spends the oldest first, LIFO the newest.

    A lot is ``[amount, traced]``. A lot that is partly traced (a transfer that itself
    carried mixed money) gives up traced money in proportion when only part of it is spent.
    Adjacent lots that are wholly clean or wholly traced are merged, which keeps the queue
    short on busy accounts.
    """

    __slots__ = ("lifo", "lots", "total", "traced")

    def __init__(self, clean: int, *, lifo: bool) -> None:
        self.lifo = lifo
        self.lots: deque[list[int]] = deque()
        self.total = 0
        self.traced = 0
        if clean > 0:
            self.put(clean, 0)

    def put(self, amount: int, traced: int) -> None:
        if amount <= 0:
            return
        self.total += amount
        self.traced += traced
        if self.lots:
            last = self.lots[-1]
            pure_clean = traced == 0 and last[1] == 0
            pure_traced = traced == amount and last[1] == last[0]
            if pure_clean or pure_traced:
                last[0] += amount
                last[1] += traced
                return
        self.lots.append([amount, traced])

    def take(self, amount: int) -> int:
        lots, carried = self.lots, 0
        while amount > 0 and lots:
            lot = lots[-1] if self.lifo else lots[0]
            size, traced = lot
            if amount >= size:
                carried += traced
                amount -= size
                self.total -= size
                if self.lifo:
                    lots.pop()
                else:
                    lots.popleft()
                continue
            part = traced * amount // size
            lot[0] -= amount
            lot[1] -= part
            carried += part
            self.total -= amount
            amount = 0
        self.traced -= carried
        return carried


class ProportionalPool:
    """Every transfer out carries the account's traced share of its balance at that moment."""

    __slots__ = ("total", "traced")

    def __init__(self, clean: int) -> None:
        self.total = max(clean, 0)
        self.traced = 0

    def put(self, amount: int, traced: int) -> None:
        self.total += amount
        self.traced += traced

    def take(self, amount: int) -> int:
        spent = min(amount, self.total)
        if spent <= 0:
            return 0
        carried = self.traced * spent // self.total
        self.total -= spent
        self.traced -= carried
        return carried


def new_holding(method: str, clean: int) -> Holding:
    """The holding for ``method`` (fifo, lifo, proportional), starting with ``clean`` money."""
    if method == "fifo":
        return LotQueue(clean, lifo=False)
    if method == "lifo":
        return LotQueue(clean, lifo=True)
    if method == "proportional":
        return ProportionalPool(clean)
    raise ValueError(f"unknown method {method!r}; choose fifo, lifo or proportional")
