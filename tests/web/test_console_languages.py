"""The staff pages in English and Chinese: one catalogue, complete in both, chosen by cookie
or Accept-Language, and still escaping what it shows."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fraudlink.auth import passwords, totp
from fraudlink.exchange.node import Node
from fraudlink.store import AlertRecord, FreezeRecord, MessageRecord, UserRecord
from fraudlink.web import staff_lang
from fraudlink.web.app import create_app
from fraudlink.web.settings import Settings
from fraudlink.web.texts_staff import LANGS, TEXTS

PASSWORD = "a long and quiet river"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
T = datetime(2026, 9, 1, tzinfo=UTC)
TEMPLATES = Path(staff_lang.__file__).parent / "templates"
STAFF_PAGES = ("base", "login", "alerts", "alert", "freezes", "outbox", "inbox")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_is_in_both_languages_with_the_same_fields() -> None:
    assert set(TEXTS) == set(LANGS)
    assert set(TEXTS["en"]) == set(TEXTS["zh"])
    for key, english in TEXTS["en"].items():
        assert _fields(english) == _fields(TEXTS["zh"][key]), key
        assert TEXTS["zh"][key].strip(), key


def test_every_key_the_staff_pages_use_is_in_the_catalogue() -> None:
    used = set()
    for name in STAFF_PAGES:
        source = (TEMPLATES / f"{name}.html").read_text(encoding="utf-8")
        used |= set(re.findall(r"""["']((?:nav|login|alerts|alert|freezes|outbox|inbox)"""
                               r"""\.[a-z_.]*[a-z_])["']""", source))  # fmt: skip
        # keys built from a prefix and a value: the prefix must have entries
        for prefix in re.findall(r"""\b_\(\s*["']([a-z_.]+\.)["']\s*~""", source):
            assert any(k.startswith(prefix) for k in TEXTS["en"]), prefix
    assert len(used) > 80  # the pages do go through the catalogue
    assert used - set(TEXTS["en"]) == set()


def test_the_language_comes_from_the_cookie_then_the_browser() -> None:
    assert staff_lang.from_accept_language("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert staff_lang.from_accept_language("en-GB,zh;q=0.5") == "en"
    assert staff_lang.from_accept_language("fr;q=1, zh;q=0.2, en;q=0.1") == "zh"
    assert staff_lang.from_accept_language("zh;q=0, en;q=0.1") == "en"  # q=0: not wanted
    assert staff_lang.from_accept_language("zh;q=bad, de") is None
    assert staff_lang.from_accept_language("") is None


@pytest.fixture
def node(tmp_path: Path) -> Node:
    node = Node.init(tmp_path / "node", "hx-mall", "platform", None)
    with node.store() as store:
        store.add_user(UserRecord(org="hx-mall", username="li.wei", created_at=T,
                                  roles=("analyst", "investigator"), totp_secret=SECRET,
                                  password_hash=passwords.hash_password(PASSWORD)))  # fmt: skip
        store.add_alert(AlertRecord(
            id="al-1", rule_id="refund-burst-signed", rule_version=1, entity_kind="account",
            entity_id="hx-u1", ts=T, score=95, severity="critical", created_at=T,
            reasons=["<b>5</b> refunds totalling ¥23,400"],
            body={"title": "<i>Refund</i> burst", "accounts": ["hx-u1"]},
        ))  # fmt: skip
        store.put_freeze(FreezeRecord(
            id="fz-1", account="hx-u1", platform_org="hx-mall", police_org="hz-cyber",
            amount_minor=4_800_000, currency="CNY", legal_basis="<script>x</script> 决定",
            deadline=T + timedelta(days=30), state="requested", created_at=T, updated_at=T,
        ))  # fmt: skip
        for direction in ("in", "out"):
            store.put_message(MessageRecord(
                id=f"m-{direction}", direction=direction, peer_org="hz-cyber",
                kind="freeze_request" if direction == "in" else "case_referral",
                state="delivered", envelope_sha256="0" * 64, created_at=T, updated_at=T,
                body=b"sealed", ref="fz-1",
            ))  # fmt: skip
    return node


@pytest.fixture
def client(node: Node) -> Iterator[TestClient]:
    app = create_app(Settings(home=node.home, passphrase=None, pump_every=0))
    with TestClient(app, follow_redirects=False) as c:
        yield c


def _log_in(client: TestClient) -> None:
    form = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    code = totp.code_at(SECRET, datetime.now(UTC))
    data = {"username": "li.wei", "password": PASSWORD, "csrf": csrf, "code": code}
    done = client.post("/login", data=data)
    assert done.status_code == 303


def test_the_switch_sets_a_cookie_and_returns_to_the_same_page(client: TestClient) -> None:
    login = client.get("/login?next=/alerts")
    assert "User name" in login.text and '<html lang="en">' in login.text
    link = re.search(r'href="(/lang/zh\?next=[^"]+)"', login.text).group(1)  # type: ignore[union-attr]
    switched = client.get(link.replace("&amp;", "&"))
    assert switched.status_code == 303 and switched.headers["location"] == "/login?next=/alerts"
    cookie = switched.headers["set-cookie"]
    assert cookie.startswith("fl_lang=zh;") and "HttpOnly" in cookie
    chinese = client.get("/login?next=/alerts")
    assert '<html lang="zh">' in chinese.text and "用户名" in chinese.text
    assert "动态码" in chinese.text and "User name" not in chinese.text
    assert 'href="/lang/en?next=' in chinese.text  # and the way back


def test_the_switch_goes_nowhere_off_site_and_knows_only_its_languages(client: TestClient) -> None:
    off = client.get("/lang/zh", params={"next": "//evil.example/x"})
    assert off.status_code == 303 and off.headers["location"] == "/"
    assert client.get("/lang/fr").status_code == 404


def test_a_chinese_browser_gets_chinese_pages_without_choosing(client: TestClient) -> None:
    client.headers["accept-language"] = "zh-CN,zh;q=0.9"
    page = client.get("/login")
    assert "用户名" in page.text and "密码" in page.text


@pytest.mark.parametrize(
    ("lang", "labels"),
    [("en", {"/alerts": "No alerts match." , "/alerts/al-1": "Assignment",
             "/freezes": "Amount actually held", "/outbox": "1 message</small>",
             "/inbox": "Referrals received"}),
     ("zh", {"/alerts": "严重程度", "/alerts/al-1": "分派",
             "/freezes": "实际冻结金额", "/outbox": "1 条消息",
             "/inbox": "收到的移交案件"})],
)  # fmt: skip
def test_every_staff_page_speaks_the_chosen_language_and_still_escapes(
    client: TestClient, lang: str, labels: dict[str, str]
) -> None:
    _log_in(client)
    client.cookies.set("fl_lang", lang)
    for path, label in labels.items():
        params = {"status": "closed"} if path == "/alerts" and lang == "en" else {}
        page = client.get(path, params=params)
        assert page.status_code == 200, path
        assert label in page.text, path
        assert f'<html lang="{lang}">' in page.text
        assert "<script>x</script>" not in page.text and "<b>5</b>" not in page.text
        assert "<i>Refund</i>" not in page.text
    if lang == "zh":
        nav = client.get("/alerts").text.split("</header>")[0]
        assert all(word in nav for word in ("预警", "冻结", "发件箱", "退出登录"))
        assert "已请求" in client.get("/freezes").text  # a freeze state, in words
        assert "&lt;script&gt;x&lt;/script&gt; 决定" in client.get("/freezes").text
        assert "&lt;b&gt;5&lt;/b&gt; refunds" in client.get("/alerts").text
