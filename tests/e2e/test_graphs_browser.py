"""The platform console's htmx queue and the account page's counterparties graph in a real
browser (Debian's Chromium): no full reloads while filtering and paging, the URL follows,
back and forward still work, the graph is drawn, and the CSP blocks nothing."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect

from fraudlink.auth import passwords, totp
from fraudlink.exchange.node import Node
from fraudlink.sim.world import simulate
from fraudlink.store import AlertRecord, UserRecord
from fraudlink.web.app import create_app
from fraudlink.web.settings import Settings
from tests.e2e.test_console_browser import browser, shots
from tests.integration.servers import free_port

__all__ = ["browser"]
PASSWORD = "a long and quiet river"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
T = datetime(2026, 9, 1, tzinfo=UTC)
MULE = "qb-u00000367"  # a second-layer mule of the tiny world at seed 4


@pytest.fixture
def console(tmp_path: Path) -> Iterator[str]:
    world = tmp_path / "world"
    simulate("tiny", 4, world)
    node = Node.init(tmp_path / "node", "qb-pay", "platform", None)
    with node.store() as store:
        store.add_user(UserRecord(org="qb-pay", username="li.wei", roles=("analyst",),
                                  created_at=T, totp_secret=SECRET,
                                  password_hash=passwords.hash_password(PASSWORD)))  # fmt: skip
        for i in range(30):  # scores 99 … 70; every third a refund burst
            rule = "refund-burst-signed" if i % 3 == 0 else "mule-pass-through"
            account = MULE if i == 0 else f"qb-u{i:08d}"
            store.add_alert(AlertRecord(
                id=f"al-{i:02d}", rule_id=rule, rule_version=1, entity_kind="account",
                entity_id=account, ts=T + timedelta(minutes=i), score=99 - i, severity="high",
                reasons=[f"reason number {i}"], body={"accounts": [account]}, created_at=T,
            ))  # fmt: skip
    port = free_port()
    app = create_app(Settings(home=node.home, passphrase=None, pump_every=0, events=world))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def log_in(page: Page, url: str) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{url}/alerts")
    page.fill("input[name=username]", "li.wei")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=code]", totp.code_at(SECRET, datetime.now(UTC)))
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{url}/alerts")
    return problems


def test_the_queue_filters_and_pages_without_reloading(browser: Browser, console: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    problems = log_in(page, console)
    rows = page.locator("#queue table.queue tbody tr")
    expect(rows).to_have_count(30)
    page.evaluate("window.sameDocument = true")  # gone if the page reloads
    page.select_option("select[name=rule]", "refund-burst-signed")
    expect(rows).to_have_count(10)
    expect(page).to_have_url(re.compile(r"/alerts\?(.*&)?rule=refund-burst-signed(&|$)"))
    assert page.evaluate("window.sameDocument") is True
    page.select_option("select[name=sort]", "time")
    expect(rows.first).to_contain_text("reason number 27")  # newest refund burst first
    # Pages of four: the links swap the table too.
    page.goto(f"{console}/alerts?rule=refund-burst-signed&limit=4")
    page.evaluate("window.sameDocument = true")
    expect(page.locator(".count")).to_contain_text("1–4 of 10")
    page.click("text=Next →")
    expect(page.locator(".count")).to_contain_text("5–8 of 10")
    expect(page).to_have_url(re.compile(r"/alerts\?(.*&)?limit=4&(.*&)?page=2(&|$)"))
    assert page.evaluate("window.sameDocument") is True
    # Back: the page comes from the server again (no copy of it was kept in the browser).
    page.go_back()
    expect(page.locator(".count")).to_contain_text("1–4 of 10")
    assert page.evaluate("sessionStorage.getItem('htmx-history-cache')") is None
    assert problems == [], "\n".join(problems)
    page.close()


def test_the_queue_works_without_javascript(browser: Browser, console: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, console)
    page.select_option("select[name=rule]", "refund-burst-signed")
    page.click("text=Show")
    expect(page.locator("#queue table.queue tbody tr")).to_have_count(10)
    context.close()


def test_the_account_page_draws_its_counterparties(
    browser: Browser, console: str, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = log_in(page, console)
    page.goto(f"{console}/accounts/{MULE}")
    expect(page.locator("#counterparties-graph canvas").first).to_be_attached()
    page.wait_for_function(
        "window.fraudlinkGraphs && window.fraudlinkGraphs['counterparties-graph']"
    )
    drawn = page.evaluate("window.fraudlinkGraphs['counterparties-graph'].nodes().length")
    listed = page.locator("table.graph-table tbody tr").count()
    assert drawn == listed + 1 > 2  # the account itself and each counterparty in the table
    page.locator("#counterparties-graph").scroll_into_view_if_needed()
    page.screenshot(path=str(shots(tmp_path) / "account-counterparties.png"), full_page=False)
    assert problems == [], "\n".join(problems)
    page.close()
