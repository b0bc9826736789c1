"""What part of an account's money is traced, under each attribution rule.

Once traced money lands in an account it mixes with the account's other money, and an
outgoing transfer carries "some" of it: which part is a convention, not a fact. Each class
here is one convention, with the same two operations:

* ``put(amount, traced, entry)`` — a transfer arrived, ``traced`` of its ``amount`` is
  traced;
* ``take(amount, entry) -> traced`` — a transfer left; how much of it was traced money.

``entry`` is the transfer's place in the account's statement (the ledger's index); only
:class:`MatchedLots`, which follows a funding map written per entry, needs it.

The observed balance follows ``max(0, balance + delta)``: an account may send more than
the ledger ever showed it receiving (money it held before the data starts). That shortfall
is untraced money, so it never carries taint.

Integers only: a traced share is rounded down, so what leaves never exceeds what is there
and nothing is created or lost.
"""

from __future__ import annotations

from collections import deque
from typing import Protocol

from fraudlink.investigate.trace_matching import Funding


class Holding(Protocol):
    traced: int  # what of the account's money is traced now

    def put(self, amount: int, traced: int, entry: int) -> None: ...

    def take(self, amount: int, entry: int) -> int: ...


class LotQueue:
    """Lots in arrival order; FIFO spends the oldest first, LIFO the newest.

    A lot is ``[amount, traced]``. A lot that is partly traced (a transfer that itself
    carried mixed money) gives up traced money in proportion when only part of it is spent.
    Adjacent lots that are wholly clean or wholly traced are merged, which keeps the queue
    short on busy accounts.
    """

    __slots__ = ("lifo", "lots", "traced")

    def __init__(self, clean: int, *, lifo: bool) -> None:
        self.lifo = lifo
        self.lots: deque[list[int]] = deque()
        self.traced = 0
        if clean > 0:
            self.put(clean, 0, -1)

    def put(self, amount: int, traced: int, entry: int) -> None:
        if amount <= 0:
            return
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

    def take(self, amount: int, entry: int) -> int:
        lots, carried = self.lots, 0
        while amount > 0 and lots:
            lot = lots[-1] if self.lifo else lots[0]
            size, traced = lot
            if amount >= size:
                carried += traced
                amount -= size
                if self.lifo:
                    lots.pop()
                else:
                    lots.popleft()
                continue
            part = traced * amount // size
            lot[0] -= amount
            lot[1] -= part
            carried += part
            amount = 0
        self.traced -= carried
        return carried


class ProportionalPool:
    """Every transfer out carries the account's traced share of its balance at that moment."""

    __slots__ = ("total", "traced")

    def __init__(self, clean: int) -> None:
        self.total = max(clean, 0)
        self.traced = 0

    def put(self, amount: int, traced: int, entry: int) -> None:
        self.total += amount
        self.traced += traced

    def take(self, amount: int, entry: int) -> int:
        spent = min(amount, self.total)
        if spent <= 0:
            return 0
        carried = self.traced * spent // self.total
        self.total -= spent
        self.traced -= carried
        return carried


class MatchedLots:
    """Each transfer out carries the traced share of the arrivals its funding map names.

    The map (:func:`~fraudlink.investigate.trace_matching.fund_departures`) is read from
    the account's whole statement; this only keeps, per arrival that brought traced
    money, what of it is left. Arrivals that brought none need no record: whatever they
    pay for is untraced. A partly traced arrival gives up traced money in proportion.
    """

    __slots__ = ("funding", "lots", "traced")

    def __init__(self, funding: Funding) -> None:
        self.funding = funding
        self.lots: dict[int, list[int]] = {}  # arrival entry → [amount left, traced left]
        self.traced = 0

    def put(self, amount: int, traced: int, entry: int) -> None:
        if traced > 0:
            self.lots[entry] = [amount, traced]
            self.traced += traced

    def take(self, amount: int, entry: int) -> int:
        carried = 0
        for arrival, part in self.funding.get(entry, ()):
            lot = self.lots.get(arrival)
            if lot is None:
                continue
            share = lot[1] if part >= lot[0] else lot[1] * part // lot[0]
            lot[0] -= part
            lot[1] -= share
            carried += share
            if lot[0] <= 0:
                del self.lots[arrival]
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
