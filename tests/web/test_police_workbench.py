"""The police workbench: referrals arrive verified, a case opens, a freeze goes to the platform."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fraudlink.auth import passwords, totp
from fraudlink.cases import package
from fraudlink.cases.referral import KIND, pack_case
from fraudlink.dispatch import HANDLERS
from fraudlink.exchange import outbox
from fraudlink.exchange.mailroom import receive
from fraudlink.exchange.node import Node
from fraudlink.store import UserRecord
from fraudlink.web import sessions
from fraudlink.web.app import create_app
from fraudlink.web.settings import Settings
from tests.web.node_pair import trusting_pair

PASSWORD = "a long and quiet river"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
T = datetime(2026, 9, 1, tzinfo=UTC)


@pytest.fixture
def nodes(tmp_path: Path) -> tuple[Node, Node]:
    platform, police = trusting_pair(tmp_path)
    manifest, blobs = package.build(
        case_id="case-00000000000000aa", title="Mule pass-through: qb-u00002746",
        subject_accounts=["qb-u00002746"],
        alerts=[{"alert_id": "al-1", "reasons": ["received ¥48,000.00, passed on 97 %"]}],
        tables={"account": [{"account_id": "qb-u00002746", "org": "qb-pay"}],
                "transactions": [{"transfer_id": "T1", "amount": 4_800_000,
                                  "from_account": "qb-u1", "to_account": "qb-u00002746"}]},
        sender="qb-pay", recipient="hz-cyber", created=datetime.now(UTC),
    )  # fmt: skip
    sent = outbox.post(platform, "hz-cyber", KIND, pack_case(manifest, blobs), ref="case-1")
    assert sent.body is not None and receive(police, sent.body, HANDLERS).accepted
    with police.store() as store:
        for username, roles in (
            ("zhao.min", ("investigator",)),
            ("li.wei", ("analyst",)),
            ("wu.fang", ("investigator",)),
        ):
            store.add_user(UserRecord(org="hz-cyber", username=username, roles=roles,
                                      created_at=T, totp_secret=SECRET,
                                      password_hash=passwords.hash_password(PASSWORD)))  # fmt: skip
    return platform, police


@pytest.fixture
def client(nodes: tuple[Node, Node]) -> Iterator[TestClient]:
    app = create_app(Settings(home=nodes[1].home, passphrase=None, pump_every=0))
    with TestClient(app, follow_redirects=False) as c:
        yield c


def log_in(client: TestClient, username: str) -> None:
    form = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    code = totp.code_at(SECRET, datetime.now(UTC))
    data = {"username": username, "password": PASSWORD, "csrf": csrf, "code": code}
    done = client.post("/login", data=data)
    assert done.status_code == 303 and done.headers["location"] == "/"


def test_an_investigator_sees_the_referral_opens_it_and_asks_for_a_freeze(
    client: TestClient, nodes: tuple[Node, Node]
) -> None:
    _, police = nodes
    log_in(client, "zhao.min")
    assert client.get("/").headers["location"] == "/inbox"
    inbox = client.get("/inbox")
    assert inbox.status_code == 200 and "case-00000000000000aa" in inbox.text
    assert "qb-pay" in inbox.text and "signed receipt sent" in inbox.text
    case = client.get("/cases/case-00000000000000aa")
    assert case.status_code == 200 and "Mule pass-through: qb-u00002746" in case.text
    assert "received ¥48,000.00, passed on 97 %" in case.text and "TLP:AMBER+STRICT" in case.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', case.text).group(1)  # type: ignore[union-attr]
    form = {"account": "qb-u00002746", "platform": "qb-pay", "amount": "48,000.00",
            "basis": "decision 2026-118", "days": "30", "csrf": csrf}  # fmt: skip
    assert client.post("/cases/case-00000000000000aa/freeze",
                       data={**form, "csrf": "forged"}).status_code == 403  # fmt: skip
    done = client.post("/cases/case-00000000000000aa/freeze", data=form)
    assert done.status_code == 303
    with police.store() as store:
        (freeze,) = store.list_freezes()
        assert (freeze.account, freeze.amount_minor, freeze.case_id) == (
            "qb-u00002746", 4_800_000, "case-00000000000000aa")  # fmt: skip
        actions = [e.action for e in store.audit_entries()]
    assert "case.view" in actions and "freeze.request.web" in actions
    assert freeze.id in client.get("/cases/case-00000000000000aa").text
    # Held as the platform confirmed it, written by another worker: the kept page is not
    # shown, the new state is.
    with police.store() as store:
        store.update_freeze(freeze.id, state="held", held_minor=4_512_000)
    page = client.get("/cases/case-00000000000000aa").text
    assert "¥45,120.00 held" in page


def test_a_kept_case_page_carries_each_viewers_own_token_and_each_view_is_audited(
    nodes: tuple[Node, Node],
) -> None:
    """The case body is rendered once and kept (page_bodies); the token and the audit are not."""
    app = create_app(Settings(home=nodes[1].home, passphrase=None, pump_every=0))
    with (TestClient(app, follow_redirects=False) as one, TestClient(app) as two,
          TestClient(app) as again):  # fmt: skip
        log_in(one, "zhao.min")
        for client in (two, again):
            client.follow_redirects = False
        log_in(two, "wu.fang")
        # The same person in a second session (a TOTP code logs in once, so opened here).
        with nodes[1].store() as store:
            user = store.get_user("hz-cyber", "zhao.min")
            assert user is not None
            token, _ = sessions.open_session(store, user, datetime.now(UTC), timedelta(hours=1),
                                             "test")  # fmt: skip
        again.cookies.set(sessions.COOKIE, token)
        pages = [c.get("/cases/case-00000000000000aa").text for c in (one, two, one, again)]
    tokens = [re.findall(r'name="csrf" value="([^"]+)"', p) for p in pages]
    # The logout form and the freeze form each carry the viewer's own session token.
    assert all(len(set(t)) == 1 and len(t) == 2 for t in tokens)
    assert tokens[0] == tokens[2] != tokens[1]
    assert tokens[3] != tokens[0] and pages[3] == pages[0].replace(tokens[0][0], tokens[3][0])
    # The page is kept whole per viewer: each names the one who is looking.
    assert "zhao.min · hz-cyber" in pages[0] and "wu.fang" not in pages[0]
    assert "wu.fang · hz-cyber" in pages[1] and "zhao.min" not in pages[1]
    assert "csrf-slot-" not in "".join(pages)
    with nodes[1].store() as store:
        views = [e.actor for e in store.audit_entries() if e.action == "case.view"]
    assert views == ["zhao.min@hz-cyber", "wu.fang@hz-cyber", "zhao.min@hz-cyber",
                     "zhao.min@hz-cyber"]  # fmt: skip


def test_other_roles_and_unknown_cases_are_refused(client: TestClient) -> None:
    log_in(client, "li.wei")
    assert client.get("/inbox").status_code == 403
    assert client.get("/cases/case-00000000000000aa").status_code == 403
    client.post("/logout", data={"csrf": "x"})  # refused (forged), still logged in


def test_a_case_id_that_is_not_here_is_not_found(client: TestClient) -> None:
    log_in(client, "zhao.min")
    assert client.get("/cases/case-ffffffffffffffff").status_code == 404
    assert client.get("/cases/..%2F..%2Fetc").status_code == 404
