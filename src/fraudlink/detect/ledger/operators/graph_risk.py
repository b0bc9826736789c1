"""Risk propagation: accounts the money of known-bad accounts flows to.

Seeds are the accounts given as known bad and those the pack's other ledger rules
found with a combined weight (``1 − Π(1 − weight × strength)``) of at least
``seed_weight``; at most ``max_seeds``, strongest first. Risk spreads from them
along the money by personalised PageRank (igraph's PRPACK) on the directed graph
of payer → payee, each pair weighted by the money it moved, with ``damping``: an
account that received a large share of a seed's money, directly or a few hops on,
collects much of the seeds' risk; a shop the seed once paid a little collects
almost none.

Propagated risk is written relative to an account chosen at random (PageRank × the
number of accounts), and an account is found when it stands beyond the robust
fence (``z``) of that risk among every account that is not a seed. The reason
names the nearest seeds (fewest hops along the money) and the share of the
account's incoming money that came from the seeds' side (accounts nearer to them).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

import igraph as ig
import numpy as np

from fraudlink.detect.ledger.book import Ledger
from fraudlink.detect.ledger.finding import Finding
from fraudlink.detect.ledger.operators.graph_edges import Edges, load_edges
from fraudlink.detect.ledger.operators.population import robust_fence, strength
from fraudlink.detect.ledger.run import Known, operator
from fraudlink.detect.rules.ledger_schema import RiskPropagationSpec

_NEAREST = 3


def seeds_of(known: Known, seed_weight: float, max_seeds: int) -> list[str]:
    """Known-bad accounts first, then the strongest findings, at most ``max_seeds``."""
    weight: dict[str, float] = {}
    for account, hits in known.found.items():
        remain = 1.0
        for _, w in hits:
            remain *= 1.0 - w
        if 1.0 - remain >= seed_weight:
            weight[account] = 1.0 - remain
    for account in known.bad:
        weight[account] = 2.0
    return sorted(weight, key=lambda a: (-weight[a], a))[:max_seeds]


def _nearest(
    edges: Edges, seeds: list[int]
) -> tuple[dict[int, int], dict[int, list[int]], dict[int, list[int]]]:
    """Hops from the nearest seed along the money, which seeds those are, and each
    account's incoming transfers."""
    out: dict[int, set[int]] = {}
    incoming: dict[int, list[int]] = {}
    for k, (a, b) in enumerate(zip(edges.src.tolist(), edges.dst.tolist(), strict=True)):
        out.setdefault(a, set()).add(b)
        incoming.setdefault(b, []).append(k)
    hops = dict.fromkeys(seeds, 0)
    origin = {s: [s] for s in seeds}
    queue = deque(seeds)
    while queue:
        node = queue.popleft()
        for nxt in sorted(out.get(node, ())):
            if nxt not in hops:
                hops[nxt] = hops[node] + 1
                origin[nxt] = list(origin[node])
                queue.append(nxt)
            elif hops[nxt] == hops[node] + 1:
                have = origin[nxt]
                have.extend(s for s in origin[node] if s not in have)
                del have[_NEAREST:]
    return hops, origin, incoming


@operator("risk_propagation")
def risk_propagation(ledger: Ledger, spec: RiskPropagationSpec, known: Known) -> Iterator[Finding]:
    edges = load_edges(ledger)
    index = {name: i for i, name in enumerate(edges.names)}
    seeds = [index[a] for a in seeds_of(known, spec.seed_weight, spec.max_seeds) if a in index]
    if not seeds or len(edges) == 0:
        return
    n = len(edges.names)
    pair_money: dict[tuple[int, int], float] = {}
    for a, b, amount in zip(
        edges.src.tolist(), edges.dst.tolist(), edges.amount.tolist(), strict=True
    ):
        pair_money[(a, b)] = pair_money.get((a, b), 0.0) + amount
    graph = ig.Graph(n=n, edges=list(pair_money), directed=True)
    graph.es["weight"] = list(pair_money.values())
    rank = np.asarray(
        graph.personalized_pagerank(
            directed=True, damping=spec.damping, reset_vertices=seeds, weights="weight"
        )
    )
    risk = rank * n
    is_seed = np.zeros(n, dtype=bool)
    is_seed[seeds] = True
    fence = robust_fence(risk[~is_seed].tolist(), spec.z)
    hops, origin, incoming = _nearest(edges, seeds)
    for v in np.flatnonzero((risk > fence) & ~is_seed).tolist():
        if v not in hops:
            continue
        finding = _finding(ledger, edges, v, float(risk[v]), fence, hops, origin, incoming)
        if finding is not None:
            yield finding


def _finding(
    ledger: Ledger,
    edges: Edges,
    v: int,
    risk: float,
    fence: float,
    hops: dict[int, int],
    origin: dict[int, list[int]],
    incoming: dict[int, list[int]],
) -> Finding | None:
    names = edges.names
    ins = incoming.get(v, [])
    upstream = [k for k in ins if hops.get(int(edges.src[k]), hops[v]) < hops[v]]
    if not upstream:
        return None
    total = float(sum(edges.amount[k] for k in ins))
    near = float(sum(edges.amount[k] for k in upstream))
    seeds = [names[s] for s in origin[v]]
    side = "from them" if hops[v] == 1 else f"from accounts {hops[v] - 1} hops or fewer from them"
    reason = (
        f"{hops[v]} {'hop' if hops[v] == 1 else 'hops'} along the money from known-bad "
        f"{', '.join(seeds)}: {ledger.money(near)} of the {ledger.money(total)} it received "
        f"({round(100 * near / total)} %) came {side}; propagated risk {risk:.1f}× an "
        f"ordinary account's, beyond the fence of {fence:.1f}×"
    )
    return Finding(
        account=names[v],
        ts_us=int(edges.ts[upstream[-1]]),
        window_start_us=int(edges.ts[upstream[0]]),
        reason=reason,
        metrics={
            "hops": hops[v],
            "nearest_seeds": ", ".join(seeds),
            "from_seed_side": ledger.money(near),
            "share_from_seed_side": round(near / total, 3),
            "risk": round(risk, 2),
            "fence": round(fence, 2),
        },
        event_ids=tuple(edges.event_ids[k] for k in upstream[-50:]),
        strength=strength(risk, fence),
        linked=tuple(seeds),
    )
