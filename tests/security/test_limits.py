"""Attacks on the limits: spoofed X-Forwarded-For, a flood of addresses, enumerating the
payee check, a chunked upload with no length, audit-log flooding, login guessing and
locking the owner out. Each is tried against the real app."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from fraudlink.auth import passwords, totp
from fraudlink.cli import app as cli_app
from fraudlink.exchange.node import Node
from fraudlink.portal.uploads import MAX_FILE, MAX_FILES
from fraudlink.store import SessionRecord, UserRecord
from fraudlink.web import login_guard, noise_audit
from fraudlink.web.app import create_app
from fraudlink.web.payee_routes import PER_ADDRESS_PER_MINUTE, PER_KEY_PER_MINUTE
from fraudlink.web.rate_limits import SlidingLimit
from fraudlink.web.serving import proxy_options
from fraudlink.web.settings import Settings
from tests.web.test_portal import form, police  # noqa: F401  (the fixture)

PASSWORD = "a long and quiet river"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


# -- forwarded headers -------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def serve(police: Node) -> Iterator[Any]:  # noqa: F811
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(trusted: list[str]) -> str:
        port = _free_port()
        application = create_app(Settings(home=police.home, passphrase=None, pump_every=0))
        config = uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning",
                                **proxy_options(trusted))  # fmt: skip
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.02)
        servers.append((server, thread))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)


def _reports(base: str, addresses: list[str]) -> list[int]:
    with httpx.Client(base_url=base) as client:
        page = client.get("/report?lang=en")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        data = {"csrf": csrf, "lang": "en", "name": "Wang Fang", "contact": "13800000000",
                "city": "Hangzhou", "story": "Someone posing as support made me pay twice.",
                "account_1": "lt-u00000001", "amount_1": "500",
                "paid_at_1": "2026-09-01T10:00"}  # fmt: skip
        return [
            client.post("/report", data=data, headers={"X-Forwarded-For": who}).status_code
            for who in addresses
        ]


def test_a_new_forwarded_for_per_request_does_not_escape_the_portal_limit(serve: Any) -> None:
    base = serve([])
    codes = _reports(base, [f"203.0.113.{i}" for i in range(7)])
    assert codes[:5] == [200] * 5
    assert codes[5:] == [429, 429]


def test_a_configured_proxy_is_believed(serve: Any) -> None:
    base = serve(["127.0.0.1"])
    assert _reports(base, [f"203.0.113.{i}" for i in range(7)]) == [200] * 7


def test_a_bad_trusted_proxy_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="not an address or network"):
        proxy_options(["10.0.0.0/33"])


# -- bounded, expiring limiter -----------------------------------------------------


def test_twenty_thousand_addresses_cost_bounded_memory_and_are_forgotten() -> None:
    limit = SlidingLimit(per=5, window_s=600, max_keys=1_000)
    for i in range(20_000):
        assert limit.allow(f"10.{i // 65536}.{i // 256 % 256}.{i % 256}", now=float(i) / 100)
    assert len(limit) <= 1_000
    assert len(SlidingLimit(5, 600)) == 0
    limit.allow("x", now=10_000.0)  # a window after the flood: all of it expired
    assert len(limit) == 1


def test_a_limited_key_is_told_when_to_come_back() -> None:
    limit = SlidingLimit(per=2, window_s=60)
    assert [limit.retry_after("k", t) for t in (0.0, 1.0)] == [0, 0]
    assert limit.retry_after("k", 2.0) == 58
    assert limit.retry_after("k", 60.5) == 0  # the first has left the window


# -- payee check -------------------------------------------------------------------


@pytest.fixture
def payee(tmp_path: Path) -> Iterator[tuple[TestClient, str, Node]]:
    home = tmp_path / "wallet"
    node = Node.init(home, "qb-pay", "platform", None)
    made = CliRunner().invoke(
        cli_app, ["apikey", "add", "--org", "qb-pay", "--label", "app", "--home", str(home)]
    )
    assert made.exit_code == 0, made.output
    key = re.search(r"flk_[A-Za-z0-9_-]+", made.output).group(0)  # type: ignore[union-attr]
    application = create_app(Settings(home=home, passphrase=None, pump_every=0))
    with TestClient(application) as client:
        yield client, key, node


def test_one_api_key_cannot_walk_the_list_of_flagged_accounts(
    payee: tuple[TestClient, str, Node],
) -> None:
    client, key, _ = payee
    auth = {"Authorization": f"Bearer {key}"}
    codes = [
        client.get("/api/v1/payee-check", params={"account": f"a{i}"}, headers=auth).status_code
        for i in range(PER_KEY_PER_MINUTE + 5)
    ]
    assert codes[:PER_KEY_PER_MINUTE] == [200] * PER_KEY_PER_MINUTE
    assert set(codes[PER_KEY_PER_MINUTE:]) == {429}
    busy = client.get("/api/v1/payee-check", params={"account": "a"}, headers=auth)
    assert busy.status_code == 429 and 1 <= int(busy.headers["retry-after"]) <= 60


def test_bad_keys_from_one_address_are_limited_and_audited_in_aggregate(
    payee: tuple[TestClient, str, Node],
) -> None:
    client, _, node = payee
    with node.store() as store:
        before = len(store.audit_entries())
    codes = [
        client.get("/api/v1/payee-check", params={"account": "x"},
                   headers={"Authorization": f"Bearer flk_guess{i}"}).status_code
        for i in range(500)
    ]  # fmt: skip
    assert codes[:PER_ADDRESS_PER_MINUTE] == [401] * PER_ADDRESS_PER_MINUTE
    assert set(codes[PER_ADDRESS_PER_MINUTE:]) == {429}
    client.app.state.noise.flush()  # type: ignore[attr-defined]
    with node.store() as store:
        rows = store.audit_entries()[before:]
        verdict = store.verify_audit()
    assert verdict.ok
    denied = [r for r in rows if r.action == "access.denied"]
    summary = [r for r in rows if r.action == "noise.suppressed"]
    assert len(denied) == noise_audit.FIRST_ROWS
    (total,) = summary
    assert total.detail["more"] == PER_ADDRESS_PER_MINUTE - noise_audit.FIRST_ROWS
    assert len(rows) <= noise_audit.FIRST_ROWS + 1


# -- bodies without a length ---------------------------------------------------------


def test_a_chunked_upload_is_refused_at_the_limit_not_read_to_the_end(
    police: Node,  # noqa: F811
) -> None:
    application = create_app(Settings(home=police.home, passphrase=None, pump_every=0))
    chunk = b"x" * (1024 * 1024)
    sent = {"chunks": 0}
    answer: dict[str, Any] = {}

    head = (b'--x\r\nContent-Disposition: form-data; name="files"; filename="a.png"\r\n'
            b"Content-Type: image/png\r\n\r\n")  # fmt: skip

    async def receive() -> dict[str, Any]:
        sent["chunks"] += 1
        body = head + chunk if sent["chunks"] == 1 else chunk
        return {"type": "http.request", "body": body, "more_body": sent["chunks"] < 200}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]

    scope = {
        "type": "http", "method": "POST", "path": "/report", "raw_path": b"/report",
        "query_string": b"", "headers": [(b"content-type", b"multipart/form-data; boundary=x"),
                                         (b"transfer-encoding", b"chunked")],
        "client": ("203.0.113.9", 5000), "server": ("127.0.0.1", 80), "scheme": "http",
        "http_version": "1.1", "root_path": "", "app": application,
    }  # fmt: skip
    anyio.run(application, scope, receive, send)  # type: ignore[arg-type]
    assert answer["status"] == 413
    limit_mib = (MAX_FILE * MAX_FILES + 1024 * 1024) // (1024 * 1024)
    assert sent["chunks"] <= limit_mib + 1  # of 200 MiB offered


# -- logins ------------------------------------------------------------------------


@pytest.fixture
def console(tmp_path: Path) -> Node:
    node = Node.init(tmp_path / "node", "hx-mall", "platform", None)
    with node.store() as store:
        store.add_user(UserRecord(org="hx-mall", username="li.wei", roles=("analyst",),
                                  created_at=datetime.now(UTC), totp_secret=SECRET,
                                  password_hash=passwords.hash_password(PASSWORD)))  # fmt: skip
    return node


def _login(node: Node, address: str, username: str, password: str) -> httpx.Response:
    application = create_app(Settings(home=node.home, passphrase=None, pump_every=0))
    with TestClient(application, follow_redirects=False, client=(address, 5000)) as c:
        return _attempt(c, username, password)


def _attempt(c: TestClient, username: str, password: str) -> httpx.Response:
    page = c.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    code = totp.code_at(SECRET, datetime.now(UTC))
    return c.post("/login", data={"username": username, "password": password, "code": code,
                                  "csrf": csrf})  # fmt: skip


def test_guessing_from_one_address_is_slowed_before_any_password_is_checked(
    console: Node,
) -> None:
    application = create_app(Settings(home=console.home, passphrase=None, pump_every=0))
    with TestClient(application, follow_redirects=False, client=("198.51.100.7", 1)) as c:
        codes = [_attempt(c, f"nobody{i}", "guess").status_code
                 for i in range(login_guard.FREE_FAILURES)]  # fmt: skip
        began = time.perf_counter()
        throttled = _attempt(c, "nobody-else", "guess")
        took = time.perf_counter() - began
    assert codes == [401] * login_guard.FREE_FAILURES
    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) == int(login_guard.FIRST_WAIT_S)
    assert took < 0.5  # no password hash was computed for it


def test_a_stranger_cannot_lock_the_owner_out(console: Node) -> None:
    with console.store() as store:  # the owner has logged in from the office before
        store.add_session(SessionRecord(
            token_sha256="0" * 64, org="hx-mall", username="li.wei", csrf_token="c",
            created_at=datetime.now(UTC) - timedelta(days=3),
            expires_at=datetime.now(UTC) - timedelta(days=2), source="192.0.2.10",
        ))  # fmt: skip
    application = create_app(Settings(home=console.home, passphrase=None, pump_every=0))
    with TestClient(application, follow_redirects=False, client=("198.51.100.66", 1)) as c:
        for _ in range(5):
            assert _attempt(c, "li.wei", "not the password").status_code == 401
        assert _attempt(c, "li.wei", PASSWORD).status_code == 401  # locked for the stranger
    with console.store() as store:
        user = store.get_user("hx-mall", "li.wei")
        assert user is not None and user.locked_until is not None
    assert _login(console, "192.0.2.10", "li.wei", PASSWORD).status_code == 303
