"""Analysts' verdicts → `alerts labels` → `backtest --labels`: a crafted case with known answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest
from typer.testing import CliRunner

from fraudlink.cli import app
from fraudlink.detect.labels import LabelledAlert, Labels, account_verdicts
from fraudlink.exchange.node import Node
from fraudlink.model.columns import table_to_events
from fraudlink.store import AlertRecord, UserRecord
from tests.detect.streams import HOUR, MINUTE, T0, claim, scan, table

runner = CliRunner()
T = datetime(2026, 9, 1, tzinfo=UTC)


def _burst(account: str) -> list[dict[str, Any]]:
    """Three parcels scanned as signed for, then a not-received claim on each within the hour:
    the built-in `refund-burst-signed` alerts on the account."""
    rows = [scan(T0 + i * MINUTE, account, f"o{account}{i}", "signed") for i in range(3)]
    rows += [claim(T0 + HOUR + i * 10 * MINUTE, account, f"o{account}{i}", 500_000)
             for i in range(3)]  # fmt: skip
    return rows


@pytest.fixture
def events(tmp_path: Path) -> Path:
    """Four accounts the refund rule alerts on."""
    rows = sorted((r for a in ("hx-a", "hx-b", "hx-c", "hx-d") for r in _burst(a)),
                  key=lambda r: r["ts"])  # fmt: skip
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"".join(msgspec.json.encode(e) + b"\n"
                              for e in table_to_events(table(rows))))  # fmt: skip
    return path


@pytest.fixture
def world(events: Path, tmp_path: Path) -> tuple[Path, Node]:
    """The events' alerts imported into a platform node's queue."""
    alerts = tmp_path / "alerts.jsonl"
    done = runner.invoke(app, ["detect", str(events), "--out", str(alerts), "--quiet"])
    assert done.exit_code == 0, done.output
    node = Node.init(tmp_path / "node", "hx-mall", "platform", None)
    done = runner.invoke(app, ["alerts", "import", str(alerts), "--home", str(node.home)])
    assert done.exit_code == 0, done.output
    return events, node


def _judge(node: Node) -> dict[str, str]:
    """a, b fraud; c not fraud; d left open; and z — an account no replayed rule alerts
    on — judged fraud from an alert of another time. Returns alert id by account."""
    with node.store() as store:
        store.add_user(UserRecord(org="hx-mall", username="li.wei", password_hash="x",
                                  roles=("analyst",), created_at=T))  # fmt: skip
        store.add_alert(AlertRecord(
            id="al-z", rule_id="mule-pass-through", rule_version=1, entity_kind="account",
            entity_id="hx-z", ts=T, score=80, severity="high", reasons=["passed on 97 %"],
            body={"accounts": ["hx-z"]}, created_at=T,
        ))  # fmt: skip
        ids = {a.entity_id: a.id for a in store.list_alerts(limit=50)}
        verdicts = {"hx-a": "true_positive", "hx-b": "true_positive",
                    "hx-c": "false_positive", "hx-z": "true_positive"}  # fmt: skip
        for account, verdict in verdicts.items():
            store.dispose_alert(ids[account], verdict, by="li.wei", actor="li.wei@hx-mall",
                                note=f"checked {account}")  # fmt: skip
    return ids


def test_labels_round_trip_from_the_queue_to_the_file(
    world: tuple[Path, Node], tmp_path: Path
) -> None:
    _, node = world
    ids = _judge(node)
    out = tmp_path / "labels.json"
    done = runner.invoke(app, ["alerts", "labels", "--home", str(node.home), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "4 judged alerts (3 fraud, 1 not fraud)" in done.output
    labels = msgspec.json.decode(out.read_bytes(), type=Labels)
    assert labels.org == "hx-mall" and labels.format == "fraudlink-labels/1"
    with node.store() as store:
        for row in labels.alerts:
            kept = store.get_alert(row.alert_id)
            assert kept is not None
            assert (row.verdict, row.by, row.at, row.note, row.rule_id, row.ts) == (
                kept.status, kept.disposition_by, kept.disposition_at, kept.disposition_note,
                kept.rule_id, kept.ts)  # fmt: skip
        assert store.audit_entries()[-1].action == "alerts.labels"
    assert {r.entity: r.verdict for r in labels.alerts} == {
        "hx-a": "true_positive", "hx-b": "true_positive", "hx-c": "false_positive",
        "hx-z": "true_positive"}  # fmt: skip
    assert ids["hx-d"] not in {r.alert_id for r in labels.alerts}  # still open: no label
    again = msgspec.json.decode(msgspec.json.encode(labels), type=Labels)
    assert again == labels


def test_backtest_with_labels_gives_the_precision_the_verdicts_imply(
    world: tuple[Path, Node], tmp_path: Path
) -> None:
    events, node = world
    _judge(node)
    labels = tmp_path / "labels.json"
    runner.invoke(app, ["alerts", "labels", "--home", str(node.home), "--out", str(labels)])
    done = runner.invoke(app, ["backtest", str(events), "--labels", str(labels), "--json"])
    assert done.exit_code == 0, done.output
    report = json.loads(done.output)
    rule = next(r for r in report["rules"] if r["rule_id"] == "refund-burst-signed")
    # It alerts on a, b, c, d; a and b were judged fraud, c not, d never judged: 2 / 3.
    assert (rule["accounts"], rule["labelled"]) == (4, 3)
    assert (rule["true_positives"], rule["false_positives"]) == (2, 1)
    assert rule["precision"] == pytest.approx(0.6667)
    quiet = next(r for r in report["rules"] if r["rule_id"] == "mule-pass-through")
    assert quiet["accounts"] == 0 and quiet["precision"] is None  # nothing to judge it by
    assert (report["fraud_accounts"], report["not_fraud_accounts"]) == (3, 1)
    # z was judged fraud but nothing in these events flags it: kept 2 of 3, z named.
    assert report["fraud_retained"] == pytest.approx(0.6667)
    assert report["fraud_missed"] == ["hx-z"]
    assert report["flagged_precision"] == pytest.approx(0.6667)
    tables = runner.invoke(app, ["backtest", str(events), "--labels", str(labels)])
    assert tables.exit_code == 0, tables.output
    assert "analysts' verdicts" in tables.output and "0.667" in tables.output
    assert "Recall needs the truth" in " ".join(tables.output.split())


def test_backtest_needs_something_to_score_against_and_a_real_labels_file(
    events: Path, tmp_path: Path
) -> None:
    done = runner.invoke(app, ["backtest", str(events)])
    assert done.exit_code != 0 and "--labels" in done.output
    wrong = tmp_path / "truth.json"
    wrong.write_text('{"seed": 1}', encoding="utf-8")
    done = runner.invoke(app, ["backtest", str(events), "--labels", str(wrong)])
    # The message is wrapped to the terminal's width, wherever the long path falls.
    assert done.exit_code != 0 and "not a labels file" in " ".join(done.output.split())


def test_an_account_judged_both_ways_counts_as_fraud_and_is_reported() -> None:
    def judged(alert_id: str, account: str, verdict: str) -> LabelledAlert:
        return msgspec.convert({"alert_id": alert_id, "rule_id": "r", "rule_version": 1,
                                "entity_kind": "account", "entity": account,
                                "accounts": [account], "ts": T, "verdict": verdict},
                               LabelledAlert)  # fmt: skip

    labels = Labels(org="o", exported_at=T, alerts=[
        judged("1", "a", "false_positive"), judged("2", "a", "true_positive"),
        judged("3", "b", "false_positive"), judged("4", "b", "false_positive"),
    ])  # fmt: skip
    verdicts = account_verdicts(labels)
    assert (verdicts.fraud, verdicts.not_fraud, verdicts.mixed) == ({"a"}, {"b"}, {"a"})
