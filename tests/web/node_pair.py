"""A wallet and a police unit that trust each other, as most console tests start."""

from __future__ import annotations

from pathlib import Path

from fraudlink.exchange import routes
from fraudlink.exchange.node import Node

UNUSED = "http://unused.invalid"


def trusting_pair(
    root: Path,
    *,
    passphrase: bytes | None = None,
    platform_reaches: str = UNUSED,
    police_reaches: str = "http://127.0.0.1:9",
) -> tuple[Node, Node]:
    """The wallet ``qb-pay`` and the police unit ``hz-cyber``, each trusting the other's
    keys and holding a route to it (the wallet's to the police at ``platform_reaches``)."""
    platform = Node.init(root / "platform", "qb-pay", "platform", passphrase)
    police = Node.init(root / "police", "hz-cyber", "police", passphrase)
    platform.trust(police.info.card)
    police.trust(platform.info.card)
    routes.save(platform.home, {"hz-cyber": routes.Route(url=platform_reaches)})
    routes.save(police.home, {"qb-pay": routes.Route(url=police_reaches)})
    return platform, police
