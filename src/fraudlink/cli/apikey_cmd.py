"""``fraudlink apikey add|list|revoke``: keys for machine clients such as a wallet's payee check."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from fraudlink.cli.app import app, console, fail
from fraudlink.cli.node_cmd import HomeOpt
from fraudlink.exchange.node import Node
from fraudlink.store import ApiKeyRecord, Store, store_url

SCOPES = ("payee_check",)
apikey_app = typer.Typer(help="API keys for machine clients (payee check).", no_args_is_help=True)
app.add_typer(apikey_app, name="apikey")


def _store(home: Path) -> Store:
    if not Node.info_path(home).exists():
        raise fail(f"no node in {escape(str(home))}", "run `fraudlink node init` first")
    return Store.open(store_url(home))


@apikey_app.command("add")
def add_command(
    org: Annotated[str, typer.Option(help="The organisation the key is for, e.g. qb-pay.")],
    label: Annotated[str, typer.Option(help="What it is for, e.g. 'payment app, production'.")],
    home: HomeOpt,
    scope: Annotated[list[str] | None, typer.Option(help=f"One of {', '.join(SCOPES)}.")] = None,
) -> None:
    """Create a key; it is shown once and only its SHA-256 is kept."""
    scopes = tuple(sorted(set(scope or ["payee_check"])))
    if bad := sorted(set(scopes) - set(SCOPES)):
        raise fail(f"scope {', '.join(bad)}: expected one of {', '.join(SCOPES)}")
    key = "flk_" + secrets.token_urlsafe(32)
    digest = hashlib.sha256(key.encode()).hexdigest()
    with _store(home) as store:
        store.add_api_key(ApiKeyRecord(key_sha256=digest, org=org, label=label, scopes=scopes,
                                       created_at=datetime.now(UTC)))  # fmt: skip
        store.append_audit("cli", "apikey.add", f"{org}:{digest[:12]}", {"scopes": list(scopes)})
    console.print(f"key for {escape(org)} ({escape(label)}), id {digest[:12]}; shown once:")
    console.print(key, highlight=False, soft_wrap=True)


@apikey_app.command("list")
def list_command(home: HomeOpt) -> None:
    """Keys by id (the start of their SHA-256), never the keys themselves."""
    with _store(home) as store:
        keys = store.list_api_keys()
    table = Table("id", "organisation", "label", "scopes", "created (UTC)", "state")
    for k in keys:
        table.add_row(k.key_sha256[:12], k.org, k.label, ", ".join(k.scopes),
                      f"{k.created_at:%Y-%m-%d %H:%M}",
                      "revoked" if k.revoked_at else "active")  # fmt: skip
    console.print(table)


@apikey_app.command("revoke")
def revoke_command(key_id: Annotated[str, typer.Argument(help="The id `list` shows.")],
                   home: HomeOpt) -> None:  # fmt: skip
    """Stop a key working (within seconds on a running server)."""
    with _store(home) as store:
        found = [k for k in store.list_api_keys() if k.key_sha256.startswith(key_id)]
        if len(found) != 1 or len(key_id) < 8:
            raise fail(f"no single key with id {escape(key_id)}", "`fraudlink apikey list`")
        store.revoke_api_key(found[0].key_sha256, datetime.now(UTC))
        store.append_audit("cli", "apikey.revoke", f"{found[0].org}:{key_id}", {})
    console.print(f"revoked {key_id}")
