"""Money inside one community: who paid whom, how deep, and where it ends.

Everything here is per person (all of a person's accounts together) and only counts
transfers between different persons of the community, except *cashed out*, which is
money sent to an account outside the wallets (a bank card, a withdrawal) whoever holds
it: a cash-out mule withdrawing to their own card has still taken it out.

A community holds tens of persons and at most a few hundred transfers, so plain Python
over its slice of the transfer table is fast; the slices are cut with numpy once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import igraph as ig
import numpy as np

from fraudlink.investigate.gang_graph import GangGraph


@dataclass
class Transfer:
    src: int  # person
    dst: int
    src_account: int
    dst_account: int
    amount: int
    ts: int
    external: bool  # the payee account is outside the wallets


@dataclass
class Flows:
    """Per-person money of one community (persons not in a dict had none)."""

    transfers: list[Transfer]
    received: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    sent: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    cashed: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    payers: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    payees: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    currencies: set[str] = field(default_factory=set)


class TransferIndex:
    """The candidates' transfers, cut once into one slice per community."""

    def __init__(self, graph: GangGraph, person_community: np.ndarray) -> None:
        t = graph.candidates.transfers
        accounts = graph.candidates.accounts
        self.src_acc = t.column("src").to_numpy().astype(np.int64)
        self.dst_acc = t.column("dst").to_numpy().astype(np.int64)
        self.amount = t.column("amount").to_numpy().astype(np.int64)
        self.ts = t.column("ts").to_numpy().astype(np.int64)
        self.currency = np.asarray(t.column("currency").to_pylist(), dtype=object)
        withdrawal = np.asarray(t.column("channel").to_pylist(), dtype=object) == "withdrawal"
        external = accounts.column("external").to_numpy(zero_copy_only=False)
        self.external = external[self.dst_acc] | withdrawal
        self.src = graph.person[self.src_acc]
        self.dst = graph.person[self.dst_acc]
        community = person_community[self.src]
        inside = community == person_community[self.dst]
        rows = np.flatnonzero(inside)
        order = rows[np.argsort(community[rows], kind="stable")]  # time order kept within
        keys = community[order]
        found, first = np.unique(keys, return_index=True)
        bounds = [*first.tolist(), len(keys)]
        self._slices: dict[int, np.ndarray] = {
            int(c): order[bounds[i] : bounds[i + 1]] for i, c in enumerate(found)
        }

    def flows(self, community: int) -> Flows:
        rows = self._slices.get(community, np.empty(0, dtype=np.int64))
        flows = Flows(
            transfers=[
                Transfer(
                    src=int(self.src[k]),
                    dst=int(self.dst[k]),
                    src_account=int(self.src_acc[k]),
                    dst_account=int(self.dst_acc[k]),
                    amount=int(self.amount[k]),
                    ts=int(self.ts[k]),
                    external=bool(self.external[k]),
                )
                for k in rows
            ]
        )
        flows.currencies.update(str(c) for c in self.currency[rows])
        for t in flows.transfers:
            if t.external:
                flows.cashed[t.src] += t.amount
            if t.src == t.dst:
                continue
            flows.received[t.dst] += t.amount
            flows.payers[t.dst].add(t.src)
            if not t.external:
                flows.sent[t.src] += t.amount
                flows.payees[t.src].add(t.dst)
        return flows


def hops_from(flows: Flows, sources: set[int]) -> dict[int, int]:
    """Fewest transfers from a source person's payment to each account, in time order.

    Money can only be passed on after it arrived: a transfer out of an account extends a
    path only if the path reached that account before the transfer. Relaxed until
    nothing changes (at most one pass per layer). Returns the hop per person (the
    smallest over their accounts).
    """
    arrival: dict[int, tuple[int, int]] = {}  # account → (hop, time it first got there)
    changed = True
    while changed:
        changed = False
        for t in flows.transfers:
            if t.src == t.dst:
                continue
            if t.src in sources:
                hop = 1
            elif t.src_account in arrival and arrival[t.src_account][1] <= t.ts:
                hop = arrival[t.src_account][0] + 1
            else:
                continue
            best = arrival.get(t.dst_account)
            if best is None or (hop, t.ts) < best:
                arrival[t.dst_account] = (hop, t.ts)
                changed = True
    by_person: dict[int, int] = {}
    for t in flows.transfers:
        if t.dst_account in arrival and t.dst not in sources:
            hop = arrival[t.dst_account][0]
            by_person[t.dst] = min(hop, by_person.get(t.dst, hop))
    return by_person


def money_rank(flows: Flows, persons: list[int]) -> dict[int, float]:
    """PageRank of each person in the money graph, edges weighted by amount.

    Money flows towards whoever the gang works for; where it stops (the coordinator's
    wallet) the random walk piles up. Withdrawals to one's own card are left out: they
    end the money's path in the wallets, not at another person.
    """
    index = {p: i for i, p in enumerate(persons)}
    weight: dict[tuple[int, int], int] = defaultdict(int)
    for t in flows.transfers:
        if t.src != t.dst and t.src in index and t.dst in index:
            weight[(index[t.src], index[t.dst])] += t.amount
    if not weight:
        return dict.fromkeys(persons, 1.0 / max(1, len(persons)))
    edges = sorted(weight)
    graph = ig.Graph(n=len(persons), edges=edges, directed=True)
    ranks = graph.pagerank(weights=[float(weight[e]) for e in edges])
    return {p: float(ranks[i]) for p, i in index.items()}
