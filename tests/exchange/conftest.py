"""Two real nodes in temporary homes, trusting each other, for the exchange tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fraudlink.dispatch import HANDLERS
from fraudlink.exchange import routes
from fraudlink.exchange.mailroom import receive
from fraudlink.exchange.node import Node

PASS = b"a long node passphrase"
START = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand, so backoff and expiry need no sleeping."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def nodes(tmp_path: Path, clock: Clock) -> tuple[Node, Node]:
    platform = Node.init(tmp_path / "platform", "hx-mall", "platform", PASS, clock)
    police = Node.init(tmp_path / "police", "hz-cyber", "police", PASS, clock)
    platform.trust(police.info.card)
    police.trust(platform.info.card)
    routes.save(platform.home, {"hz-cyber": routes.Route(url="http://police.invalid")})
    routes.save(police.home, {"hx-mall": routes.Route(url="http://platform.invalid")})
    return platform, police


Deliver = Callable[[routes.Route, str, bytes], bytes | None]


def hand_to(node: Node) -> Deliver:
    """A transport that hands the bytes straight to ``node``'s mailroom (HTTP is tested
    separately with real servers): the receiving logic is the real one."""

    def deliver(route: routes.Route, message_id: str, envelope: bytes) -> bytes | None:
        return receive(node, envelope, HANDLERS).raw_receipt

    return deliver
