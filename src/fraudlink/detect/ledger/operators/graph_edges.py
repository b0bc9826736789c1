"""The transfer ledger as arrays, the shared input of the graph operators.

Graph typologies walk the money hop by hop; DuckDB hands the transfers over once,
in time order, and each operator indexes them as it needs. Accounts become dense
integer ids (``names[i]`` is the account of id ``i``).

A *regular* pair is one whose money moves in ``regular_after`` or more distinct
periods of a given length: a salary, a tenant's rent, a family that sends money
back and forth every month. Laundering moves through a pair in one burst; ordinary
life repeats. The graph operators leave regular pairs out of the shapes they build.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fraudlink.detect.ledger.book import Ledger

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Edges:
    """Every completed transfer, in time order: ``src[k] → dst[k]`` of ``amount[k]``
    minor units at ``ts[k]`` microseconds, event ``event_ids[k]``."""

    names: list[str]
    src: IntArray
    dst: IntArray
    amount: FloatArray
    ts: IntArray
    event_ids: list[str]

    def __len__(self) -> int:
        return len(self.event_ids)


def load_edges(ledger: Ledger) -> Edges:
    """The ledger's transfers between two distinct accounts, in time order."""
    rows = ledger.rows(
        "SELECT from_account, to_account, amount, ts_us, event_id FROM transfers "
        "WHERE from_account IS NOT NULL AND to_account IS NOT NULL "
        "AND from_account <> to_account AND amount > 0 ORDER BY ts_us, event_id"
    )
    index: dict[str, int] = {}
    src: list[int] = []
    dst: list[int] = []
    for payer, payee, *_ in rows:
        src.append(index.setdefault(str(payer), len(index)))
        dst.append(index.setdefault(str(payee), len(index)))
    return Edges(
        names=list(index),
        src=np.asarray(src, dtype=np.int64),
        dst=np.asarray(dst, dtype=np.int64),
        amount=np.asarray([float(r[2]) for r in rows], dtype=np.float64),
        ts=np.asarray([int(r[3]) for r in rows], dtype=np.int64),
        event_ids=[str(r[4]) for r in rows],
    )


def regular_pairs(edges: Edges, period_us: int, regular_after: int) -> set[tuple[int, int]]:
    """Directed pairs (payer, payee) paid in ``regular_after`` or more distinct periods."""
    if len(edges) == 0 or regular_after <= 0:
        return set()
    bucket = (edges.ts - int(edges.ts.min())) // max(period_us, 1)
    triples = np.unique(np.stack([edges.src, edges.dst, bucket], axis=1), axis=0)
    pairs, counts = np.unique(triples[:, :2], axis=0, return_counts=True)
    return {(int(a), int(b)) for (a, b), n in zip(pairs, counts, strict=True) if n >= regular_after}


def regular_mask(edges: Edges, regular: set[tuple[int, int]]) -> npt.NDArray[np.bool_]:
    """True for each transfer between a regular pair."""
    if not regular:
        return np.zeros(len(edges), dtype=bool)
    return np.fromiter(
        ((int(a), int(b)) in regular for a, b in zip(edges.src, edges.dst, strict=True)),
        dtype=bool,
        count=len(edges),
    )
