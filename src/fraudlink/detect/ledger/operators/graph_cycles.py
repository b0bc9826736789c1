"""Cycle: money that goes round a ring of accounts and comes back to where it started.

A cycle is a time-ordered path of transfers ``v0 → v1 → … → v0`` through distinct
accounts: each hop later than the one before, keeping at least ``min_retained`` of
its amount, the last within ``within`` of the first. Every cycle lies inside one
strongly connected component of the transfer graph, so igraph's components cut the
search down to the few accounts that can close a ring; a depth-first walk over each
account's transfers in time order then follows only hops that are later, large
enough and still within the time allowed.

Two customers who pay each other back and forth month after month (a family, a
shared flat) close 2-cycles all the time. A 2-cycle whose pair moved money both
ways in ``regular_after`` or more distinct periods of ``within`` is ordinary life,
not a ring, and is left out; longer rings are never excused.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import igraph as ig

from fraudlink.detect.durations import human_duration, parse_duration
from fraudlink.detect.ledger.book import Ledger
from fraudlink.detect.ledger.finding import Finding
from fraudlink.detect.ledger.operators.graph_edges import Edges, load_edges, regular_pairs
from fraudlink.detect.ledger.operators.population import strength
from fraudlink.detect.ledger.run import Known, operator
from fraudlink.detect.rules.ledger_schema import CycleSpec

# Walk steps allowed from one starting transfer: a dense hub cannot stall the rule.
_STEP_BUDGET = 50_000


@dataclass(frozen=True)
class CycleRules:
    """What makes a sequence of transfers a cycle (all times in microseconds)."""

    within_us: int
    min_length: int = 2
    max_length: int = 8
    min_retained: float = 0.5


def temporal_cycles(
    src: Sequence[int],
    dst: Sequence[int],
    amount: Sequence[float],
    ts: Sequence[int],
    rules: CycleRules,
    budget: int | None = None,
) -> list[tuple[int, ...]]:
    """Every cycle as the indices of its transfers, first hop first.

    A cycle is found once, from its first (earliest) transfer. ``budget`` caps the
    walk steps from one starting transfer (None: exhaustive).
    """
    n_nodes = max([*src, *dst], default=-1) + 1
    if n_nodes == 0:
        return []
    graph = ig.Graph(n=n_nodes, edges=list(zip(src, dst, strict=True)), directed=True)
    member = graph.connected_components(mode="strong").membership
    out: dict[int, list[int]] = {}
    for k in sorted(range(len(src)), key=lambda k: (ts[k], k)):
        if member[src[k]] == member[dst[k]]:
            out.setdefault(src[k], []).append(k)
    out_ts = {node: [ts[k] for k in ks] for node, ks in out.items()}
    found: list[tuple[int, ...]] = []
    for origin, starts in out.items():
        for first in starts:
            found.extend(_walk(origin, first, out, out_ts, dst, amount, ts, rules, budget))
    found.sort(key=lambda c: (ts[c[0]], c))
    return found


def _walk(
    origin: int,
    first: int,
    out: dict[int, list[int]],
    out_ts: dict[int, list[int]],
    dst: Sequence[int],
    amount: Sequence[float],
    ts: Sequence[int],
    rules: CycleRules,
    budget: int | None,
) -> Iterator[tuple[int, ...]]:
    deadline = ts[first] + rules.within_us
    path = [first]
    visited = {origin, dst[first]}
    steps = 0
    # Each frame: (node, index into its transfers to try next).
    frames = [(dst[first], bisect_right(out_ts.get(dst[first], []), ts[first]))]
    while frames:
        node, at = frames[-1]
        hops = out.get(node, [])
        if at >= len(hops) or ts[hops[at]] > deadline or (budget is not None and steps >= budget):
            frames.pop()
            visited.discard(dst[path.pop()])
            visited.add(origin)
            continue
        frames[-1] = (node, at + 1)
        steps += 1
        k = hops[at]
        if amount[k] < rules.min_retained * amount[path[-1]]:
            continue
        nxt = dst[k]
        if nxt == origin:
            if len(path) + 1 >= rules.min_length:
                yield (*path, k)
            continue
        if nxt in visited or len(path) + 1 >= rules.max_length:
            continue
        path.append(k)
        visited.add(nxt)
        frames.append((nxt, bisect_right(out_ts.get(nxt, []), ts[k])))


def _is_regular_pair(cycle: tuple[int, ...], edges: Edges, regular: set[tuple[int, int]]) -> bool:
    if len(cycle) != 2:
        return False
    a, b = int(edges.src[cycle[0]]), int(edges.dst[cycle[0]])
    return (a, b) in regular and (b, a) in regular


@operator("cycle")
def cycle(ledger: Ledger, spec: CycleSpec, known: Known) -> Iterator[Finding]:
    """Every member of a cycle, with its best cycle (most money back) as the reason."""
    edges = load_edges(ledger)
    within = parse_duration(spec.within)
    rules = CycleRules(within, spec.min_length, spec.max_length, spec.min_retained)
    cycles = temporal_cycles(
        edges.src.tolist(),
        edges.dst.tolist(),
        edges.amount.tolist(),
        edges.ts.tolist(),
        rules,
        budget=_STEP_BUDGET,
    )
    regular = regular_pairs(edges, within, spec.regular_after)
    per_account: dict[int, list[tuple[int, ...]]] = {}
    for c in cycles:
        if _is_regular_pair(c, edges, regular):
            continue
        for k in c:
            per_account.setdefault(int(edges.src[k]), []).append(c)
    for node, mine in sorted(per_account.items()):
        best = max(mine, key=lambda c: (edges.amount[c[-1]], -edges.ts[c[0]]))
        yield _finding(ledger, edges, node, best, len(mine))


def _finding(ledger: Ledger, edges: Edges, node: int, c: tuple[int, ...], count: int) -> Finding:
    names = edges.names
    origin = int(edges.src[c[0]])
    members = [int(edges.src[k]) for k in c]
    through = [names[m] for m in members[1:]]
    sent, back = float(edges.amount[c[0]]), float(edges.amount[c[-1]])
    start, end = int(edges.ts[c[0]]), int(edges.ts[c[-1]])
    who = "" if node == origin else f"in a ring with {names[origin]}: {names[origin]} "
    reason = (
        f"{who}sent {ledger.money(sent)} on {ledger.time(start)} that came back as "
        f"{ledger.money(back)} after {len(c)} hops through {', '.join(through)} "
        f"in {human_duration(end - start)}"
    )
    if count > 1:
        reason += f"; {count} cycles in all"
    return Finding(
        account=names[node],
        ts_us=end,
        window_start_us=start,
        reason=reason,
        metrics={
            "cycle_length": len(c),
            "sent": ledger.money(sent),
            "returned": ledger.money(back),
            "retained_share": round(back / sent, 3),
            "cycles": count,
        },
        event_ids=tuple(edges.event_ids[k] for k in c),
        # A 2-cycle once is at the threshold; a longer ring, or a repeated one, past it.
        strength=strength(float(count * (len(c) - 1)), 1.0),
        linked=tuple(names[m] for m in members if m != node),
    )
