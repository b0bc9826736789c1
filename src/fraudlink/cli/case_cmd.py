"""``fraudlink case open|list|show`` and ``fraudlink refer``: from alert to referral."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from fraudlink.cases import package, referral
from fraudlink.cli import delivery_view
from fraudlink.cli.app import app, console, fail
from fraudlink.cli.node_cmd import HomeOpt, PlainOpt, load_node
from fraudlink.exchange.node import NodeError
from fraudlink.exchange.routes import RouteError
from fraudlink.store import StoreError

case_app = typer.Typer(help="Cases: the evidence of alerts, ready to refer.", no_args_is_help=True)
app.add_typer(case_app, name="case")
EVENTS_HELP = (
    "The platform's events.parquet, or a folder holding it with accounts.parquet and "
    "parties.parquet."
)


@case_app.command("open")
def open_command(
    alert_ids: Annotated[list[str], typer.Argument(help="One or more alert ids.")],
    events: Annotated[
        Path,
        typer.Option(help=EVENTS_HELP),
    ],
    home: HomeOpt,
    hops: Annotated[int, typer.Option(help="Counterparties this many transfers away.")] = 2,
    plain: PlainOpt = False,
) -> None:
    """Gather the evidence of alerts: accounts, every transfer, refunds, logins, links."""
    node = load_node(home, plain)
    try:
        draft = referral.open_case(node, alert_ids, events, hops=hops)
        _, tables = referral.read_draft(node, draft.case_id)
    except (referral.CaseError, StoreError) as exc:
        raise fail(escape(str(exc))) from exc
    console.print(f"case [bold]{draft.case_id}[/]: {escape(draft.title)}")
    for name, rows in sorted(tables.items()):
        console.print(f"  {name:<13}{len(rows):>8,} {'row' if len(rows) == 1 else 'rows'}")
    console.print(f"refer it: fraudlink refer {draft.case_id} --to ORG")


@case_app.command("list")
def list_command(home: HomeOpt, plain: PlainOpt = False) -> None:
    """The cases of this node, newest first."""
    node = load_node(home, plain)
    with node.store() as store:
        found = store.list_cases()
    table = Table("case", "status", "opened (UTC)", "alerts", "title")
    for c in found:
        table.add_row(c.id, c.status, f"{c.created_at:%Y-%m-%d %H:%M}", str(len(c.alert_ids)),
                      c.title)  # fmt: skip
    console.print(table)


@case_app.command("show")
def show_command(case_id: str, home: HomeOpt, plain: PlainOpt = False) -> None:
    """A case's manifest: who sent it to whom, its reasons and every table's SHA-256."""
    node = load_node(home, plain)
    try:
        manifest = package.verify(referral.find_package(node, case_id))
    except (NodeError, package.PackageError) as exc:
        raise fail(escape(str(exc))) from exc
    console.print(f"[bold]{manifest.case_id}[/] {escape(manifest.title)}")
    console.print(f"  {escape(manifest.sender)} → {escape(manifest.recipient)}, "
                  f"created {manifest.created}, expires {manifest.expires}")  # fmt: skip
    forward = "may" if manifest.handling.may_forward else "may not"
    console.print(f"  handling TLP:{manifest.handling.tlp.upper()}, {forward} be passed on")
    for reason in manifest.reasons:
        console.print(f"  • {escape(reason)}")
    table = Table("table", "rows", "sha256")
    for name, entry in sorted(manifest.tables.items()):
        table.add_row(name, f"{entry.rows:,}", entry.sha256)
    console.print(table)
    console.print("[green]every table matches its SHA-256[/]")


@app.command("refer")
def refer_command(
    case_id: Annotated[str, typer.Argument(help="The case (from `fraudlink case open`).")],
    to: Annotated[str, typer.Option("--to", help="The police organisation to refer it to.")],
    home: HomeOpt,
    tlp: Annotated[str, typer.Option(help="Who may see it: red, amber+strict, amber, green.")] = (
        "amber+strict"
    ),
    may_forward: Annotated[
        bool, typer.Option(help="Whether the recipient may pass it on to other units.")
    ] = False,
    queue_only: Annotated[
        bool, typer.Option("--queue-only", help="Only queue it; the outbox sends it later.")
    ] = False,
    plain: PlainOpt = False,
) -> None:
    """Seal the case to a trusted police unit and send it; print the signed receipt."""
    node = load_node(home, plain)
    if tlp not in ("red", "amber+strict", "amber", "green", "clear"):
        raise fail(f"--tlp {escape(tlp)}: expected red, amber+strict, amber, green or clear")
    handling = package.Handling(tlp=tlp, may_forward=may_forward)  # type: ignore[arg-type]
    try:
        message = referral.refer(node, case_id, to, handling=handling)
    except (referral.CaseError, NodeError, RouteError) as exc:
        raise fail(escape(str(exc))) from exc
    console.print(f"case {case_id} sealed for {escape(to)} as {message.id} "
                  f"({len(message.body or b''):,} bytes)")  # fmt: skip
    if not queue_only:
        delivery_view.deliver_now(node, message.id)
