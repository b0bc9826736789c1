"""A platform analyst confirms an incoming freeze; the police receive the signed answer."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from fraudlink.auth import passwords, totp
from fraudlink.exchange import outbox
from fraudlink.freeze import service
from fraudlink.store import UserRecord
from fraudlink.web.app import create_app
from fraudlink.web.settings import Settings
from tests.exchange.conftest import hand_to
from tests.integration.servers import PASSPHRASE, free_port, serving
from tests.web.node_pair import UNUSED, trusting_pair

PASSWORD = "a long and quiet river"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_the_analyst_confirms_what_was_held(tmp_path: Path) -> None:
    key = PASSPHRASE.encode()
    port = free_port()
    platform, police = trusting_pair(tmp_path, passphrase=key, police_reaches=UNUSED,
                                     platform_reaches=f"http://127.0.0.1:{port}")  # fmt: skip
    deadline = datetime.now(UTC) + timedelta(days=30)
    freeze, _ = service.request(police, "qb-pay", "qb-u00002746", 4_800_000, "CNY",
                                "decision 2026-118", deadline)  # fmt: skip
    (sent,) = outbox.pump(police, hand_to(platform))
    assert sent.state == "delivered"
    with platform.store() as store:
        store.add_user(UserRecord(org="qb-pay", username="li.wei", roles=("analyst",),
                                  created_at=datetime.now(UTC), totp_secret=SECRET,
                                  password_hash=passwords.hash_password(PASSWORD)))  # fmt: skip
    app = create_app(Settings(home=platform.home, passphrase=key, pump_every=0))
    with TestClient(app, follow_redirects=False) as client, serving(police.home, port):
        form = client.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        code = totp.code_at(SECRET, datetime.now(UTC))
        client.post("/login", data={"username": "li.wei", "password": PASSWORD, "code": code,
                                    "csrf": csrf})  # fmt: skip
        page = client.get("/freezes")
        assert page.status_code == 200 and "qb-u00002746" in page.text
        assert "¥48,000.00" in page.text and "decision 2026-118" in page.text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        too_much = client.post(f"/freezes/{freeze.id}/confirm",
                               data={"held": "50,000.00", "csrf": csrf})  # fmt: skip
        assert too_much.status_code == 422
        answer = {"held": "35,542.52", "reason": "balance", "csrf": csrf}
        done = client.post(f"/freezes/{freeze.id}/confirm", data=answer)
        assert done.status_code == 303
        assert "partial" in client.get("/freezes").text
    with police.store() as store:
        answered = store.get_freeze(freeze.id)
    assert answered is not None and (answered.state, answered.held_minor) == ("partial", 3_554_252)
