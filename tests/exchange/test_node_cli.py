"""Two organisations set up nodes, swap key cards, trust, rotate and revoke, as operators would."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest
from typer.testing import CliRunner

from fraudlink.cli import app
from fraudlink.exchange.directory import KeyCard
from fraudlink.exchange.envelope import open_envelope, seal
from fraudlink.exchange.errors import RevokedSenderError
from fraudlink.exchange.keys import fingerprint
from fraudlink.exchange.node import Node

PASSPHRASE = "a long node passphrase"
runner = CliRunner(env={"FRAUDLINK_PASSPHRASE": PASSPHRASE})


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def homes(tmp_path: Path) -> tuple[Path, Path]:
    platform, police = tmp_path / "platform", tmp_path / "police"
    run("node", "init", "--org", "hx-mall", "--role", "platform", "--home", str(platform))
    run("node", "init", "--org", "hz-cyber", "--role", "police", "--home", str(police))
    return platform, police


def test_two_nodes_trust_each_other_and_exchange_a_sealed_message(
    homes: tuple[Path, Path], tmp_path: Path
) -> None:
    platform, police = homes
    card_file = tmp_path / "hx-mall.card.json"
    run("node", "export-key", "--home", str(platform), "--out", str(card_file))
    card = msgspec.json.decode(card_file.read_bytes(), type=KeyCard)
    shown = run("node", "trust", str(card_file), "--home", str(police), "--yes")
    assert fingerprint(card.sign_kid) in shown
    police_card = tmp_path / "hz-cyber.card.json"
    run("node", "export-key", "--home", str(police), "--out", str(police_card))
    run("node", "trust", str(police_card), "--home", str(platform), "--yes")

    sender = Node.load(platform, PASSPHRASE.encode())
    receiver = Node.load(police, PASSPHRASE.encode())
    target = sender.directory().current("hz-cyber")
    assert target is not None
    now = datetime.now(UTC)
    envelope = seal(b"case", sender.keys, target, message_id="m-1", kind="case_referral",
                    seq=1, created=now)  # fmt: skip
    assert open_envelope(envelope, receiver.keys, receiver.directory(), now).body == b"case"

    listing = run("node", "keys", "--home", str(police))
    assert "hx-mall" in listing and "active" in listing
    run("node", "revoke", card.sign_kid, "--home", str(police))
    with pytest.raises(RevokedSenderError):
        open_envelope(envelope, receiver.keys, receiver.directory(), now)
    with receiver.store() as store:
        actions = [e.action for e in store.audit_entries()]
        assert actions == ["node.init", "key.trust", "key.revoke"]
        assert store.verify_audit().ok


def test_rotation_keeps_old_keys_and_changes_the_card(homes: tuple[Path, Path]) -> None:
    platform, _ = homes
    before = Node.load(platform, PASSPHRASE.encode()).keys.sign_kid
    out = run("node", "rotate", "--home", str(platform))
    after = Node.load(platform, PASSPHRASE.encode()).keys.sign_kid
    assert after != before
    assert fingerprint(after) in out
    assert (platform / "keys" / "retired" / before / "signing.pem").exists()


def test_mistakes_are_refused_with_what_to_do(homes: tuple[Path, Path], tmp_path: Path) -> None:
    platform, _ = homes
    again = runner.invoke(app, ["node", "init", "--org", "x", "--role", "platform",
                                "--home", str(platform)])  # fmt: skip
    assert again.exit_code == 2 and "already holds a node" in again.output
    role = runner.invoke(app, ["node", "init", "--org", "x", "--role", "bank",
                               "--home", str(tmp_path / "b")])  # fmt: skip
    assert role.exit_code == 2 and "expected one of platform, police" in role.output
    missing = runner.invoke(app, ["node", "keys", "--home", str(tmp_path / "none")])
    assert missing.exit_code == 2 and "node init" in missing.output
    wrong = CliRunner(env={"FRAUDLINK_PASSPHRASE": "not the passphrase"})
    bad = wrong.invoke(app, ["node", "keys", "--home", str(platform)])
    assert bad.exit_code == 2 and "wrong passphrase" in bad.output
    short = CliRunner(env={"FRAUDLINK_PASSPHRASE": "short"})
    weak = short.invoke(app, ["node", "init", "--org", "y", "--role", "police",
                              "--home", str(tmp_path / "c")])  # fmt: skip
    assert weak.exit_code == 2 and "at least 12" in weak.output
    junk = tmp_path / "junk.json"
    junk.write_text("{}", encoding="utf-8")
    refused = runner.invoke(app, ["node", "trust", str(junk), "--home", str(platform), "--yes"])
    assert refused.exit_code == 2 and "not a key card" in refused.output
