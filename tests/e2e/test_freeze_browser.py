"""In a real browser: the platform analyst confirms the police's freeze request with the amount
actually held; the signed confirmation reaches the police node, whose own page shows it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from fraudlink.auth import passwords, totp
from fraudlink.exchange import outbox
from fraudlink.exchange.node import Node
from fraudlink.freeze import service
from fraudlink.store import FreezeRecord, UserRecord
from fraudlink.web.app import create_app
from fraudlink.web.settings import Settings
from tests.e2e.conftest import Serve
from tests.e2e.test_console_browser import PASSWORD, SECRET, browser, shots
from tests.exchange.conftest import hand_to
from tests.integration.servers import PASSPHRASE, free_port, serving
from tests.web.node_pair import UNUSED, trusting_pair

__all__ = ["browser"]
BASIS = "杭公(网)冻字〔2026〕118号"


@pytest.fixture
def nodes(tmp_path: Path) -> tuple[Node, Node, FreezeRecord, int]:
    """A wallet and a police unit that trust each other; the police asked the wallet to hold
    ¥48,000.00 on a mule account, and the request has arrived."""
    key = PASSPHRASE.encode()
    port = free_port()  # where the police node will listen
    platform, police = trusting_pair(tmp_path, passphrase=key, police_reaches=UNUSED,
                                     platform_reaches=f"http://127.0.0.1:{port}")  # fmt: skip
    deadline = datetime.now(UTC) + timedelta(days=30)
    freeze, _ = service.request(police, "qb-pay", "qb-u00002746", 4_800_000, "CNY", BASIS,
                                deadline)  # fmt: skip
    (sent,) = outbox.pump(police, hand_to(platform))
    assert sent.state == "delivered"
    hashed = passwords.hash_password(PASSWORD)
    for node, username, role in ((platform, "li.wei", "analyst"),
                                 (police, "zhao.min", "investigator")):  # fmt: skip
        with node.store() as store:
            store.add_user(UserRecord(org=node.info.org, username=username, roles=(role,),
                                      created_at=datetime.now(UTC), totp_secret=SECRET,
                                      password_hash=hashed))  # fmt: skip
    return platform, police, freeze, port


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=code]", totp.code_at(SECRET, datetime.now(UTC)))
    page.click("button[type=submit]")


def test_the_analyst_confirms_the_freeze_and_the_police_see_it_held(
    browser: Browser, live_app: Serve, nodes: tuple[Node, Node, FreezeRecord, int],
    tmp_path: Path,
) -> None:  # fmt: skip
    platform, police, freeze, port = nodes
    console = live_app(create_app(Settings(home=platform.home, passphrase=PASSPHRASE.encode(),
                                           pump_every=0)))  # fmt: skip
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    _log_in(page, console, "li.wei")
    expect(page).to_have_url(f"{console}/alerts")
    page.click("header nav >> text=Freezes")
    card = page.locator(f"section.freeze#{freeze.id}")
    expect(card).to_contain_text("qb-u00002746")
    expect(card).to_contain_text("hold up to ¥48,000.00")
    expect(card).to_contain_text(BASIS)
    card.locator("input[name=held]").fill("35,542.52")
    card.locator("input[name=reason]").fill("balance when the hold was placed")
    page.screenshot(path=str(shots(tmp_path) / "freezes.png"), full_page=True)
    with serving(police.home, port) as police_server:
        card.locator("button", has_text="Confirm to hz-cyber").click()
        expect(card).to_contain_text("partial, ¥35,542.52 held — balance when the hold was placed")
        expect(card.locator("form")).to_have_count(0)  # answered: nothing more to confirm
        with police.store() as store:
            answered = store.get_freeze(freeze.id)
        assert answered is not None
        assert (answered.state, answered.held_minor) == ("partial", 3_554_252)
        # The police unit's own workbench, served by its own process, shows the answer.
        police_page = browser.new_page(viewport={"width": 1280, "height": 900})
        police_url = f"http://127.0.0.1:{port}"
        _log_in(police_page, police_url, "zhao.min")
        expect(police_page).to_have_url(f"{police_url}/inbox")
        received, held = police_page.locator("table.queue").all()
        expect(received).to_contain_text("freeze confirmation")  # verified, receipt sent
        row = held.locator("tr", has_text=freeze.id)
        expect(row).to_contain_text("¥35,542.52")
        expect(row).to_contain_text("partial")
        police_page.screenshot(path=str(shots(tmp_path) / "police-freeze-held.png"),
                               full_page=True)  # fmt: skip
        police_page.close()
        assert police_server.poll() is None
    with platform.store() as store:
        (message,) = [m for m in store.list_messages(direction="out") if m.ref == freeze.id]
        entries = [e.action for e in store.audit_entries()]
    assert message.state == "delivered" and message.receipt is not None  # signed receipt back
    assert "freeze.confirm.web" in entries
    # The same page in Chinese: the switch keeps the analyst where they were.
    page.click("header >> text=中文")
    expect(page).to_have_url(f"{console}/freezes")
    expect(page.locator("h1")).to_contain_text("冻结请求")
    expect(card).to_contain_text("部分冻结，已冻结 ¥35,542.52")
    page.screenshot(path=str(shots(tmp_path) / "freezes-zh.png"), full_page=True)
    assert problems == []
    page.close()
