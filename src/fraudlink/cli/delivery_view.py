"""How the command line reports a delivery attempt and the receipt that came back."""

from __future__ import annotations

from rich.markup import escape

from fraudlink.cli.app import console
from fraudlink.exchange import outbox
from fraudlink.exchange.keys import fingerprint
from fraudlink.exchange.node import Node


def deliver_now(node: Node, message_id: str) -> None:
    """Try the outbox once and say what happened to ``message_id`` (others go too)."""
    for attempt in outbox.pump(node):
        if attempt.message.id == message_id:
            show(attempt)
            return
    console.print(f"{message_id}: queued behind earlier messages to the same partner; "
                  "`fraudlink outbox` shows them")  # fmt: skip


def show(attempt: outbox.Attempt) -> None:
    message, receipt = attempt.message, attempt.receipt
    peer = escape(message.peer_org)
    if receipt is not None:
        body = receipt.body
        colour = "green" if body.status == "accepted" else "red"
        console.print(f"{message.id} → {peer}: [{colour}]{body.status}[/]"
                      + (f" ({escape(body.reason)})" if body.reason else ""))  # fmt: skip
        console.print(f"  receipt signed by {escape(body.receiver)} key {body.receiver_kid} "
                      f"({fingerprint(body.receiver_kid)}), verified")  # fmt: skip
        console.print(f"  envelope sha256 {body.envelope_sha256}  received {body.received_at}")
    elif attempt.state == "awaiting_receipt":
        console.print(f"{message.id} → {peer}: written to {escape(message.destination or '')}; "
                      "`fraudlink outbox collect DIR` reads the receipt back")  # fmt: skip
    else:
        console.print(f"{message.id} → {peer}: [yellow]{attempt.state}[/]"
                      f" ({escape(attempt.error or '')})")  # fmt: skip
        if attempt.state == "retrying":
            when = f"{message.next_attempt_at:%Y-%m-%d %H:%M:%S}"
            console.print(f"  next try {when}; `fraudlink outbox send` or a running "
                          "`fraudlink serve` sends it")  # fmt: skip
