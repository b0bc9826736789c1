"""Two real nodes: a platform refers a case, the police verify it and answer with a receipt."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

from fraudlink.cases import package
from fraudlink.exchange.mailroom import accept_receipt, receive, send_case
from fraudlink.exchange.node import Node

PASS = b"a long node passphrase"
NOW = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def nodes(tmp_path: Path) -> tuple[Node, Node]:
    platform = Node.init(tmp_path / "platform", "hx-mall", "platform", PASS)
    police = Node.init(tmp_path / "police", "hz-cyber", "police", PASS)
    platform.trust(police.info.card)
    police.trust(platform.info.card)
    return platform, police


def case(recipient: str = "hz-cyber") -> tuple[package.Manifest, dict[str, bytes]]:
    alert = {"alert_id": "al-1", "reasons": ["3 refunds totalling ¥15,000.00 within 20 m"]}
    tables = {"transactions": [{"event_id": "ev-1", "amount": 500_000}],
              "refunds": [{"event_id": "ev-2", "latest_scan": "signed"}]}  # fmt: skip
    return package.build(case_id="case-1", title="refund ring", subject_accounts=["a"],
                         alerts=[alert], tables=tables, sender="hx-mall",
                         recipient=recipient, created=NOW)  # fmt: skip


def test_refer_verify_import_and_receipt(nodes: tuple[Node, Node]) -> None:
    platform, police = nodes
    manifest, blobs = case()
    message_id, envelope = send_case(platform, manifest, blobs)
    got = receive(police, envelope)
    assert got.accepted and got.folder is not None
    assert package.verify(got.folder) == manifest
    receipt = accept_receipt(platform, msgspec.json.encode(got.receipt))
    assert receipt.body.status == "accepted"
    with platform.store() as store:
        sent = store.get_message(message_id)
        assert sent is not None and sent.state == "delivered"
        assert [e.action for e in store.audit_entries()][-2:] == ["message.sent",
                                                                   "receipt.received"]  # fmt: skip
        assert store.verify_audit().ok
    with police.store() as store:
        assert [m.id for m in store.list_messages(direction="in")] == [message_id]
        assert store.verify_audit().ok


def test_a_replayed_envelope_is_refused_logged_and_receipted(nodes: tuple[Node, Node]) -> None:
    platform, police = nodes
    _, envelope = send_case(platform, *case())
    assert receive(police, envelope).accepted
    again = receive(police, envelope)
    assert not again.accepted and again.reason == "replayed"
    assert again.receipt.body.status == "refused"
    with police.store() as store:
        assert len(store.list_messages(direction="in")) == 1
        assert store.audit_entries()[-1].action == "message.refused"


def test_a_tampered_envelope_imports_nothing(nodes: tuple[Node, Node]) -> None:
    platform, police = nodes
    _, envelope = send_case(platform, *case())
    broken = bytearray(envelope)
    broken[-20] ^= 0x01
    got = receive(police, bytes(broken))
    assert not got.accepted and got.reason == "tampered"
    assert not (police.home / "inbox").exists()
    receipt = accept_receipt(platform, msgspec.json.encode(got.receipt))
    assert receipt.body.status == "refused"  # the sender learns it did not arrive intact
    with platform.store() as store:
        last = store.audit_entries()[-1]
        assert last.action == "receipt.received" and last.detail["altered_in_transit"] is True
