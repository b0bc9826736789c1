"""Gangs: communities of the gang graph, with every member in a role.

Leiden (objective: modularity) runs on each connected component of the graph on its
own. On the whole graph, modularity's resolution would depend on how much else is in
the data (the more gangs, the coarser it gets); per component, ``resolution`` means the
same on a small and a large world: a component is split where fewer than about
``resolution / 2`` of its ties run between the parts. Components are tied together by
little (:mod:`.gang_graph` keeps hubs and honest commerce out), so the split is the
safety net for the odd bridge: a shared address, a victim who paid two gangs.

A community becomes a gang if it has ``min_size`` members (victims not counted; the
device controller counted, as the person they are) and at least ``min_seeds`` persons
with a gang behaviour of their own: a family sharing one tablet, or an honest account
that happened to pass money on, is not a gang.

Determinism: igraph's random numbers come from ``random.Random(seed)`` for every
component, and everything is numbered in (org, account) order, so the same events give
the same gangs, ids and ranks.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import igraph as ig
import msgspec
import numpy as np

from fraudlink.investigate.gang_candidates import Progress
from fraudlink.investigate.gang_graph import GangGraph, GraphSettings, load_gang_graph
from fraudlink.investigate.gang_money import Flows, TransferIndex
from fraudlink.investigate.gang_persons import PersonBook
from fraudlink.investigate.gang_result import Gang, GangMember, GangReport
from fraudlink.investigate.gang_roles import Role, RoleSettings, assign_roles


@dataclass(frozen=True)
class GangSettings:
    graph: GraphSettings = field(default_factory=GraphSettings)
    roles: RoleSettings = field(default_factory=RoleSettings)
    resolution: float = 0.25
    seed: int = 7
    min_size: int = 3
    min_seeds: int = 2
    currency: str = "CNY"  # for a gang with neither transfers nor claims to take it from


def find_gangs(
    paths: Sequence[Path], settings: GangSettings | None = None, progress: Progress | None = None
) -> GangReport:
    """Read event files (or world folders), build the gang graph and find the gangs."""
    settings = settings or GangSettings()
    graph = load_gang_graph(paths, settings.graph, progress)
    if progress is not None:
        progress("finding communities and roles")
    return gangs_in(graph, settings)


def communities(graph: ig.Graph, resolution: float, seed: int) -> np.ndarray:
    """Community of every vertex: Leiden with modularity on each connected component."""
    membership = np.zeros(graph.vcount(), dtype=np.int64)
    taken = 0
    try:
        for component in graph.connected_components():
            if len(component) < 3:
                membership[component] = taken
                taken += 1
                continue
            ig.set_random_number_generator(random.Random(seed))
            found = graph.subgraph(component).community_leiden(
                objective_function="modularity",
                weights="weight",
                resolution=resolution,
                n_iterations=-1,
            )
            membership[component] = taken + np.asarray(found.membership, dtype=np.int64)
            taken += len(found)
    finally:
        ig.set_random_number_generator(random)  # igraph's default: the random module
    return membership


def gangs_in(graph: GangGraph, settings: GangSettings) -> GangReport:
    """The gangs among the communities of ``graph``, largest losses first."""
    book = PersonBook(graph)
    person_community = communities(graph.graph, settings.resolution, settings.seed)
    person_community = person_community[: graph.n_persons]
    index = TransferIndex(graph, person_community)
    roles = settings.roles
    found: list[Gang] = []
    for c in np.unique(person_community):
        persons = np.flatnonzero(person_community == c).tolist()
        if int(book.seed[persons].sum()) < settings.min_seeds:
            continue
        flows = index.flows(int(c))
        claimed_in = {book.col["claim_currency"][a] for p in persons for a in book.accounts_of[p]}
        currencies = flows.currencies | (claimed_in - {None})
        currency = min(currencies) if currencies else settings.currency
        members, victims = assign_roles(book, persons, flows, currency, roles)
        if len(members) < settings.min_size:
            continue
        found.append(_gang(book, members, victims, flows, currency))
    found.sort(key=lambda g: (-g.money_in, -len(g.members), g.members[0].person))
    numbered = [msgspec.structs.replace(g, gang_id=f"GANG-{i:03d}") for i, g in enumerate(found, 1)]
    return GangReport(gangs=numbered, stats={**graph.stats, "gangs": len(numbered)})


def _gang(
    book: PersonBook, members: list[Role], victims: list[Role], flows: Flows, cur: str
) -> Gang:
    people = [_member(book, r, rank, flows) for rank, r in enumerate(members, 1)]
    hurt = [_member(book, r, None, flows) for r in victims]
    accounts = [a for m in people for a in m.accounts]
    money_in = sum(m.sent for m in hurt)
    out = sum(m.cashed_out for m in people)
    elsewhere = sum(book.total(r.person, "sent_outside") for r in members if r.person is not None)
    devices = sorted({d for m in people for d in m.devices})
    return Gang(
        gang_id="",
        members=people,
        victims=hurt,
        organisations=sorted({a.org for a in accounts}),
        cities=sorted({a.city for a in accounts if a.city}),
        devices=devices,
        currency=cur,
        money_in=money_in,
        cashed_out=out,
        sent_elsewhere=elsewhere,
        held=max(0, money_in - out - elsewhere),
        claimed=sum(book.total(r.person, "claimed") for r in members if r.person is not None),
    )


def _member(book: PersonBook, role: Role, rank: int | None, flows: Flows) -> GangMember:
    p = role.person
    if p is None:
        label = "controller of " + ", ".join(role.devices)
        return GangMember(person=label, role=role.role, rank=rank, devices=role.devices,
                          evidence=role.evidence)  # fmt: skip
    return GangMember(
        person=book.label(p),
        role=role.role,
        name=book.name(p),
        layer=role.layer,
        rank=rank,
        accounts=book.refs(p),
        devices=role.devices,
        received=flows.received.get(p, 0),
        sent=flows.sent.get(p, 0),
        cashed_out=flows.cashed.get(p, 0),
        evidence=role.evidence,
    )
