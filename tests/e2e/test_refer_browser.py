"""In a real browser: the analyst opens the top alert, looks at the account, previews exactly
what would go to the police, and refers it; the police node receives it and the receipt
shows in the outbox."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, expect

from fraudlink.auth import totp
from fraudlink.exchange import routes
from fraudlink.exchange.node import Node
from fraudlink.web.app import create_app
from fraudlink.web.settings import Settings
from tests.e2e.test_console_browser import browser, shots
from tests.integration.servers import PASSPHRASE, free_port, serving
from tests.web.test_console_referral import PASSWORD, SECRET, nodes, world

__all__ = ["browser", "nodes", "world"]


@pytest.fixture
def console(nodes: tuple[Node, Node, str], world: Path) -> Iterator[str]:
    port = free_port()
    app = create_app(Settings(home=nodes[0].home, passphrase=PASSPHRASE.encode(),
                              pump_every=0, events=world))  # fmt: skip
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_analyst_refers_the_top_alert(
    browser: Browser, console: str, nodes: tuple[Node, Node, str], tmp_path: Path
) -> None:
    platform, police, alert_id = nodes
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{console}/login")
    page.fill("input[name=username]", "li.wei")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=code]", totp.code_at(SECRET, datetime.now(UTC)))
    page.click("button[type=submit]")
    page.locator("table.queue tbody tr").first.locator("a").click()
    expect(page).to_have_url(f"{console}/alerts/{alert_id}")
    page.locator(".facts a").first.click()  # the account
    expect(page.locator("h2", has_text="Timeline")).to_be_visible()
    page.screenshot(path=str(shots(tmp_path) / "account.png"), full_page=False)
    page.go_back()
    page.click("text=Refer to police…")
    expect(page.locator("h1")).to_contain_text("Refer to police")
    page.screenshot(path=str(shots(tmp_path) / "refer-preview.png"), full_page=False)
    port = int(str(routes.get(platform.home, "hz-cyber").url).rsplit(":", 1)[1])
    with serving(police.home, port):
        page.click("text=Seal and send")
        expect(page.locator("table.queue")).to_contain_text("delivered")
    expect(page.locator("table.queue")).to_contain_text("accepted, signed by hz-cyber")
    page.screenshot(path=str(shots(tmp_path) / "outbox.png"), full_page=False)
    assert any((police.home / "inbox").iterdir())
    page.close()
