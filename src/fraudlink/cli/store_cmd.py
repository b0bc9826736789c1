"""``fraudlink store upgrade|status``: create, migrate and inspect a node's store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from fraudlink.cli.app import app, console, fail
from fraudlink.store import Store, StoreError, StoreUrlError, masked, store_url
from fraudlink.store.backend import sqlite_file

store_app = typer.Typer(
    help="The node's operational store (SQLite in the home folder, or PostgreSQL).",
    no_args_is_help=True,
)
app.add_typer(store_app, name="store")

HomeOpt = Annotated[
    Path | None,
    typer.Option(
        "--home",
        envvar="FRAUDLINK_HOME",
        help="The node's home folder; the store is HOME/fraudlink.db (default: .).",
    ),
]
UrlOpt = Annotated[
    str | None,
    typer.Option(
        "--url",
        envvar="FRAUDLINK_STORE_URL",
        help="A database URL instead, e.g. postgresql+psycopg://USER@HOST:5432/DB.",
    ),
]

PG_HINT = (
    "check that the server runs and the URL is right "
    "(postgresql+psycopg://USER[:PASSWORD]@HOST:PORT/DB); for tests, scripts/postgres-up.sh "
    "starts one"
)
SQLITE_HINT = (
    "check that the folder is writable and the file is a fraudlink store, or point --home "
    "or --url elsewhere"
)


def _hint(url: str) -> str:
    return SQLITE_HINT if sqlite_file(url) is not None else PG_HINT


def _open(home: Path | None, url: str | None, *, create: bool) -> Store:
    if home is not None and url is not None:
        raise fail("give either --home or --url, not both")
    try:
        where = store_url(home, url)
    except StoreUrlError as exc:
        raise fail(str(exc)) from exc
    file = sqlite_file(where)
    if not create and file is not None and not file.exists():
        # Opening would create an empty file; looking must not change anything.
        raise fail(
            f"no store at {escape(str(file))} yet",
            "run `fraudlink store upgrade` with the same --home or --url",
        )
    try:
        return Store.open(where)
    except StoreError as exc:
        raise fail(escape(str(exc)), _hint(where)) from exc


@store_app.command("upgrade")
def upgrade_command(home: HomeOpt = None, url: UrlOpt = None) -> None:
    """Create the store, or migrate it to this version's schema (safe to run again)."""
    with _open(home, url, create=True) as store:
        try:
            before = store.current_revision()
            after = store.upgrade()
        except StoreError as exc:
            raise fail(escape(str(exc)), _hint(store.url)) from exc
        where = escape(masked(store.url))
        if before == after:
            console.print(f"{where}: already at revision {after}")
        else:
            console.print(f"{where}: {before or 'empty'} → revision {after}")


@store_app.command("status")
def status_command(home: HomeOpt = None, url: UrlOpt = None) -> None:
    """Backend, schema revision, rows per table, and whether the audit chain is intact."""
    with _open(home, url, create=False) as store:
        try:
            current, head = store.current_revision(), store.head_revision()
            if current is None:
                raise fail(
                    f"no store at {escape(masked(store.url))} yet",
                    "run `fraudlink store upgrade` with the same --home or --url",
                )
            counts = store.counts()
            verdict = store.verify_audit()
        except StoreError as exc:
            raise fail(escape(str(exc)), _hint(store.url)) from exc
        console.print(f"store    {escape(masked(store.url))} ({store.backend})")
        state = "up to date" if current == head else f"[yellow]behind, run upgrade ({head})[/]"
        console.print(f"revision {current} ({state})")
        table = Table("table", "rows", title="Contents", title_justify="left")
        for name, rows in counts.items():
            table.add_row(name, f"{rows:,}")
        console.print(table)
        if verdict.ok:
            console.print(f"audit    chain intact, {verdict.entries:,} entries")
        else:
            console.print(
                f"[bold red]audit    chain broken at entry {verdict.bad_seq}: {verdict.problem}[/]"
            )
            raise typer.Exit(1)
