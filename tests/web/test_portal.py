"""The victim portal: a report gets a case number, a known mule an urgent freeze request."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fraudlink.cases import package
from fraudlink.exchange import routes
from fraudlink.exchange.node import Node
from fraudlink.web.app import create_app
from fraudlink.web.settings import Settings

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
T = datetime(2026, 9, 1, tzinfo=UTC)


@pytest.fixture
def police(tmp_path: Path) -> Node:
    node = Node.init(tmp_path / "police", "hz-cyber", "police", None)
    wallet = Node.init(tmp_path / "wallet", "qb-pay", "platform", None)
    node.trust(wallet.info.card)
    routes.save(node.home, {"qb-pay": routes.Route(url="http://127.0.0.1:9")})  # unreachable
    manifest, blobs = package.build(
        case_id="case-1", title="mule ring", subject_accounts=["qb-u00002746"],
        alerts=[{"alert_id": "al-1", "reasons": ["passed on"]}],
        tables={"account": [{"account_id": "qb-u00002746", "org": "qb-pay"}]},
        sender="qb-pay", recipient="hz-cyber", created=T,
    )  # fmt: skip
    package.write(node.home / "inbox" / "case-1", manifest, blobs)
    return node


@pytest.fixture
def client(police: Node) -> Iterator[TestClient]:
    app = create_app(Settings(home=police.home, passphrase=None, pump_every=0))
    with TestClient(app) as c:
        yield c


def form(client: TestClient, lang: str = "zh") -> dict[str, str]:
    page = client.get(f"/report?lang={lang}")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    return {"csrf": csrf, "lang": lang, "name": "王芳", "contact": "13800000000",
            "city": "杭州", "story": "有人冒充客服让我转账退款，我转了两笔。",
            "account_1": "qb-u00002746", "amount_1": "48,000.00",
            "paid_at_1": "2026-09-01T10:00", "account_2": "lt-u99999999",
            "amount_2": "500"}  # fmt: skip


def test_the_form_speaks_chinese_by_default_and_english_on_request(client: TestClient) -> None:
    assert "举报网络诈骗" in client.get("/report").text
    english = client.get("/report?lang=en").text
    assert "Report an online fraud" in english and 'name="account_1"' in english


def test_a_report_matching_a_known_mule_raises_an_urgent_freeze(
    client: TestClient, police: Node
) -> None:
    data = form(client)
    done = client.post("/report", data=data, files=[("files", ("chat.png", PNG, "image/png"))])
    assert done.status_code == 200, done.text
    number = re.search(r"FR-\d{8}-[A-Z2-9]{6}", done.text).group(0)  # type: ignore[union-attr]
    follow = re.search(r'class="follow">([^<]+)<', done.text).group(1)  # type: ignore[union-attr]
    assert "紧急冻结" in done.text
    with police.store() as store:
        report = store.get_report(number)
        assert report is not None and report.status == "freeze_requested"
        assert report.matches == [{"account": "qb-u00002746", "risk": "high"}]
        assert report.freeze_latency_ms is not None and report.freeze_latency_ms < 5000
        (freeze,) = store.list_freezes()
        assert (freeze.account, freeze.amount_minor, freeze.platform_org) == (
            "qb-u00002746", 4_800_000, "qb-pay")  # fmt: skip
        assert report.freeze_ids == [freeze.id] and report.follow_sha256 != follow
        (queued,) = store.list_messages(direction="out")
        assert queued.kind == "freeze_request" and queued.state == "retrying"
    kept = list((police.home / "reports" / number).iterdir())
    assert [p.suffix for p in kept] == [".png"]
    status = client.post("/report/status", data={"number": number, "follow": follow})
    assert status.status_code == 200 and "已发出紧急冻结请求" in status.text
    wrong = client.post("/report/status", data={"number": number, "follow": "guess"})
    assert wrong.status_code == 404


def test_fake_images_and_bad_fields_are_refused_and_nothing_is_kept(
    client: TestClient, police: Node
) -> None:
    data = form(client, "en")
    fake = client.post("/report", data=data,
                       files=[("files", ("photo.jpg", b"<script>alert(1)</script>",
                                         "image/jpeg"))])  # fmt: skip
    assert fake.status_code == 422 and "not a photo" in fake.text
    renamed = client.post("/report", data=data,
                          files=[("files", ("photo.jpg", PNG, "image/jpeg"))])  # fmt: skip
    assert renamed.status_code == 422 and "is a PNG file" in renamed.text
    bad = {**data, "name": "<script>alert(1)</script>", "amount_1": "lots", "story": "x"}
    page = client.post("/report", data=bad)
    assert page.status_code == 422 and "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text and "amount_1" in page.text and "story" in page.text
    forged = client.post("/report", data={**data, "csrf": "forged"})
    assert forged.status_code == 403
    with police.store() as store:
        assert store.list_freezes() == []
    assert not (police.home / "reports").exists()


def test_one_address_cannot_flood_the_portal(client: TestClient) -> None:
    data = {**form(client), "account_1": "lt-u00000001", "account_2": ""}
    codes = [client.post("/report", data=data).status_code for _ in range(6)]
    assert codes == [200, 200, 200, 200, 200, 429]


def test_several_workers_share_out_the_limit_so_an_address_never_gets_more_than_its_share() -> None:
    from fraudlink.web.portal_routes import PER_ADDRESS, RateLimit

    for workers in (1, 2, 3, 5, 8):
        limits = [RateLimit(workers) for _ in range(workers)]
        # The worst case: the address's reports reach every worker until each refuses.
        allowed = sum(limit.allow("203.0.113.9", float(t)) for limit in limits for t in range(20))
        assert PER_ADDRESS <= allowed < PER_ADDRESS + workers
        assert all(not limit.allow("203.0.113.9", 21.0) for limit in limits)
        assert all(limit.allow("198.51.100.1", 21.0) for limit in limits)  # others unaffected
