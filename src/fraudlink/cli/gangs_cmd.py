"""``fraudlink gangs``: the gangs in the events, every member in a role, with the evidence."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Annotated

import msgspec
import typer
from rich.markup import escape
from rich.padding import Padding
from rich.text import Text

from fraudlink.cli.app import app, console, fail, spinner
from fraudlink.cli.evidence_cmd import EvidenceHomeOpt, investigation_inputs
from fraudlink.investigate.gang_result import Gang, GangMember, GangReport
from fraudlink.investigate.gang_score import acted_accounts, score_gangs
from fraudlink.investigate.gang_sources import locate
from fraudlink.investigate.gangs import GangSettings, find_gangs
from fraudlink.model.money import format_money
from fraudlink.sim.truth import Truth

ROLE_STYLE = {"coordinator": "bold red", "device_controller": "red", "cash_out": "magenta",
              "mule": "yellow", "claimant": "yellow", "victim": "green"}  # fmt: skip


def _report(events: list[Path], settings: GangSettings, quiet: bool) -> GangReport:
    with spinner(quiet) as bar:
        task = bar.add_task("reading events") if bar is not None else None

        def progress(phase: str) -> None:
            if bar is not None and task is not None:
                bar.update(task, description=phase)

        try:
            return find_gangs(events, settings, progress)
        except (FileNotFoundError, ValueError) as exc:
            raise fail(escape(str(exc)), "give event Parquet files or world folders") from exc


@app.command("gangs")
def gangs_command(
    events: Annotated[
        list[Path] | None,
        typer.Option("--events", "-e", help="Event Parquet files or world folders (repeat)."),
    ] = None,
    min_size: Annotated[
        int, typer.Option("--min-size", min=2, help="Fewest members (victims not counted).")
    ] = 3,
    truth_file: Annotated[
        Path | None,
        typer.Option(
            "--truth",
            help="Score against a simulator's truth.json (default: "
            "the one in the world folder, if any).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the gangs as JSON.")] = False,
    home: EvidenceHomeOpt = None,
) -> None:
    """Find the gangs: who works together, in what role, and where the money went.

    Seeds are accounts that pass money on within hours to other such accounts, and
    bursts of "not received" refund claims; they are tied together by shared devices,
    KYC identifiers and money, and split into communities with Leiden. Per member: the
    role (coordinator, device controller, cash-out, mule by layer, claimant, victim),
    accounts across platforms, cities, and the numbers behind the role
    (docs/investigate-gangs.md).
    """
    events = investigation_inputs(events, home)
    report = _report(events, GangSettings(min_size=min_size), as_json)
    if as_json:
        sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(report)) + b"\n")
        return
    for gang in report.gangs:
        render_gang(gang)
    render_summary(report)
    truth = _truth(truth_file, events)
    if truth is not None:
        render_score(report, truth, events)


def render_gang(gang: Gang) -> None:
    """One gang: its totals, then each member in rank order with the evidence, then victims.

    A list rather than a table: account ids must stay whole to be copied into a freeze
    request, and the evidence is sentences that need the width of the terminal.
    """

    def money(minor: int) -> str:
        return format_money(minor, gang.currency)

    roles = Counter(m.role.replace("_", " ") for m in gang.members)
    totals = []
    if gang.victims:
        elsewhere = (
            f", {money(gang.sent_elsewhere)} paid to outsiders" if gang.sent_elsewhere else ""
        )
        totals.append(
            f"{len(gang.victims)} victims paid in {money(gang.money_in)}, "
            f"{money(gang.cashed_out)} cashed out{elsewhere}, {money(gang.held)} still held"
        )
    if gang.claimed:
        totals.append(f"{money(gang.claimed)} claimed as not received")
    console.print(
        f"[bold]{gang.gang_id}[/]: {len(gang.members)} members "
        f"({', '.join(f'{n} {r}' for r, n in sorted(roles.items()))})"
        + "".join(f"; {t}" for t in totals)
    )
    console.print(f"  cities: {escape(', '.join(gang.cities) or '—')}")
    console.print(f"  platforms: {escape(', '.join(gang.organisations) or '—')}")
    for m in gang.members:
        _member(m, f"{m.rank}.")
    if gang.victims:
        console.print("  [bold]victims[/]")
        for m in gang.victims:
            _member(m, "-")
    console.print()


def _member(m: GangMember, bullet: str) -> None:
    role = m.role.replace("_", " ") + (f" L{m.layer}" if m.layer is not None else "")
    style = ROLE_STYLE.get(m.role, "bold")
    where = ", ".join(f"{a.org}:{a.account}" + (f" ({a.city})" if a.city else "")
                      for a in m.accounts) or ", ".join(m.devices)  # fmt: skip
    name = f" {m.name}" if m.name else ""
    head = Text.assemble(f"{bullet} ", (role, style), f"{name}  {where}")
    console.print(Padding(head, (0, 0, 0, 2), expand=False), highlight=False)
    for line in m.evidence:
        console.print(Padding(Text(line), (0, 0, 0, 6), expand=False), highlight=False)


def render_summary(report: GangReport) -> None:
    gangs = report.gangs
    if not gangs:
        console.print("No gangs found.")
    else:
        members = sum(len(g.members) for g in gangs)
        victims = sum(len(g.victims) for g in gangs)
        total = sum(g.money_in for g in gangs)
        cur = gangs[0].currency
        console.print(f"{len(gangs)} gangs, {members} members, {victims} victims; "
                      f"{format_money(total, cur)} paid in by victims.")  # fmt: skip
    s = report.stats
    console.print(
        f"[dim]Read {s.get('transfers', 0):,} completed transfers; "
        f"{s.get('relays', 0):,} relay and {s.get('claim bursts', 0):,} claim-burst accounts "
        f"seeded {s.get('candidates', 0):,} candidate accounts of {s.get('persons', 0):,} "
        f"persons.[/]"
    )


def _truth(path: Path | None, events: list[Path]) -> Truth | None:
    """The truth.json given, or the one in the first world folder (a simulated world)."""
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


def render_score(report: GangReport, truth: Truth, events: list[Path]) -> None:
    score = score_gangs(report, truth, acted_accounts(locate(events).events))
    ranks = list(score.leader_ranks.values())
    top = sum(r is not None and r <= 3 for r in ranks)
    console.print(
        f"Against the simulator's truth: membership ARI {score.ari:.3f} over {score.scored} "
        f"persons ({score.unseen} members never acted in the events and are not scored); "
        f"the true leader is in the top 3 of {top} of {len(ranks)} gangs."
    )
