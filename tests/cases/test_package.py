"""A case package holds the account's evidence, and any change to it is found by table name."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from fraudlink.cases import package
from fraudlink.cases.evidence import gather
from fraudlink.detect.engine import Engine
from fraudlink.detect.rules.loader import builtin_pack
from fraudlink.sim.world import WorldSummary, simulate

NOW = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> WorldSummary:
    return simulate("tiny", 4, tmp_path_factory.mktemp("world"))


@pytest.fixture(scope="module")
def refund_alert(world: WorldSummary) -> dict[str, object]:
    engine = Engine(builtin_pack())
    alerts = engine.push(pq.read_table(world.out_dir / "events.parquet")) + engine.flush()
    alert = next(a for a in alerts if a.rule_id == "refund-burst-signed")
    return json.loads(json.dumps({"alert_id": alert.alert_id, "entity": alert.entity,
                                  "reasons": alert.reasons}))  # fmt: skip


def _evidence(world: WorldSummary, account: str) -> dict[str, list[dict[str, object]]]:
    out = world.out_dir
    return gather(out / "events.parquet", account, accounts=out / "accounts.parquet",
                  parties=out / "parties.parquet")  # fmt: skip


def test_evidence_shows_the_claims_beside_their_signed_scans(
    world: WorldSummary, refund_alert: dict[str, object]
) -> None:
    account = str(refund_alert["entity"])
    tables = _evidence(world, account)
    events = pq.read_table(world.out_dir / "events.parquet").to_pylist()
    claims = [e for e in events if e["type"] == "refund_requested" and e["account"] == account]
    assert [r["event_id"] for r in tables["refunds"]] == [e["event_id"] for e in claims]
    assert sum(r["latest_scan"] == "signed" for r in tables["refunds"]) >= 3
    logins = [e for e in events if e["type"] in ("login", "account_registered")
              and e["account"] == account]  # fmt: skip
    assert len(tables["logins"]) == len(logins)
    assert tables["account"][0]["account_id"] == account
    assert tables["account"][0]["holder_name"]


def test_transactions_are_every_transfer_in_and_out(world: WorldSummary) -> None:
    events = pq.read_table(world.out_dir / "events.parquet").to_pylist()
    transfer = next(e for e in events if e["type"] == "wallet_transfer")
    account = transfer["from_account"]
    tables = _evidence(world, account)
    mine = [e["event_id"] for e in events if e["type"] == "wallet_transfer"
            and account in (e["from_account"], e["to_account"])]  # fmt: skip
    assert [t["event_id"] for t in tables["transactions"]] == mine
    first_hop = {r["account"] for r in tables["linked"] if r["hops"] == 1}
    assert transfer["to_account"] in first_hop or transfer["status"] != "completed"


def test_the_package_round_trips_and_names_the_changed_table(
    world: WorldSummary, refund_alert: dict[str, object], tmp_path: Path
) -> None:
    account = str(refund_alert["entity"])
    tables = _evidence(world, account)
    args = {"case_id": "case-1", "title": "refund ring", "subject_accounts": [account],
            "alerts": [refund_alert], "tables": tables, "sender": "hx-mall",
            "recipient": "hz-cyber", "created": NOW}  # fmt: skip
    manifest, blobs = package.build(**args)  # type: ignore[arg-type]
    again, blobs_again = package.build(**args)  # type: ignore[arg-type]
    assert manifest == again and blobs == blobs_again  # same evidence, same bytes and hashes
    assert set(manifest.tables) == {"account", "transactions", "refunds", "logins", "linked",
                                    "linked_transactions", "alerts"}  # fmt: skip
    assert manifest.reasons == refund_alert["reasons"]
    assert manifest.handling.may_forward is False
    folder = tmp_path / "case-1"
    package.write(folder, manifest, blobs)
    assert package.verify(folder) == manifest
    refunds = folder / "evidence" / "refunds.jsonl"
    refunds.write_bytes(refunds.read_bytes().replace(b"signed", b"delivered", 1))
    with pytest.raises(package.PackageError, match="table refunds"):
        package.verify(folder)
    (folder / "evidence" / "logins.jsonl").unlink()
    package.write(folder, manifest, blobs)  # rewriting restores a whole package
    assert package.verify(folder) == manifest
