"""Taking messages in: verified, imported once, refused with a reason, always receipted."""

from __future__ import annotations

import hashlib
import json
import zlib
from datetime import timedelta

import msgspec

from fraudlink.cases import package
from fraudlink.cases.referral import KIND, CaseBody, pack_case, unpack_case
from fraudlink.dispatch import HANDLERS
from fraudlink.exchange import outbox
from fraudlink.exchange.envelope import seal
from fraudlink.exchange.mailroom import accept_receipt, receive
from fraudlink.exchange.node import Node
from fraudlink.investigate.evidence_arrivals import wait_for_imports
from fraudlink.store import AuditEntry
from tests.exchange.conftest import START


def last_refusal(node: Node) -> AuditEntry:
    """The newest refusal in the audit log, checked to be answered by a refused receipt."""
    with node.store() as store:
        entries = store.audit_entries()
    last, answer = entries[-2:]
    assert last.action == "message.refused"
    assert (answer.action, answer.detail["status"]) == ("receipt.sent", "refused")
    return last


def case_body(recipient: str = "hz-cyber", case_id: str = "case-1") -> bytes:
    alert = {"alert_id": "al-1", "reasons": ["3 refunds totalling ¥15,000.00 within 20 m"]}
    tables = {"transactions": [{"event_id": "ev-1", "amount": 500_000}],
              "refunds": [{"event_id": "ev-2", "latest_scan": "signed"}]}  # fmt: skip
    manifest, blobs = package.build(case_id=case_id, title="refund ring",
                                    subject_accounts=["a"], alerts=[alert], tables=tables,
                                    sender="hx-mall", recipient=recipient,
                                    created=START)  # fmt: skip
    return pack_case(manifest, blobs)


def test_refer_verify_import_and_receipt(nodes: tuple[Node, Node]) -> None:
    platform, police = nodes
    sent = outbox.post(platform, "hz-cyber", KIND, case_body(), ref="case-1")
    got = receive(police, sent.body, HANDLERS)
    assert got.accepted and got.ref == "case-1" and not got.duplicate
    folder = police.home / "inbox" / "case-1"
    manifest = package.verify(folder)
    assert manifest.sender == "hx-mall" and manifest.tables["transactions"].rows == 1
    receipt = accept_receipt(platform, got.raw_receipt)
    assert receipt.body.status == "accepted"
    assert receipt.body.envelope_sha256 == hashlib.sha256(sent.body).hexdigest()
    with platform.store() as store:
        done = store.get_message(sent.id)
        assert done is not None and done.state == "delivered" and done.receipt == got.raw_receipt
        assert [e.action for e in store.audit_entries()][-2:] == ["message.sent",
                                                                   "receipt.received"]  # fmt: skip
        assert store.verify_audit().ok
    with police.store() as store:
        (taken,) = store.list_messages(direction="in")
        assert (taken.id, taken.seq, taken.ref) == (sent.id, 1, "case-1")
        case = store.get_case("case-1")
        assert case is not None and case.title == "refund ring"
        assert store.verify_audit().ok


def test_the_same_bytes_twice_are_imported_once_and_get_the_first_receipt(
    nodes: tuple[Node, Node],
) -> None:
    platform, police = nodes
    sent = outbox.post(platform, "hz-cyber", KIND, case_body(), ref="case-1")
    first = receive(police, sent.body, HANDLERS)
    again = receive(police, sent.body, HANDLERS)
    assert again.accepted and again.duplicate
    assert again.raw_receipt == first.raw_receipt
    wait_for_imports()  # the evidence store's own entry is written by a worker thread
    with police.store() as store:
        assert len(store.list_messages(direction="in")) == 1
        messages = [e.action for e in store.audit_entries() if e.action.startswith("message.")]
        assert messages[-1] == "message.duplicate"


def test_a_reused_message_id_or_an_old_sequence_is_refused_as_replayed(
    nodes: tuple[Node, Node],
) -> None:
    platform, police = nodes
    target = police.info.card
    first = seal(case_body(), platform.keys, target, message_id="m-1", kind=KIND, seq=5,
                 created=START)  # fmt: skip
    assert receive(police, first, HANDLERS).accepted
    other_bytes = seal(case_body(case_id="case-2"), platform.keys, target, message_id="m-1",
                       kind=KIND, seq=6, created=START)  # fmt: skip
    older = seal(case_body(case_id="case-3"), platform.keys, target, message_id="m-2",
                 kind=KIND, seq=5, created=START)  # fmt: skip
    for envelope in (other_bytes, older):
        got = receive(police, envelope, HANDLERS)
        assert not got.accepted and got.reason == "replayed"
        assert got.receipt.body.status == "refused"
    assert sorted(p.name for p in (police.home / "inbox").iterdir()) == ["case-1"]


def test_a_tampered_envelope_imports_nothing_and_the_sender_learns_it(
    nodes: tuple[Node, Node],
) -> None:
    platform, police = nodes
    sent = outbox.post(platform, "hz-cyber", KIND, case_body(), ref="case-1")
    broken = bytearray(sent.body)
    broken[-20] ^= 0x01
    got = receive(police, bytes(broken), HANDLERS)
    assert not got.accepted and got.reason == "tampered"
    assert not (police.home / "inbox").exists()
    receipt = accept_receipt(platform, got.raw_receipt)
    assert receipt.body.status == "refused"
    with platform.store() as store:
        last = store.audit_entries()[-1]
        assert last.action == "receipt.received" and last.detail["altered_in_transit"] is True
        done = store.get_message(sent.id)
        assert done is not None and done.state == "refused"


def test_content_that_contradicts_the_envelope_is_refused(nodes: tuple[Node, Node]) -> None:
    platform, police = nodes
    # Signed by hx-mall to hz-cyber, but the manifest inside names another recipient.
    sent = outbox.post(platform, "hz-cyber", KIND, case_body(recipient="sh-cyber"), ref="c")
    got = receive(police, sent.body, HANDLERS)
    assert not got.accepted and got.reason == "bad_content"
    assert "sh-cyber" in last_refusal(police).detail["detail"]
    assert not (police.home / "inbox").exists()


def test_a_kind_this_node_does_not_take_is_refused(nodes: tuple[Node, Node]) -> None:
    platform, police = nodes
    sent = outbox.post(platform, "hz-cyber", "poem", b"roses are red", ref="x")
    got = receive(police, sent.body, HANDLERS)
    assert not got.accepted and got.reason == "unknown_kind"


def test_a_tampered_table_inside_a_valid_envelope_is_refused(nodes: tuple[Node, Node]) -> None:
    platform, police = nodes
    manifest, tables = unpack_case(case_body())
    forged = dict(tables)
    forged["transactions"] = json.dumps({"event_id": "ev-1", "amount": 1}).encode() + b"\n"
    body = msgspec.msgpack.encode(CaseBody(manifest=manifest, tables=forged))
    sent = outbox.post(platform, "hz-cyber", KIND, body, ref="case-1")
    got = receive(police, sent.body, HANDLERS)
    assert not got.accepted and got.reason == "bad_content"
    assert "transactions" in last_refusal(police).detail["detail"]


def test_an_expired_package_is_refused(nodes: tuple[Node, Node], clock: object) -> None:
    platform, police = nodes
    sent = outbox.post(platform, "hz-cyber", KIND, case_body(), ref="case-1",
                       lifetime=timedelta(days=200))  # fmt: skip
    clock.advance(days=120)  # type: ignore[attr-defined]  # package lives 90 days
    got = receive(police, sent.body, HANDLERS)
    assert not got.accepted and got.reason == "bad_content"


def test_a_decompression_bomb_is_refused(nodes: tuple[Node, Node], monkeypatch: object) -> None:
    platform, police = nodes
    manifest, _ = unpack_case(case_body())
    bomb = {"transactions": zlib.compress(b"\n" * 5_000_000, 9)}
    body = msgspec.msgpack.encode(CaseBody(manifest=manifest, tables=bomb, encoding="zlib"))
    sent = outbox.post(platform, "hz-cyber", KIND, body, ref="case-1")
    monkeypatch.setattr("fraudlink.cases.referral.MAX_TABLE_BYTES", 1_000_000)  # type: ignore[attr-defined]
    got = receive(police, sent.body, HANDLERS)
    assert not got.accepted and got.reason == "bad_content"
    assert "larger than 1000000" in last_refusal(police).detail["detail"]
