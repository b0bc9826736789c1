"""Freeze requests, confirmations, lifts and releases between two real nodes."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest

from fraudlink.dispatch import HANDLERS
from fraudlink.exchange import outbox
from fraudlink.exchange.mailroom import receive
from fraudlink.exchange.node import Node, NodeError
from fraudlink.freeze import messages, service
from tests.exchange.conftest import Clock, hand_to


@pytest.fixture
def requested(nodes: tuple[Node, Node], clock: Clock) -> str:
    platform, police = nodes
    freeze, _ = service.request(police, "hx-mall", "acct-9", 4_800_000, "CNY",
                                "decision 2026-118", clock.now + timedelta(days=30),
                                case_id="case-1")  # fmt: skip
    (sent,) = outbox.pump(police, hand_to(platform))
    assert sent.state == "delivered"
    return freeze.id


def test_request_confirm_lift_release(nodes: tuple[Node, Node], requested: str) -> None:
    platform, police = nodes
    with platform.store() as store:
        theirs = store.get_freeze(requested)
    assert theirs is not None and theirs.state == "requested"
    assert (theirs.police_org, theirs.amount_minor, theirs.case_id) == ("hz-cyber", 4_800_000,
                                                                        "case-1")  # fmt: skip
    service.confirm(platform, requested, 3_554_252, "balance below the amount asked")
    (answer,) = outbox.pump(platform, hand_to(police))
    assert answer.state == "delivered"
    with police.store() as store:
        mine = store.get_freeze(requested)
    assert mine is not None and (mine.state, mine.held_minor) == ("partial", 3_554_252)

    service.lift(police, requested, "case closed")
    outbox.pump(police, hand_to(platform))
    service.release(platform, requested, "lifted by hz-cyber")
    outbox.pump(platform, hand_to(police))
    for node in (platform, police):
        with node.store() as store:
            done = store.get_freeze(requested)
            assert done is not None and done.state == "released"
            assert store.verify_audit().ok


def test_a_platform_cannot_ask_for_a_freeze(nodes: tuple[Node, Node], clock: Clock) -> None:
    platform, police = nodes
    with pytest.raises(NodeError, match="only a police node"):
        service.request(platform, "hz-cyber", "a", 100, "CNY", "x", clock.now + timedelta(days=1))
    # Nor by forging the message by hand: the receiving side checks the sender's role.
    body = messages.FreezeRequest(freeze_id="frz-1", account="a", amount_minor=100,
                                  currency="CNY", legal_basis="x",
                                  deadline=(clock.now + timedelta(days=1)).isoformat())  # fmt: skip
    sent = outbox.post(platform, "hz-cyber", messages.REQUEST, msgspec.msgpack.encode(body),
                       ref="frz-1")  # fmt: skip
    got = receive(police, sent.body, HANDLERS)
    assert not got.accepted and got.reason == "bad_content"


def test_confirmation_amounts_are_checked(nodes: tuple[Node, Node], requested: str) -> None:
    platform, _ = nodes
    with pytest.raises(NodeError, match="between 0 and"):
        service.confirm(platform, requested, 4_800_001)
    with pytest.raises(NodeError, match="say why"):
        service.confirm(platform, requested, 100)
    done, _ = service.confirm(platform, requested, 0, "account already emptied")
    assert done.state == "refused"
    with pytest.raises(NodeError, match="is refused"):
        service.confirm(platform, requested, 4_800_000)


def test_an_answer_about_someone_elses_freeze_is_refused(
    nodes: tuple[Node, Node], clock: Clock
) -> None:
    platform, police = nodes
    body = messages.FreezeConfirmation(
        freeze_id="frz-unknown",
        outcome="held",
        held_minor=1,
        currency="CNY",
        reason="",
        at=clock.now.isoformat(),
    )
    sent = outbox.post(platform, "hz-cyber", messages.CONFIRMATION, msgspec.msgpack.encode(body),
                       ref="frz-unknown")  # fmt: skip
    got = receive(police, sent.body, HANDLERS)
    assert not got.accepted and got.reason == "bad_content"


def test_request_arguments_are_checked(nodes: tuple[Node, Node], clock: Clock) -> None:
    _, police = nodes
    future = clock.now + timedelta(days=1)
    with pytest.raises(NodeError, match="positive"):
        service.request(police, "hx-mall", "a", 0, "CNY", "basis", future)
    with pytest.raises(NodeError, match="future"):
        service.request(police, "hx-mall", "a", 1, "CNY", "basis", clock.now)
    with pytest.raises(NodeError, match="legal basis"):
        service.request(police, "hx-mall", "a", 1, "CNY", "  ", future)
