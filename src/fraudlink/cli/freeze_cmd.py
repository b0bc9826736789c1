"""``fraudlink freeze request|confirm|lift|release|list``: holds on accounts, with proof."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from fraudlink.cli import delivery_view
from fraudlink.cli.app import app, console, fail
from fraudlink.cli.node_cmd import HomeOpt, PlainOpt, load_node
from fraudlink.exchange.node import Node, NodeError
from fraudlink.exchange.routes import RouteError
from fraudlink.freeze import case_scope, holdings, service
from fraudlink.model.money import format_money, to_minor
from fraudlink.store import FreezeRecord, MessageRecord

freeze_app = typer.Typer(help="Freeze requests (police) and their confirmations (platform).",
                         no_args_is_help=True)  # fmt: skip
app.add_typer(freeze_app, name="freeze")

QueueOpt = Annotated[
    bool, typer.Option("--queue-only", help="Only queue the message; the outbox sends it later.")
]


def _sent(node: Node, freeze: FreezeRecord, message: MessageRecord, queue_only: bool) -> None:
    held = (
        ""
        if freeze.held_minor is None
        else f", held {format_money(freeze.held_minor, freeze.currency)}"
    )
    console.print(f"freeze [bold]{freeze.id}[/] {freeze.state}{held}: account "
                  f"{escape(freeze.account)} at {escape(freeze.platform_org)}")  # fmt: skip
    if not queue_only:
        delivery_view.deliver_now(node, message.id)


@freeze_app.command("request")
def request_command(
    to: Annotated[str, typer.Option("--to", help="The platform or wallet holding the account.")],
    account: Annotated[str, typer.Option(help="The account to freeze.")],
    amount: Annotated[str, typer.Option(help="Up to this amount, e.g. 48,000.00.")],
    basis: Annotated[str, typer.Option(help="The legal basis: decision number, article.")],
    deadline: Annotated[str, typer.Option(help="Hold until, ISO 8601 with zone.")],
    home: HomeOpt,
    currency: Annotated[str, typer.Option(help="ISO 4217 currency.")] = "CNY",
    case: Annotated[str | None, typer.Option(help="The case it belongs to.")] = None,
    queue_only: QueueOpt = False,
    plain: PlainOpt = False,
) -> None:
    """Police: ask a platform to hold money on an account; its signed answer comes back."""
    node = load_node(home, plain)
    try:
        minor = to_minor(amount, currency)
        until = datetime.fromisoformat(deadline)
    except ValueError as exc:
        raise fail(escape(str(exc)), "--amount like 48,000.00; --deadline like "
                   "2026-11-30T18:00+08:00") from exc  # fmt: skip
    try:
        if case is not None:
            case_scope.check_freeze(node, case, account, to)
        freeze, message = service.request(node, to, account, minor, currency, basis, until, case)
    except (NodeError, RouteError) as exc:
        raise fail(escape(str(exc))) from exc
    _sent(node, freeze, message, queue_only)


@freeze_app.command("confirm")
def confirm_command(
    freeze_id: str,
    home: HomeOpt,
    held: Annotated[str | None, typer.Option(help="The amount actually held.")] = None,
    events: Annotated[
        Path | None,
        typer.Option(help="Hold what the account's balance in these events allows."),
    ] = None,
    reason: Annotated[str, typer.Option(help="Why less than asked was held.")] = "",
    queue_only: QueueOpt = False,
    plain: PlainOpt = False,
) -> None:
    """Platform: confirm the hold with the amount actually held (or why none)."""
    node = load_node(home, plain)
    with node.store() as store:
        freeze = store.get_freeze(freeze_id)
    if freeze is None:
        raise fail(f"no freeze {escape(freeze_id)}", "`fraudlink freeze list` shows them")
    if (held is None) == (events is None):
        raise fail("give --held AMOUNT or --events FILE (to hold what the balance allows)")
    if held is not None:
        try:
            minor = to_minor(held, freeze.currency)
        except ValueError as exc:
            raise fail(escape(str(exc))) from exc
    else:
        assert events is not None
        available = holdings.balance(events, freeze.account, freeze.currency)
        minor = min(available, freeze.amount_minor)
        if minor < freeze.amount_minor and not reason:
            reason = (f"balance {format_money(available, freeze.currency)} is below the "
                      f"{format_money(freeze.amount_minor, freeze.currency)} asked")  # fmt: skip
    try:
        done, message = service.confirm(node, freeze_id, minor, reason)
    except (NodeError, RouteError) as exc:
        raise fail(escape(str(exc))) from exc
    _sent(node, done, message, queue_only)


@freeze_app.command("lift")
def lift_command(
    freeze_id: str,
    reason: Annotated[str, typer.Option(help="Why the hold may end.")],
    home: HomeOpt,
    queue_only: QueueOpt = False,
    plain: PlainOpt = False,
) -> None:
    """Police: tell the platform the hold may end."""
    node = load_node(home, plain)
    try:
        done, message = service.lift(node, freeze_id, reason)
    except (NodeError, RouteError) as exc:
        raise fail(escape(str(exc))) from exc
    _sent(node, done, message, queue_only)


@freeze_app.command("release")
def release_command(
    freeze_id: str,
    reason: Annotated[str, typer.Option(help="Why the hold ends.")],
    home: HomeOpt,
    queue_only: QueueOpt = False,
    plain: PlainOpt = False,
) -> None:
    """Platform: end a hold and tell the police how much was released."""
    node = load_node(home, plain)
    try:
        done, message = service.release(node, freeze_id, reason)
    except (NodeError, RouteError) as exc:
        raise fail(escape(str(exc))) from exc
    _sent(node, done, message, queue_only)


@freeze_app.command("list")
def list_command(
    home: HomeOpt,
    account: Annotated[str | None, typer.Option(help="Only this account.")] = None,
    plain: PlainOpt = False,
) -> None:
    """Freezes this node asked for or was asked for, newest first."""
    node = load_node(home, plain)
    with node.store() as store:
        found = store.list_freezes(account=account)
    table = Table("freeze", "account", "platform", "police", "asked", "held", "state",
                  "deadline", "note")  # fmt: skip
    for f in found:
        held = "—" if f.held_minor is None else format_money(f.held_minor, f.currency)
        table.add_row(f.id, f.account, f.platform_org, f.police_org,
                      format_money(f.amount_minor, f.currency), held, f.state,
                      f"{f.deadline:%Y-%m-%d %H:%M}", escape(f.note or ""))  # fmt: skip
    console.print(table)
