"""The console in a real browser (Debian's Chromium driven by Playwright).

An analyst logs in with a TOTP code, opens the riskiest alert and marks it as fraud.
Screenshots go to a temporary folder, or to $FRAUDLINK_SCREENSHOTS (`make screenshots`
writes docs/screenshots/).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, expect, sync_playwright

from fraudlink.auth import passwords, totp
from fraudlink.exchange.node import Node
from fraudlink.store import AlertRecord, UserRecord
from fraudlink.web.app import create_app
from fraudlink.web.settings import Settings
from tests.integration.servers import free_port

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "a long and quiet river"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def console_url(tmp_path: Path) -> Iterator[str]:
    node = Node.init(tmp_path / "node", "hx-mall", "platform", None)
    with node.store() as store:
        store.add_user(UserRecord(org="hx-mall", username="li.wei", roles=("analyst",),
                                  created_at=datetime.now(UTC), totp_secret=SECRET,
                                  password_hash=passwords.hash_password(PASSWORD)))  # fmt: skip
        for i, (rule, score, reason) in enumerate([
            ("refund-burst-signed", 98, "5 refunds totalling ¥23,400.00 within 1 h 52 m, "
             "reason not_received; 5 of 5 parcels scanned as signed for"),
            ("mule-pass-through", 84, "received ¥48,000.00 from 6 payers and passed on 97 % "
             "within 14 m"),
            ("ip-city-hop", 61, "logins from Hangzhou and Chengdu 25 m apart (3,722 km/h)"),
        ]):  # fmt: skip
            store.add_alert(AlertRecord(
                id=f"al-{i}", rule_id=rule, rule_version=1, entity_kind="account",
                entity_id=f"hx-u0000{i}", ts=datetime(2026, 9, 1, 8 + i, tzinfo=UTC),
                score=score, severity="critical" if score > 90 else "high",
                reasons=[reason], body={"title": rule, "accounts": [f"hx-u0000{i}"]},
                created_at=datetime(2026, 9, 1, tzinfo=UTC),
            ))  # fmt: skip
    port = free_port()
    app = create_app(Settings(home=node.home, passphrase=None, pump_every=0))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("FRAUDLINK_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_analyst_logs_in_with_totp_and_marks_the_top_alert(
    browser: Browser, console_url: str, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{console_url}/alerts")
    expect(page).to_have_url(f"{console_url}/login?next=/alerts")
    page.fill("input[name=username]", "li.wei")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=code]", totp.code_at(SECRET, datetime.now(UTC)))
    page.screenshot(path=str(shots(tmp_path) / "login.png"))
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{console_url}/alerts")
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("refund-burst-signed")  # riskiest first
    page.screenshot(path=str(shots(tmp_path) / "alert-queue.png"), full_page=True)
    rows.first.locator("a").click()
    expect(page.locator("h1")).to_contain_text("refund-burst-signed")
    expect(page.locator(".reasons")).to_contain_text("5 of 5 parcels scanned as signed for")
    page.screenshot(path=str(shots(tmp_path) / "alert.png"), full_page=True)
    page.click("button[value=true_positive]")
    expect(page.locator(".facts")).to_contain_text("true_positive · li.wei")
    assert problems == []  # the CSP blocked nothing the pages needed, no script failed
    page.close()


def test_the_login_form_fits_a_phone(browser: Browser, console_url: str) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 740})
    page.goto(f"{console_url}/login")
    box = page.locator("form").bounding_box()
    assert box is not None and box["width"] <= 375
    page.close()
