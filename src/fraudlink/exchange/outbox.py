"""The outbox: messages are sealed and stored first, then delivered until a receipt comes.

A message is written to the store, sealed, before any attempt to send it, so a crash
never loses one; every retry sends the very same bytes, so the receiver recognises a
second delivery and answers with its first receipt instead of importing it again.

States of an outgoing message::

    queued ──► delivered            (accepted receipt)
       │  └──► refused              (signed refusal: the reason is in the receipt)
       ├──► retrying ──► …          (network trouble; tried again after a backoff)
       ├──► awaiting_receipt        (written to a drop folder; the receipt comes back later)
       └──► expired                 (its envelope expired before anyone took it)
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from fraudlink.exchange import routes, transport
from fraudlink.exchange.envelope import read_header, seal
from fraudlink.exchange.errors import EnvelopeError
from fraudlink.exchange.mailroom import accept_receipt
from fraudlink.exchange.node import Node, NodeError
from fraudlink.exchange.receipts import Receipt
from fraudlink.store import MessageRecord

FIRST_RETRY = timedelta(seconds=2)
LONGEST_WAIT = timedelta(minutes=30)
PENDING = ("queued", "retrying", "awaiting_receipt")


def backoff(attempts: int, message_id: str) -> timedelta:
    """Doubling waits up to half an hour, spread by up to a quarter so peers do not stampede.

    The spread is taken from the message id, not a random source, so a schedule can be
    reproduced.
    """
    doublings = min(max(attempts - 1, 0), 20)  # 2 s · 2^20 is far past the cap already
    wait: timedelta = min(FIRST_RETRY * 2**doublings, LONGEST_WAIT)
    spread = int(hashlib.sha256(message_id.encode()).hexdigest()[:4], 16) / 0xFFFF
    spread_wait: timedelta = wait * (1 + spread / 4)
    return spread_wait


def post(
    node: Node,
    recipient: str,
    kind: str,
    body: bytes,
    *,
    ref: str,
    lifetime: timedelta = timedelta(days=7),
) -> MessageRecord:
    """Seal ``body`` to ``recipient`` and keep it in the outbox, queued for delivery."""
    target = node.directory().current(recipient)
    if target is None:
        raise NodeError(f"{recipient} is not trusted: `fraudlink node trust` its key card")
    route = routes.get(node.home, recipient)
    message_id = f"msg-{uuid.uuid4().hex}"
    now = node.clock()

    def make(seq: int) -> MessageRecord:
        envelope = seal(body, node.keys, target, message_id=message_id, kind=kind, seq=seq,
                        created=now, lifetime=lifetime)  # fmt: skip
        return MessageRecord(id=message_id, direction="out", peer_org=recipient, kind=kind,
                             state="queued", envelope_sha256=hashlib.sha256(envelope).hexdigest(),
                             body=envelope, created_at=now, updated_at=now, seq=seq,
                             peer_kid=target.enc_kid, ref=ref,
                             destination=route.destination)  # fmt: skip

    with node.store() as store:
        record = store.add_outgoing(recipient, make)
        store.append_audit(node.info.org, "message.sent", message_id,
                           {"to": recipient, "kind": kind, "ref": ref, "seq": record.seq,
                            "envelope_sha256": record.envelope_sha256,
                            "destination": record.destination})  # fmt: skip
    return record


@dataclass(frozen=True)
class Attempt:
    message: MessageRecord
    state: str
    receipt: Receipt | None = None
    error: str | None = None


def pump(
    node: Node,
    deliver: Callable[[routes.Route, str, bytes], bytes | None] = transport.deliver,
) -> list[Attempt]:
    """Try every message whose time has come, once; return what happened to each.

    Messages to one peer go in sequence order, and a failure stops that peer's queue
    for this round: the receiver refuses a sequence number lower than one it has taken.
    """
    now = node.clock()
    table = routes.load(node.home)
    with node.store() as store:
        due = store.due_messages(now)
    blocked: set[str] = set()
    attempts: list[Attempt] = []
    for message in due:
        if message.peer_org in blocked:
            continue
        attempt = _attempt(node, message, table.get(message.peer_org), deliver, now)
        if attempt.state in ("retrying", "queued"):
            blocked.add(message.peer_org)
        attempts.append(attempt)
    return attempts


def _attempt(
    node: Node,
    message: MessageRecord,
    route: routes.Route | None,
    deliver: Callable[[routes.Route, str, bytes], bytes | None],
    now: datetime,
) -> Attempt:
    assert message.body is not None  # due_messages reads the bodies
    header = read_header(message.body)[0]
    if now > datetime.fromisoformat(header.expires):
        return _set(node, message, "expired", f"expired at {header.expires} before delivery")
    if route is None:
        return _retry(node, message, now, f"no route to {message.peer_org}")
    try:
        raw = deliver(route, message.id, message.body)
    except transport.TransportError as exc:
        return _retry(node, message, now, str(exc))
    if raw is None:
        attempt = _set(node, message, "awaiting_receipt", None)
        _audit(node, "message.dropped", message, {"destination": route.destination})
        return attempt
    try:
        receipt = accept_receipt(node, raw)
    except (EnvelopeError, NodeError, ValueError) as exc:
        # An answer we cannot trust is no receipt: keep trying, and keep the evidence.
        _audit(node, "receipt.rejected", message, {"detail": str(exc)})
        return _retry(node, message, now, f"receipt rejected: {exc}")
    with node.store() as store:
        done = store.update_message(message.id, attempts=message.attempts + 1)
    return Attempt(done, done.state, receipt=receipt)


def _retry(node: Node, message: MessageRecord, now: datetime, error: str) -> Attempt:
    tries = message.attempts + 1
    with node.store() as store:
        done = store.update_message(message.id, state="retrying", attempts=tries,
                                    next_attempt_at=now + backoff(tries, message.id),
                                    last_error=error)  # fmt: skip
    return Attempt(done, "retrying", error=error)


def _set(node: Node, message: MessageRecord, state: str, error: str | None) -> Attempt:
    with node.store() as store:
        done = store.update_message(message.id, state=state, attempts=message.attempts + 1,
                                    last_error=error, next_attempt_at=None)  # fmt: skip
        if state == "expired":
            store.append_audit(node.info.org, "message.expired", message.id, {"detail": error})
    return Attempt(done, state, error=error)


def _audit(node: Node, action: str, message: MessageRecord, detail: dict[str, object]) -> None:
    with node.store() as store:
        store.append_audit(node.info.org, action, message.id, detail)
