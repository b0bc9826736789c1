"""Sending and receiving sealed case packages between two nodes, with receipts and audit.

The transport (HTTP, a file drop) only moves bytes; this module decides what is sent,
what is taken in and what is refused. A refused envelope is logged with its reason and
answered with a signed "refused" receipt; nothing of it is stored as received evidence.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

import msgspec

from fraudlink.cases import package
from fraudlink.exchange.envelope import ReplayGuard, open_envelope, read_header, seal
from fraudlink.exchange.errors import EnvelopeError, MalformedError
from fraudlink.exchange.node import Node, NodeError
from fraudlink.exchange.receipts import (
    Receipt,
    ReceiptMismatchError,
    issue_receipt,
    verify_receipt,
)
from fraudlink.store import MessageRecord


class CaseBody(msgspec.Struct, frozen=True, kw_only=True):
    """What a case referral carries: the manifest and every table's bytes."""

    manifest: package.Manifest
    tables: dict[str, bytes]


@dataclass(frozen=True)
class Received:
    receipt: Receipt
    accepted: bool
    reason: str
    folder: Path | None


def send_case(node: Node, manifest: package.Manifest, blobs: dict[str, bytes]) -> tuple[str, bytes]:
    """Seal a case package to its recipient; the message is kept in the outbox as 'sent'."""
    target = node.directory().current(manifest.recipient)
    if target is None:
        raise NodeError(f"{manifest.recipient} is not trusted: `fraudlink node trust` its card")
    body = msgspec.msgpack.encode(CaseBody(manifest=manifest, tables=blobs))
    message_id = f"msg-{uuid.uuid4().hex}"
    now = node.clock()
    with node.store() as store:
        seq = 1 + sum(1 for m in store.list_messages(direction="out"))
        envelope = seal(body, node.keys, target, message_id=message_id, kind="case_referral",
                        seq=seq, created=now)  # fmt: skip
        digest = hashlib.sha256(envelope).hexdigest()
        store.put_message(MessageRecord(id=message_id, direction="out", peer_org=target.org,
                                        kind="case_referral", state="sent",
                                        envelope_sha256=digest, body=envelope,
                                        created_at=now, updated_at=now))  # fmt: skip
        store.append_audit(node.info.org, "message.sent", message_id,
                           {"to": target.org, "case_id": manifest.case_id,
                            "envelope_sha256": digest})  # fmt: skip
    return message_id, envelope


def receive(node: Node, envelope: bytes) -> Received:
    """Verify, import and answer one envelope; every outcome is audited and receipted."""
    now = node.clock()
    digest = hashlib.sha256(envelope).hexdigest()
    try:
        header, _, _ = read_header(envelope)
        message_id = header.message_id
    except MalformedError:
        message_id = f"unreadable-{digest[:16]}"
    with node.store() as store:
        guard = ReplayGuard()
        for m in store.list_messages(direction="in", state="accepted"):
            guard.remember(read_header(m.body)[0])  # ids and each sender's last sequence
        try:
            opened = open_envelope(envelope, node.keys, node.directory(), now)
            guard.check(opened.header)
            case = msgspec.msgpack.decode(opened.body, type=CaseBody)
            folder = node.home / "inbox" / case.manifest.case_id
            package.write(folder, case.manifest, case.tables)
            package.verify(folder)
        except (EnvelopeError, msgspec.DecodeError, msgspec.ValidationError,
                package.PackageError) as exc:  # fmt: skip
            reason = getattr(exc, "reason", "bad_package")
            store.append_audit(node.info.org, "message.refused", message_id,
                               {"reason": reason, "detail": str(exc),
                                "envelope_sha256": digest})  # fmt: skip
            receipt = issue_receipt(node.keys, message_id, digest, "refused", now, reason)
            return Received(receipt, False, reason, None)
        store.put_message(MessageRecord(id=message_id, direction="in",
                                        peer_org=opened.header.sender, kind=opened.header.kind,
                                        state="accepted", envelope_sha256=digest,
                                        body=envelope, created_at=now, updated_at=now))  # fmt: skip
        receipt = issue_receipt(node.keys, message_id, digest, "accepted", now)
        store.append_audit(node.info.org, "message.received", message_id,
                           {"from": opened.header.sender, "case_id": case.manifest.case_id,
                            "envelope_sha256": digest})  # fmt: skip
        store.append_audit(node.info.org, "receipt.sent", message_id, {"status": "accepted"})
    return Received(receipt, True, "", folder)


def accept_receipt(node: Node, raw: bytes) -> Receipt:
    """Check a receipt against the message it answers and record the outcome."""
    try:
        probe = msgspec.json.decode(raw, type=Receipt)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise MalformedError(f"not a receipt: {exc}") from exc
    with node.store() as store:
        sent = store.get_message(probe.body.message_id)
        if sent is None or sent.direction != "out":
            raise NodeError(f"no sent message {probe.body.message_id} for this receipt")
        try:
            receipt = verify_receipt(raw, node.directory(), sent.id, sent.envelope_sha256)
            altered = False
        except ReceiptMismatchError:
            # Authentic, but for other bytes than we sent: proof they were changed on the
            # way, if the receiver refused them. Accepting other bytes is never fine.
            receipt = verify_receipt(raw, node.directory(), sent.id, probe.body.envelope_sha256)
            if receipt.body.status == "accepted":
                raise
            altered = True
        state = "delivered" if receipt.body.status == "accepted" else "refused"
        store.set_message_state(sent.id, state)
        outcome = {"status": receipt.body.status, "reason": receipt.body.reason,
                   "altered_in_transit": altered}  # fmt: skip
        store.append_audit(node.info.org, "receipt.received", sent.id, outcome)
    return receipt
