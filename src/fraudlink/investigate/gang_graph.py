"""The graph gangs are found in: people, the devices they share, the money between them.

Accounts whose KYC records share a national id, phone or e-mail are first grouped into
one *person*, so a mule's two wallets and bank card are one vertex. Without that, the
strong ties between one person's own accounts outweigh the ties between people, and
community detection cuts a gang along its members instead of between gangs.

Vertices are the persons (``0 .. P-1``), then one vertex per shared *thing* (a device,
or an IP used by two of them within the hour) that at least two persons share: a star
through the thing instead of a clique among its users, so a phone that worked 20 mule
accounts adds 20 edges, not 190. Edges between persons are money: a completed transfer
either way, if at least one of the two is a seed (two victims who are friends are no
tie to a gang). The graph is undirected for community detection; who paid whom stays
in the candidates' transfer table for the roles.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import igraph as ig
import numpy as np
import pyarrow as pa

from fraudlink.investigate.gang_candidates import (
    Candidates,
    CandidateSettings,
    Progress,
    load_candidates,
)
from fraudlink.investigate.gang_sources import locate

# A device is what a gang works its accounts from; an IP at the same hour is weaker
# evidence of one place (a café, a hotel); a transfer is one tie whatever its size.
DEFAULT_WEIGHTS: Mapping[str, float] = {"transfer": 1.0, "device": 1.0, "ip": 0.5}


@dataclass(frozen=True)
class GraphSettings:
    candidates: CandidateSettings = field(default_factory=CandidateSettings)
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))


@dataclass
class GangGraph:
    """Persons and shared things as an igraph, with the candidate accounts behind them."""

    graph: ig.Graph  # undirected, edge attribute "weight"
    person: np.ndarray  # account code → person (vertex) index
    things: list[str]  # vertex n_persons + i is things[i], e.g. "device dv-…"
    candidates: Candidates
    stats: dict[str, int]

    @property
    def n_persons(self) -> int:
        return int(self.person.max()) + 1 if len(self.person) else 0


def load_gang_graph(
    paths: Sequence[Path], settings: GraphSettings | None = None, progress: Progress | None = None
) -> GangGraph:
    """The gang graph of event Parquet files or world folders."""
    settings = settings or GraphSettings()
    sources = locate(paths)
    with duckdb.connect() as con:
        candidates = load_candidates(con, sources, settings.candidates, progress)
    if progress is not None:
        progress("building the graph")
    return build_gang_graph(candidates, settings.weights)


def group_persons(n_accounts: int, links: pa.Table) -> np.ndarray:
    """Person index of each account: accounts sharing a KYC identifier are one person.

    Persons are numbered in the order of their first account code, so the numbering
    depends on the data only.
    """
    kind = np.asarray(links.column("kind").to_pylist(), dtype=object)
    ident = kind == "ident"
    codes = links.column("code").to_numpy()[ident].astype(np.int64)
    keys = np.asarray(links.column("thing").to_pylist(), dtype=object)[ident]
    key_index = np.unique(keys, return_inverse=True)[1] if len(keys) else codes
    edges = np.stack([codes, n_accounts + key_index.astype(np.int64)], axis=1)
    bipartite = ig.Graph(n=n_accounts + int(key_index.max(initial=-1)) + 1, edges=edges.tolist())
    membership = np.asarray(bipartite.connected_components().membership[:n_accounts])
    # Renumber by first appearance (accounts come in code order).
    _, first, inverse = np.unique(membership, return_index=True, return_inverse=True)
    order = np.argsort(np.argsort(first))
    person: np.ndarray = order[inverse].astype(np.int64)
    return person


def build_gang_graph(candidates: Candidates, weights: Mapping[str, float]) -> GangGraph:
    """Persons, shared things and money ties as one undirected weighted graph."""
    accounts, links, transfers = candidates.accounts, candidates.links, candidates.transfers
    person = group_persons(accounts.num_rows, links)
    n = int(person.max()) + 1 if len(person) else 0
    # Things shared by two or more persons (identifiers were used up making the persons).
    kind = np.asarray(links.column("kind").to_pylist(), dtype=object)
    shared = kind != "ident"
    thing_key = np.asarray(links.column("thing").to_pylist(), dtype=object)[shared]
    users = person[links.column("code").to_numpy()[shared].astype(np.int64)]
    uses = sorted(
        {(str(t), int(p), str(k)) for t, p, k in zip(thing_key, users, kind[shared], strict=True)}
    )
    per_thing: dict[str, set[int]] = {}
    for thing, who, _ in uses:
        per_thing.setdefault(thing, set()).add(who)
    things = sorted(t for t, who in per_thing.items() if len(who) >= 2)
    thing_vertex = {t: n + i for i, t in enumerate(things)}
    thing_edges = [(p, thing_vertex[t], weights[k]) for t, p, k in uses if t in thing_vertex]
    # Money ties between persons, if one of them is a seed.
    seed = np.zeros(n, dtype=np.bool_)
    np.logical_or.at(seed, person, accounts.column("seed").to_numpy(zero_copy_only=False))
    src = person[transfers.column("src").to_numpy().astype(np.int64)]
    dst = person[transfers.column("dst").to_numpy().astype(np.int64)]
    keep = (src != dst) & (seed[src] | seed[dst])
    pairs = np.unique(np.stack([np.minimum(src, dst), np.maximum(src, dst)], axis=1)[keep], axis=0)
    edges = [(int(a), int(b)) for a, b in pairs] + [(p, v) for p, v, _ in thing_edges]
    edge_w = [weights["transfer"]] * len(pairs) + [w for _, _, w in thing_edges]
    graph = ig.Graph(n=n + len(things), edges=edges, directed=False)
    graph.es["weight"] = edge_w
    stats = {
        **candidates.stats,
        "persons": n,
        "shared things": len(things),
        "vertices": graph.vcount(),
        "edges": graph.ecount(),
    }
    return GangGraph(graph=graph, person=person, things=things, candidates=candidates, stats=stats)
