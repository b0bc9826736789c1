"""``fraudlink timeline ACCOUNT``: one account's story across every source, in time order."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
import typer
from rich.markup import escape
from rich.table import Table

from fraudlink.cases import package
from fraudlink.cli.app import app, console, fail
from fraudlink.cli.evidence_cmd import EvidenceHomeOpt
from fraudlink.investigate import evidence, timeline, timeline_sources

STYLE = {"alert": "bold red", "login_failed": "yellow", "transfer_in": "green",
         "transfer_out": "cyan", "refund": "magenta"}  # fmt: skip


@app.command("timeline")
def timeline_command(
    account: Annotated[str, typer.Argument(help="The account id.")],
    events: Annotated[
        list[Path] | None,
        typer.Option("--events", help="Event files or world folders (repeat for each source)."),
    ] = None,
    home: EvidenceHomeOpt = None,
    tz: Annotated[str, typer.Option(help="Show times in this zone.")] = "Asia/Shanghai",
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
) -> None:
    """Logins, orders, parcels, refunds, transfers and alerts in order, with what stands out."""
    if not events and home is None:
        raise fail("nothing to read", "give --events FILE_OR_WORLD and/or --home NODE_HOME")
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise fail(f"unknown time zone {escape(tz)}", "e.g. Asia/Shanghai or UTC") from exc
    rows: list[tuple[str, dict[str, object]]] = []
    alerts: list[tuple[str, dict[str, object]]] = []
    try:
        rows += list(timeline_sources.from_events(list(events or []), account))
        if home is not None:
            got, found = timeline_sources.from_evidence(home, account)
            rows += got
            alerts += found
            # Packages received before the evidence store existed are read where they lie.
            for folder in timeline_sources.inbox_not_imported(home):
                got, found = timeline_sources.from_package(folder, account)
                rows += got
                alerts += found
    except (FileNotFoundError, package.PackageError, evidence.EvidenceError) as exc:
        raise fail(escape(str(exc))) from exc
    story = timeline.build(account, rows, alerts)
    if not story.entries:
        raise fail(f"nothing about account {escape(account)} in these sources",
                   "check the account id and the --events / --home given")  # fmt: skip
    if as_json:
        sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(story)) + b"\n")
        return
    render(story, zone)


def render(story: timeline.Timeline, zone: ZoneInfo) -> None:
    console.print(f"[bold]{escape(story.account)}[/]: {len(story.entries)} events from "
                  f"{len(story.sources)} source(s), orgs {', '.join(story.orgs) or '—'}, "
                  f"cities {', '.join(story.cities) or '—'}")  # fmt: skip
    flagged = {eid for f in story.flags for eid in f.event_ids}
    table = Table(show_lines=False)
    table.add_column("time", no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column("what")
    table.add_column("org", no_wrap=True)
    last_day = None
    for e in story.entries:
        local = e.ts.astimezone(zone)
        day = local.date()
        stamp = (
            local.strftime("%H:%M:%S") if day == last_day else local.strftime("%Y-%m-%d %H:%M:%S")
        )
        last_day = day
        mark = "⚑" if e.event_id in flagged else ""
        style = STYLE.get(e.kind, "")
        what = escape(e.what)
        table.add_row(stamp, mark, f"[{style}]{what}[/]" if style else what, e.org or "")
    console.print(table)
    if story.flags:
        console.print("[bold]What stands out[/]")
        for f in story.flags:
            console.print(f"  ⚑ {f.at.astimezone(zone):%Y-%m-%d %H:%M} [bold]{f.kind}[/]: "
                          f"{escape(f.what)}")  # fmt: skip
