"""``fraudlink audit verify|show``: check and read a node's hash-chained audit log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from fraudlink.cli.app import app, console, fail
from fraudlink.store import Store, StoreError, masked, store_url
from fraudlink.store.backend import sqlite_file

audit_app = typer.Typer(
    help="The node's append-only, hash-chained audit log.", no_args_is_help=True
)
app.add_typer(audit_app, name="audit")

HomeOpt = Annotated[
    Path | None,
    typer.Option("--home", envvar="FRAUDLINK_HOME", help="The node's home folder (default: .)."),
]
UrlOpt = Annotated[
    str | None,
    typer.Option("--url", envvar="FRAUDLINK_STORE_URL", help="The store's database URL instead."),
]


def _store(home: Path | None, url: str | None) -> Store:
    where = store_url(home, url)
    file = sqlite_file(where)
    if file is not None and not file.exists():
        raise fail(
            f"no store at {escape(str(file))}", "run `fraudlink node init` or `store upgrade`"
        )
    return Store.open(where)


@audit_app.command("verify")
def verify_command(home: HomeOpt = None, url: UrlOpt = None) -> None:
    """Walk the whole chain; exit 1 and name the first entry at fault if anything changed."""
    with _store(home, url) as store:
        try:
            verdict = store.verify_audit()
        except StoreError as exc:
            raise fail(escape(str(exc))) from exc
        where = escape(masked(store.url))
    if verdict.ok:
        console.print(
            f"{where}: audit chain intact, {verdict.entries:,} entries, head {verdict.head[:16]}…"
        )
        return
    console.print(
        f"[bold red]{where}: audit chain broken at entry {verdict.bad_seq}: {verdict.problem}[/]"
    )
    raise typer.Exit(1)


@audit_app.command("show")
def show_command(
    home: HomeOpt = None,
    url: UrlOpt = None,
    last: Annotated[int, typer.Option(help="How many of the newest entries.")] = 20,
) -> None:
    """The newest audit entries."""
    with _store(home, url) as store:
        entries = store.audit_entries()[-last:]
    table = Table("seq", "time (UTC)", "actor", "action", "subject", "detail")
    for e in entries:
        detail = escape(json.dumps(e.detail, ensure_ascii=False))
        when = e.ts.strftime("%Y-%m-%d %H:%M:%S")
        table.add_row(str(e.seq), when, escape(e.actor), e.action, escape(e.subject), detail)
    console.print(table)
