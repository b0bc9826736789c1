"""Merges are data: edges between records, each with its evidence; clusters follow.

A cluster is a connected component of the merges not undone, so undoing a merge is
taking one edge out and recomputing: nothing is rewritten, and a merge undone by
mistake is done again by taking it off the undone list. A merge id is derived from the
two record ids, so the same merge has the same id in every run on the same records
and an investigator's list of undone merges still applies after a re-run.

If the two sides of an undone merge are still joined through other merges, the
cluster stays whole and :meth:`Resolution.unmerge` says through which merges, so the
investigator can judge those too.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict, deque
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MERGE_SCHEMA = pa.schema(
    [
        pa.field("merge_id", pa.string()),
        pa.field("left", pa.string()),
        pa.field("right", pa.string()),
        pa.field("kind", pa.string()),  # hard | probabilistic
        pa.field("evidence", pa.string()),
        pa.field("probability", pa.float64()),  # null for hard merges
        pa.field("left_idx", pa.int64()),
        pa.field("right_idx", pa.int64()),
    ]
)


def merge_id(left: str, right: str) -> str:
    """Stable id of the merge of two records (in either order).

    The first 12 hex digits of the MD5 of the two ids, smaller first: the same as the
    SQL that labels merges in bulk. A name, not a security measure.
    """
    a, b = sorted((left, right))
    digest = hashlib.md5(f"{a}\x1f{b}".encode(), usedforsecurity=False).hexdigest()
    return f"m-{digest[:12]}"


def components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """For each of ``n`` nodes, the smallest node of its connected component.

    Hooking each edge's larger root under its smaller one, then pointer jumping, all as
    array operations: half a second for a million nodes and edges, where building a
    graph object alone takes longer.
    """
    parent = np.arange(n, dtype=np.int64)
    while True:
        pl, pr = parent[left], parent[right]
        if np.array_equal(pl, pr):
            return parent
        low = np.minimum(pl, pr)
        np.minimum.at(parent, pl, low)
        np.minimum.at(parent, pr, low)
        while True:
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped


@dataclass(frozen=True)
class Unmerged:
    """What undoing one merge did."""

    merge_id: str
    split: bool  # the two records are now in different clusters
    left_cluster: str
    right_cluster: str
    still_joined_by: list[str]  # merges on a path between them, when not split


@dataclass(frozen=True)
class Resolution:
    """Records, the merges between them, and which merges are undone."""

    record_ids: pa.Array  # sorted; a record's index is its position
    merges: pa.Table  # MERGE_SCHEMA
    undone: frozenset[str] = field(default_factory=frozenset)

    @cached_property
    def _active(self) -> np.ndarray:
        if not self.undone:
            return np.ones(self.merges.num_rows, dtype=np.bool_)
        undone = pa.array(sorted(self.undone), pa.string())
        mask = pc.invert(pc.is_in(self.merges.column("merge_id"), value_set=undone))
        return np.asarray(mask.to_numpy(zero_copy_only=False), dtype=np.bool_)

    @cached_property
    def representative(self) -> np.ndarray:
        """Per record, the index of the first record (by id) of its cluster."""
        active = self._active
        left = self.merges.column("left_idx").to_numpy()[active]
        right = self.merges.column("right_idx").to_numpy()[active]
        return components(len(self.record_ids), left, right)

    def cluster_ids(self) -> pa.Array:
        """Per record, its cluster id: the smallest record id in the cluster."""
        return self.record_ids.take(pa.array(self.representative))

    def cluster_of(self, record_id: str) -> str:
        index = self._index(record_id)
        return str(self.record_ids[int(self.representative[index])].as_py())

    def members(self, cluster_id: str) -> list[str]:
        index = self._index(cluster_id)
        rep = self.representative[index]
        return [
            str(self.record_ids[int(i)].as_py()) for i in np.flatnonzero(self.representative == rep)
        ]

    def merge(self, merge_id: str) -> dict[str, object]:
        """The recorded merge with this id, as a row."""
        rows = self.merges.filter(pc.equal(self.merges.column("merge_id"), merge_id)).to_pylist()
        if not rows:
            raise KeyError(f"no merge {merge_id}")
        return dict(rows[0])

    def unmerge(self, merge_id: str) -> tuple[Resolution, Unmerged]:
        """Undo one merge: the resolution without it, and whether the cluster split."""
        row = self.merge(merge_id)
        after = replace(self, undone=self.undone | {merge_id})
        left, right = int(row["left_idx"]), int(row["right_idx"])  # type: ignore[call-overload]
        split = after.representative[left] != after.representative[right]
        return after, Unmerged(
            merge_id=merge_id,
            split=bool(split),
            left_cluster=str(self.record_ids[int(after.representative[left])].as_py()),
            right_cluster=str(self.record_ids[int(after.representative[right])].as_py()),
            still_joined_by=[] if split else after._path(left, right),
        )

    def _index(self, record_id: str) -> int:
        found = pc.index(self.record_ids, record_id).as_py()
        if found is None or found < 0:
            raise KeyError(f"no record {record_id}")
        return int(found)

    def _path(self, source: int, target: int) -> list[str]:
        """Merge ids along a shortest path of active merges (breadth first, one cluster)."""
        rep = self.representative[source]
        active = self._active & (
            self.representative[self.merges.column("left_idx").to_numpy()] == rep
        )
        rows = self.merges.filter(pa.array(active)).select(["merge_id", "left_idx", "right_idx"])
        graph: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for mid, a, b in zip(*(rows.column(i).to_pylist() for i in range(3)), strict=True):
            graph[a].append((b, mid))
            graph[b].append((a, mid))
        came: dict[int, tuple[int, str]] = {}
        queue = deque([source])
        seen = {source}
        while queue:
            node = queue.popleft()
            if node == target:
                break
            for nxt, mid in sorted(graph[node]):
                if nxt not in seen:
                    seen.add(nxt)
                    came[nxt] = (node, mid)
                    queue.append(nxt)
        path = []
        node = target
        while node != source and node in came:
            node, mid = came[node]
            path.append(mid)
        return path[::-1]
