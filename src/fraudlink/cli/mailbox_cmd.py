"""``fraudlink inbox`` and ``fraudlink outbox``: messages with their state and receipts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import msgspec
import typer
from rich.markup import escape
from rich.table import Table

from fraudlink.cli import delivery_view
from fraudlink.cli.app import app, console, fail
from fraudlink.cli.node_cmd import HomeOpt, PlainOpt, load_node
from fraudlink.dispatch import HANDLERS
from fraudlink.exchange import drop, outbox
from fraudlink.exchange.node import NodeError
from fraudlink.exchange.receipts import Receipt
from fraudlink.store import MessageRecord

inbox_app = typer.Typer(help="Messages received, or take in a drop folder.")
outbox_app = typer.Typer(help="Messages sent: their delivery state, sending, receipts.")
app.add_typer(inbox_app, name="inbox")
app.add_typer(outbox_app, name="outbox")


# On the group itself --home is optional, so `inbox take … --home` works after it.
ListHomeOpt = Annotated[
    Path | None, typer.Option("--home", envvar="FRAUDLINK_HOME", help="The node's home folder.")
]


def _home(home: Path | None) -> Path:
    if home is None:
        raise fail("missing --home", "give the node's home folder (or set FRAUDLINK_HOME)")
    return home


def _receipt_status(message: MessageRecord) -> str:
    if message.receipt is None:
        return "—"
    body = msgspec.json.decode(message.receipt, type=Receipt).body
    return f"{body.status} {body.received_at[:19]}"


def _table(messages: list[MessageRecord], direction: str) -> Table:
    peer = "from" if direction == "in" else "to"
    table = Table("message", peer, "kind", "about", "state", "tries", "receipt", "note",
                  title=f"{'Inbox' if direction == 'in' else 'Outbox'}: {len(messages)}",
                  title_justify="left")  # fmt: skip
    for m in messages:
        note = m.last_error or ""
        if m.state == "retrying" and m.next_attempt_at is not None:
            note = f"next {m.next_attempt_at:%H:%M:%S}: {note}"
        table.add_row(m.id, m.peer_org, m.kind, m.ref or "", m.state, str(m.attempts),
                      _receipt_status(m), escape(note[:80]))  # fmt: skip
    return table


@inbox_app.callback(invoke_without_command=True)
def inbox_command(ctx: typer.Context, home: ListHomeOpt = None, plain: PlainOpt = False) -> None:
    """List received messages (each was verified before it was taken in)."""
    if ctx.invoked_subcommand is not None:
        return
    node = load_node(_home(home), plain)
    with node.store() as store:
        console.print(_table(store.list_messages(direction="in"), "in"))


@inbox_app.command("take")
def take_command(
    folder: Annotated[Path, typer.Argument(help="A drop folder of sealed .fle files.")],
    receipts: Annotated[Path, typer.Option(help="Where to write the signed receipts.")],
    home: HomeOpt,
    plain: PlainOpt = False,
) -> None:
    """Take in every sealed message of a drop folder; write a receipt for each."""
    node = load_node(home, plain)
    try:
        done = drop.take_folder(node, folder, receipts, HANDLERS)
    except NodeError as exc:
        raise fail(escape(str(exc))) from exc
    for path, got in done:
        state = "duplicate" if got.duplicate else "accepted" if got.accepted else "refused"
        detail = f" ({got.reason})" if got.reason else f" → {got.ref}" if got.ref else ""
        console.print(f"{escape(path.name)}: {state}{escape(detail)}")
    console.print(f"{len(done)} receipts written to {escape(str(receipts))}")


@outbox_app.callback(invoke_without_command=True)
def outbox_command(ctx: typer.Context, home: ListHomeOpt = None, plain: PlainOpt = False) -> None:
    """List sent messages with their delivery state and receipt."""
    if ctx.invoked_subcommand is not None:
        return
    node = load_node(_home(home), plain)
    with node.store() as store:
        console.print(_table(store.list_messages(direction="out"), "out"))


@outbox_app.command("send")
def send_command(home: HomeOpt, plain: PlainOpt = False) -> None:
    """Try every message that is due once (a running `fraudlink serve` does this itself)."""
    node = load_node(home, plain)
    attempts = outbox.pump(node)
    for attempt in attempts:
        delivery_view.show(attempt)
    if not attempts:
        console.print("nothing due")


@outbox_app.command("collect")
def collect_command(
    folder: Annotated[Path, typer.Argument(help="A folder of receipts carried back.")],
    home: HomeOpt,
    plain: PlainOpt = False,
) -> None:
    """Check and record the receipts a drop-folder partner wrote."""
    node = load_node(home, plain)
    try:
        found = drop.collect_receipts(node, folder)
    except NodeError as exc:
        raise fail(escape(str(exc))) from exc
    bad = 0
    for item in found:
        if item.receipt is None:
            bad += 1
            console.print(
                f"[red]{escape(item.path.name)}: rejected[/] ({escape(item.error or '')})"
            )
        else:
            console.print(
                f"{escape(item.path.name)}: {item.receipt.body.status}, signature verified"
            )
    if bad:
        raise typer.Exit(1)
