"""An investigator sees referrals arrive, opens a case, reads the fund-flow trace and the
gang graph drawn in the browser, and requests a freeze (real Chromium)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, FloatRect, Page, expect

from fraudlink.auth import totp
from fraudlink.exchange.node import Node
from fraudlink.web.app import create_app
from fraudlink.web.settings import Settings
from tests.e2e.test_console_browser import browser, shots
from tests.integration.servers import free_port
from tests.web.test_graphs_case import PASSWORD, SECRET, SUBJECT, Setup, setup

__all__ = ["browser", "setup"]


@pytest.fixture
def police_url(setup: Setup) -> Iterator[str]:
    port = free_port()
    app = create_app(Settings(home=setup.police.home, passphrase=None, pump_every=0))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def drawn(page: Page, element_id: str) -> int:
    """Nodes Cytoscape drew in that graph (graphs.js keeps each instance for the tests)."""
    count: int = page.evaluate(
        "id => window.fraudlinkGraphs && window.fraudlinkGraphs[id] "
        "? window.fraudlinkGraphs[id].nodes().length : 0",
        element_id,
    )
    return count


def test_investigator_reads_the_trace_and_the_gang_and_requests_a_freeze(
    browser: Browser, police_url: str, setup: Setup, tmp_path: Path
) -> None:
    police: Node = setup.police
    case_id = setup.cases[SUBJECT]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{police_url}/")
    page.fill("input[name=username]", "zhao.min")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=code]", totp.code_at(SECRET, datetime.now(UTC)))
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{police_url}/inbox")
    expect(page.locator("table.queue").first).to_contain_text(case_id)
    page.screenshot(path=str(shots(tmp_path) / "police-inbox.png"), full_page=True)
    page.click(f"text={case_id}")
    expect(page.locator(".reasons")).to_contain_text("passed most of it on")
    # Both pictures are drawn: a Cytoscape canvas with nodes in each.
    for graph in ("#trace-graph", "#gang-graph-1"):
        expect(page.locator(f"{graph} canvas").first).to_be_attached()
    page.wait_for_function("window.fraudlinkGraphs && window.fraudlinkGraphs['gang-graph-1']")
    trace_nodes, gang_nodes = drawn(page, "trace-graph"), drawn(page, "gang-graph-1")
    assert trace_nodes > 3 and gang_nodes > 3
    # What the picture shows is what the table lists.
    rows = page.locator("#trace-table tbody tr").count()
    assert rows > 0 and trace_nodes >= rows
    members = page.locator("#gang-table-1 tbody tr").count()
    assert members > 0 and gang_nodes >= members
    page.locator("#trace-graph").scroll_into_view_if_needed()
    page.locator("#trace-graph").screenshot(path=str(shots(tmp_path) / "police-trace.png"))
    page.locator("#gang-graph-1").scroll_into_view_if_needed()
    page.locator("#gang-graph-1").screenshot(path=str(shots(tmp_path) / "police-gang.png"))
    held = page.locator("tr.subject b.held").first.inner_text()  # what a freeze can save
    page.fill("input[name=amount]", held.lstrip("¥"))
    page.fill("input[name=basis]", "杭公(网)冻字〔2026〕118号")
    # The case down to the freeze form: reasons, the trace, what is held, the request.
    bottom = page.evaluate("document.querySelector('form.freeze-form')"
                           ".getBoundingClientRect().bottom + window.scrollY")  # fmt: skip
    top: FloatRect = {"x": 0, "y": 0, "width": 1280, "height": bottom + 16}
    page.screenshot(path=str(shots(tmp_path) / "police-case.png"), full_page=True, clip=top)
    page.click("text=Request freeze")
    expect(page.locator("main")).to_contain_text(f"{held} asked")
    with police.store() as store:
        (freeze,) = store.list_freezes()
    assert freeze.platform_org == "qb-pay" and freeze.account == SUBJECT
    assert freeze.legal_basis.startswith("杭公")
    assert problems == [], "\n".join(problems)  # the CSP blocked nothing, no script failed
    page.close()
