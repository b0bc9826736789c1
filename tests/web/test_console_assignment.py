"""Assigning alerts within the organisation, the queue's mine / unassigned filter, and
dispositions with a note — over real HTTP calls, with the attacks tried."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fraudlink.auth import passwords
from fraudlink.exchange.node import Node
from fraudlink.store import AlertRecord, UserRecord
from fraudlink.web.app import create_app
from fraudlink.web.settings import Settings
from tests.web.staff_login import log_in

PASSWORD = "a long and quiet river"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
T = datetime(2026, 9, 1, tzinfo=UTC)


@pytest.fixture
def node(tmp_path: Path) -> Node:
    node = Node.init(tmp_path / "node", "hx-mall", "platform", None)
    hashed = passwords.hash_password(PASSWORD)
    with node.store() as store:
        for org, username, roles in (("hx-mall", "li.wei", ("analyst",)),
                                     ("hx-mall", "chen.jie", ("analyst",)),
                                     ("hx-mall", "zhao.min", ("investigator",)),
                                     ("qb-pay", "sun.li", ("analyst",))):  # fmt: skip
            store.add_user(UserRecord(org=org, username=username, roles=roles, created_at=T,
                                      totp_secret=SECRET, password_hash=hashed))  # fmt: skip
        for i, score in enumerate((95, 80, 60)):
            store.add_alert(AlertRecord(
                id=f"al-{i}", rule_id="refund-burst-signed", rule_version=1,
                entity_kind="account", entity_id=f"hx-u{i}", ts=T, score=score,
                severity="high", reasons=[f"{i + 3} refunds"], created_at=T,
                body={"title": "Refund burst", "accounts": [f"hx-u{i}"]},
            ))  # fmt: skip
    return node


@pytest.fixture
def client(node: Node) -> Iterator[TestClient]:
    app = create_app(Settings(home=node.home, passphrase=None, pump_every=0))
    with TestClient(app, follow_redirects=False) as c:
        log_in(c, "li.wei", PASSWORD, SECRET)
        yield c


def _csrf(client: TestClient) -> str:
    page = client.get("/alerts/al-0")
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def _ids(html: str) -> list[str]:
    return re.findall(r'href="/alerts/(al-\d)"', html)


def test_the_alert_page_offers_only_analysts_of_the_same_organisation(client: TestClient) -> None:
    page = client.get("/alerts/al-0")
    options = re.findall(r'<option value="([^"]*)"', page.text.split('name="assignee"')[1])
    assert options == ["chen.jie", "li.wei"]  # not the investigator, not qb-pay's analyst
    assert "li.wei (me)" in page.text and "nobody" in page.text


def test_assigning_to_a_colleague_shows_in_the_queue_and_is_audited(
    client: TestClient, node: Node
) -> None:
    done = client.post("/alerts/al-1/assign", data={"assignee": "chen.jie", "csrf": _csrf(client)})
    assert done.status_code == 303 and done.headers["location"] == "/alerts/al-1"
    page = client.get("/alerts/al-1")
    assert re.search(r'class="assignee">chen\.jie · since', page.text)
    queue = client.get("/alerts")
    assert '<td class="assignee">chen.jie</td>' in queue.text
    with node.store() as store:
        entry = store.audit_entries()[-2]  # the page view came after it
    assert (entry.actor, entry.action, entry.subject) == ("li.wei@hx-mall", "alert.assign", "al-1")
    assert entry.detail == {"to": "chen.jie", "was": None}


def test_another_organisations_user_is_refused_and_the_refusal_audited(
    client: TestClient, node: Node
) -> None:
    csrf = _csrf(client)
    for who in ("sun.li", "zhao.min", "nobody-at-all"):
        refused = client.post("/alerts/al-0/assign", data={"assignee": who, "csrf": csrf})
        assert refused.status_code == 422 and "is not an analyst of hx-mall" in refused.text
    with node.store() as store:
        alert = store.get_alert("al-0")
        last = store.audit_entries()[-1]
    assert alert is not None and alert.assigned_to is None
    assert (last.action, last.detail["assignee"]) == ("access.denied", "nobody-at-all")


def test_a_forged_token_assigns_nothing(client: TestClient, node: Node) -> None:
    refused = client.post("/alerts/al-0/assign", data={"assignee": "li.wei", "csrf": "forged"})
    assert refused.status_code == 403
    with node.store() as store:
        alert = store.get_alert("al-0")
        last = store.audit_entries()[-1]
    assert alert is not None and alert.assigned_to is None
    assert (last.action, last.subject) == ("access.denied", "/alerts/al-0/assign")


def test_the_queue_shows_mine_unassigned_or_all(client: TestClient) -> None:
    csrf = _csrf(client)
    client.post("/alerts/al-0/assign", data={"assignee": "li.wei", "csrf": csrf})
    client.post("/alerts/al-2/assign", data={"assignee": "chen.jie", "csrf": csrf})
    assert _ids(client.get("/alerts", params={"who": "mine"}).text) == ["al-0"]
    assert _ids(client.get("/alerts", params={"who": "unassigned"}).text) == ["al-1"]
    assert _ids(client.get("/alerts").text) == ["al-0", "al-1", "al-2"]
    assert _ids(client.get("/alerts", params={"who": "' OR 1=1 --"}).text) == [
        "al-0", "al-1", "al-2"]  # fmt: skip
    mine = client.get("/alerts", params={"who": "mine"})
    assert '<option value="mine" selected>' in mine.text
    unassign = client.post("/alerts/al-0/assign", data={"assignee": "", "csrf": csrf})
    assert unassign.status_code == 303
    assert _ids(client.get("/alerts", params={"who": "mine"}).text) == []


def test_a_verdict_keeps_its_note_escaped_and_can_be_reopened(
    client: TestClient, node: Node
) -> None:
    csrf = _csrf(client)
    note = "<script>alert(1)</script> courier confirms delivery"
    done = client.post("/alerts/al-2/status",
                       data={"status": "false_positive", "note": note, "csrf": csrf})  # fmt: skip
    assert done.status_code == 303
    page = client.get("/alerts/al-2")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; courier confirms delivery" in page.text
    assert re.search(r'class="status">false_positive · li\.wei, 2026', page.text)
    with node.store() as store:
        (judged,) = store.labelled_alerts()
        assert (judged.id, judged.disposition_by, judged.disposition_note) == (
            "al-2", "li.wei", note)  # fmt: skip
        assert judged.assigned_to == "li.wei"  # nobody held it: who decided took it
    reopened = client.post("/alerts/al-2/status", data={"status": "open", "csrf": csrf})
    assert reopened.status_code == 303
    with node.store() as store:
        assert store.labelled_alerts() == []
        actions = [e.action for e in store.audit_entries() if e.subject == "al-2"]
    assert actions.count("alert.disposition") == 2
