"""The simulator's truth read as external labels: the backtest's positives, merchants left out."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from fraudlink.evaluate.sim_labels import read_sim_labels

OPENED = datetime(2026, 9, 1, tzinfo=UTC)


def test_positives_by_role_over_the_non_merchant_accounts(tmp_path: Path) -> None:
    label = {"person_id": "P1", "gang_id": "G1", "layer": None}
    truth = {
        "seed": 1,
        "scale": "tiny",
        "start": "2026-09-01T00:00:00+08:00",
        "end": "2026-10-01T00:00:00+08:00",
        "accounts": {
            "w1": {**label, "typology": "refund_fraud", "role": "claimant"},
            "w2": {**label, "typology": "impersonation_scam", "role": "mule"},
            "w3": {**label, "typology": "impersonation_scam", "role": "recruiter_of_nobody"},
            "w4": {**label, "typology": "scam_victim", "role": "victim"},
        },
    }
    (tmp_path / "truth.json").write_text(json.dumps(truth), encoding="utf-8")
    ids = ["w1", "w2", "w3", "w4", "w5", "m1"]
    kinds = ["wallet", "wallet", "user", "bank_card", "user", "merchant"]
    table = pa.table(
        {
            "account_id": ids,
            "org": ["o"] * 6,
            "party_id": ["p"] * 6,
            "kind": kinds,
            "opened_at": [OPENED] * 6,
            "city": [None] * 6,
        }
    )
    pq.write_table(table, tmp_path / "accounts.parquet")
    got = read_sim_labels(tmp_path)
    assert got.population == {"w1", "w2", "w3", "w4", "w5"}
    assert got.labels == {
        "w1": {"refund_fraud"},
        "w2": {"impersonation_scam"},
        "w4": {"scam_victim"},
    }
    assert got.matches["refund_fraud"] == {"refund_fraud"}


def test_a_world_without_an_accounts_table_counts_the_accounts_of_its_people(
    tmp_path: Path,
) -> None:
    truth = {
        "seed": 1,
        "scale": "bank",
        "start": "2026-03-01T00:00:00+00:00",
        "end": "2026-08-31T00:00:00+00:00",
        "accounts": {"AC1": {"person_id": "P1", "typology": "refund_fraud", "role": "claimant"}},
        "identities": {"P1": ["AC1"], "P2": ["AC2", "AC3"]},
    }
    (tmp_path / "truth.json").write_text(json.dumps(truth), encoding="utf-8")
    got = read_sim_labels(tmp_path)
    assert got.population == {"AC1", "AC2", "AC3"}
    assert got.labels == {"AC1": {"refund_fraud"}}
