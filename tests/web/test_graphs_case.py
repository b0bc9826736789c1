"""The police case page over the evidence store: the fund-flow trace and the gang graph as
the JSON the page embeds for graphs.js (checked against the investigate functions and
against sums taken straight from the events), victims and losses, the same people in
other cases, the gang report download, and need to know."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from fastapi.testclient import TestClient

from fraudlink.auth import passwords
from fraudlink.cases.referral import open_case, refer
from fraudlink.dispatch import HANDLERS
from fraudlink.exchange import routes
from fraudlink.exchange.mailroom import receive
from fraudlink.exchange.node import Node
from fraudlink.investigate import evidence
from fraudlink.investigate.gangs import GangSettings, find_gangs
from fraudlink.investigate.ledger_parquet import load_ledger
from fraudlink.investigate.victims import victims_and_losses
from fraudlink.model.money import format_money
from fraudlink.sim.world import simulate
from fraudlink.store import AlertRecord, UserRecord
from fraudlink.web.app import create_app
from fraudlink.web.security import CSP
from fraudlink.web.settings import Settings
from tests.web.staff_login import log_in

PASSWORD = "a long and quiet river"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
T = datetime(2026, 9, 3, tzinfo=UTC)
# Mules of one gang in the tiny world at seed 4 (layer 2 and 3), and one of another gang.
SUBJECT, SAME_GANG, ELSEWHERE = "qb-u00000367", "qb-u00000369", "qb-u00000378"
REASON = "received money from several payers and passed most of it on within minutes"


@dataclass(frozen=True)
class Setup:
    world: Path
    police: Node
    cases: dict[str, str]  # subject account → case id
    foreign: str  # a case referred to another police unit


def _refer(world: Path, platform: Node, police: Node, account: str, n: int) -> str:
    with platform.store() as store:
        store.add_alert(AlertRecord(
            id=f"al-{n}", rule_id="mule-pass-through", rule_version=1, entity_kind="account",
            entity_id=account, ts=T, score=84, severity="high",
            reasons=[REASON], body={"alert_id": f"al-{n}", "rule_id": "mule-pass-through",
                                    "title": "Mule pass-through", "accounts": [account],
                                    "reasons": [REASON]},
            created_at=T,
        ))  # fmt: skip
    draft = open_case(platform, [f"al-{n}"], world)
    message = refer(platform, draft.case_id, police.info.org)
    assert message.body is not None and receive(police, message.body, HANDLERS).accepted
    return draft.case_id


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    root = tmp_path_factory.mktemp("case-graphs")
    world = root / "world"
    simulate("tiny", 4, world)
    platform = Node.init(root / "platform", "qb-pay", "platform", None)
    police = Node.init(root / "police", "hz-cyber", "police", None)
    other = Node.init(root / "other-police", "sh-cyber", "police", None)
    for unit in (police, other):
        platform.trust(unit.info.card)
        unit.trust(platform.info.card)
    routes.save(platform.home, {org: routes.Route(url="http://unused.invalid")
                                for org in ("hz-cyber", "sh-cyber")})  # fmt: skip
    # Freeze requests queue for the platform; nothing listens there in these tests.
    routes.save(police.home, {"qb-pay": routes.Route(url="http://127.0.0.1:9")})
    cases = {acc: _refer(world, platform, police, acc, n)
             for n, acc in enumerate((SUBJECT, SAME_GANG, ELSEWHERE))}  # fmt: skip
    foreign = _refer(world, platform, other, "qb-u00000371", 9)
    for case_id in cases.values():  # as on arrival (a no-op where that already happened)
        evidence.import_package(police.home, police.home / "inbox" / case_id)
    with police.store() as store:
        store.add_user(UserRecord(org="hz-cyber", username="zhao.min", roles=("investigator",),
                                  created_at=T, totp_secret=SECRET,
                                  password_hash=passwords.hash_password(PASSWORD)))  # fmt: skip
    return Setup(world=world, police=police, cases=cases, foreign=foreign)


@pytest.fixture(scope="module")
def client(setup: Setup) -> Iterator[TestClient]:
    app = create_app(Settings(home=setup.police.home, passphrase=None, pump_every=0))
    with TestClient(app, follow_redirects=False) as c:
        log_in(c, "zhao.min", PASSWORD, SECRET)
        yield c


def embedded(html: str, block: str) -> Any:
    found = re.search(rf'<script type="application/json" id="{block}">(.*?)</script>', html, re.S)
    assert found is not None, f"no JSON block {block}"
    return json.loads(found.group(1))


def test_the_trace_follows_the_money_that_reached_the_subject(
    client: TestClient, setup: Setup
) -> None:
    page = client.get(f"/cases/{setup.cases[SUBJECT]}")
    assert page.status_code == 200
    trace = embedded(page.text, "trace-data")
    sql = """SELECT sum(amount) FROM read_parquet($f) WHERE type = 'wallet_transfer'
             AND status = 'completed' AND to_account = $a"""
    with duckdb.connect() as con:
        row = con.execute(sql, {"f": str(setup.world / "events.parquet"), "a": SUBJECT}).fetchone()
    assert row is not None
    received = int(row[0])
    rows = {r["account"]: r for r in trace["accounts"]}
    me = rows[SUBJECT]
    # Straight from the platform's events: everything that reached the mule is traced.
    assert me["subject"] and me["hop"] == 1 and me["in"] == received == trace["seeded"]
    assert me["in"] == me["passed_on"] + me["withdrawn"] + me["held"]
    # Tracing neither makes nor loses money.
    assert trace["seeded"] == trace["held"] + trace["cashed_out"] + trace["beyond"]
    assert trace["held"] == sum(r["held"] for r in trace["accounts"])
    # Every account and every flow is in the picture; edges join drawn nodes.
    ids = {n["id"] for n in trace["nodes"]}
    assert {f"{r['org']}:{r['account']}" for r in trace["accounts"]} <= ids
    assert trace["edges"] and all(e["source"] in ids and e["target"] in ids
                                  for e in trace["edges"])  # fmt: skip
    held_by = {n["id"]: n for n in trace["nodes"]}
    assert held_by[f"qb-pay:{SUBJECT}"]["kind"] == "subject"
    # The table beside the graph, with the amount a freeze can save.
    assert f"{format_money(trace['held'], 'CNY')} still held" in page.text
    assert format_money(me["held"], "CNY") in page.text


def test_the_gang_graph_is_the_gang_that_gang_finding_finds(
    client: TestClient, setup: Setup
) -> None:
    page = client.get(f"/cases/{setup.cases[SUBJECT]}")
    gang = embedded(page.text, "gang-data-1")
    folders = evidence.evidence_folders(setup.police.home)
    assert len(folders) == 3  # the three referrals this unit received
    report = find_gangs(folders, GangSettings())
    (expected,) = [g for g in report.gangs
                   if any(a.account == SUBJECT for m in g.members for a in m.accounts)]  # fmt: skip
    assert gang["gang_id"] == expected.gang_id and gang["money_in"] == expected.money_in
    assert gang["held"] == expected.held
    people = {n["id"]: n for n in gang["nodes"]}
    assert set(people) == {m.person for m in [*expected.members, *expected.victims]}
    for m in [*expected.members, *expected.victims]:
        assert people[m.person]["role"] == m.role
    assert any(n["subject"] and n["role"] == "mule" for n in gang["nodes"])
    roles = {n["role"] for n in gang["nodes"]}
    assert {entry["role"] for entry in gang["legend"]} == roles >= {"coordinator", "mule", "victim"}
    # Money edges: what the people paid each other, summed from the evidence's transfers.
    ledger = load_ledger(folders)
    owner = {(a.org, a.account): m.person
             for m in [*expected.members, *expected.victims] for a in m.accounts}  # fmt: skip
    sums: dict[tuple[str, str], int] = {}
    for k in range(ledger.n_transfers):
        src = owner.get((ledger.org(int(ledger.src[k])), ledger.account(int(ledger.src[k]))))
        dst = owner.get((ledger.org(int(ledger.dst[k])), ledger.account(int(ledger.dst[k]))))
        if src and dst and src != dst:
            sums[(src, dst)] = sums.get((src, dst), 0) + int(ledger.amount[k])
    money = {(e["source"], e["target"]): e["amount"] for e in gang["edges"] if e["kind"] == "money"}
    assert money == sums and money
    # Its members' table and the report link.
    for m in expected.members:
        assert (m.name or m.person) in page.text
    assert f'href="/cases/{setup.cases[SUBJECT]}/report?gang={expected.gang_id}"' in page.text
    # Victims and losses of that gang, as fraudlink victims counts them.
    losses = victims_and_losses([expected], ledger)
    assert "Victims and losses" in page.text
    assert format_money(losses.total.loss, "CNY") in page.text
    assert format_money(losses.total.recoverable, "CNY") in page.text


def test_same_people_in_other_cases(client: TestClient, setup: Setup) -> None:
    page = client.get(f"/cases/{setup.cases[SUBJECT]}")
    section = page.text[page.text.index('id="related"') : page.text.index("<h2>Evidence</h2>")]
    assert f'href="/cases/{setup.cases[SAME_GANG]}"' in section  # money at one hop ties them
    assert setup.foreign not in section  # another unit's case is never named


def test_the_report_downloads_as_an_audited_export(client: TestClient, setup: Setup) -> None:
    case_id = setup.cases[SUBJECT]
    got = client.get(f"/cases/{case_id}/report")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/html")
    disposition = got.headers["content-disposition"]
    assert disposition.startswith("attachment;") and f'filename="{case_id}-GANG-' in disposition
    assert "GANG-" in got.text and "<svg" in got.text
    # The same report as `fraudlink report --home`: every package it was built from, listed.
    assert all(c in got.text for c in setup.cases.values()) and setup.foreign not in got.text
    with setup.police.store() as store:
        exports = [e for e in store.audit_entries() if e.action == "case.export"]
    assert exports and exports[-1].subject == case_id
    assert exports[-1].detail["gang"] in disposition


def test_another_units_case_is_not_found(client: TestClient, setup: Setup) -> None:
    for path in (f"/cases/{setup.foreign}", f"/cases/{setup.foreign}/report"):
        assert client.get(path).status_code == 404
    assert client.get("/cases/case-ffffffffffffffff/report").status_code == 404


def test_the_graphs_keep_the_csp_without_inline_script(client: TestClient, setup: Setup) -> None:
    page = client.get(f"/cases/{setup.cases[SUBJECT]}")
    csp = page.headers["content-security-policy"]
    assert csp == CSP
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)  # type: ignore[union-attr]
    assert script_src.strip() == "'self'" and "unsafe" not in csp
    for tag in re.findall(r"<script\b[^>]*>", page.text):
        # Either a same-origin file, or data the browser never runs.
        assert re.fullmatch(r'<script src="/static/[\w./-]+" defer>', tag) or (
            'type="application/json"' in tag), tag  # fmt: skip
    assert re.search(r"<[^>]+\son[a-z]+\s*=", page.text) is None  # no inline handlers
    assert "/static/vendor/cytoscape.min.js" in page.text and "/static/graphs.js" in page.text
    # Data blocks cannot end their own element early, whatever the evidence says.
    for block in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', page.text,
                            re.S):  # fmt: skip
        assert "<" not in block


def test_the_page_is_fast_once_the_evidence_is_built(client: TestClient, setup: Setup) -> None:
    case_id = setup.cases[SAME_GANG]
    assert client.get(f"/cases/{case_id}").status_code == 200  # builds what this case needs
    started = datetime.now(UTC)
    for _ in range(5):
        assert client.get(f"/cases/{case_id}").status_code == 200
    each = (datetime.now(UTC) - started).total_seconds() / 5
    assert each < 1.0, f"{each:.3f} s per case page with the evidence built"


def test_a_case_received_before_imports_were_automatic_is_imported_on_view(
    client: TestClient, setup: Setup
) -> None:
    case_id = setup.cases[ELSEWHERE]
    folder = evidence.case_folder(setup.police.home, case_id)
    assert folder is not None
    shutil.rmtree(folder)
    page = client.get(f"/cases/{case_id}")
    assert page.status_code == 200 and evidence.case_folder(setup.police.home, case_id) == folder
    assert embedded(page.text, "trace-data")["accounts"]
