"""Layering: money passed through stacked sets of accounts, layer after layer.

From a source's payment at ``t0`` the money is followed forward in time until
``t0 + within``: layer 1 is whoever the source paid, layer ``n + 1`` whoever the
members of layer ``n`` paid after their money arrived (accounts already in the
stack excepted). A layer *passes the money on* when its members pay out at least
``min_retained`` of what they received. The source is found when at least
``min_layers`` successive layers of at least ``min_width`` accounts each pass the
money on: the bipartite stack of the published typologies.

A fan-out ends at its first layer (the payees spend), a scatter-gather at its
second (one sink); salaries, rents and shop bills repeat and, paid in
``regular_after`` or more distinct periods of ``within``, are left out.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from fraudlink.detect.durations import human_duration, parse_duration
from fraudlink.detect.ledger.book import Ledger
from fraudlink.detect.ledger.finding import Finding
from fraudlink.detect.ledger.operators.graph_edges import (
    Edges,
    load_edges,
    regular_mask,
    regular_pairs,
)
from fraudlink.detect.ledger.operators.population import strength
from fraudlink.detect.ledger.run import Known, operator
from fraudlink.detect.rules.ledger_schema import LayeringSpec

# A real stack is a few dozen accounts; past this the walk is the whole economy.
_MAX_LAYER = 200
_MAX_DEPTH = 12


@dataclass
class Stack:
    """Layers of one source's money: members, amounts in and passed on, transfers."""

    source: int
    start: int
    end: int
    layers: list[list[int]]
    received: list[float]
    passed: list[float]
    event_ids: list[int]


def _follow(
    edges: Edges, first: int, outgoing: dict[int, list[int]], out_ts: dict[int, list[int]],
    spec: LayeringSpec, within: int,
) -> Stack:  # fmt: skip
    source = int(edges.src[first])
    t0 = int(edges.ts[first])
    deadline = t0 + within
    seen = {source}
    # The layer-1 inflows: every payment of the source from ``first`` on, in time.
    frontier: dict[int, tuple[int, float]] = {}
    used: list[int] = []
    src_hops = outgoing[source]
    for k in src_hops[src_hops.index(first) :]:
        if int(edges.ts[k]) > deadline:
            break
        node = int(edges.dst[k])
        at, got = frontier.get(node, (int(edges.ts[k]), 0.0))
        frontier[node] = (min(at, int(edges.ts[k])), got + float(edges.amount[k]))
        used.append(k)
    stack = Stack(source, t0, t0, [], [], [], list(used))
    stack.end = max(int(edges.ts[k]) for k in used)
    while len(frontier) >= spec.min_width and len(stack.layers) < _MAX_DEPTH:
        if len(frontier) > _MAX_LAYER:
            stack.layers.clear()  # not a stack: the money spread into the economy
            return stack
        seen.update(frontier)
        layer: list[int] = []
        nxt: dict[int, tuple[int, float]] = {}
        feeders: dict[int, set[int]] = {}
        received = passed = 0.0
        hops: list[int] = []
        for node, (arrived, got) in sorted(frontier.items()):
            mine = outgoing.get(node, [])
            times = out_ts.get(node, [])
            onward = [
                k
                for k in mine[bisect_right(times, arrived) : bisect_right(times, deadline)]
                if int(edges.dst[k]) not in seen
            ]
            sent = sum(float(edges.amount[k]) for k in onward)
            if sent < spec.min_retained * got:
                continue  # this member kept the money: the stack does not go on through it
            layer.append(node)
            received += got
            passed += min(sent, got)
            hops.extend(onward)
            for k in onward:
                to = int(edges.dst[k])
                feeders.setdefault(to, set()).add(node)
                at, had = nxt.get(to, (int(edges.ts[k]), 0.0))
                nxt[to] = (min(at, int(edges.ts[k])), had + float(edges.amount[k]))
        if len(layer) < spec.min_width:
            break
        stack.layers.append(layer)
        stack.received.append(received)
        stack.passed.append(passed)
        stack.event_ids.extend(hops)
        stack.end = max([stack.end, *(int(edges.ts[k]) for k in hops)])
        # A stack converges layer to layer; a tree of ordinary spending only spreads.
        frontier = {to: v for to, v in nxt.items() if len(feeders[to]) >= 2}
    return stack


@operator("layering")
def layering(ledger: Ledger, spec: LayeringSpec, known: Known) -> Iterator[Finding]:
    """The source and every member of each layer of its deepest stack."""
    edges = load_edges(ledger)
    within = parse_duration(spec.within)
    keep = ~regular_mask(edges, regular_pairs(edges, within, spec.regular_after))
    outgoing: dict[int, list[int]] = {}
    for k in np.flatnonzero(keep).tolist():
        outgoing.setdefault(int(edges.src[k]), []).append(k)
    out_ts = {n: [int(edges.ts[k]) for k in ks] for n, ks in outgoing.items()}
    best: dict[int, Stack] = {}
    for source, hops in outgoing.items():
        if len(hops) < spec.min_width:
            continue
        for first in hops:
            stack = _follow(edges, first, outgoing, out_ts, spec, within)
            depth = len(stack.layers)
            if depth < spec.min_layers:
                continue
            seen = best.get(source)
            if seen is None or (depth, stack.passed[-1]) > (len(seen.layers), seen.passed[-1]):
                best[source] = stack
    by_member: dict[int, Stack] = {}
    for stack in best.values():
        for node in [stack.source, *(n for layer in stack.layers for n in layer)]:
            seen = by_member.get(node)
            if seen is None or len(stack.layers) > len(seen.layers):
                by_member[node] = stack
    for node in sorted(by_member):
        yield _finding(ledger, edges, spec, node, by_member[node])


def _finding(ledger: Ledger, edges: Edges, spec: LayeringSpec, node: int, s: Stack) -> Finding:
    names = edges.names
    widths = ", ".join(str(len(layer)) for layer in s.layers)
    kept = ", ".join(f"{round(100 * p / r)} %" for p, r in zip(s.passed, s.received, strict=True))
    members = [s.source, *(n for layer in s.layers for n in layer)]
    where = "" if node == s.source else f"in a layered stack from {names[s.source]}: "
    reason = (
        f"{where}{names[s.source]} sent {ledger.money(s.received[0])} from {ledger.time(s.start)} "
        f"that passed through {len(s.layers)} layers of {widths} accounts "
        f"(each passing on {kept}), {ledger.money(s.passed[-1])} leaving the last layer "
        f"within {human_duration(s.end - s.start)}"
    )
    return Finding(
        account=names[node],
        ts_us=s.end,
        window_start_us=s.start,
        reason=reason,
        metrics={
            "layers": len(s.layers),
            "widths": widths,
            "sent": ledger.money(s.received[0]),
            "left_last_layer": ledger.money(s.passed[-1]),
        },
        event_ids=tuple(edges.event_ids[k] for k in s.event_ids),
        strength=strength(float(len(s.layers)), float(spec.min_layers)),
        linked=tuple(names[m] for m in members if m != node)[:30],
    )
