"""What a resolution amounts to, for people and for ``--json``: counts, largest clusters.

Merges are counted by the evidence behind them: each hard identifier kind (a merge on a
shared phone and id number counts under both) and probabilistic merges by how sure the
model was.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict

import msgspec
import numpy as np

from fraudlink.investigate.resolve import ResolveReport
from fraudlink.investigate.resolve_merges import Unmerged


class ClusterView(msgspec.Struct, kw_only=True):
    cluster_id: str
    size: int
    names: list[str]  # distinct names of its records, most common first
    records: list[str]
    evidence: dict[str, int]  # merges inside it by evidence kind


class ResolveSummary(msgspec.Struct, kw_only=True):
    source: str
    stats: dict[str, int]
    merges_by_evidence: dict[str, int]
    largest_clusters: list[ClusterView]
    hubs: list[dict[str, object]]
    conflicts: list[dict[str, object]]
    weights: dict[str, dict[str, float]]
    timings: dict[str, float]
    undone: list[dict[str, object]] = []
    score: dict[str, float | int] | None = None


def evidence_kinds(kind: str, evidence: str, probability: float | None) -> list[str]:
    """The evidence kinds of one merge: identifier kinds, or a probability band."""
    if kind == "hard":
        return sorted({part.split(" ", 1)[0] for part in evidence.split("; ")})
    p = probability or 0.0
    return ["probabilistic ≥ 0.999" if p >= 0.999 else "probabilistic < 0.999"]


def summarise(
    report: ResolveReport, names: list[str | None], top: int, undone: list[Unmerged]
) -> ResolveSummary:
    """The summary; ``names`` is each record's name, in record order."""
    res = report.resolution
    merges = res.merges
    kinds = merges.column("kind").to_pylist()
    evidence = merges.column("evidence").to_pylist()
    probability = merges.column("probability").to_pylist()
    per_merge = [
        evidence_kinds(k, e, p) for k, e, p in zip(kinds, evidence, probability, strict=True)
    ]
    by_kind = Counter(k for ks in per_merge for k in ks)
    rep = res.representative
    sizes = np.bincount(rep, minlength=len(rep))
    biggest = np.argsort(-sizes, kind="stable")[:top]
    left_rep = rep[merges.column("left_idx").to_numpy()] if merges.num_rows else np.array([])
    views = []
    for root in biggest:
        if sizes[root] < 2:
            break
        member_idx = np.flatnonzero(rep == root).tolist()
        members = [str(res.record_ids[i].as_py()) for i in member_idx]
        inside = Counter(k for i in np.flatnonzero(left_rep == root) for k in per_merge[i])
        name_counts = Counter(n for i in member_idx if (n := names[i]))
        views.append(
            ClusterView(
                cluster_id=members[0],
                size=len(members),
                names=[n for n, _ in name_counts.most_common(5)],
                records=members,
                evidence=dict(sorted(inside.items())),
            )
        )
    return ResolveSummary(
        source=report.source,
        stats=report.stats(),
        merges_by_evidence=dict(sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0]))),
        largest_clusters=views,
        hubs=[asdict(h) for h in report.hubs],
        conflicts=[asdict(c) for c in report.conflicts],
        weights=report.weights,
        timings={k: round(v, 2) for k, v in report.timings.items()},
        undone=[asdict(u) for u in undone],
    )
