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
from fraudlink.cases.referral import open_case, refer
from fraudlink.dispatch import HANDLERS
from fraudlink.exchange.mailroom import receive
from fraudlink.exchange.node import Node
from fraudlink.investigate import evidence
from fraudlink.sim.world import simulate
from fraudlink.store import AlertRecord, FreezeRecord, MessageRecord, UserRecord
from fraudlink.web import staff_lang
from fraudlink.web.app import create_app
from fraudlink.web.case_graphs import ROLE_NAMES
from fraudlink.web.page_bodies import CSRF_SLOT
from fraudlink.web.settings import Settings
from fraudlink.web.texts_staff import LANGS, TEXTS
from tests.web.node_pair import trusting_pair
from tests.web.staff_login import log_in

PASSWORD = "a long and quiet river"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
T = datetime(2026, 9, 1, tzinfo=UTC)
TEMPLATES = Path(staff_lang.__file__).parent / "templates"
STAFF_PAGES = ("base", "login", "alerts", "alert", "freezes", "outbox", "inbox", "account",
               "refer", "case", "case_body")  # fmt: skip


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
        used |= set(re.findall(r"""["']((?:nav|login|alerts|alert|freezes|outbox|inbox|account"""
                               r"""|refer|case)\.[a-z_.]*[a-z_])["']""", source))  # fmt: skip
        # keys built from a prefix and a value: the prefix must have entries
        for prefix in re.findall(r"""\b_\(\s*["']([a-z_.]+\.)["']\s*~""", source):
            assert any(k.startswith(prefix) for k in TEXTS["en"]), prefix
    assert len(used) > 200  # the pages do go through the catalogue
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


# The account page, the referral preview and the police case page, over a real referral: a
# mule of a gang in the tiny world at seed 4, referred by its platform to a police unit.
MULE = "qb-u00000367"
WHY = "received money from several payers and passed most of it on within minutes"


@pytest.fixture(scope="module")
def referred(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Node, Node, str]:
    root = tmp_path_factory.mktemp("languages")
    world = root / "world"
    simulate("tiny", 4, world)
    platform, police = trusting_pair(root)
    with platform.store() as store:
        store.add_user(UserRecord(org="qb-pay", username="li.wei", roles=("analyst",),
                                  created_at=T, totp_secret=SECRET,
                                  password_hash=passwords.hash_password(PASSWORD)))  # fmt: skip
        store.add_alert(AlertRecord(
            id="al-1", rule_id="mule-pass-through", rule_version=1, entity_kind="account",
            entity_id=MULE, ts=T, score=84, severity="high", reasons=[WHY], created_at=T,
            body={"alert_id": "al-1", "rule_id": "mule-pass-through", "accounts": [MULE],
                  "title": "Mule pass-through", "reasons": [WHY]},
        ))  # fmt: skip
    case_id = open_case(platform, ["al-1"], world).case_id
    message = refer(platform, case_id, "hz-cyber")
    assert message.body is not None and receive(police, message.body, HANDLERS).accepted
    evidence.import_package(police.home, police.home / "inbox" / case_id)
    with police.store() as store:
        store.add_user(UserRecord(org="hz-cyber", username="zhao.min", roles=("investigator",),
                                  created_at=T, totp_secret=SECRET,
                                  password_hash=passwords.hash_password(PASSWORD)))  # fmt: skip
        store.put_freeze(FreezeRecord(
            id="fz-9", account=MULE, platform_org="qb-pay", police_org="hz-cyber",
            amount_minor=4_800_000, currency="CNY", legal_basis="决定书", case_id=case_id,
            deadline=T + timedelta(days=30), state="partial", held_minor=4_512_000,
            created_at=T, updated_at=T,
        ))  # fmt: skip
    return world, platform, police, case_id


@pytest.fixture(scope="module")
def platform_client(referred: tuple[Path, Node, Node, str]) -> Iterator[TestClient]:
    world, platform, _, _ = referred
    app = create_app(Settings(home=platform.home, passphrase=None, pump_every=0, events=world))
    with TestClient(app, follow_redirects=False) as c:
        log_in(c, "li.wei", PASSWORD, SECRET)
        yield c


@pytest.fixture(scope="module")
def police_client(referred: tuple[Path, Node, Node, str]) -> Iterator[TestClient]:
    police = referred[2]
    with TestClient(create_app(Settings(home=police.home, passphrase=None, pump_every=0)),
                    follow_redirects=False) as c:  # fmt: skip
        log_in(c, "zhao.min", PASSWORD, SECRET)
        yield c


# Per page: what it says in each language; the other language's headings must be gone.
ACCOUNT = {
    "en": ("<h2>Timeline</h2>", f"Account <code>{MULE}</code>", "<h2>What stands out</h2>",
           "<h2>Who it paid and who paid it</h2>", "<th>Counterparty</th>",
           "the table below has the same numbers", "(risk 84):"),
    "zh": ("<h2>时间线</h2>", f"账户 <code>{MULE}</code>", "<h2>异常迹象</h2>",
           "<h2>资金往来对象</h2>", "<th>交易对手</th>", "下表列出相同的数据",
           "（风险 84）：", "快进快出", "<th>时间（北京时间）</th>"),
}  # fmt: skip
REFER = {
    "en": ("<h1>Refer to police <small>case case-", "exactly what will be sealed and sent",
           "<h2>Evidence</h2>", "Who may see it (TLP)", "Seal and send", "rows</summary>"),
    "zh": ("<h1>向公安机关移送线索 <small>案件 case-", "将加密封装并发送的全部内容",
           "<h2>证据</h2>", "知悉范围（TLP）", "加密封装并发送", "行</summary>",
           "<h2>移送原因</h2>", "允许接收单位转交其他单位"),
}  # fmt: skip
CASE = {
    "en": ("<h2 id=\"trace\">Where the money went</h2>", "still held</b>", "Victims and losses",
           "The gang: GANG-", "Request freeze", "Same people in other cases", "signature verified",
           "<h2>Evidence</h2>", "¥45,120.00 held", "TLP:AMBER+STRICT, may not be passed on",
           "<td>mule (layer ", "</svg> coordinator</li>"),
    "zh": ("<h2 id=\"trace\">资金流向</h2>", "<b class=\"held\">仍留存 ¥", "受害人及损失",
           "团伙：GANG-", "发送冻结请求", "同一人员涉及的其他案件", "签名已核验",
           "<h2>证据</h2>", "，已冻结 ¥45,120.00", "TLP:AMBER+STRICT，不得转交其他单位",
           "<dt>涉案账户</dt>", "<th class=\"num\">提现</th>",
           "<th>受害人</th>", "部分冻结", "<th class=\"num\">仍留存金额</th>",
           "<td>过账人员（第 ", "</svg> 组织者</li>"),
}  # fmt: skip


def test_the_gang_roles_read_in_english_as_the_gang_graph_names_them() -> None:
    english = {role: TEXTS["en"][f"role.{role}"] for role in ROLE_NAMES}
    assert english == ROLE_NAMES


def _other(lang: str) -> str:
    return next(code for code in LANGS if code != lang)


@pytest.mark.parametrize("lang", LANGS)
def test_the_account_page_and_the_referral_preview_speak_the_chosen_language(
    platform_client: TestClient, lang: str
) -> None:
    platform_client.cookies.set("fl_lang", lang)
    for path, says in ((f"/accounts/{MULE}", ACCOUNT), ("/alerts/al-1/refer", REFER)):
        page = platform_client.get(path)
        assert page.status_code == 200 and f'<html lang="{lang}">' in page.text, path
        for text in says[lang]:
            assert text in page.text, (path, text)
        for text in says[_other(lang)][:6]:
            assert text not in page.text, (path, text)
        # the fallback note keeps its command as code, in either language
        if "graph-fallback" in page.text:
            assert "<code>make frontend</code>" in page.text


@pytest.mark.parametrize("lang", LANGS)
def test_the_case_page_speaks_the_chosen_language_with_its_own_csrf_token(
    police_client: TestClient, referred: tuple[Path, Node, Node, str], lang: str
) -> None:
    case_id = referred[3]
    police_client.cookies.set("fl_lang", lang)
    for _ in range(2):  # rendered, then served from the body kept for this language
        page = police_client.get(f"/cases/{case_id}")
        assert page.status_code == 200 and f'<html lang="{lang}">' in page.text
        for text in CASE[lang]:
            assert text in page.text, text
        for text in CASE[_other(lang)][:8]:
            assert text not in page.text, text
        assert CSRF_SLOT not in page.text
        tokens = re.findall(r'name="csrf" value="([^"]+)"', page.text)
        assert len(tokens) == 2 and len(set(tokens)) == 1  # the freeze form's is the session's
        assert "<code>make frontend</code>" in page.text
