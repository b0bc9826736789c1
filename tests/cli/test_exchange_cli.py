"""The referral commands as an operator types them: errors that say how to fix, drop folders."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner, Result

from fraudlink.cli import app
from fraudlink.detect.engine import Engine
from fraudlink.detect.rules.loader import builtin_pack
from fraudlink.sim.world import simulate
from fraudlink.store import Store, UserRecord, store_url

runner = CliRunner()
ENV = {"FRAUDLINK_PASSPHRASE": "a long cli passphrase", "COLUMNS": "200"}


def run(*args: str) -> Result:
    return runner.invoke(app, list(args), env=ENV)


def ok(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.output


def refused(*args: str) -> str:
    result = run(*args)
    assert result.exit_code != 0, result.output
    return result.output


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    simulate("tiny", 4, out)
    engine = Engine(builtin_pack())
    alerts = engine.push(pq.read_table(out / "events.parquet")) + engine.flush()
    (out / "alerts.jsonl").write_bytes(b"".join(msgspec.json.encode(a) + b"\n" for a in alerts))
    return out


@pytest.fixture
def homes(tmp_path: Path) -> tuple[Path, Path]:
    platform, police = tmp_path / "platform", tmp_path / "police"
    ok("node", "init", "--org", "hx-mall", "--role", "platform", "--home", str(platform))
    ok("node", "init", "--org", "hz-cyber", "--role", "police", "--home", str(police))
    return platform, police


def trust_both(platform: Path, police: Path) -> None:
    for home, other in ((platform, police), (police, platform)):
        card = home.parent / f"{other.name}.card"
        ok("node", "export-key", "--home", str(other), "--out", str(card))
        ok("node", "trust", str(card), "--home", str(home), "--yes")


def first_case(platform: Path, world: Path) -> str:
    ok("alerts", "import", str(world / "alerts.jsonl"), "--home", str(platform))
    alert = json.loads((world / "alerts.jsonl").read_text().splitlines()[0])
    out = ok("case", "open", alert["alert_id"], "--events", str(world), "--home", str(platform))
    return re.search(r"case-[0-9a-f]{16}", out).group(0)  # type: ignore[union-attr]


def test_alerts_import_names_the_bad_line_and_is_idempotent(
    homes: tuple[Path, Path], world: Path, tmp_path: Path
) -> None:
    platform, _ = homes
    lines = (world / "alerts.jsonl").read_text().splitlines()
    first = ok("alerts", "import", str(world / "alerts.jsonl"), "--home", str(platform))
    assert f"{len(lines):,} new alerts" in first
    again = ok("alerts", "import", str(world / "alerts.jsonl"), "--home", str(platform))
    assert "0 new alerts" in again
    broken = tmp_path / "broken.jsonl"
    broken.write_text(lines[0] + "\n" + '{"alert_id": 1}\n')
    out = refused("alerts", "import", str(broken), "--home", str(platform))
    assert "broken.jsonl line 2" in out and "detect --out" in out
    best = min((json.loads(x) for x in lines), key=lambda a: (-a["score"], a["alert_id"]))
    with Store.open(store_url(platform)) as store:
        store.add_user(UserRecord(org="hx-mall", username="li.wei", password_hash="x",
                                  roles=("analyst",), created_at=datetime.now(UTC)))  # fmt: skip
        store.assign_alert(best["alert_id"], "li.wei", org="hx-mall", actor="test")
    listed = ok("alerts", "list", "--home", str(platform), "--top", "--limit", "3")
    row = next(line for line in listed.splitlines() if best["alert_id"] in line)
    assert "li.wei" in row and "assigned to" in listed


def test_case_and_refer_errors_say_what_to_do(homes: tuple[Path, Path], world: Path) -> None:
    platform, police = homes
    out = refused("case", "open", "al-nope", "--events", str(world), "--home", str(platform))
    assert "no alert al-nope" in out and "alerts import" in out
    case_id = first_case(platform, world)
    out = refused("refer", case_id, "--to", "hz-cyber", "--home", str(platform))
    assert "not trusted" in out and "node trust" in out
    trust_both(platform, police)
    out = refused("refer", case_id, "--to", "hz-cyber", "--home", str(platform))
    assert "no route to hz-cyber" in out and "node route" in out
    out = refused("refer", "case-missing", "--to", "hz-cyber", "--home", str(platform))
    assert "no case case-missing" in out
    out = refused("node", "route", "hz-cyber", "--url", "http://x", "--drop", "/tmp/x",
                  "--home", str(platform))  # fmt: skip
    assert "either a url or a drop folder" in out
    out = refused("node", "route", "hz-cyber", "--url", "ftp://x", "--home", str(platform))
    assert "expected http://" in out


def test_freeze_errors(homes: tuple[Path, Path]) -> None:
    platform, police = homes
    trust_both(platform, police)
    ok("node", "route", "hx-mall", "--url", "http://127.0.0.1:9", "--home", str(police))
    out = refused("freeze", "request", "--to", "hx-mall", "--account", "a", "--amount", "1,2",
                  "--basis", "b", "--deadline", "2030-01-01T00:00+08:00",
                  "--home", str(police))  # fmt: skip
    assert "not a number" in out and "48,000.00" in out
    out = refused("freeze", "request", "--to", "hz-cyber", "--account", "a", "--amount", "1",
                  "--basis", "b", "--deadline", "2030-01-01T00:00+08:00",
                  "--home", str(platform))  # fmt: skip
    assert "only a police node" in out
    out = refused("freeze", "confirm", "frz-nope", "--held", "1", "--home", str(platform))
    assert "no freeze frz-nope" in out and "freeze list" in out


def test_drop_folders_from_the_command_line(
    homes: tuple[Path, Path], world: Path, tmp_path: Path
) -> None:
    platform, police = homes
    trust_both(platform, police)
    carried, back = tmp_path / "carried", tmp_path / "back"
    ok("node", "route", "hz-cyber", "--drop", str(carried), "--home", str(platform))
    case_id = first_case(platform, world)
    out = ok("refer", case_id, "--to", "hz-cyber", "--home", str(platform))
    assert "written to drop:" in out and "outbox collect" in out
    assert "awaiting_receipt" in ok("outbox", "--home", str(platform))
    out = ok("inbox", "take", str(carried), "--receipts", str(back), "--home", str(police))
    assert "accepted" in out and case_id in out and "1 receipts written" in out
    out = ok("outbox", "collect", str(back), "--home", str(platform))
    assert "accepted, signature verified" in out
    assert "delivered" in ok("outbox", "--home", str(platform))
    assert case_id in ok("inbox", "--home", str(police))
    # A receipt that is not one is refused and the command says so with its exit status.
    (back / "msg-forged.receipt.json").write_text("{}")
    out = refused("outbox", "collect", str(back), "--home", str(platform))
    assert "msg-forged.receipt.json: rejected" in out
