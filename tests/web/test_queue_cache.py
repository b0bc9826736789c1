"""The alert queue's table reused for a moment: same view within the TTL, fresh after it
or after a change made through the console."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fraudlink.exchange.node import Node
from fraudlink.store import AlertRecord
from fraudlink.web.queue_cache import QueueCache, QueueView
from tests.web.test_graphs_queue_fragments import HX, T, analyst_with_25_alerts, ids


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    yield from analyst_with_25_alerts(tmp_path)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_view_lives_for_the_ttl_and_the_oldest_goes_first() -> None:
    clock = Clock()
    cache = QueueCache(ttl=1.0, size=2, clock=clock)
    view = QueueView(["r"], "<table></table>")
    cache.put("a", view)
    clock.now += 0.99
    assert cache.get("a") is view
    clock.now += 0.01
    assert cache.get("a") is None  # expired at exactly the TTL
    cache.put("a", view)
    cache.put("b", view)
    cache.put("c", view)  # over the size: "a", the oldest, goes
    assert cache.get("a") is None and cache.get("b") is view and cache.get("c") is view
    cache.clear()
    assert cache.get("b") is None and cache.get("c") is None


def _another_alert(client: TestClient) -> None:
    node: Node = client.app.state.node  # type: ignore[attr-defined]
    with node.store() as store:
        store.add_alert(AlertRecord(
            id="al-99", rule_id="mule-pass-through", rule_version=1, entity_kind="account",
            entity_id="hx-u99999", ts=T, score=100, severity="critical", reasons=["new"],
            body={}, created_at=datetime.now(UTC),
        ))  # fmt: skip


def test_the_same_view_is_reused_until_a_change_through_the_console(client: TestClient) -> None:
    first = client.get("/alerts?limit=5", headers=HX)
    _another_alert(client)  # written by another process, e.g. `fraudlink alerts import`
    again = client.get("/alerts?limit=5", headers=HX)
    assert ids(again.text) == ids(first.text)  # within the second: the same table
    other_view = client.get("/alerts?limit=6", headers=HX)
    assert ids(other_view.text)[0] == "al-99"  # another view is read fresh
    # An outcome set through the console empties the cache: the next view is fresh.
    page = client.get("/alerts/al-00")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    done = client.post("/alerts/al-00/status", data={"status": "false_positive", "csrf": csrf})
    assert done.status_code == 303
    fresh = client.get("/alerts?limit=5", headers=HX)
    assert ids(fresh.text)[0] == "al-99" and "al-00" not in ids(fresh.text)


def test_a_full_page_shows_the_cached_table_inside_the_page(client: TestClient) -> None:
    fragment = client.get("/alerts?limit=5", headers=HX)
    page = client.get("/alerts?limit=5")
    assert "<html" in page.text and fragment.text in page.text
    assert 'name="rule"' in page.text and "refund-burst-signed" in page.text  # the form


def test_one_caller_rebuilds_an_expired_view_while_the_others_get_the_old_one() -> None:
    clock = Clock()
    cache = QueueCache(ttl=1.0, clock=clock)
    old, new = QueueView([], "old"), QueueView([], "new")
    assert cache.view("k", lambda: old) is old
    clock.now += 2  # expired
    seen: list[str] = []

    def rebuild() -> QueueView:
        # Meanwhile another request for the same view gets the old one, without building.
        seen.append(cache.view("k", lambda: QueueView([], "never")).table_html)
        return new

    assert cache.view("k", rebuild) is new
    assert seen == ["old"] and cache.view("k", lambda: old) is new


def test_a_view_read_before_a_change_is_not_kept_after_it() -> None:
    cache = QueueCache(ttl=10.0, clock=Clock())

    def read_then_change() -> QueueView:
        cache.clear()  # an outcome recorded while this view was being read
        return QueueView([], "before the change")

    cache.view("k", read_then_change)
    assert cache.get("k") is None


def test_a_caller_that_must_not_wait_serves_the_old_view_while_one_rebuilds_it() -> None:
    clock = Clock()
    cache = QueueCache(ttl=1.0, clock=clock)
    old, new = QueueView([], "old"), QueueView([], "new")
    assert cache.claim("k") == (None, None)  # nothing kept: build it before answering
    cache.put("k", old)
    assert cache.claim("k") == (old, None)  # fresh
    clock.now += 2
    view, ticket = cache.claim("k")
    assert view is old and ticket is not None  # expired: serve it, and rebuild it
    assert cache.claim("k") == (old, None)  # one rebuild at a time; the others just serve
    cache.rebuild("k", lambda: new, ticket)
    assert cache.claim("k") == (new, None)
    # A change while rebuilding: what was read before it is not kept.
    clock.now += 2
    _, ticket = cache.claim("k")
    assert ticket is not None
    cache.clear()
    cache.rebuild("k", lambda: QueueView([], "stale"), ticket)
    assert cache.claim("k") == (None, None)
