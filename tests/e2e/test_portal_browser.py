"""A victim reports a fraud from a phone-sized window and gets a case number (real Chromium)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, expect

from fraudlink.exchange.node import Node
from fraudlink.web.app import create_app
from fraudlink.web.settings import Settings
from tests.e2e.test_console_browser import browser, shots
from tests.integration.servers import free_port

__all__ = ["browser"]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def portal_url(tmp_path: Path) -> Iterator[str]:
    node = Node.init(tmp_path / "police", "hz-cyber", "police", None)
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


def test_a_victim_reports_from_a_phone(browser: Browser, portal_url: str, tmp_path: Path) -> None:
    phone = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True,
                                has_touch=True, locale="zh-CN")  # fmt: skip
    page = phone.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(f"{portal_url}/report")
    expect(page.locator("h1")).to_have_text("举报网络诈骗")
    page.fill("input[name=name]", "王芳")
    page.fill("input[name=contact]", "13800000000")
    page.fill("textarea[name=story]", "有人冒充快递客服，说包裹丢了要理赔，让我转账验证。")
    page.fill("input[name=account_1]", "qb-u00002746")
    page.fill("input[name=amount_1]", "48000")
    evidence = tmp_path / "转账记录.png"
    evidence.write_bytes(PNG)
    page.set_input_files("input[name=files]", str(evidence))
    page.screenshot(path=str(shots(tmp_path) / "victim-report.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375  # nothing sticks out sideways on a phone
    page.click("button[type=submit]")
    number = page.locator(".case-number")
    expect(number).to_have_text(re.compile(r"FR-\d{8}-[A-Z2-9]{6}"))
    expect(page.locator(".advice")).to_contain_text("96110")
    page.screenshot(path=str(shots(tmp_path) / "victim-report-done.png"), full_page=True)
    assert problems == []
    phone.close()
