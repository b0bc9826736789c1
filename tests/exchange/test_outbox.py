"""The outbox: sealed and stored before sending, retried with backoff, never duplicated."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from fraudlink.cases.referral import KIND
from fraudlink.dispatch import HANDLERS
from fraudlink.exchange import outbox, routes
from fraudlink.exchange.keys import NodeKeys
from fraudlink.exchange.mailroom import receive
from fraudlink.exchange.node import Node
from fraudlink.exchange.receipts import issue_receipt
from fraudlink.exchange.transport import TransportError
from tests.exchange.conftest import PASS, Clock, hand_to
from tests.exchange.test_mailroom import case_body


def down(route: routes.Route, message_id: str, envelope: bytes) -> bytes | None:
    raise TransportError("connection refused")


def test_a_message_is_stored_sealed_before_any_attempt(nodes: tuple[Node, Node]) -> None:
    platform, _ = nodes
    sent = outbox.post(platform, "hz-cyber", KIND, case_body(), ref="case-1")
    with platform.store() as store:
        kept = store.get_message(sent.id, with_body=True)
    assert kept is not None and kept.state == "queued" and kept.body == sent.body
    assert kept.destination == "http://police.invalid" and kept.seq == 1


def test_retries_back_off_then_deliver(nodes: tuple[Node, Node], clock: Clock) -> None:
    platform, police = nodes
    sent = outbox.post(platform, "hz-cyber", KIND, case_body(), ref="case-1")
    (first,) = outbox.pump(platform, down)
    assert first.state == "retrying" and first.error == "connection refused"
    assert first.message.next_attempt_at is not None
    wait = first.message.next_attempt_at - clock.now
    assert outbox.FIRST_RETRY <= wait <= outbox.FIRST_RETRY * 1.25
    assert outbox.pump(platform, hand_to(police)) == []  # not due yet
    clock.advance(seconds=wait.total_seconds())
    (second,) = outbox.pump(platform, down)
    assert second.message.attempts == 2
    assert second.message.next_attempt_at - clock.now > wait  # type: ignore[operator]
    clock.advance(hours=1)
    (third,) = outbox.pump(platform, hand_to(police))
    assert third.state == "delivered" and third.receipt is not None
    assert third.message.attempts == 3 and third.message.id == sent.id


def test_a_lost_receipt_leads_to_a_resend_that_is_not_imported_twice(
    nodes: tuple[Node, Node], clock: Clock
) -> None:
    platform, police = nodes
    outbox.post(platform, "hz-cyber", KIND, case_body(), ref="case-1")

    def delivered_but_answer_lost(route: routes.Route, mid: str, envelope: bytes) -> None:
        receive(police, envelope, HANDLERS)
        raise TransportError("connection reset while reading the answer")

    (lost,) = outbox.pump(platform, delivered_but_answer_lost)
    assert lost.state == "retrying"
    clock.advance(hours=1)
    (done,) = outbox.pump(platform, hand_to(police))
    assert done.state == "delivered"
    with police.store() as store:
        assert len(store.list_messages(direction="in")) == 1
        assert [e.action for e in store.audit_entries()].count("message.received") == 1


def test_the_outbox_survives_a_restart(nodes: tuple[Node, Node], clock: Clock) -> None:
    platform, police = nodes
    sent = outbox.post(platform, "hz-cyber", KIND, case_body(), ref="case-1")
    outbox.pump(platform, down)
    clock.advance(hours=1)
    again = Node.load(platform.home, PASS, clock)  # a new process: only the disk is left
    (done,) = outbox.pump(again, hand_to(police))
    assert done.message.id == sent.id and done.state == "delivered"


def test_one_peer_is_delivered_in_sequence_order(nodes: tuple[Node, Node], clock: Clock) -> None:
    platform, police = nodes
    first = outbox.post(platform, "hz-cyber", KIND, case_body(case_id="c-1"), ref="c-1")
    second = outbox.post(platform, "hz-cyber", KIND, case_body(case_id="c-2"), ref="c-2")
    assert (first.seq, second.seq) == (1, 2)
    attempts = outbox.pump(platform, down)
    assert [a.message.id for a in attempts] == [first.id]  # the second waits its turn
    clock.advance(hours=1)
    done = outbox.pump(platform, hand_to(police))
    assert [(a.message.id, a.state) for a in done] == [(first.id, "delivered"),
                                                       (second.id, "delivered")]  # fmt: skip


def test_a_message_that_expires_undelivered_stops(nodes: tuple[Node, Node], clock: Clock) -> None:
    platform, police = nodes
    outbox.post(platform, "hz-cyber", KIND, case_body(), ref="case-1",
                lifetime=timedelta(hours=1))  # fmt: skip
    clock.advance(hours=2)
    (gone,) = outbox.pump(platform, hand_to(police))
    assert gone.state == "expired"
    assert outbox.pump(platform, hand_to(police)) == []
    with police.store() as store:
        assert store.list_messages(direction="in") == []


def test_a_receipt_signed_by_a_stranger_is_not_taken(
    nodes: tuple[Node, Node],
) -> None:
    platform, police = nodes
    outbox.post(platform, "hz-cyber", KIND, case_body(), ref="case-1")
    stranger = NodeKeys.generate("hz-cyber")  # same name, keys nobody trusted

    def forged(route: routes.Route, mid: str, envelope: bytes) -> bytes:
        digest = hashlib.sha256(envelope).hexdigest()
        receipt = issue_receipt(stranger, mid, digest, "accepted", police.clock())
        return msgspec.json.encode(receipt)

    (attempt,) = outbox.pump(platform, forged)
    assert attempt.state == "retrying" and "receipt rejected" in (attempt.error or "")
    with platform.store() as store:
        assert "receipt.rejected" in [e.action for e in store.audit_entries()]


@given(st.integers(min_value=1, max_value=60), st.text(min_size=1, max_size=40))
def test_backoff_grows_and_stays_bounded(attempts: int, message_id: str) -> None:
    wait = outbox.backoff(attempts, message_id)
    assert outbox.FIRST_RETRY <= wait <= outbox.LONGEST_WAIT * 1.25
    assert outbox.backoff(attempts + 1, message_id) >= wait
