"""Taking in sealed messages and the receipts that answer ours.

The transport (HTTP, a drop folder) only moves bytes; this module decides what is
taken in and what is refused. Each message kind is taken in by a handler the caller
passes (the exchange knows nothing of cases or freezes). A refused envelope is logged
with its reason and answered with a signed "refused" receipt; nothing of it is kept.

A message delivered twice (the sender never saw our receipt and tried again) is not
imported twice: the same bytes get the same receipt back.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import msgspec

from fraudlink.exchange.envelope import Header, open_envelope, read_header
from fraudlink.exchange.errors import EnvelopeError, MalformedError, ReplayedError
from fraudlink.exchange.node import Node, NodeError
from fraudlink.exchange.receipts import (
    Receipt,
    ReceiptMismatchError,
    issue_receipt,
    verify_receipt,
)
from fraudlink.store import MessageRecord


class ContentError(EnvelopeError):
    """Authentic and intact, but what it carries cannot be taken in (names what is wrong)."""

    reason = "bad_content"


class UnknownKindError(EnvelopeError):
    reason = "unknown_kind"


# A handler takes in one verified message body and returns what it is about (a case
# id, a freeze id). It raises ContentError, having written nothing, to refuse it.
Handler = Callable[[Node, Header, bytes], str]


@dataclass(frozen=True)
class Received:
    receipt: Receipt
    raw_receipt: bytes
    accepted: bool
    reason: str
    ref: str | None
    duplicate: bool = False


# One node takes in one message at a time: the replay checks read, then write.
_lock = threading.Lock()


def receive(node: Node, envelope: bytes, handlers: Mapping[str, Handler]) -> Received:
    """Verify, import and answer one envelope; every outcome is audited and receipted."""
    with _lock:
        return _receive(node, envelope, handlers)


def _receive(node: Node, envelope: bytes, handlers: Mapping[str, Handler]) -> Received:
    now = node.clock()
    digest = hashlib.sha256(envelope).hexdigest()
    try:
        message_id = read_header(envelope)[0].message_id
    except MalformedError:
        message_id = f"unreadable-{digest[:16]}"
    with node.store() as store:
        known = store.get_message(message_id)
        if (known is not None and known.direction == "in" and known.receipt is not None
                and known.envelope_sha256 == digest):  # fmt: skip
            store.append_audit(node.info.org, "message.duplicate", message_id,
                               {"envelope_sha256": digest})  # fmt: skip
            receipt = msgspec.json.decode(known.receipt, type=Receipt)
            return Received(receipt, known.receipt, True, "", known.ref, duplicate=True)
        try:
            if known is not None:
                raise ReplayedError(f"message {message_id} was already received")
            opened = open_envelope(envelope, node.keys, node.directory(), now)
            header = opened.header
            floor = store.last_accepted_seq(header.sender_kid)
            if floor is not None and header.seq <= floor:
                raise ReplayedError(f"sequence {header.seq} from {header.sender} "
                                    f"is not after {floor}")  # fmt: skip
            handler = handlers.get(header.kind)
            if handler is None:
                raise UnknownKindError(f"this node takes no {header.kind!r} messages")
            ref = handler(node, header, opened.body)
        except EnvelopeError as exc:
            store.append_audit(node.info.org, "message.refused", message_id,
                               {"reason": exc.reason, "detail": str(exc),
                                "envelope_sha256": digest})  # fmt: skip
            receipt = issue_receipt(node.keys, message_id, digest, "refused", now, exc.reason)
            store.append_audit(node.info.org, "receipt.sent", message_id,
                               {"status": "refused", "reason": exc.reason})  # fmt: skip
            return Received(receipt, msgspec.json.encode(receipt), False, exc.reason, None)
        receipt = issue_receipt(node.keys, message_id, digest, "accepted", now)
        raw = msgspec.json.encode(receipt)
        store.put_message(MessageRecord(id=message_id, direction="in", peer_org=header.sender,
                                        kind=header.kind, state="accepted",
                                        envelope_sha256=digest, body=envelope, created_at=now,
                                        updated_at=now, seq=header.seq,
                                        peer_kid=header.sender_kid, ref=ref,
                                        receipt=raw))  # fmt: skip
        store.append_audit(node.info.org, "message.received", message_id,
                           {"from": header.sender, "kind": header.kind, "ref": ref,
                            "envelope_sha256": digest})  # fmt: skip
        store.append_audit(node.info.org, "receipt.sent", message_id, {"status": "accepted"})
    return Received(receipt, raw, True, "", ref)


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
        if sent.state in ("delivered", "refused") and sent.receipt == raw:
            return receipt  # the same receipt read twice (a drop folder read again)
        store.update_message(sent.id, state=state, receipt=raw, next_attempt_at=None,
                             last_error=receipt.body.reason or None)  # fmt: skip
        outcome = {"status": receipt.body.status, "reason": receipt.body.reason,
                   "altered_in_transit": altered}  # fmt: skip
        store.append_audit(node.info.org, "receipt.received", sent.id, outcome)
    return receipt
