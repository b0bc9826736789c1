"""``fraudlink node init|export-key|trust|revoke|rotate|keys``: a node's identity and trust."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import msgspec
import typer
from rich.markup import escape
from rich.table import Table

from fraudlink.cli.app import app, console, err_console, fail
from fraudlink.exchange import routes
from fraudlink.exchange.directory import KeyCard
from fraudlink.exchange.keys import KeyFileError, fingerprint
from fraudlink.exchange.node import Node, NodeError

node_app = typer.Typer(help="A node's keys and the organisations it trusts.", no_args_is_help=True)
app.add_typer(node_app, name="node")

HomeOpt = Annotated[
    Path,
    typer.Option("--home", envvar="FRAUDLINK_HOME", help="The node's home folder."),
]
PASSPHRASE_ENV = "FRAUDLINK_PASSPHRASE"  # noqa: S105 - the name of a variable, not a secret
PlainOpt = Annotated[
    bool,
    typer.Option(
        "--no-passphrase",
        help="Keep private keys unencrypted (still readable only by their owner).",
    ),
]


def read_passphrase(plain: bool, confirm: bool = False) -> bytes | None:
    """From FRAUDLINK_PASSPHRASE, else asked for on the terminal, unless --no-passphrase."""
    if plain:
        return None
    text = os.environ.get(PASSPHRASE_ENV)
    if text is None:
        if not sys.stdin.isatty():
            raise fail(
                "the private keys need a passphrase",
                f"set {PASSPHRASE_ENV}, run in a terminal, or use --no-passphrase",
            )
        text = typer.prompt("Passphrase for the private keys", hide_input=True,
                            confirmation_prompt=confirm)  # fmt: skip
    if len(text) < 12:
        raise fail("the passphrase is too short", "use at least 12 characters")
    return text.encode()


def load_node(home: Path, plain: bool) -> Node:
    try:
        return Node.load(home, read_passphrase(plain))
    except (NodeError, KeyFileError) as exc:
        raise fail(escape(str(exc))) from exc


@node_app.command("init")
def init_command(
    org: Annotated[str, typer.Option(help="This organisation's short name, e.g. hx-mall.")],
    role: Annotated[str, typer.Option(help="platform or police.")],
    home: HomeOpt,
    plain: PlainOpt = False,
) -> None:
    """Create a node: its signing and encryption keys, its store and audit log."""
    try:
        node = Node.init(home, org, role, read_passphrase(plain, confirm=True))
    except NodeError as exc:
        raise fail(escape(str(exc))) from exc
    console.print(f"node [bold]{escape(org)}[/] ({role}) created in {escape(str(home))}")
    console.print(f"signing key fingerprint  {fingerprint(node.keys.sign_kid)}")
    console.print(
        "Give your key card (`fraudlink node export-key`) to the organisations you work with."
    )


@node_app.command("export-key")
def export_key_command(
    home: HomeOpt,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write here, not stdout.")] = None,
    plain: PlainOpt = False,
) -> None:
    """This node's public key card, to hand to a partner organisation."""
    node = load_node(home, plain)
    data = msgspec.json.format(msgspec.json.encode(node.info.card)) + b"\n"
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        out.write_bytes(data)
    err_console.print(f"fingerprint {fingerprint(node.keys.sign_kid)}: read it to the partner")


@node_app.command("trust")
def trust_command(
    card_file: Annotated[Path, typer.Argument(help="A partner's key card (export-key).")],
    home: HomeOpt,
    yes: Annotated[
        bool, typer.Option("--yes", help="Do not ask; the fingerprint was checked already.")
    ] = False,
    plain: PlainOpt = False,
) -> None:
    """Trust a partner's keys after comparing the fingerprint with them."""
    node = load_node(home, plain)
    try:
        card = msgspec.json.decode(card_file.read_bytes(), type=KeyCard)
    except (OSError, msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise fail(f"{escape(str(card_file))} is not a key card: {escape(str(exc))}") from exc
    console.print(
        f"{escape(card.org)} ({escape(card.role)}), fingerprint {fingerprint(card.sign_kid)}"
    )
    if not yes and not typer.confirm("Does this match the fingerprint the partner read to you?"):
        raise fail("not trusted")
    node.trust(card)
    console.print(f"trusted {escape(card.org)}")


@node_app.command("revoke")
def revoke_command(
    sign_kid: Annotated[str, typer.Argument(help="The signing key id to revoke.")],
    home: HomeOpt,
    plain: PlainOpt = False,
) -> None:
    """Stop trusting a key: its messages are refused from now on."""
    node = load_node(home, plain)
    try:
        card = node.revoke(sign_kid)
    except NodeError as exc:
        raise fail(escape(str(exc))) from exc
    console.print(f"revoked {escape(card.org)} key {sign_kid}")


@node_app.command("rotate")
def rotate_command(home: HomeOpt, plain: PlainOpt = False) -> None:
    """New keys for this node; send the new card to partners."""
    node = load_node(home, plain)
    card = node.rotate(read_passphrase(plain))
    console.print(f"new signing key fingerprint {fingerprint(card.sign_kid)}")
    console.print("Old keys are kept in keys/retired/. Send the new card to your partners.")


@node_app.command("keys")
def keys_command(home: HomeOpt, plain: PlainOpt = False) -> None:
    """This node's key ids and the organisations it trusts."""
    node = load_node(home, plain)
    console.print(f"[bold]{escape(node.info.org)}[/] ({node.info.role})")
    console.print(f"  signing     {node.keys.sign_kid}  ({fingerprint(node.keys.sign_kid)})")
    console.print(f"  encryption  {node.keys.enc_kid}")
    table = Table("organisation", "role", "signing key id", "trusted", "state",
                  title="Trusted", title_justify="left")  # fmt: skip
    for kid, entry in node.directory().keys.items():
        state = "revoked" if entry.revoked_at else "active"
        table.add_row(entry.card.org, entry.card.role, kid,
                      entry.trusted_at.strftime("%Y-%m-%d %H:%M"), state)  # fmt: skip
    console.print(table)


@node_app.command("route")
def route_command(
    org: Annotated[str, typer.Argument(help="The partner organisation.")],
    home: HomeOpt,
    url: Annotated[
        str | None, typer.Option(help="The partner's inbox server, e.g. https://host:8443.")
    ] = None,
    drop: Annotated[
        Path | None, typer.Option(help="A folder to write sealed messages to (no network).")
    ] = None,
    cafile: Annotated[
        Path | None, typer.Option(help="CA bundle that signed the partner's TLS certificate.")
    ] = None,
) -> None:
    """Where messages for a partner go: its inbox URL or a drop folder."""
    if not Node.info_path(home).exists():
        raise fail(f"no node in {escape(str(home))}", "run `fraudlink node init` first")
    try:
        route = routes.Route(url=url, drop=str(drop) if drop else None,
                             cafile=str(cafile) if cafile else None)  # fmt: skip
        table = routes.load(home)
    except routes.RouteError as exc:
        raise fail(escape(str(exc)), "give exactly one of --url or --drop") from exc
    table[org] = route
    routes.save(home, table)
    console.print(f"messages for {escape(org)} go to {escape(route.destination)}")
