"""A police node that received referrals investigates what it holds: `--home` on every
command reads its evidence store, counts each event once however many sources carry it,
takes its portal's reports as victims, and reports with the signed receipts."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import msgspec
import pytest
from typer.testing import CliRunner, Result

from fraudlink.cases import package
from fraudlink.cases.referral import KIND, pack_case
from fraudlink.cli import app
from fraudlink.dispatch import HANDLERS
from fraudlink.exchange import outbox, routes
from fraudlink.exchange.mailroom import receive
from fraudlink.exchange.node import Node
from fraudlink.investigate import evidence
from fraudlink.investigate.evidence_arrivals import wait_for_imports
from fraudlink.sim.truth import Truth
from fraudlink.sim.world import simulate
from fraudlink.store import ReportRecord
from tests.exchange.conftest import PASS
from tests.investigate.test_evidence import make_package

runner = CliRunner()
ENV = {"FRAUDLINK_PASSPHRASE": PASS.decode(), "COLUMNS": "200"}
NOW = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


def run(*args: str) -> Result:
    return runner.invoke(app, list(args), env=ENV)


def ok(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Truth]:
    out = tmp_path_factory.mktemp("world")
    simulate("small", 7, out)
    return out, msgspec.json.decode((out / "truth.json").read_bytes(), type=Truth)


@pytest.fixture(scope="module")
def police(world: tuple[Path, Truth], tmp_path_factory: pytest.TempPathFactory) -> Node:
    """A police node that received two overlapping referrals over the exchange (imported on
    arrival) and the platforms' event files, and whose portal took one victim's report."""
    folder, truth = world
    root = tmp_path_factory.mktemp("nodes")
    platform = Node.init(root / "platform", "lt-pay", "platform", PASS, lambda: NOW)
    node = Node.init(root / "police", "hz-cyber", "police", PASS, lambda: NOW)
    platform.trust(node.info.card)
    node.trust(platform.info.card)
    routes.save(platform.home, {"hz-cyber": routes.Route(url="http://police.invalid")})
    mules = sorted(a for a, label in truth.accounts.items() if label.role.startswith("mule"))
    pair = duckdb.sql(
        f"SELECT from_account, to_account FROM '{folder}/events.parquet' WHERE type = "
        "'wallet_transfer' AND list_contains($m, from_account) AND list_contains($m, to_account)"
        " ORDER BY ts, event_id LIMIT 1", params={"m": mules}).fetchall()[0]  # fmt: skip
    packages = root / "packages"
    for i, account in enumerate(pair):
        made = make_package(folder, packages, f"case-{i}", account)
        manifest = package.verify(made)
        blobs = {n: (made / e.file).read_bytes() for n, e in manifest.tables.items()}
        sent = outbox.post(platform, "hz-cyber", KIND, pack_case(manifest, blobs), ref=f"case-{i}")
        assert receive(node, sent.body, HANDLERS).accepted
    wait_for_imports(timeout=120)
    ok("evidence", "import", str(folder), "--label", "platform exports", "--home", str(node.home))
    return node


def test_referrals_are_in_the_store_with_their_receipts(police: Node) -> None:
    listed = json.loads(ok("evidence", "list", "--home", str(police.home), "--json"))
    kinds = sorted(s["source"]["kind"] for s in listed["sources"])
    assert kinds == ["case_package", "case_package", "events"]
    with police.store() as store:
        messages = {m.ref: m.id for m in store.list_messages(direction="in")}
    for s in listed["sources"]:
        if s["source"]["kind"] == "case_package":
            case_id = s["source"]["case_id"]
            assert s["receipt"]["message_id"] == messages[case_id] == s["source"]["message_id"]
            assert s["receipt"]["status"] == "accepted"
        else:
            assert s["receipt"] is None
    assert listed["not_imported"] == []
    table = ok("evidence", "list", "--home", str(police.home))
    assert "accepted" in table and "3 sources" in table


def test_home_counts_each_event_once(world: tuple[Path, Truth], police: Node) -> None:
    folder, truth = world
    home = str(police.home)
    # The store holds the world's events plus two packages that repeat some of them: the
    # victims and losses are exactly the world's, not more.
    alone = json.loads(ok("victims", "--events", str(folder), "--json"))
    held = json.loads(ok("victims", "--home", home, "--json"))
    assert held["total"] == alone["total"]
    assert held["total"]["victims"] == len(truth.victims)
    assert held["total"]["loss"] == sum(v.loss for v in truth.victims)
    victim = max(truth.victims, key=lambda v: (v.loss, v.person_id))
    truth_file = str(folder / "truth.json")
    both = [json.loads(ok("trace", *src, "--victim", victim.person_id, "--truth", truth_file,
                          "--json"))
            for src in (("--events", str(folder)), ("--home", home))]  # fmt: skip
    assert both[0]["seeded"] == both[1]["seeded"] == victim.loss
    for key in ("accounts", "cash_outs"):  # the same money in the same places
        assert both[0][key] == both[1][key]
    gangs = json.loads(ok("gangs", "--home", home, "--json"))
    assert len(gangs["gangs"]) == len(truth.gangs)


def test_portal_reports_are_victims_counted_once(world: tuple[Path, Truth], police: Node,
                                                 tmp_path: Path) -> None:  # fmt: skip
    _, truth = world
    home = tmp_path / "police"
    shutil.copytree(police.home, home)
    victim = max(truth.victims, key=lambda v: (v.loss, v.person_id))
    pay = victim.payments[0]
    paid_at = datetime.fromisoformat(pay.ts).strftime("%Y-%m-%dT%H:%M")  # as the form sends it
    node = Node.load(home, PASS)
    with node.store() as store:
        # One report of a victim the transfers show, one of a payment nobody else sent.
        store.add_report(_report("FR-1", "13800000001", [
            {"account": pay.to_account, "amount_minor": pay.amount, "currency": "CNY",
             "paid_at": paid_at}]))  # fmt: skip
        store.add_report(_report("FR-2", "13800000002", [
            {"account": "6222999900001111", "amount_minor": 880_000, "currency": "CNY",
             "paid_at": "2026-09-20T10:00"}]))  # fmt: skip
    got = json.loads(ok("victims", "--home", str(home), "--json"))
    assert got["total"]["victims"] == len(truth.victims) + 1  # FR-1 is someone already known
    known = next(v for v in got["victims"] if "FR-1" in v["reports"])
    assert any(a.endswith(f":{pay.from_account}") for a in known["accounts"])
    assert known["found_by"] == "transfers+report"
    assert known["loss"] == victim.loss  # the report adds no second loss
    new = next(v for v in got["victims"] if "FR-2" in v["reports"])
    assert new["found_by"] == "report" and new["loss"] == 880_000
    assert got["total"]["loss"] == sum(v.loss for v in truth.victims) + 880_000
    # A report's number starts a trace: from the transfer its payment matched.
    traced = json.loads(ok("trace", "--home", str(home), "--victim", "FR-1", "--json"))
    assert traced["seeded"] == pay.amount
    unmatched = run("trace", "--home", str(home), "--victim", "FR-2")
    assert unmatched.exit_code != 0 and "report FR-2: no completed transfer" in unmatched.output


def _report(number: str, contact: str, payments: list[dict[str, object]]) -> ReportRecord:
    return ReportRecord(id=number, follow_sha256="0" * 64, created_at=NOW, lang="zh",
                        name="王某", contact=contact, story="a caller said he was police",
                        payments=payments, files=[], status="received", matches=[],
                        freeze_ids=[], city="Xiamen")  # fmt: skip


def test_the_case_report_has_timelines_and_receipts(police: Node, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    said = ok("report", "--home", str(police.home), "--out", str(out))
    html = out.read_text("utf-8")
    assert "received packages with receipts" in said
    assert html.count('aria-label="timeline of') >= 2  # the leader and the cash-out
    assert "What the key members did" in html and "coordinator" in html
    assert "Case packages received" in html
    for folder, info in evidence.sources(police.home):
        if info.kind == "case_package":
            assert info.manifest_sha256 and info.manifest_sha256 in html
            assert info.message_id and info.message_id in html
            assert (folder / "events.parquet").exists()
    assert html.count("<b>accepted</b>") == 2


def test_timeline_and_resolve_read_the_store(world: tuple[Path, Truth], police: Node) -> None:
    _, truth = world
    cash_out = next(a for a, label in truth.accounts.items() if label.role == "cash_out")
    story = json.loads(ok("timeline", cash_out, "--home", str(police.home), "--json"))
    ids = [e["event_id"] for e in story["entries"]]
    assert ids and len(ids) == len(set(ids))
    assert "platform exports" in story["sources"]
    resolved = ok("resolve", "--home", str(police.home))
    assert "persons" in resolved
    missing = run("trace", "--from", cash_out)
    assert missing.exit_code != 0 and "--home" in missing.output


def test_import_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "not-events.parquet"
    duckdb.sql(f"COPY (SELECT 1 AS x) TO '{bad}' (FORMAT parquet)")
    result = run("evidence", "import", str(bad), "--home", str(tmp_path / "h"))
    assert result.exit_code != 0 and "not-events.parquet" in result.output
    assert "no column 'event_id'" in result.output and "fraudlink ingest" in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("evidence", "import", str(empty), "--home", str(tmp_path / "h"))
    assert result.exit_code != 0 and "holds no case package" in result.output
    assert evidence.evidence_folders(tmp_path / "h") == []
