"""The account page's counterparties graph: the JSON the page embeds for graphs.js, checked
against sums taken straight from the events with DuckDB, and the table beside it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from fastapi.testclient import TestClient

from fraudlink.auth import passwords, totp
from fraudlink.exchange.node import Node
from fraudlink.model.money import format_money
from fraudlink.sim.world import simulate
from fraudlink.store import UserRecord
from fraudlink.web.account_views import SHOWN, counterparties
from fraudlink.web.app import create_app
from fraudlink.web.settings import Settings

PASSWORD = "a long and quiet river"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
MULE = "qb-u00000367"  # a second-layer mule of the tiny world at seed 4
T0 = datetime(2026, 8, 1, tzinfo=UTC)
Row = dict[str, Any]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    simulate("tiny", 4, out)
    return out


@pytest.fixture
def client(tmp_path: Path, world: Path) -> Iterator[TestClient]:
    node = Node.init(tmp_path / "platform", "qb-pay", "platform", None)
    with node.store() as store:
        store.add_user(UserRecord(org="qb-pay", username="li.wei", roles=("analyst",),
                                  created_at=datetime.now(UTC), totp_secret=SECRET,
                                  password_hash=passwords.hash_password(PASSWORD)))  # fmt: skip
    app = create_app(Settings(home=node.home, passphrase=None, pump_every=0, events=world))
    with TestClient(app, follow_redirects=False) as c:
        form = c.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        c.post("/login", data={"username": "li.wei", "password": PASSWORD, "csrf": csrf,
                               "code": totp.code_at(SECRET, datetime.now(UTC))})  # fmt: skip
        yield c


def embedded(html: str, block: str) -> dict[str, object]:
    found = re.search(rf'<script type="application/json" id="{block}">(.*?)</script>', html, re.S)
    assert found is not None, f"no JSON block {block}"
    data: dict[str, object] = json.loads(found.group(1))
    return data


def test_the_counterparties_graph_has_the_money_of_the_events(
    client: TestClient, world: Path
) -> None:
    page = client.get(f"/accounts/{MULE}")
    assert page.status_code == 200
    assert (
        'data-graph="counterparties"' in page.text
        and 'data-source="counterparties-data"' in page.text
    )
    data = embedded(page.text, "counterparties-data")
    sql = """
        SELECT CASE WHEN from_account = $a THEN to_account ELSE from_account END AS other,
               sum(amount) FILTER (WHERE from_account = $a) AS paid,
               sum(amount) FILTER (WHERE to_account = $a) AS received, count(*) AS n
        FROM read_parquet($f) WHERE type = 'wallet_transfer' AND status = 'completed'
          AND (from_account = $a OR to_account = $a) GROUP BY other"""  # fmt: skip
    params = {"a": MULE, "f": str(world / "events.parquet")}
    with duckdb.connect() as con:
        found = con.execute(sql, params).fetchall()
    truth = {r[0]: (int(r[1] or 0), int(r[2] or 0), int(r[3])) for r in found}
    table = data["table"]
    assert isinstance(table, list) and len(truth) >= 2
    assert {t["account"]: (t["paid"], t["received"], t["transfers"]) for t in table} == truth
    nodes, edges = data["nodes"], data["edges"]
    assert isinstance(nodes, list) and isinstance(edges, list)
    centre = {"id": "self", "label": MULE, "org": "qb-pay", "kind": "self"}
    assert len(nodes) == len(truth) + 1 and nodes[0] == centre
    label = {n["id"]: n["label"] for n in nodes}
    for e in edges:  # each edge is one direction of one tie, with that direction's money
        other = label[e["target"] if e["way"] == "out" else e["source"]]
        paid, received, _ = truth[other]
        assert e["amount"] == (paid if e["way"] == "out" else received) > 0
        assert 1 <= e["width"] <= 12
    biggest = max(edges, key=lambda e: e["amount"])
    assert biggest["width"] == 12
    # A mule recruited for this week: every counterparty is new to it.
    assert all(t["new"] for t in table) and all(n["kind"] == "new" for n in nodes[1:])
    # The table beside the graph says the same, for people and printers.
    for t in table:
        assert f"<code>{t['account']}</code>" in page.text
        if t["paid"]:
            assert format_money(t["paid"], "CNY") in page.text
    assert page.text.count("<script") == page.text.count("</script>")


def transfer(i: int, src: str, dst: str, amount: int, day: int, status: str = "completed") -> Row:
    at = T0 + timedelta(days=day)
    return {"type": "wallet_transfer", "event_id": f"e{i}", "transfer_id": f"T{i}",
            "org": "qb-pay", "to_org": "qb-pay", "from_account": src, "to_account": dst,
            "amount": amount, "currency": "CNY", "status": status, "initiated_at": at,
            "completed_at": at if status == "completed" else None, "ts": at}  # fmt: skip


def test_new_counterparties_failed_transfers_duplicates_and_the_rest() -> None:
    rows = [
        transfer(1, "grocer", "me", 5_000, 0),  # known for a month
        transfer(2, "me", "grocer", 1_000, 20),
        transfer(3, "stranger", "me", 900_000, 27),  # first seen 3 days before the end
        transfer(4, "me", "runner", 880_000, 30),
        transfer(5, "me", "runner", 10_000, 30, status="failed"),  # moved nothing
    ]
    rows += [transfer(4, "me", "runner", 880_000, 30)]  # the same transfer from a 2nd source
    rows += [transfer(100 + i, "me", f"small-{i:02d}", 100 + i, 29) for i in range(SHOWN)]
    data = counterparties("me", [("file", r) for r in rows])
    table = {t["account"]: t for t in data["table"]}
    assert (table["grocer"]["received"], table["grocer"]["paid"]) == (5_000, 1_000)
    assert not table["grocer"]["new"] and table["stranger"]["new"] and table["runner"]["new"]
    assert table["runner"]["paid"] == 880_000 and table["runner"]["transfers"] == 1
    # SHOWN drawn, most money first; the three smallest summed as the rest.
    assert len(data["table"]) == SHOWN and len(data["nodes"]) == SHOWN + 1
    assert data["others"] == {"count": 3, "paid": 100 + 101 + 102, "received": 0}
    kinds = {n["label"]: n["kind"] for n in data["nodes"]}
    assert kinds["me"] == "self" and kinds["grocer"] == "known" and kinds["stranger"] == "new"
    json.dumps(data)  # ready for the page as it is


def test_an_account_without_transfers_has_no_graph(client: TestClient, world: Path) -> None:
    sql = """
        SELECT account FROM read_parquet($f) WHERE type = 'login' AND account NOT IN (
            SELECT from_account FROM read_parquet($f) WHERE type = 'wallet_transfer'
            UNION SELECT to_account FROM read_parquet($f) WHERE type = 'wallet_transfer')
        ORDER BY account LIMIT 1"""
    with duckdb.connect() as con:
        row = con.execute(sql, {"f": str(world / "events.parquet")}).fetchone()
    assert row is not None
    quiet = row[0]
    page = client.get(f"/accounts/{quiet}")
    assert page.status_code == 200 and "counterparties-data" not in page.text
