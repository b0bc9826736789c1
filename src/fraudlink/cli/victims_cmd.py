"""``fraudlink victims``: every victim counted once, losses per province, city and gang."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import msgspec
import typer
from rich.markup import escape
from rich.table import Table

from fraudlink.cli.app import app, console, fail
from fraudlink.exchange.node import Node
from fraudlink.investigate.gangs import GangSettings, find_gangs
from fraudlink.investigate.ledger_parquet import load_ledger
from fraudlink.investigate.victims import LossTotals, victims_and_losses
from fraudlink.model.money import format_money
from fraudlink.store import FreezeRecord, Store, store_url


@app.command("victims")
def victims_command(
    events: Annotated[
        list[Path], typer.Option("--events", "-e", help="Event files or world folders.")
    ],
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            envvar="FRAUDLINK_HOME",
            help="A police node: its confirmed freezes count as frozen.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of tables.")] = False,
) -> None:
    """Victims counted once; loss, still recoverable and frozen, per province, city and gang."""
    try:
        gangs = find_gangs(events, GangSettings()).gangs
        ledger = load_ledger(events)
    except (FileNotFoundError, ValueError) as exc:
        raise fail(escape(str(exc)), "give event Parquet files or world folders") from exc
    freezes: list[FreezeRecord] = []
    if home is not None:
        if not Node.info_path(home).exists():
            raise fail(f"no node in {escape(str(home))}", "give a police node's home folder")
        with Store.open(store_url(home)) as store:
            freezes = store.list_freezes()
    report = victims_and_losses(gangs, ledger, freezes)
    if as_json:
        sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(report)) + b"\n")
        return
    cur = report.currency

    def money(minor: int) -> str:
        return format_money(minor, cur)

    table = Table("victim", "city", "gang", "lost", "recoverable", "frozen",
                  title=f"Victims ({report.total.victims}, each counted once)",
                  title_justify="left")  # fmt: skip
    for v in report.victims:
        table.add_row(v.name or v.person, v.city or "", v.gang_id, money(v.loss),
                      money(v.recoverable), money(v.frozen))  # fmt: skip
    console.print(table)
    for title, groups in (("By province", report.by_province), ("By gang", report.by_gang)):
        console.print(_grouped(title, groups, money))
    t = report.total
    console.print(f"[bold]{t.victims} victims lost {money(t.loss)}[/]; "
                  f"{money(t.recoverable)} is still in accounts (recoverable), "
                  f"{money(t.frozen)} of it frozen.")  # fmt: skip


def _grouped(title: str, groups: dict[str, LossTotals], money: Callable[[int], str]) -> Table:
    table = Table(title.split()[-1], "victims", "lost", "recoverable", "frozen", title=title,
                  title_justify="left")  # fmt: skip
    for name, g in groups.items():
        table.add_row(name, str(g.victims), money(g.loss), money(g.recoverable), money(g.frozen))
    return table
