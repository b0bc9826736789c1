"""Freeze requests and answers between a police node and a platform node.

Police: :func:`request` and :func:`lift`. Platform: :func:`confirm` and :func:`release`.
Each sends one signed, sealed message through the outbox; the handlers take the other
side's messages in. Only a node whose key card says ``police`` may ask for a freeze,
and only the platform asked may answer it.

States (both sides keep the same row)::

    requested ──► held | partial | refused ──► lift_requested ──► released
                         └───────────────────────────────────────────┘ (release without lift)
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TypeVar

import msgspec

from fraudlink.exchange import outbox
from fraudlink.exchange.envelope import Header
from fraudlink.exchange.mailroom import ContentError
from fraudlink.exchange.node import Node, NodeError
from fraudlink.freeze import messages as m
from fraudlink.model.money import format_money
from fraudlink.store import DuplicateError, FreezeRecord, MessageRecord

_T = TypeVar("_T")
ANSWERABLE = ("requested",)
RELEASABLE = ("held", "partial", "lift_requested")


def _at(node: Node) -> str:
    return node.clock().astimezone(UTC).isoformat()


def request(
    node: Node,
    platform: str,
    account: str,
    amount_minor: int,
    currency: str,
    legal_basis: str,
    deadline: datetime,
    case_id: str | None = None,
) -> tuple[FreezeRecord, MessageRecord]:
    """Police: ask ``platform`` to hold up to ``amount_minor`` on ``account``."""
    if node.info.role != "police":
        raise NodeError("only a police node may request a freeze")
    if amount_minor <= 0:
        raise NodeError("the amount to freeze must be positive")
    if deadline.tzinfo is None or deadline <= node.clock():
        raise NodeError(f"deadline {deadline.isoformat()} must be a future time with a zone")
    if not legal_basis.strip():
        raise NodeError("a freeze needs its legal basis (the decision or article it rests on)")
    body = m.FreezeRequest(freeze_id=f"frz-{uuid.uuid4().hex[:16]}", account=account,
                           amount_minor=amount_minor, currency=currency,
                           legal_basis=legal_basis, deadline=deadline.isoformat(),
                           case_id=case_id)  # fmt: skip
    now = node.clock()
    record = FreezeRecord(id=body.freeze_id, account=account, platform_org=platform,
                          police_org=node.info.org, amount_minor=amount_minor,
                          currency=currency, legal_basis=legal_basis, deadline=deadline,
                          state="requested", created_at=now, updated_at=now,
                          case_id=case_id)  # fmt: skip
    message = outbox.post(node, platform, m.REQUEST, msgspec.msgpack.encode(body),
                          ref=body.freeze_id)  # fmt: skip
    with node.store() as store:
        store.put_freeze(record)
        store.append_audit(node.info.org, "freeze.request", body.freeze_id,
                           {"to": platform, "account": account, "amount_minor": amount_minor,
                            "currency": currency, "message_id": message.id})  # fmt: skip
    return record, message


def confirm(
    node: Node, freeze_id: str, held_minor: int, reason: str = ""
) -> tuple[FreezeRecord, MessageRecord]:
    """Platform: answer a request with the amount actually held (0 means refused)."""
    freeze = _mine(node, freeze_id, ANSWERABLE)
    if not 0 <= held_minor <= freeze.amount_minor:
        raise NodeError(f"held amount must be between 0 and the requested "
                        f"{format_money(freeze.amount_minor, freeze.currency)}")  # fmt: skip
    outcome = ("refused" if held_minor == 0 else
               "held" if held_minor == freeze.amount_minor else "partial")  # fmt: skip
    if outcome != "held" and not reason.strip():
        raise NodeError(f"say why only {format_money(held_minor, freeze.currency)} was held "
                        f"(--reason)")  # fmt: skip
    body = m.FreezeConfirmation(freeze_id=freeze_id, outcome=outcome, held_minor=held_minor,
                                currency=freeze.currency, reason=reason, at=_at(node))  # fmt: skip
    return _answer(node, freeze, m.CONFIRMATION, body, outcome, held_minor, reason)


def lift(node: Node, freeze_id: str, reason: str) -> tuple[FreezeRecord, MessageRecord]:
    """Police: tell the platform the hold may end."""
    freeze = _mine(node, freeze_id, ("held", "partial"))
    body = m.FreezeLift(freeze_id=freeze_id, reason=reason)
    message = outbox.post(node, freeze.platform_org, m.LIFT, msgspec.msgpack.encode(body),
                          ref=freeze_id)  # fmt: skip
    with node.store() as store:
        done = store.update_freeze(freeze_id, state="lift_requested", note=reason)
        store.append_audit(node.info.org, "freeze.lift", freeze_id,
                           {"message_id": message.id, "reason": reason})  # fmt: skip
    return done, message


def release(node: Node, freeze_id: str, reason: str) -> tuple[FreezeRecord, MessageRecord]:
    """Platform: end the hold and tell the police how much was released."""
    freeze = _mine(node, freeze_id, RELEASABLE)
    held = freeze.held_minor or 0
    body = m.FreezeRelease(freeze_id=freeze_id, released_minor=held, currency=freeze.currency,
                           reason=reason, at=_at(node))  # fmt: skip
    return _answer(node, freeze, m.RELEASE, body, "released", held, reason)


def _answer(
    node: Node,
    freeze: FreezeRecord,
    kind: str,
    body: msgspec.Struct,
    state: str,
    held: int,
    reason: str,
) -> tuple[FreezeRecord, MessageRecord]:
    message = outbox.post(node, freeze.police_org, kind, msgspec.msgpack.encode(body),
                          ref=freeze.id)  # fmt: skip
    with node.store() as store:
        done = store.update_freeze(freeze.id, state=state, held_minor=held, note=reason or None)
        store.append_audit(node.info.org, f"freeze.{state}", freeze.id,
                           {"held_minor": held, "currency": freeze.currency,
                            "message_id": message.id, "reason": reason})  # fmt: skip
    return done, message


def _mine(node: Node, freeze_id: str, states: tuple[str, ...]) -> FreezeRecord:
    with node.store() as store:
        freeze = store.get_freeze(freeze_id)
    if freeze is None:
        raise NodeError(f"no freeze {freeze_id}: `fraudlink freeze list` shows them")
    if freeze.state not in states:
        raise NodeError(f"freeze {freeze_id} is {freeze.state}; this needs it "
                        f"{' or '.join(states)}")  # fmt: skip
    return freeze


# -- handlers: the other side's messages ----------------------------------------------


def _decode(body: bytes, kind: type[_T]) -> _T:
    try:
        return msgspec.msgpack.decode(body, type=kind)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ContentError(f"not a {kind.__name__}: {exc}") from exc


def take_request(node: Node, header: Header, body: bytes) -> str:
    req = _decode(body, m.FreezeRequest)
    sender = node.directory().current(header.sender)
    if sender is None or sender.role != "police":
        raise ContentError(f"{header.sender} is not a police organisation in the directory")
    if node.info.role != "platform":
        raise ContentError("this node holds no accounts to freeze")
    if req.amount_minor <= 0 or not req.account or not req.legal_basis.strip():
        raise ContentError("a freeze request needs an account, a positive amount and its basis")
    try:
        deadline = datetime.fromisoformat(req.deadline)
    except ValueError as exc:
        raise ContentError(f"deadline {req.deadline!r} is not an ISO 8601 time") from exc
    if deadline.tzinfo is None:
        raise ContentError(f"deadline {req.deadline!r} has no time zone")
    now = node.clock()
    record = FreezeRecord(id=req.freeze_id, account=req.account, platform_org=node.info.org,
                          police_org=header.sender, amount_minor=req.amount_minor,
                          currency=req.currency, legal_basis=req.legal_basis, deadline=deadline,
                          state="requested", created_at=now, updated_at=now,
                          case_id=req.case_id)  # fmt: skip
    with node.store() as store:
        try:
            store.put_freeze(record)
        except DuplicateError as exc:
            raise ContentError(f"freeze {req.freeze_id} was already requested") from exc
    return req.freeze_id


def _theirs(node: Node, header: Header, freeze_id: str, field: str) -> FreezeRecord:
    with node.store() as store:
        freeze = store.get_freeze(freeze_id)
    if freeze is None or getattr(freeze, field) != header.sender:
        raise ContentError(f"{header.sender} has no freeze {freeze_id} with this node")
    return freeze


def take_confirmation(node: Node, header: Header, body: bytes) -> str:
    answer = _decode(body, m.FreezeConfirmation)
    freeze = _theirs(node, header, answer.freeze_id, "platform_org")
    if answer.outcome not in m.OUTCOMES or not 0 <= answer.held_minor <= freeze.amount_minor:
        raise ContentError(f"confirmation {answer.outcome} of {answer.held_minor} does not fit "
                           f"the request for {freeze.amount_minor}")  # fmt: skip
    if answer.currency != freeze.currency:
        raise ContentError(f"confirmed in {answer.currency}, requested in {freeze.currency}")
    with node.store() as store:
        store.update_freeze(freeze.id, state=answer.outcome, held_minor=answer.held_minor,
                            note=answer.reason or None)  # fmt: skip
    return freeze.id


def take_lift(node: Node, header: Header, body: bytes) -> str:
    order = _decode(body, m.FreezeLift)
    freeze = _theirs(node, header, order.freeze_id, "police_org")
    with node.store() as store:
        store.update_freeze(freeze.id, state="lift_requested", note=order.reason)
    return freeze.id


def take_release(node: Node, header: Header, body: bytes) -> str:
    notice = _decode(body, m.FreezeRelease)
    freeze = _theirs(node, header, notice.freeze_id, "platform_org")
    with node.store() as store:
        store.update_freeze(freeze.id, state="released", held_minor=notice.released_minor,
                            note=notice.reason)  # fmt: skip
    return freeze.id
