"""Which arrival paid for each transfer out of one account: amounts first, then LIFO.

A mule passes each lot it receives on as it came: whole, or split in two or three parts
sent minutes apart, less a small commission it keeps. An investigator reads an account's
statement the same way: this ¥20,781.09 out is the ¥20,991.00 that came in half an hour
earlier, less 1 %. :func:`fund_departures` writes that reading down for one account's
whole statement at once, as a funding map (which arrivals paid each transfer out), and
the trace then only carries each arrival's traced share along it.

The rules, in order:

1. **Amounts.** A transfer out, with up to two of the account's next transfers out within
   ``window_us`` (a lot split in parts), is matched to an earlier arrival of the last
   ``horizon_us`` not yet matched, in three passes, strongest evidence first: sums equal
   to the arrival of transfers out in a row; then of any of the next ones; then sums of
   transfers out in a row that fall short of it by at most ``commission`` (the mule's
   cut), taken only when exactly one reading fits, because near sums are common at a
   busy account and a guess there would swap two victims' money rather than separate it.
2. **LIFO** pays every transfer out that nothing matched, newest arrival first, from
   what the matches did not reserve (a matched arrival's commission stays available).
   When that runs out, money reserved for a later match pays first: the balance is real,
   only its reading yields.
3. What no arrival in the statement covers was held before the data starts (arrival
   ``-1``): money that carries no traced part.

Pure: lists in, a dict out. One account's statement is read at a time, so an account
with very many transfers (a merchant) is better served by the plain LIFO queue; the
trace switches at :data:`MAX_ENTRIES`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

MAX_ENTRIES = 4096  # past this an account's statement is not matched (merchant-sized)
PRE_DATA = -1  # the "arrival" that paid for money held before the ledger starts
Funding = dict[int, list[tuple[int, int]]]  # transfer out → [(arrival, amount)]


@dataclass(frozen=True)
class MatchRules:
    """How far amount matching looks. The defaults fit mules that move money within
    hours and keep at most a few per cent; ``commission=0`` allows exact sums only."""

    commission: float = 0.03
    window_us: int = 30 * 60_000_000
    horizon_us: int = 24 * 3_600_000_000
    group: int = 3  # at most this many transfers out pass one arrival on
    look_ahead: int = 6  # transfers out considered for the rest of a group

    def __post_init__(self) -> None:
        if not 0 <= self.commission < 1:
            raise ValueError("commission must be at least 0 and below 1")
        if self.group < 1 or self.look_ahead < self.group - 1:
            raise ValueError("group must be at least 1 and look_ahead at least group - 1")
        if self.window_us < 0 or self.horizon_us < 0:
            raise ValueError("window_us and horizon_us must not be negative")


def fund_departures(
    times: Sequence[int],
    amounts: Sequence[int],
    outgoing: Sequence[bool],
    rules: MatchRules = MatchRules(),
) -> Funding:
    """The funding map of one account's statement (entries in ledger order).

    Returns, for each outgoing entry, the arrivals that paid for it as ``(entry, amount)``
    pairs, amounts summing to the transfer's; ``PRE_DATA`` stands for money held before
    the statement starts. No arrival pays out more than it brought in, and only entries
    before a transfer out pay for it.
    """
    matched, reserved = _match_amounts(times, amounts, outgoing, rules)
    funding: Funding = {}
    free: list[list[int]] = []  # [arrival, what LIFO may take from it], oldest first
    held: list[list[int]] = []  # [arrival, what it still holds for its group], oldest first
    left: dict[int, list[int]] = {}  # matched arrival → its row in ``held``
    for i, (amount, out) in enumerate(zip(amounts, outgoing, strict=True)):
        if not out:
            kept = reserved.get(i, 0)
            if amount > kept:
                free.append([i, amount - kept])
            if kept:
                left[i] = [i, kept]
                held.append(left[i])
            continue
        paid: list[tuple[int, int]] = []
        need = amount
        lot = matched.get(i)
        if lot is not None:
            need = _spend(left[lot], need, paid)
        # Nothing matched, or what was held for the group went out before it: newest
        # free money first, then money held for a later group (the balance is real; only
        # the reading of it yields), then money from before the statement.
        need = _spend_newest(free, need, paid)
        need = _spend_newest(held, need, paid)
        if need:
            paid.append((PRE_DATA, need))
        funding[i] = paid
    return funding


def _spend(row: list[int], need: int, paid: list[tuple[int, int]]) -> int:
    part = min(need, row[1])
    if part:
        paid.append((row[0], part))
        row[1] -= part
    return need - part


def _spend_newest(rows: list[list[int]], need: int, paid: list[tuple[int, int]]) -> int:
    while need and rows:
        need = _spend(rows[-1], need, paid)
        if rows[-1][1] == 0:
            rows.pop()
    return need


def _match_amounts(
    times: Sequence[int], amounts: Sequence[int], outgoing: Sequence[bool], rules: MatchRules
) -> tuple[dict[int, int], dict[int, int]]:
    """Transfer out → the arrival it passes on, and arrival → the sum reserved for it.

    Three passes over the statement, strongest evidence first, so that a weaker reading
    never takes an arrival a stronger one explains: exact sums of transfers out in a row,
    exact sums of any transfers out within the window, then sums short by a commission
    of transfers out in a row (a mule pays one lot out before the next).
    """
    arrivals = [i for i, out in enumerate(outgoing) if not out]
    departures = [i for i, out in enumerate(outgoing) if out]
    matched: dict[int, int] = {}
    reserved: dict[int, int] = {}
    for exact, in_a_row in ((True, True), (True, False), (False, True)):
        if not exact and not rules.commission:
            break
        lots = _OpenLots()
        added = dropped = 0  # arrivals opened so far, and those gone past the horizon
        for n, d in enumerate(departures):
            t = times[d]
            while added < len(arrivals) and arrivals[added] < d:
                if arrivals[added] not in reserved:
                    lots.add(arrivals[added], amounts[arrivals[added]])
                added += 1
            while dropped < added and times[arrivals[dropped]] < t - rules.horizon_us:
                lots.discard(arrivals[dropped], amounts[arrivals[dropped]])
                dropped += 1
            if d in matched or not lots.sizes:
                continue
            later = _next_open(departures, n, matched, times, t + rules.window_us, rules)
            groups = _groups(d, later, rules.group, in_a_row=in_a_row)
            best = (
                _exact(groups, amounts, lots.by_amount)
                if exact
                else _near(groups, amounts, lots, rules.commission)
            )
            if best is None:
                continue
            group, lot = best
            reserved[lot] = sum(amounts[j] for j in group)
            lots.discard(lot, amounts[lot])
            for j in group:
                matched[j] = lot
    return matched, reserved


def _next_open(
    departures: list[int],
    n: int,
    matched: dict[int, int],
    times: Sequence[int],
    until: int,
    rules: MatchRules,
) -> list[int]:
    """Up to ``look_ahead`` transfers out after the ``n``-th not yet matched, until
    ``until``; the scan stops there, so a long statement is not copied per transfer."""
    later: list[int] = []
    for i in range(n + 1, len(departures)):
        j = departures[i]
        if len(later) == rules.look_ahead or times[j] > until:
            break
        if j not in matched:
            later.append(j)
    return later


class _OpenLots:
    """Arrivals a transfer out may still be matched to, by amount, kept as the statement
    is read: one pass adds and drops each arrival once instead of gathering them again
    for every transfer out."""

    __slots__ = ("by_amount", "sizes")

    def __init__(self) -> None:
        self.by_amount: dict[int, list[int]] = {}  # amount → open arrivals, oldest first
        self.sizes: list[int] = []  # the distinct amounts, sorted

    def add(self, arrival: int, amount: int) -> None:
        same = self.by_amount.get(amount)
        if same is None:
            self.by_amount[amount] = [arrival]
            insort(self.sizes, amount)
        else:
            same.append(arrival)

    def discard(self, arrival: int, amount: int) -> None:
        same = self.by_amount.get(amount)
        if same is None or arrival not in same:
            return
        same.remove(arrival)
        if not same:
            del self.by_amount[amount]
            del self.sizes[bisect_left(self.sizes, amount)]


def _groups(d: int, later: list[int], most: int, *, in_a_row: bool) -> list[tuple[int, ...]]:
    """Groups of transfers out that start at ``d``, fewest transfers first."""
    if in_a_row:
        return [(d, *later[:size]) for size in range(min(most, len(later) + 1))]
    return [(d, *rest) for size in range(most) for rest in combinations(later, size)]


def _exact(
    groups: list[tuple[int, ...]], amounts: Sequence[int], open_lots: dict[int, list[int]]
) -> tuple[tuple[int, ...], int] | None:
    """The first group whose sum an open arrival equals, with the newest such arrival."""
    for group in groups:
        lots = open_lots.get(sum(amounts[j] for j in group))
        if lots:
            return group, lots[-1]
    return None


def _near(
    groups: list[tuple[int, ...]], amounts: Sequence[int], lots: _OpenLots, commission: float
) -> tuple[tuple[int, ...], int] | None:
    """The one (group, arrival) pair whose sum falls short of the arrival by at most
    ``commission`` of it, or None when there is none or more than one."""
    near = [
        (group, lot)
        for group in groups
        for amount in _within(lots.sizes, sum(amounts[j] for j in group), commission)
        for lot in lots.by_amount[amount]
    ]
    return near[0] if len(near) == 1 else None


def _within(sizes: list[int], total: int, commission: float) -> list[int]:
    """Arrival amounts ``total`` falls short of by more than nothing and at most
    ``commission`` of the arrival: ``total < amount <= total / (1 - commission)``."""
    top = int(total / (1 - commission))
    return sizes[bisect_right(sizes, total) : bisect_left(sizes, top + 1)]
