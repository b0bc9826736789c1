"""The alert queue with htmx: filters, sort and pages answer htmx with the table part only,
and the same URLs still give whole pages to a browser without JavaScript."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fraudlink.auth import passwords
from fraudlink.exchange.node import Node
from fraudlink.store import AlertRecord, UserRecord
from fraudlink.web import vendor
from fraudlink.web.app import create_app
from fraudlink.web.security import CSP
from fraudlink.web.settings import Settings
from tests.web.staff_login import log_in

PASSWORD = "a long and quiet river"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
T = datetime(2026, 9, 1, tzinfo=UTC)
HX = {"HX-Request": "true"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    yield from analyst_with_25_alerts(tmp_path)


def analyst_with_25_alerts(tmp_path: Path) -> Iterator[TestClient]:
    """A platform node with 25 open alerts and li.wei logged in."""
    node = Node.init(tmp_path / "node", "hx-mall", "platform", None)
    with node.store() as store:
        store.add_user(UserRecord(org="hx-mall", username="li.wei", roles=("analyst",),
                                  created_at=T, totp_secret=SECRET,
                                  password_hash=passwords.hash_password(PASSWORD)))  # fmt: skip
        for i in range(25):  # scores 99, 98, …, 75; every fifth a refund burst
            rule = "refund-burst-signed" if i % 5 == 0 else "mule-pass-through"
            store.add_alert(AlertRecord(
                id=f"al-{i:02d}", rule_id=rule, rule_version=1, entity_kind="account",
                entity_id=f"hx-u{i:05d}", ts=T + timedelta(minutes=i), score=99 - i,
                severity="critical" if i < 3 else "high", reasons=[f"reason number {i}"],
                body={"accounts": [f"hx-u{i:05d}"]}, created_at=T,
            ))  # fmt: skip
    app = create_app(Settings(home=node.home, passphrase=None, pump_every=0))
    with TestClient(app, follow_redirects=False) as c:
        log_in(c, "li.wei", PASSWORD, SECRET)
        yield c


def ids(html: str) -> list[str]:
    return re.findall(r'href="/alerts/(al-\d+)"', html)


def test_htmx_gets_only_the_table_and_a_browser_the_whole_page(client: TestClient) -> None:
    page = client.get("/alerts?rule=refund-burst-signed")
    assert page.status_code == 200 and "<html" in page.text and 'id="queue"' in page.text
    fragment = client.get("/alerts?rule=refund-burst-signed", headers=HX)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "<form" not in fragment.text
    assert 'id="queue"' not in fragment.text  # the inside of #queue, swapped into it
    assert ids(fragment.text) == ids(page.text) == ["al-00", "al-05", "al-10", "al-15", "al-20"]
    assert "1–5 of 5 open alerts" in fragment.text
    for answer in (page, fragment):  # one URL, two answers: caches must tell them apart
        assert answer.headers["vary"] == "HX-Request"
        assert answer.headers["content-security-policy"] == CSP


def test_sorting_and_paging_in_fragments(client: TestClient) -> None:
    first = client.get("/alerts?limit=10", headers=HX)
    assert ids(first.text) == [f"al-{i:02d}" for i in range(10)]  # highest risk first
    assert "1–10 of 25" in first.text and "page 1 of 3" in first.text
    assert 'rel="prev"' not in first.text
    nxt = re.search(r'rel="next" hx-get="([^"]+)"', first.text).group(1)  # type: ignore[union-attr]
    second = client.get(nxt.replace("&amp;", "&"), headers=HX)
    assert ids(second.text) == [f"al-{i:02d}" for i in range(10, 20)]
    assert "11–20 of 25" in second.text and 'rel="prev"' in second.text
    last = client.get("/alerts?limit=10&page=3&sort=time", headers=HX)
    assert ids(last.text) == [f"al-{i:02d}" for i in range(4, -1, -1)]  # newest first
    assert 'rel="next"' not in last.text
    # A page past the end is empty, never an error.
    beyond = client.get("/alerts?limit=10&page=99", headers=HX)
    assert beyond.status_code == 200 and ids(beyond.text) == [] and "No alerts match" in beyond.text


def test_a_history_restore_gets_the_whole_page(client: TestClient) -> None:
    restore = client.get("/alerts", headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text and "<form" in restore.text


def test_the_page_loads_htmx_from_this_server_only(client: TestClient) -> None:
    page = client.get("/alerts").text
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts, "the queue page loads htmx"
    for tag in scripts:  # no inline script: every tag has a same-origin src
        assert re.search(r'src="/static/[\w./-]+"', tag), tag
    assert re.search(r"<[^>]+\son[a-z]+\s*=", page) is None  # no inline event handlers
    for tag in scripts:
        src = re.search(r'src="([^"]+)"', tag).group(1)  # type: ignore[union-attr]
        assert client.get(src).status_code == 200, src


def test_without_the_built_libraries_the_page_works_and_the_log_says_how_to_build(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    monkeypatch.setattr(vendor, "FOLDER", tmp_path / "never-built")
    monkeypatch.setattr(vendor, "_told", set())
    with caplog.at_level(logging.WARNING, "fraudlink.web"):
        for _ in range(3):
            page = client.get("/alerts")
            assert page.status_code == 200 and ids(page.text)[:1] == ["al-00"]
            assert "/static/vendor/" not in page.text and "<script" not in page.text
    told = [r.getMessage() for r in caplog.records if "htmx.min.js" in r.getMessage()]
    assert len(told) == 1 and "make frontend" in told[0]


def test_days_bound_the_queue_in_the_consoles_time_zone(client: TestClient) -> None:
    # The 25 alerts fall between 08:00 and 08:24 on 1 September in Shanghai (00:00 UTC).
    that_day = client.get("/alerts?since=2026-09-01&until=2026-09-01&limit=100", headers=HX)
    assert len(ids(that_day.text)) == 25
    day_before = client.get("/alerts?until=2026-08-31", headers=HX)
    assert ids(day_before.text) == []
    day_after = client.get("/alerts?since=2026-09-02", headers=HX)
    assert ids(day_after.text) == []
    # Not a day: ignored, the whole queue shows, and the field is shown back empty.
    page = client.get("/alerts?since=yesterday")
    assert len(ids(page.text)) == 25 and 'name="since" value=""' in page.text


def test_later_pages_come_from_sql_not_from_reading_every_earlier_row(
    client: TestClient,
) -> None:
    second = client.get("/alerts?limit=10&page=2", headers=HX)
    assert ids(second.text) == [f"al-{i:02d}" for i in range(10, 20)]
    third = client.get("/alerts?limit=10&page=3", headers=HX)
    assert ids(third.text) == [f"al-{i:02d}" for i in range(20, 25)]
