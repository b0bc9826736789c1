"""From the console: preview exactly what a referral carries, then send it to a police node."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from fraudlink.auth import passwords, totp
from fraudlink.detect.engine import Engine
from fraudlink.detect.rules.loader import builtin_pack
from fraudlink.exchange import routes
from fraudlink.exchange.node import Node
from fraudlink.sim.world import simulate
from fraudlink.store import AlertRecord, UserRecord
from fraudlink.web.app import create_app
from fraudlink.web.settings import Settings
from tests.integration.servers import PASSPHRASE, free_port, serving
from tests.web.staff_login import log_in

PASSWORD = "a long and quiet river"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    simulate("tiny", 4, out)
    return out


@pytest.fixture
def nodes(tmp_path: Path, world: Path) -> tuple[Node, Node, str]:
    platform = Node.init(tmp_path / "platform", "hx-mall", "platform", PASSPHRASE.encode())
    police = Node.init(tmp_path / "police", "hz-cyber", "police", PASSPHRASE.encode())
    platform.trust(police.info.card)
    police.trust(platform.info.card)
    port = free_port()
    routes.save(platform.home, {"hz-cyber": routes.Route(url=f"http://127.0.0.1:{port}")})
    engine = Engine(builtin_pack())
    alerts = engine.push(pq.read_table(world / "events.parquet")) + engine.flush()
    top = max(alerts, key=lambda a: (a.score, a.alert_id))
    with platform.store() as store:
        store.add_user(UserRecord(org="hx-mall", username="li.wei", roles=("analyst",),
                                  created_at=datetime.now(UTC), totp_secret=SECRET,
                                  password_hash=passwords.hash_password(PASSWORD)))  # fmt: skip
        store.add_alert(AlertRecord(id=top.alert_id, rule_id=top.rule_id,
                                    rule_version=top.rule_version, entity_kind=top.entity_kind,
                                    entity_id=top.entity, ts=top.ts, score=top.score,
                                    severity=top.severity, reasons=top.reasons,
                                    body=msgspec.to_builtins(top), created_at=top.ts))  # fmt: skip
    return platform, police, top.alert_id


@pytest.fixture
def client(nodes: tuple[Node, Node, str], world: Path) -> Iterator[TestClient]:
    platform = nodes[0]
    app = create_app(Settings(home=platform.home, passphrase=PASSPHRASE.encode(),
                              pump_every=0, events=world))  # fmt: skip
    with TestClient(app, follow_redirects=False) as c:
        log_in(c, "li.wei", PASSWORD, SECRET)
        yield c


def test_preview_then_send_and_see_the_receipt(
    client: TestClient, nodes: tuple[Node, Node, str]
) -> None:
    platform, police, alert_id = nodes
    page = client.get(f"/alerts/{alert_id}/refer")
    assert page.status_code == 200
    assert "exactly what will be sealed and sent" in page.text
    for table in ("account", "transactions", "refunds", "logins", "linked"):
        assert f"<b>{table}</b>" in page.text
    case_id = re.search(r"case (case-[0-9a-f]{16})", page.text).group(1)  # type: ignore[union-attr]
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    assert "<option>hz-cyber</option>" in page.text
    # Nothing has left yet: a preview seals and sends nothing.
    with platform.store() as store:
        assert store.list_messages(direction="out") == []
    forged = client.post(f"/cases/{case_id}/refer", data={"to": "hz-cyber", "tlp": "amber",
                                                          "csrf": "nope"})  # fmt: skip
    assert forged.status_code == 403
    stranger = client.post(f"/cases/{case_id}/refer", data={"to": "evil-org", "tlp": "amber",
                                                            "csrf": csrf})  # fmt: skip
    assert stranger.status_code == 422
    police_port = int(routes.get(platform.home, "hz-cyber").url.rsplit(":", 1)[1])  # type: ignore[union-attr]
    with serving(police.home, police_port):
        sent = client.post(f"/cases/{case_id}/refer", data={"to": "hz-cyber", "tlp": "red",
                                                            "csrf": csrf})  # fmt: skip
        assert sent.status_code == 303 and sent.headers["location"].startswith("/outbox#msg-")
    outbox = client.get("/outbox")
    assert "delivered" in outbox.text and "accepted, signed by hz-cyber" in outbox.text
    assert (police.home / "inbox" / case_id / "manifest.json").exists()
    with platform.store() as store:
        actions = [e.action for e in store.audit_entries()]
    assert "case.preview" in actions and "case.refer.web" in actions


def test_without_event_files_the_console_says_how_to_start_it(
    nodes: tuple[Node, Node, str],
) -> None:
    platform, _, alert_id = nodes
    app = create_app(Settings(home=platform.home, passphrase=PASSPHRASE.encode(), pump_every=0))
    with TestClient(app, follow_redirects=False) as c:
        form = c.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        c.post("/login", data={"username": "li.wei", "password": PASSWORD, "csrf": csrf,
                               "code": totp.code_at(SECRET, datetime.now(UTC))})  # fmt: skip
        page = c.get(f"/alerts/{alert_id}/refer")
    assert page.status_code == 409 and "--events" in page.text


def test_the_account_page_tells_the_accounts_story(
    client: TestClient, nodes: tuple[Node, Node, str]
) -> None:
    platform, _, alert_id = nodes
    with platform.store() as store:
        alert = store.get_alert(alert_id)
    assert alert is not None
    account = alert.body["accounts"][0]
    page = client.get(f"/accounts/{account}")
    assert page.status_code == 200 and account in page.text
    assert "Timeline" in page.text and f'href="/alerts/{alert_id}"' in page.text
    assert "logged in from" in page.text or "registered from" in page.text
    assert client.get("/accounts/nobody-at-all").status_code == 404
    with platform.store() as store:
        assert "account.view" in [e.action for e in store.audit_entries()]
