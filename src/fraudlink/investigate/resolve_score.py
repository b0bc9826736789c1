"""Pairwise precision, recall and F1 of clusters against the true persons.

The usual measure of entity resolution: every pair of records in one cluster is a
predicted match; every pair of records of one true person is a true match. Counted from
the sizes of cluster × person groups, never by listing pairs, so a million records
score in a second.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class PairScores:
    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "true_pairs": self.true_pairs,
            "predicted_pairs": self.predicted_pairs,
            "correct_pairs": self.correct_pairs,
        }


def _pairs(counts: np.ndarray) -> int:
    return int((counts * (counts - 1) // 2).sum())


def pairwise_scores(predicted: pa.Array, truth: pa.Array) -> PairScores:
    """Scores of cluster labels ``predicted`` against person labels ``truth`` (aligned).

    Records whose truth is null are left out of both sides.
    """
    table = pa.table({"p": predicted, "t": truth}).filter(pc.is_valid(truth))

    def sizes(keys: list[str]) -> np.ndarray:
        counts = table.group_by(keys).aggregate([([], "count_all")]).column("count_all")
        return np.asarray(counts.to_numpy(), dtype=np.int64)

    correct = _pairs(sizes(["p", "t"]))
    predicted_pairs, true_pairs = _pairs(sizes(["p"])), _pairs(sizes(["t"]))
    precision = correct / predicted_pairs if predicted_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScores(precision, recall, f1, true_pairs, predicted_pairs, correct)


def world_truth(folder: Path, record_ids: pa.Array) -> pa.Array:
    """The true person behind each ``org:party_id`` record of a simulated world.

    ``truth.json`` lists every person's accounts; ``accounts.parquet`` names each
    account's party.
    """
    identities = json.loads((folder / "truth.json").read_bytes())["identities"]
    owner = pa.table(
        {
            "account": [a for accounts in identities.values() for a in accounts],
            "person": [p for p, accounts in identities.items() for _ in accounts],
        }
    )
    con = duckdb.connect()
    try:
        con.register("owner", owner)
        positions = pa.array(np.arange(len(record_ids)))
        con.register("ids", pa.table({"record_id": record_ids, "pos": positions}))
        return (
            con.sql(
                """SELECT o.person FROM ids r
                LEFT JOIN (SELECT org || ':' || party_id AS record_id,
                                  any_value(account_id) AS account
                           FROM read_parquet($accounts) GROUP BY 1) a USING (record_id)
                LEFT JOIN owner o USING (account)
                ORDER BY r.pos""",
                params={"accounts": str(folder / "accounts.parquet")},
            )
            .to_arrow_table()
            .column("person")
            .combine_chunks()
        )
    finally:
        con.close()
