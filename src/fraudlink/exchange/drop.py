"""The drop-folder side of the exchange, for units with no network path between them.

The sender's outbox writes ``<message_id>.fle`` files into a folder (see transport);
someone carries it across. The receiver takes every envelope in, in each sender's
sequence order, and writes ``<message_id>.receipt.json`` into a receipts folder that
is carried back, where the sender's :func:`collect_receipts` checks and records them.
Taking a folder in twice is harmless: a message already taken in gets its first
receipt again.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from fraudlink.exchange.envelope import read_header
from fraudlink.exchange.errors import EnvelopeError, MalformedError
from fraudlink.exchange.mailroom import Handler, Received, accept_receipt, receive
from fraudlink.exchange.node import Node, NodeError
from fraudlink.exchange.receipts import Receipt


def _order(path: Path) -> tuple[str, int, str]:
    try:
        header = read_header(path.read_bytes())[0]
        return header.sender_kid, header.seq, path.name
    except (OSError, MalformedError):
        return "", 0, path.name  # refused on its turn, with a receipt that says why


def take_folder(
    node: Node, folder: Path, receipts_to: Path, handlers: Mapping[str, Handler]
) -> list[tuple[Path, Received]]:
    """Receive every ``*.fle`` in ``folder``; a receipt for each goes to ``receipts_to``."""
    if not folder.is_dir():
        raise NodeError(f"{folder} is not a folder")
    receipts_to.mkdir(parents=True, exist_ok=True)
    done = []
    for path in sorted(folder.glob("*.fle"), key=_order):
        outcome = receive(node, path.read_bytes(), handlers)
        name = f"{outcome.receipt.body.message_id}.receipt.json"
        tmp = receipts_to / f".{name}.partial"
        with tmp.open("wb") as out:
            out.write(outcome.raw_receipt)
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(receipts_to / name)
        done.append((path, outcome))
    return done


@dataclass(frozen=True)
class Collected:
    path: Path
    receipt: Receipt | None
    error: str | None


def collect_receipts(node: Node, folder: Path) -> list[Collected]:
    """Check and record every ``*.receipt.json`` in ``folder`` against what was sent."""
    if not folder.is_dir():
        raise NodeError(f"{folder} is not a folder")
    found = []
    for path in sorted(folder.glob("*.receipt.json")):
        try:
            found.append(Collected(path, accept_receipt(node, path.read_bytes()), None))
        except (EnvelopeError, NodeError, ValueError, OSError) as exc:
            with node.store() as store:
                store.append_audit(node.info.org, "receipt.rejected", path.name,
                                   {"detail": str(exc)})  # fmt: skip
            found.append(Collected(path, None, str(exc)))
    return found
