"""Community flow: groups of customers that pass money through instead of living on it.

The customers' transfer graph (undirected, each pair weighted by the money between
them) is split into communities by Leiden on modularity. A household spends part of
its pay and keeps the rest; a mule ring lets nearly all of it through. The
community's *pass-through factor* is what its members passed on (for each, the
smaller of money in and out, summed) over what they kept or drew down (the
difference, summed): about 0.2 for households, 20 for mules passing on 95 %.
Counting each member's own flows, not only the border's, keeps the measure when a
victim's large payment pulls the victim into the ring's community.

Communities of ``min_size``..``max_size`` members beyond the robust fence (``z``)
of the factor are flagged. The fence is taken over the customers (each counting its
community's factor once), so a ledger of a few large ordinary communities and
several rings still sets it by the ordinary ones. Only the members that themselves
passed on more than they kept are alerted: a victim whose one large payment drew it
into the ring is not. The reason also gives the money crossing the community's
border.

Accounts with a single counterparty (a victim's one payment, a one-off buyer) are
left out of the communities. Leiden is seeded, so the same ledger gives the same
communities.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

import igraph as ig
import numpy as np

from fraudlink.detect.ledger.book import Ledger
from fraudlink.detect.ledger.finding import Finding
from fraudlink.detect.ledger.operators.graph_edges import Edges, load_edges
from fraudlink.detect.ledger.operators.population import robust_fence, strength
from fraudlink.detect.ledger.run import Known, operator
from fraudlink.detect.rules.ledger_schema import CommunityFlowSpec

_SEED = 17
_MAX_EVENTS = 200


@dataclass
class Community:
    """A community's members, the money crossing its border, and its members' own
    flows: ``through`` (what each member both got and paid on, summed) and ``kept``
    (what each got and did not pay on, or paid without getting, summed)."""

    members: list[int]
    money_in: float = 0.0
    money_out: float = 0.0
    through: float = 0.0
    kept: float = 0.0
    passing: set[int] = field(default_factory=set)

    @property
    def factor(self) -> float:
        """Money passed through its members over money they kept: large for mules."""
        total = self.through + self.kept
        return self.through / (self.kept + 0.01 * total) if total > 0 else 0.0


def communities_of(edges: Edges, customers: set[str]) -> list[int]:
    """Each account's community (−1 when it takes no part: not a customer, or a leaf)."""
    n = len(edges.names)
    pairs: dict[tuple[int, int], float] = {}
    for a, b, amount in zip(
        edges.src.tolist(), edges.dst.tolist(), edges.amount.tolist(), strict=True
    ):
        key = (min(a, b), max(a, b))
        pairs[key] = pairs.get(key, 0.0) + amount
    is_customer = [name in customers for name in edges.names]
    counterparties = [0] * n
    for a, b in pairs:
        if is_customer[a] and is_customer[b]:
            counterparties[a] += 1
            counterparties[b] += 1
    inside = [is_customer[v] and counterparties[v] >= 2 for v in range(n)]
    kept = [(a, b, w) for (a, b), w in pairs.items() if inside[a] and inside[b]]
    graph = ig.Graph(n=n, edges=[(a, b) for a, b, _ in kept], directed=False)
    graph.es["weight"] = [float(w) for _, _, w in kept]
    ig.set_random_number_generator(random.Random(_SEED))
    try:
        parts = graph.community_leiden(
            objective_function="modularity", weights="weight", n_iterations=-1
        )
    finally:
        ig.set_random_number_generator(random)
    return [parts.membership[v] if inside[v] and graph.degree(v) > 0 else -1 for v in range(n)]


@operator("community_flow")
def community_flow(ledger: Ledger, spec: CommunityFlowSpec, known: Known) -> Iterator[Finding]:
    edges = load_edges(ledger)
    if len(edges) == 0:
        return
    customers = {str(r[0]) for r in ledger.rows("SELECT account FROM customers")}
    member = communities_of(edges, customers)
    groups: dict[int, Community] = {}
    for v, c in enumerate(member):
        if c >= 0:
            groups.setdefault(c, Community([])).members.append(v)
    got = np.bincount(edges.dst, weights=edges.amount, minlength=len(edges.names))
    paid = np.bincount(edges.src, weights=edges.amount, minlength=len(edges.names))
    for group in groups.values():
        for v in group.members:
            through, kept = float(min(got[v], paid[v])), float(abs(got[v] - paid[v]))
            group.through += through
            group.kept += kept
            if through > kept:
                group.passing.add(v)
    crossing: dict[int, list[int]] = {}
    for k, (a, b) in enumerate(zip(edges.src.tolist(), edges.dst.tolist(), strict=True)):
        ca, cb = member[a], member[b]
        if ca == cb:
            continue
        for c, side in ((cb, "in"), (ca, "out")):
            if c < 0:
                continue
            group = groups[c]
            if side == "in":
                group.money_in += float(edges.amount[k])
            else:
                group.money_out += float(edges.amount[k])
            crossing.setdefault(c, []).append(k)
    flowing = {c: g for c, g in groups.items() if g.through > 0}
    # Each customer counts once: a few large ordinary communities outweigh many rings.
    population = [g.factor for g in flowing.values() for _ in g.members]
    fence = robust_fence(population, spec.z, floor=1.0)
    for c, group in sorted(flowing.items()):
        if not spec.min_size <= len(group.members) <= spec.max_size or group.factor <= fence:
            continue
        ks = crossing.get(c, [])
        if ks:
            yield from _findings(ledger, edges, group, ks, fence)


def _findings(
    ledger: Ledger, edges: Edges, group: Community, ks: list[int], fence: float
) -> Iterator[Finding]:
    names = edges.names
    members = sorted(names[v] for v in group.members)
    start, end = int(edges.ts[ks[0]]), int(edges.ts[ks[-1]])
    listed = ", ".join(members[:10]) + (" …" if len(members) > 10 else "")
    share = round(100 * group.through / (group.through + group.kept))
    reason = (
        f"member of a community of {len(members)} accounts ({listed}) that took in "
        f"{ledger.money(group.money_in)} from outside and sent {ledger.money(group.money_out)} "
        f"out between {ledger.time(start)} and {ledger.time(end)}; its members passed on "
        f"{ledger.money(group.through)} of what they got and kept {ledger.money(group.kept)} "
        f"({share} % through): a pass-through factor of {group.factor:.1f}, beyond the "
        f"communities' fence of {fence:.1f}"
    )
    metrics: dict[str, int | float | str | None] = {
        "community_size": len(members),
        "money_in": ledger.money(group.money_in),
        "money_out": ledger.money(group.money_out),
        "passed_on": ledger.money(group.through),
        "kept": ledger.money(group.kept),
        "pass_through_factor": round(group.factor, 2),
        "fence": round(fence, 2),
    }
    power = strength(group.factor, fence)
    event_ids = tuple(edges.event_ids[k] for k in ks[-_MAX_EVENTS:])
    for name in sorted(names[v] for v in group.passing):
        yield Finding(
            account=name,
            ts_us=end,
            window_start_us=start,
            reason=reason,
            metrics=metrics,
            event_ids=event_ids,
            strength=power,
            linked=tuple(m for m in members if m != name)[:30],
        )
