"""The platform console's security plumbing, attacked the obvious ways over real HTTP calls."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fraudlink.auth import passwords, totp
from fraudlink.exchange.node import Node
from fraudlink.store import AlertRecord, UserRecord
from fraudlink.web.app import create_app
from fraudlink.web.settings import Settings

PASSWORD = "a long and quiet river"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def node(tmp_path: Path) -> Node:
    node = Node.init(tmp_path / "node", "hx-mall", "platform", None)
    with node.store() as store:
        for username, roles in (("li.wei", ("analyst",)), ("zhao.min", ("investigator",))):
            store.add_user(UserRecord(org="hx-mall", username=username, roles=roles,
                                      created_at=datetime.now(UTC), totp_secret=SECRET,
                                      password_hash=passwords.hash_password(PASSWORD)))  # fmt: skip
        store.add_alert(AlertRecord(
            id="al-1", rule_id="refund-burst-signed", rule_version=1, entity_kind="account",
            entity_id="hx-u1", ts=datetime(2026, 9, 1, tzinfo=UTC), score=95,
            severity="critical", created_at=datetime(2026, 9, 1, tzinfo=UTC),
            reasons=["<script>alert(1)</script> 5 refunds totalling ¥23,400"],
            body={"title": "Refund burst", "accounts": ["hx-u1"]},
        ))  # fmt: skip
    return node


@pytest.fixture
def client(node: Node) -> Iterator[TestClient]:
    app = create_app(Settings(home=node.home, passphrase=None, pump_every=0))
    with TestClient(app, follow_redirects=False) as c:
        yield c


def log_in(client: TestClient, username: str = "li.wei", password: str = PASSWORD,
           when: datetime | None = None) -> int:  # fmt: skip
    form = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    code = totp.code_at(SECRET, when or datetime.now(UTC))
    form_data = {"username": username, "password": password, "code": code, "csrf": csrf,
                 "next": "/alerts"}  # fmt: skip
    response = client.post("/login", data=form_data)
    return response.status_code


def session_csrf(client: TestClient) -> str:
    page = client.get("/alerts/al-1")
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def test_pages_need_a_login_and_every_answer_has_security_headers(client: TestClient) -> None:
    response = client.get("/alerts")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/alerts"
    for r in (response, client.get("/login")):
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert "strict-transport-security" not in r.headers  # plain HTTP here
        assert r.headers["cache-control"] == "no-store"  # pages carry case data
    # Static code and styles may stay in the browser (not in shared caches) for an hour.
    css = client.get("/static/app.css")
    assert css.status_code == 200 and css.headers["cache-control"] == "private, max-age=3600"
    assert "unsafe-inline" not in css.headers["content-security-policy"]


def test_login_with_totp_then_the_queue_escapes_what_it_shows(client: TestClient) -> None:
    assert log_in(client) == 303
    cookie = client.cookies.get("fl_session")
    assert cookie
    page = client.get("/alerts")
    assert page.status_code == 200 and "refund-burst-signed" in page.text
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert 'src="' not in page.text.split("</head>")[1]  # no script of any kind in the body


def test_the_session_cookie_is_http_only_and_same_site(node: Node) -> None:
    app = create_app(Settings(home=node.home, passphrase=None, pump_every=0, tls=True))
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        form = c.get("/login")
        assert "max-age=63072000" in form.headers["strict-transport-security"]
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        done = c.post("/login", data={"username": "li.wei", "password": PASSWORD, "csrf": csrf,
                                      "code": totp.code_at(SECRET, datetime.now(UTC))})  # fmt: skip
        cookie = next(v for k, v in done.headers.multi_items()
                      if k == "set-cookie" and v.startswith("fl_session="))  # fmt: skip
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie


def test_a_forged_csrf_token_is_refused(client: TestClient, node: Node) -> None:
    form = client.get("/login")
    assert form.status_code == 200
    forged = client.post("/login", data={"username": "li.wei", "password": PASSWORD,
                                         "code": totp.code_at(SECRET, datetime.now(UTC)),
                                         "csrf": "forged"})  # fmt: skip
    assert forged.status_code == 403 and "fl_session" not in forged.headers.get("set-cookie", "")
    assert log_in(client, when=datetime.now(UTC) + timedelta(seconds=30)) == 303
    refused = client.post("/alerts/al-1/status", data={"status": "closed", "csrf": "forged"})
    assert refused.status_code == 403
    with node.store() as store:
        alert = store.get_alert("al-1")
        assert alert is not None and alert.status == "open"
        assert store.audit_entries()[-1].action == "access.denied"
    done = client.post("/alerts/al-1/status",
                       data={"status": "true_positive", "csrf": session_csrf(client)})  # fmt: skip
    assert done.status_code == 303
    with node.store() as store:
        alert = store.get_alert("al-1")
        assert alert is not None and alert.status == "true_positive"
        assert alert.assigned_to == "li.wei"


def test_a_session_replayed_after_logout_is_refused(client: TestClient) -> None:
    assert log_in(client) == 303
    stolen = client.cookies.get("fl_session")
    out = client.post("/logout", data={"csrf": session_csrf(client)})
    assert out.status_code == 303
    client.cookies.set("fl_session", str(stolen))
    assert client.get("/alerts").status_code == 303  # back to the login form


def test_another_role_is_refused_and_the_refusal_audited(client: TestClient, node: Node) -> None:
    assert log_in(client, username="zhao.min") == 303
    response = client.get("/alerts")
    assert response.status_code == 403 and "analyst" in response.text
    with node.store() as store:
        last = store.audit_entries()[-1]
    assert (last.action, last.actor) == ("access.denied", "zhao.min@hx-mall")


def test_brute_force_locks_the_account(client: TestClient) -> None:
    for _ in range(5):
        assert log_in(client, password="not the password at all") == 401
    assert log_in(client) == 401  # right password, but locked for now


def test_open_redirects_and_sql_in_filters_go_nowhere(client: TestClient) -> None:
    form = client.get("/login?next=//evil.example/x")
    assert 'name="next" value="/"' in form.text
    assert log_in(client) == 303
    page = client.get("/alerts", params={"rule": "' OR 1=1 --", "status": "open"})
    assert page.status_code == 200 and "No alerts match." in page.text
    assert client.get("/alerts/does-not-exist").status_code == 404
