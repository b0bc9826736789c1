"""A platform and a police unit, each with its own home and its own HTTP server on loopback.

refer → signed receipt → freeze request → signed confirmation → lift → release, all through
the command line as an operator would type it; plus tampering and restarts over real HTTP.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import msgspec
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from fraudlink.cli import app
from fraudlink.detect.engine import Engine
from fraudlink.detect.rules.loader import builtin_pack
from fraudlink.exchange import outbox
from fraudlink.exchange.directory import Directory
from fraudlink.exchange.node import Node
from fraudlink.exchange.receipts import Receipt, verify_receipt
from fraudlink.sim.world import simulate
from tests.integration.servers import PASSPHRASE, free_port, self_signed, serving

runner = CliRunner()


def cli(*args: str) -> str:
    result = runner.invoke(app, list(args), env={"FRAUDLINK_PASSPHRASE": PASSPHRASE,
                                                 "COLUMNS": "200"})  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.output


class Pair:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.platform, self.police = root / "platform", root / "police"
        self.platform_port, self.police_port = free_port(), free_port()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    simulate("tiny", 4, out)
    engine = Engine(builtin_pack())
    alerts = engine.push(pq.read_table(out / "events.parquet")) + engine.flush()
    (out / "alerts.jsonl").write_bytes(b"".join(msgspec.json.encode(a) + b"\n" for a in alerts))
    return out


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    p = Pair(tmp_path)
    cli("node", "init", "--org", "hx-mall", "--role", "platform", "--home", str(p.platform))
    cli("node", "init", "--org", "hz-cyber", "--role", "police", "--home", str(p.police))
    for home, other in ((p.platform, p.police), (p.police, p.platform)):
        card = tmp_path / f"{other.name}.card"
        cli("node", "export-key", "--home", str(other), "--out", str(card))
        cli("node", "trust", str(card), "--home", str(home), "--yes")
    cli("node", "route", "hz-cyber", "--url", f"http://127.0.0.1:{p.police_port}",
        "--home", str(p.platform))  # fmt: skip
    cli("node", "route", "hx-mall", "--url", f"http://127.0.0.1:{p.platform_port}",
        "--home", str(p.police))  # fmt: skip
    yield p


def top_case(p: Pair, world: Path) -> str:
    cli("alerts", "import", str(world / "alerts.jsonl"), "--home", str(p.platform))
    alerts = [json.loads(line) for line in (world / "alerts.jsonl").read_text().splitlines()]
    best = min(alerts, key=lambda a: (-a["score"], a["alert_id"]))
    out = cli("case", "open", best["alert_id"], "--events", str(world),
              "--home", str(p.platform))  # fmt: skip
    found = re.search(r"case (case-[0-9a-f]+)", out)
    assert found, out
    return found.group(1)


def test_refer_receipt_freeze_confirm_lift_release(pair: Pair, world: Path) -> None:
    p = pair
    case_id = top_case(p, world)
    with serving(p.police, p.police_port), serving(p.platform, p.platform_port):
        out = cli("refer", case_id, "--to", "hz-cyber", "--home", str(p.platform))
        assert "accepted" in out and "verified" in out
        inbox = cli("inbox", "--home", str(p.police))
        assert case_id in inbox and "case_referral" in inbox
        shown = cli("case", "show", case_id, "--home", str(p.police))
        assert "hx-mall → hz-cyber" in shown and "every table matches" in shown
        assert "delivered" in cli("outbox", "--home", str(p.platform))

        account = json.loads(
            (p.police / "inbox" / case_id / "evidence" / "account.jsonl")
            .read_text()
            .splitlines()[0]
        )["subject"]
        deadline = (datetime.now(UTC) + timedelta(days=30)).isoformat()
        out = cli("freeze", "request", "--to", "hx-mall", "--account", account,
                  "--amount", "1,000,000.00", "--basis", "decision 2026-118",
                  "--deadline", deadline, "--case", case_id, "--home", str(p.police))  # fmt: skip
        assert "accepted" in out
        freeze_id = re.search(r"frz-[0-9a-f]+", out).group(0)  # type: ignore[union-attr]
        assert freeze_id in cli("freeze", "list", "--home", str(p.platform))

        out = cli("freeze", "confirm", freeze_id, "--events", str(world / "events.parquet"),
                  "--home", str(p.platform))  # fmt: skip
        assert "accepted" in out
        held = cli("freeze", "list", "--home", str(p.police))
        assert re.search(rf"{freeze_id}.*(held|partial|refused)", held), held

        if "refused" not in held:
            cli("freeze", "lift", freeze_id, "--reason", "case closed", "--home", str(p.police))
            cli("freeze", "release", freeze_id, "--reason", "lifted", "--home", str(p.platform))
            assert "released" in cli("freeze", "list", "--home", str(p.police))

    for home in (p.platform, p.police):
        assert "audit chain intact" in cli("audit", "verify", "--home", str(home))


def test_a_byte_flipped_over_http_is_refused_with_a_signed_receipt(pair: Pair, world: Path) -> None:
    p = pair
    case_id = top_case(p, world)
    cli("refer", case_id, "--to", "hz-cyber", "--queue-only", "--home", str(p.platform))
    platform = Node.load(p.platform, PASSPHRASE.encode())
    with platform.store() as store:
        (listed,) = store.list_messages(direction="out")
        queued = store.get_message(listed.id, with_body=True)
    assert queued is not None and queued.body is not None
    broken = bytearray(queued.body)
    broken[len(broken) // 2] ^= 0x40
    with serving(p.police, p.police_port):
        response = httpx.post(f"http://127.0.0.1:{p.police_port}/exchange/v1/inbox",
                              content=bytes(broken))  # fmt: skip
    assert response.status_code == 422
    receipt = verify_receipt(response.content, Directory.load(p.platform / "directory.json"),
                             queued.id, hashlib.sha256(bytes(broken)).hexdigest())  # fmt: skip
    assert isinstance(receipt, Receipt) and receipt.body.status == "refused"
    assert receipt.body.reason == "tampered"
    assert not (p.police / "inbox").exists()
    assert "message.refused" in cli("audit", "show", "--home", str(p.police))


def test_a_message_queued_while_the_police_are_down_arrives_once_after(
    pair: Pair, world: Path
) -> None:
    p = pair
    case_id = top_case(p, world)
    out = cli("refer", case_id, "--to", "hz-cyber", "--home", str(p.platform))
    assert "retrying" in out and "next try" in out
    assert "retrying" in cli("outbox", "--home", str(p.platform))
    with serving(p.police, p.police_port):
        # A later run (another process, after a restart, an hour on) finds it due.
        node = Node.load(p.platform, PASSPHRASE.encode(),
                         clock=lambda: datetime.now(UTC) + timedelta(hours=1))  # fmt: skip
        (attempt,) = outbox.pump(node)
        assert attempt.state == "delivered"
        assert outbox.pump(node) == []
    inbox = cli("inbox", "--home", str(p.police))
    assert inbox.count("case_referral") == 1


def test_over_tls_a_route_trusts_only_its_ca(pair: Pair, world: Path, tmp_path: Path) -> None:
    p = pair
    certfile, keyfile = self_signed(tmp_path)
    case_id = top_case(p, world)
    url = f"https://127.0.0.1:{p.police_port}"
    with serving(p.police, p.police_port, "--certfile", str(certfile), "--keyfile",
                 str(keyfile), cafile=certfile):  # fmt: skip
        # Without the unit's CA the certificate is not trusted, and nothing is sent.
        cli("node", "route", "hz-cyber", "--url", url, "--home", str(p.platform))
        out = cli("refer", case_id, "--to", "hz-cyber", "--home", str(p.platform))
        assert "retrying" in out and "CERTIFICATE_VERIFY_FAILED" in out.replace("\n", "")
        cli("node", "route", "hz-cyber", "--url", url, "--cafile", str(certfile),
            "--home", str(p.platform))  # fmt: skip
        later = Node.load(p.platform, PASSPHRASE.encode(),
                          clock=lambda: datetime.now(UTC) + timedelta(hours=1))  # fmt: skip
        (attempt,) = outbox.pump(later)
        assert attempt.state == "delivered" and attempt.receipt is not None


def test_a_serving_node_sends_its_outbox_by_itself(pair: Pair, world: Path) -> None:
    p = pair
    case_id = top_case(p, world)
    out = cli("refer", case_id, "--to", "hz-cyber", "--queue-only", "--home", str(p.platform))
    assert "sealed for hz-cyber" in out and "accepted" not in out
    with serving(p.police, p.police_port), serving(p.platform, p.platform_port,
                                                   "--pump-every", "0.2"):  # fmt: skip
        deadline = time.monotonic() + 20
        while "delivered" not in cli("outbox", "--home", str(p.platform)):
            assert time.monotonic() < deadline, cli("outbox", "--home", str(p.platform))
            time.sleep(0.2)
    assert case_id in cli("inbox", "--home", str(p.police))
