"""The payee check: known mules answered as risky, nothing private leaks, keys are required."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from fraudlink.cli import app as cli_app
from fraudlink.exchange.node import Node
from fraudlink.payee.index import PayeeIndex
from fraudlink.store import AlertRecord, FreezeRecord
from fraudlink.web.app import create_app
from fraudlink.web.settings import Settings

T = datetime(2026, 9, 1, tzinfo=UTC)


def alert(i: int, account: str, score: int, status: str = "open") -> AlertRecord:
    return AlertRecord(id=f"al-{i}", rule_id="mule-pass-through", rule_version=1,
                       entity_kind="account", entity_id=account, ts=T, score=score,
                       severity="high", reasons=[f"received ¥48,000.00 from {account}-payer"],
                       body={"title": "Mule pass-through", "accounts": [account]},
                       created_at=T, status=status)  # fmt: skip


def test_the_index_grades_what_is_known_and_says_nothing_private() -> None:
    freeze = FreezeRecord(id="frz-1", account="frozen-1", platform_org="qb-pay",
                          police_org="hz-cyber", amount_minor=100, currency="CNY",
                          legal_basis="decision 118", deadline=T, state="held",
                          created_at=T, updated_at=T)  # fmt: skip
    index = PayeeIndex.build(
        [alert(1, "mule-1", 90), alert(2, "maybe-1", 60), alert(3, "cleared-1", 95,
                                                                 "false_positive"),
         alert(4, "weak-1", 20)],
        [freeze], ["case-acct", "case-acct"], T,
    )  # fmt: skip
    assert index.check("mule-1").risk == "high"
    assert index.check(" maybe-1 ").risk == "medium"
    assert index.check("frozen-1").risk == "high"
    named = index.check("case-acct")
    assert named.risk == "high" and "2 fraud cases" in named.reasons[0]
    for clean in ("cleared-1", "weak-1", "nobody"):
        answer = index.check(clean)
        assert answer.risk == "none" and answer.reasons == [] and "guarantee" in answer.advice
    text = str(index.check("mule-1"))
    assert "48,000" not in text and "payer" not in text  # no amounts, no other accounts


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[TestClient, str, Node]]:
    home = tmp_path / "wallet"
    node = Node.init(home, "qb-pay", "platform", None)
    with node.store() as store:
        store.add_alert(alert(1, "qb-u00002746", 92))
    runner = CliRunner()
    made = runner.invoke(cli_app, ["apikey", "add", "--org", "qb-pay", "--label", "app",
                                   "--home", str(home)])  # fmt: skip
    assert made.exit_code == 0, made.output
    key = re.search(r"flk_[A-Za-z0-9_-]+", made.output).group(0)  # type: ignore[union-attr]
    application = create_app(Settings(home=home, passphrase=None, pump_every=0,
                                      refresh_every=0.05))  # fmt: skip
    with TestClient(application) as client:
        yield client, key, node


def test_the_api_answers_with_a_key_and_refuses_without(
    served: tuple[TestClient, str, Node],
) -> None:
    client, key, node = served
    auth = {"Authorization": f"Bearer {key}"}
    risky = client.get("/api/v1/payee-check", params={"account": "qb-u00002746"}, headers=auth)
    assert risky.status_code == 200 and risky.json()["risk"] == "high"
    assert client.get("/api/v1/payee-check", params={"account": "x"},
                      headers=auth).json()["risk"] == "none"  # fmt: skip
    for bad in ({}, {"Authorization": "Bearer flk_forged"}, {"Authorization": key}):
        refused = client.get("/api/v1/payee-check", params={"account": "x"}, headers=bad)
        assert refused.status_code in (401,), bad
    assert client.get("/api/v1/payee-check", headers=auth).status_code == 422  # no account
    assert "/api/v1/payee-check" in client.get("/openapi.json").text
    # A new alert is answered within a refresh, without a restart.
    with node.store() as store:
        store.add_alert(alert(2, "lt-u00001370", 85))
    deadline = datetime.now(UTC) + timedelta(seconds=5)
    while client.get("/api/v1/payee-check", params={"account": "lt-u00001370"},
                     headers=auth).json()["risk"] != "high":  # fmt: skip
        assert datetime.now(UTC) < deadline
        time.sleep(0.1)  # within the key's 60 checks a minute


def test_a_revoked_key_stops_working(served: tuple[TestClient, str, Node], tmp_path: Path) -> None:
    client, key, node = served
    runner = CliRunner()
    listed = runner.invoke(cli_app, ["apikey", "list", "--home", str(node.home)],
                           env={"COLUMNS": "200"})  # fmt: skip
    assert key not in listed.output
    key_id = re.search(r"\b[0-9a-f]{12}\b", listed.output).group(0)  # type: ignore[union-attr]
    done = runner.invoke(cli_app, ["apikey", "revoke", key_id, "--home", str(node.home)])
    assert done.exit_code == 0, done.output
    deadline = datetime.now(UTC) + timedelta(seconds=5)
    while client.get("/api/v1/payee-check", params={"account": "x"},
                     headers={"Authorization": f"Bearer {key}"}).status_code != 401:  # fmt: skip
        assert datetime.now(UTC) < deadline
