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
from fraudlink.cli.evidence_cmd import investigation_inputs
from fraudlink.exchange.node import Node
from fraudlink.investigate.evidence_custody import portal_reports
from fraudlink.investigate.gangs import GangSettings, find_gangs
from fraudlink.investigate.ledger_parquet import load_ledger
from fraudlink.investigate.victim_contacts import victim_contacts
from fraudlink.investigate.victims import LossReport, LossTotals, victims_and_losses
from fraudlink.model.money import format_money
from fraudlink.store import FreezeRecord, ReportRecord, Store, store_url


@app.command("victims")
def victims_command(
    events: Annotated[
        list[Path] | None, typer.Option("--events", "-e", help="Event files or world folders.")
    ] = None,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            envvar="FRAUDLINK_HOME",
            help="A police node: its evidence store is read, its portal's reports are "
            "victims too, and its confirmed freezes count as frozen.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of tables.")] = False,
) -> None:
    """Victims counted once; loss, still recoverable and frozen, per province, city and gang."""
    report = losses(investigation_inputs(events, home), home)
    if as_json:
        sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(report)) + b"\n")
        return
    cur = report.currency

    def money(minor: int) -> str:
        return format_money(minor, cur)

    table = Table("victim", "city", "gang", "lost", "recoverable", "frozen", "reported",
                  title=f"Victims ({report.total.victims}, each counted once)",
                  title_justify="left")  # fmt: skip
    for v in report.victims:
        table.add_row(v.name or v.person, v.city or "", v.gang_id, money(v.loss),
                      money(v.recoverable), money(v.frozen),
                      ", ".join(v.reports) or "")  # fmt: skip
    console.print(table)
    for title, groups in (("By province", report.by_province), ("By gang", report.by_gang)):
        console.print(_grouped(title, groups, money))
    t = report.total
    console.print(f"[bold]{t.victims} victims lost {money(t.loss)}[/]; "
                  f"{money(t.recoverable)} is still in accounts (recoverable), "
                  f"{money(t.frozen)} of it frozen.")  # fmt: skip


def losses(inputs: list[Path], home: Path | None) -> LossReport:
    """Victims from the gangs in ``inputs``, and (with a police node) its portal's reports
    and confirmed freezes."""
    try:
        gangs = find_gangs(inputs, GangSettings()).gangs
        ledger = load_ledger(inputs)
    except (FileNotFoundError, ValueError) as exc:
        raise fail(escape(str(exc)), "give event Parquet files or world folders") from exc
    freezes: list[FreezeRecord] = []
    reports: list[ReportRecord] = []
    if home is not None and Node.info_path(home).exists():
        with Store.open(store_url(home)) as store:
            freezes = store.list_freezes()
        reports = portal_reports(home)
    known = {(a.org, a.account): v.person for g in gangs for v in g.victims for a in v.accounts}
    contacts = victim_contacts(inputs, known) if reports else {}
    return victims_and_losses(gangs, ledger, freezes, reports, contacts)


def _grouped(title: str, groups: dict[str, LossTotals], money: Callable[[int], str]) -> Table:
    table = Table(title.split()[-1], "victims", "lost", "recoverable", "frozen", title=title,
                  title_justify="left")  # fmt: skip
    for name, g in groups.items():
        table.add_row(name, str(g.victims), money(g.loss), money(g.recoverable), money(g.frozen))
    return table
