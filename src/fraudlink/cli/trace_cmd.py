"""``fraudlink trace``: follow a victim's money forward, or a cash-out's money back."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
import typer
from rich import box
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table

from fraudlink.cli.app import app, console, fail, spinner
from fraudlink.cli.evidence_cmd import EvidenceHomeOpt, investigation_inputs
from fraudlink.investigate.evidence_custody import portal_reports
from fraudlink.investigate.ledger import Ledger
from fraudlink.investigate.ledger_parquet import load_ledger
from fraudlink.investigate.trace import Direction, trace_funds
from fraudlink.investigate.trace_result import TraceResult
from fraudlink.investigate.trace_seeds import (
    SeedError,
    find_victim,
    seeds_from_account,
    seeds_from_transfers,
    traced_share,
    victim_destinations,
)
from fraudlink.investigate.victim_reports import match_reports
from fraudlink.model.money import format_money
from fraudlink.sim.truth import Truth


class MethodName(StrEnum):
    match = "match"
    lifo = "lifo"
    fifo = "fifo"
    proportional = "proportional"


# Read back, the same totals mean the reversed flow (see trace_result).
COLUMNS = {
    "forward": ("received", "passed on", "withdrawn", "held now"),
    "back": ("traced", "from payers", "from outside", "origin here"),
}


def _ledger(events: list[Path], quiet: bool) -> Ledger:
    with spinner(quiet) as bar:
        task = bar.add_task("loading transfers") if bar is not None else None

        def progress(phase: str) -> None:
            if bar is not None and task is not None:
                bar.update(task, description=phase)

        try:
            return load_ledger(events, progress=progress)
        except (FileNotFoundError, ValueError) as exc:
            raise fail(escape(str(exc)), "give event Parquet files or world folders") from exc


def _truth(path: Path | None, events: list[Path]) -> Truth | None:
    """The truth.json given, or one in the first world folder (a simulated world)."""
    if path is None:
        first = events[0]
        path = (first if first.is_dir() else first.parent) / "truth.json"
        if not path.exists():
            return None
    try:
        return msgspec.json.decode(path.read_bytes(), type=Truth)
    except FileNotFoundError as exc:
        raise fail(f"{escape(str(path))} not found") from exc
    except msgspec.DecodeError as exc:
        raise fail(f"{escape(str(path))}: not a truth.json ({exc})") from exc


def _report_seeds(ledger: Ledger, home: Path | None, number: str) -> list[int] | None:
    """The transfers a victim's portal report describes (docs/investigate-evidence.md)."""
    found = [r for r in portal_reports(home) if r.id == number] if home is not None else []
    if not found:
        return None
    (match,) = match_reports(ledger, found)
    if not match.transfers:
        raise SeedError(f"report {number}: no completed transfer in the evidence matches its "
                        "payee, amount and time")  # fmt: skip
    return sorted(match.transfers)


def _victim_seeds(
    ledger: Ledger, victim: str, truth_file: Path | None, events: list[Path],
    home: Path | None = None,
) -> tuple[list[int], str, dict[str, int] | None]:  # fmt: skip
    """Seeds, a label, and (for a simulated victim) where the money really ended."""
    reported = _report_seeds(ledger, home, victim.strip())
    if reported is not None:
        return reported, f"report {victim.strip()}", None
    truth = _truth(truth_file, events)
    known = find_victim(truth, victim) if truth is not None else None
    if known is not None:
        ids = [p.transfer_id for p in known.payments]
        label, destinations = f"victim {known.person_id}", victim_destinations(known)
    else:  # no truth to look in: the ids of the payments themselves
        ids = [t.strip() for t in victim.split(",") if t.strip()]
        label, destinations = f"payment {', '.join(ids)}", None
    return seeds_from_transfers(ledger, ids), label, destinations


@app.command("trace")
def trace_command(
    events: Annotated[
        list[Path] | None,
        typer.Option("--events", "-e", help="Event Parquet files or world folders (repeat)."),
    ] = None,
    from_account: Annotated[
        str | None,
        typer.Option("--from", help="Trace everything this account sent (or, --back, received)."),
    ] = None,
    victim: Annotated[
        str | None,
        typer.Option(
            "--victim",
            help="A victim's portal report number (with --home), person id (from "
            "truth.json) or the transfer ids of their payments, comma-separated.",
        ),
    ] = None,
    back: Annotated[bool, typer.Option("--back", help="Where the money came from.")] = False,
    hops: Annotated[int, typer.Option("--hops", min=1, help="How many transfers deep.")] = 8,
    method: Annotated[
        MethodName,
        typer.Option(
            help="How traced money is told apart once it mixes: match pays each transfer "
            "out from the arrival its amount passes on (whole, split, or less a small "
            "commission), newest money first where none does; lifo, fifo or proportional "
            "use arrival order or shares only."
        ),
    ] = MethodName.match,
    org: Annotated[
        str | None, typer.Option(help="The --from account's organisation, if its id is shared.")
    ] = None,
    truth_file: Annotated[
        Path | None, typer.Option("--truth", help="truth.json (default: in the world folder).")
    ] = None,
    tz: Annotated[str, typer.Option(help="Show times in this zone.")] = "Asia/Shanghai",
    as_json: Annotated[bool, typer.Option("--json", help="Print the trace as JSON.")] = False,
    home: EvidenceHomeOpt = None,
) -> None:
    """Follow money through accounts, hop by hop, in the order it moved.

    Per account: traced money received, passed on, withdrawn and still held (what a freeze
    can save), and the cash-out points. Money can only leave after it arrived; where it
    mixes with other money, --method decides which part is traced (docs/investigate-trace.md).
    """
    if (from_account is None) == (victim is None):
        raise fail("say where to start", "give either --from ACCOUNT or --victim ID")
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise fail(f"unknown time zone {escape(tz)}", "e.g. Asia/Shanghai or UTC") from exc
    events = investigation_inputs(events, home)
    ledger = _ledger(events, as_json)
    direction: Direction = "back" if back else "forward"
    destinations: dict[str, int] | None = None
    try:
        if from_account is not None:
            seeds = seeds_from_account(ledger, from_account, direction=direction, org=org)
            start = f"account {from_account}"
        else:
            seeds, start, destinations = _victim_seeds(
                ledger, victim or "", truth_file, events, home
            )
        result = trace_funds(ledger, seeds, direction=direction, method=method.value, max_hops=hops)
    except (SeedError, ValueError) as exc:
        raise fail(escape(str(exc)), "check the id against the events given") from exc
    if as_json:
        sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(result)) + b"\n")
        return
    render(result, start, zone)
    if destinations is not None and direction == "forward":
        share = traced_share(result, destinations)
        console.print(f"Against the simulator's truth: {share:.1%} of the loss traced to the "
                      "accounts it really ended in.")  # fmt: skip


def _fitted(title: str, money_columns: tuple[str, ...], rows: list[list[str]]) -> Table:
    """The account table, leaving out time and then org if the terminal is too narrow.

    Ids and amounts are never cut or wrapped (a truncated account id cannot be copied into
    a freeze request); headers may wrap.
    """
    names = ("hop", "account", "org", *money_columns, "first traced")
    keep = list(range(len(names)))
    for optional in (7, 2, None):  # first traced, then org
        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
        for i in keep:
            left = names[i] in ("account", "org", "first traced")
            widest = max((len(r[i]) for r in rows), default=0)
            table.add_column(names[i], justify="left" if left else "right", min_width=widest)
        for row in rows:
            table.add_row(*(row[i] for i in keep))
        # Judged at natural width: squeezed harder, rich would cut cells, not wrap them.
        natural = Measurement.get(console, console.options.update_width(1 << 16), table)
        if optional is None or natural.maximum <= console.width:
            break
        keep.remove(optional)
    return table


def render(result: TraceResult, start: str, zone: ZoneInfo) -> None:
    """The per-account table, the cash-out points and the totals."""
    cur = result.currency

    def money(minor: int) -> str:
        return format_money(minor, cur) if minor else "—"

    way = "back" if result.direction == "back" else "forward"
    console.print(f"[bold]{escape(start)}[/]: {money(result.seeded)} in "
                  f"{len(result.seed_transfers)} transfer(s), traced {way} by "
                  f"{result.method_label}, up to {result.max_hops} hops")  # fmt: skip
    rows = [
        [str(a.hop), a.account, a.org, money(a.seeded + a.received), money(a.passed_on),
         money(a.withdrawn), money(a.held),
         f"{datetime.fromtimestamp(a.first_us / 1e6, UTC).astimezone(zone):%m-%d %H:%M}"]
        for a in result.accounts
    ]  # fmt: skip
    console.print(_fitted("Accounts on the way", COLUMNS[result.direction], rows))
    ends = (
        ("Cash-out points", result.cash_outs),
        ("Beyond the hop limit", result.beyond_horizon),
    )
    if result.direction == "back":
        ends = (("Came in from outside the wallets", result.cash_outs), ends[1])
    for title, points in ends:
        if not points:
            continue
        out = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
        for col in ("account", "org", "amount"):
            out.add_column(col, justify="right" if col == "amount" else "left", no_wrap=True)
        for p in points:
            out.add_row(p.account, p.org, money(p.amount))
        console.print(out)
    held = "origin (already in the accounts)" if way == "back" else "still held"
    outside = "came from outside" if way == "back" else "cashed out"
    total = f"Traced {format_money(result.seeded, cur)}: {format_money(result.held, cur)} {held}"
    total += f", {format_money(result.cashed_out, cur)} {outside}"
    if result.beyond:
        total += (
            f", {format_money(result.beyond, cur)} beyond {result.max_hops} hops (not followed)"
        )
    console.print(total + ".")
