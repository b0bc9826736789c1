"""An investigator sees a referral arrive, opens the case and requests a freeze (real Chromium)."""

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
from fraudlink.exchange.node import Node
from fraudlink.web.app import create_app
from fraudlink.web.settings import Settings
from tests.e2e.test_console_browser import browser, shots
from tests.integration.servers import free_port
from tests.web.test_police_workbench import PASSWORD, SECRET, nodes

__all__ = ["browser", "nodes"]


@pytest.fixture
def police_url(nodes: tuple[Node, Node]) -> Iterator[str]:
    port = free_port()
    app = create_app(Settings(home=nodes[1].home, passphrase=None, pump_every=0))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_investigator_opens_the_referral_and_requests_a_freeze(
    browser: Browser, police_url: str, nodes: tuple[Node, Node], tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(f"{police_url}/")
    page.fill("input[name=username]", "zhao.min")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=code]", totp.code_at(SECRET, datetime.now(UTC)))
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{police_url}/inbox")
    expect(page.locator("table.queue").first).to_contain_text("case-00000000000000aa")
    page.screenshot(path=str(shots(tmp_path) / "police-inbox.png"), full_page=True)
    page.click("text=case-00000000000000aa")
    expect(page.locator(".reasons")).to_contain_text("passed on 97 %")
    page.fill("input[name=amount]", "48,000.00")
    page.fill("input[name=basis]", "杭公(网)冻字〔2026〕118号")
    page.screenshot(path=str(shots(tmp_path) / "police-case.png"), full_page=True)
    page.click("text=Request freeze")
    expect(page.locator("main")).to_contain_text("¥48,000.00 asked")
    with nodes[1].store() as store:
        (freeze,) = store.list_freezes()
    assert freeze.platform_org == "qb-pay" and freeze.legal_basis.startswith("杭公")
    assert problems == []
    page.close()
