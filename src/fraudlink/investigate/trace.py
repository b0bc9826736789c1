"""Follow money through accounts, forward from payments or back from a cash-out.

:func:`trace_funds` is a pure function of a :class:`~fraudlink.investigate.ledger.Ledger`
and seed transfers. It replays, in the order money moved, only the outgoing transfers of
the accounts that hold traced money (what they receive in between is summed with numpy),
so a trace costs what it reaches, not the ledger's size.

Time-respecting: a transfer carries traced money only if that money arrived in the payer's
account before it (an earlier ledger position). Where traced money mixes with the account's
other money, the attribution rule (:mod:`.trace_holdings`; amount matching in
:mod:`.trace_matching`) decides how much of each later transfer is traced. An account
that has passed all its traced money on stops being
followed; it is picked up again, with its balance rebuilt from the ledger, if traced money
reaches it again.

Tracing back is the same walk on the ledger read backwards: payees become payers and time
runs from the seed toward the past, so the attribution rule pairs each outgoing amount with
the incoming transfers before it (FIFO: the matching runs from the latest in to the latest
out, as FIFO forward does; LIFO: each outflow to the inflows just before it).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from typing import Literal

from fraudlink.investigate.ledger import Ledger
from fraudlink.investigate.trace_holdings import Holding, MatchedLots, new_holding
from fraudlink.investigate.trace_matching import (
    MAX_ENTRIES,
    PRE_DATA,
    Funding,
    fund_departures,
)
from fraudlink.investigate.trace_result import (
    AccountFlow,
    EndPoint,
    FlowEdge,
    TracedTransfer,
    TraceResult,
)
from fraudlink.investigate.trace_view import TraceView

Direction = Literal["forward", "back"]
Method = Literal["match", "fifo", "lifo", "proportional"]
METHODS: tuple[Method, ...] = ("match", "fifo", "lifo", "proportional")
_SEED = -1  # heap marker: a seed transfer, not an account's next transfer
KINDS = ("transfer", "cash_out", "beyond_horizon")
TRANSFER, CASH_OUT, BEYOND = range(3)


class _Flow:
    """Running totals of one account (mutable while the trace runs)."""

    __slots__ = ("first_us", "hop", "passed_on", "received", "seeded", "withdrawn")

    def __init__(self, hop: int, first_us: int) -> None:
        self.hop, self.first_us = hop, first_us
        self.seeded = self.received = self.passed_on = self.withdrawn = 0


class _Tracer:
    def __init__(self, view: TraceView, method: Method, max_hops: int) -> None:
        self.view, self.ledger, self.method, self.max_hops = view, view.ledger, method, max_hops
        self.holdings: dict[int, Holding] = {}
        # account → its last entry whose money is in its holding; every entry up to there
        # has been applied, so nothing is counted twice when money is caught up lazily
        self.applied: dict[int, int] = {}
        self.flows: dict[int, _Flow] = {}
        # account → which arrivals paid each transfer out (None: too many to match)
        self.funding: dict[int, Funding | None] = {}
        # (payer, payee, kind) → [hop, amount, transfers, first_us, last_us]
        self.edges: dict[tuple[int, int, int], list[int]] = {}
        self.ends: dict[int, dict[int, int]] = {CASH_OUT: {}, BEYOND: {}}
        self.heap: list[tuple[int, int]] = []
        self.moved: list[tuple[int, int, int, int, int, bool]] = []  # k, a, b, kind, traced, seed

    # -- the walk ---------------------------------------------------------------------
    def run(self, seeds: list[int]) -> None:
        """Move money transfer by transfer, in the trace's order of time.

        The heap holds the seeds and, for each account holding traced money, only its
        next outgoing transfer: what arrives in between is caught up when the account
        is next touched, as one sum when it is untraced.
        """
        step, seed_set = self.view.step, set(seeds)
        self.heap = [(k * step, _SEED) for k in seeds]
        heapq.heapify(self.heap)
        last = None
        while self.heap:
            key, account = heapq.heappop(self.heap)
            if key != last:  # a seed may also be its payer's next transfer: move it once
                last = key
                self._move(key * step, key * step in seed_set)
            if account == _SEED:
                continue
            if self.holdings[account].traced == 0:  # nothing traced left: stop following
                del self.holdings[account], self.applied[account]
            else:
                self._queue_next(account)

    def _move(self, k: int, is_seed: bool) -> None:
        ledger = self.ledger
        a, b = int(self.view.payer[k]), int(self.view.payee[k])
        amount, at = int(ledger.amount[k]), int(ledger.time_us[k])
        payer_holding = self._catch_up(a, k)
        traced = payer_holding.take(amount, self.applied[a]) if payer_holding is not None else 0
        if is_seed:
            self._flow(a, 0, at).seeded += amount - traced
            traced = amount
        payee_holding = self._catch_up(b, k)
        if traced == 0:
            if payee_holding is not None:
                payee_holding.put(amount, 0, self.applied[b])
            return
        source = self.flows[a]
        hop = source.hop + 1
        if ledger.external[b]:
            source.withdrawn += traced
            self._record(CASH_OUT, k, a, b, hop, traced, is_seed)
            return
        if payee_holding is None:
            known = self.flows.get(b)
            hop = min(hop, known.hop) if known is not None else hop
            if hop > self.max_hops:
                source.passed_on += traced
                self._record(BEYOND, k, a, b, hop, traced, is_seed)
                return
            payee_holding = self._start(b, k)
        source.passed_on += traced
        self._flow(b, hop, at).received += traced
        payee_holding.put(amount, traced, self.applied[b])
        self._record(TRANSFER, k, a, b, hop, traced, is_seed)

    # -- accounts ---------------------------------------------------------------------
    def _start(self, account: int, k: int) -> Holding:
        """Follow ``account`` from transfer ``k`` on, with the untraced money it held."""
        entry = self.view.entry_of(account, k)
        holding: Holding | None = self._matched(account) if self.method == "match" else None
        if holding is None:  # where amounts are not matched, "match" is LIFO
            method = "lifo" if self.method == "match" else self.method
            holding = new_holding(method, self.view.opening_balance(account, entry))
        self.holdings[account] = holding
        self.applied[account] = entry
        self._queue_next(account)
        return holding

    def _matched(self, account: int) -> MatchedLots | None:
        """The amount-matched holding of ``account``, or None where its statement is too
        long to match (a merchant's) and LIFO serves instead."""
        if account not in self.funding:
            self.funding[account] = self._funding(account)
        funding = self.funding[account]
        return MatchedLots(funding) if funding is not None else None

    def _funding(self, account: int) -> Funding | None:
        ledger = self.ledger
        if ledger.offsets[account + 1] - ledger.offsets[account] > MAX_ENTRIES:
            return None
        entries, times, amounts, out = self.view.statement(account)
        relative = fund_departures(times.tolist(), amounts.tolist(), out.tolist())
        at = entries.tolist()
        return {
            at[d]: [(at[a] if a != PRE_DATA else a, x) for a, x in paid]
            for d, paid in relative.items()
        }

    def _catch_up(self, account: int, k: int) -> Holding | None:
        """The account's holding just before transfer ``k``, if it is being followed."""
        holding = self.holdings.get(account)
        if holding is None:
            return None
        entry = self.view.entry_of(account, k)
        arrived = self.view.inflow_between(account, self.applied[account], entry)
        if arrived:
            holding.put(arrived, 0, -1)
        self.applied[account] = entry
        return holding

    def _queue_next(self, account: int) -> None:
        entry = self.view.next_out(account, self.applied[account])
        if entry is not None:  # else it holds what it has until the end
            k = int(self.ledger.entries[entry])
            heapq.heappush(self.heap, (k * self.view.step, account))

    def _flow(self, account: int, hop: int, at: int) -> _Flow:
        flow = self.flows.get(account)
        if flow is None:
            flow = self.flows[account] = _Flow(hop, at)
        flow.hop = min(flow.hop, hop)
        return flow

    def _record(self, kind: int, k: int, a: int, b: int, hop: int, traced: int, seed: bool) -> None:
        """Note traced money moving from ``a`` to ``b``: the transfer, its edge, its end."""
        at = int(self.ledger.time_us[k])
        self.moved.append((k, a, b, kind, traced, seed))
        if kind != TRANSFER:
            self.ends[kind][b] = self.ends[kind].get(b, 0) + traced
        edge = self.edges.get((a, b, kind))
        if edge is None:
            self.edges[(a, b, kind)] = [hop, traced, 1, at, at]
            return
        edge[0] = min(edge[0], hop)
        edge[1] += traced
        edge[2] += 1
        edge[3], edge[4] = min(edge[3], at), max(edge[4], at)

    # -- the answer -------------------------------------------------------------------
    def result(self, seeds: list[int]) -> TraceResult:
        ledger = self.ledger
        accounts = [
            AccountFlow(
                account=ledger.account(code),
                org=ledger.org(code),
                hop=f.hop,
                seeded=f.seeded,
                received=f.received,
                passed_on=f.passed_on,
                withdrawn=f.withdrawn,
                held=self.holdings[code].traced if code in self.holdings else 0,
                first_us=f.first_us,
            )
            for code, f in self.flows.items()
        ]
        accounts.sort(key=lambda a: (a.hop, -(a.seeded + a.received), a.account, a.org))
        edges = [
            FlowEdge(
                source=ledger.account(a),
                source_org=ledger.org(a),
                target=ledger.account(b),
                target_org=ledger.org(b),
                kind=KINDS[kind],
                hop=hop,
                amount=amount,
                transfers=n,
                first_us=first,
                last_us=last,
            )
            for (a, b, kind), (hop, amount, n, first, last) in self.edges.items()
        ]
        edges.sort(key=lambda e: (e.hop, e.first_us, e.source, e.target, e.kind))
        return TraceResult(
            direction="back" if self.view.back else "forward",
            method=self.method,
            max_hops=self.max_hops,
            currency=ledger.currencies[self.view.currency],
            now_us=self.view.now_us,
            seed_transfers=[str(ledger.transfer_ids[k].as_py()) for k in seeds],
            seeded=sum(f.seeded for f in self.flows.values()),
            accounts=accounts,
            edges=edges,
            transfers=[
                TracedTransfer(
                    transfer_id=str(ledger.transfer_ids[k].as_py()),
                    source=ledger.account(a),
                    target=ledger.account(b),
                    kind=KINDS[kind],
                    amount=traced,
                    at_us=int(ledger.time_us[k]),
                    seed=seed,
                )
                for k, a, b, kind, traced, seed in self.moved
            ],
            cash_outs=self._end_points(CASH_OUT),
            beyond_horizon=self._end_points(BEYOND),
        )

    def _end_points(self, kind: int) -> list[EndPoint]:
        ledger = self.ledger
        points = [
            EndPoint(account=ledger.account(code), org=ledger.org(code), amount=amount)
            for code, amount in self.ends[kind].items()
        ]
        return sorted(points, key=lambda p: (-p.amount, p.account, p.org))


def trace_funds(
    ledger: Ledger,
    seeds: Iterable[int],
    *,
    direction: Direction = "forward",
    method: Method = "match",
    max_hops: int = 8,
    now_us: int | None = None,
) -> TraceResult:
    """Where the money of the seed transfers went (or, ``back``, where it came from).

    ``seeds`` are ledger positions of transfers (see :mod:`.trace_seeds` to find them from
    transfer ids, a victim or an account); all of each seed's amount is traced. Only
    transfers in the seeds' currency and completed by ``now_us`` (default: the ledger's
    last) are followed. Accounts more than ``max_hops`` transfers from a seed are not
    followed; money reaching them is reported in ``beyond_horizon``.

    Amount matching (``match``, :mod:`.trace_matching`) is the default: a mule passes each
    lot on as it came, whole or in parts, less a small commission, so the sums of its
    transfers out name the arrivals they pay; where no sum does, newest money goes first
    (LIFO), because mules move each payment on within hours while older money
    (commissions kept, a previous victim's remainder) stays put. On the simulator's worlds
    it puts ≥ 95 % of every victim's loss in the right accounts, where LIFO alone misses
    victims whose money sat in one mule together (docs/investigate-trace.md has the
    figures). Traced back, ``match`` reads as LIFO.
    """
    if direction not in ("forward", "back"):
        raise ValueError(f"unknown direction {direction!r}; choose forward or back")
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose match, fifo, lifo or proportional")
    if max_hops < 1:
        raise ValueError("max_hops must be at least 1")
    positions = sorted({int(k) for k in seeds})
    if not positions:
        raise ValueError("no seed transfers to trace")
    if positions[0] < 0 or positions[-1] >= ledger.n_transfers:
        raise ValueError("a seed is not a transfer position in this ledger")
    currencies = {int(ledger.currency[k]) for k in positions}
    if len(currencies) > 1:
        names = sorted(ledger.currencies[c] for c in currencies)
        raise ValueError(f"seeds are in several currencies ({', '.join(names)}): trace each")
    now = ledger.last_time_us if now_us is None else now_us
    late = [k for k in positions if ledger.time_us[k] > now]
    if late:
        raise ValueError(f"{len(late)} seed transfers completed after now")
    view = TraceView(ledger, back=direction == "back", currency=currencies.pop(), now_us=now)
    if method == "match" and direction == "back":
        method = "lifo"  # amounts are matched reading forward; read back, LIFO pairs them
    tracer = _Tracer(view, method, max_hops)
    if direction == "back":
        positions.reverse()
    tracer.run(positions)
    return tracer.result(positions)
