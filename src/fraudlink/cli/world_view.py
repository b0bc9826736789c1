"""Rich rendering of a simulated world's summary (shared by ``simulate`` and ``demo``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from fraudlink.model.money import format_money
from fraudlink.sim.report import world_facts
from fraudlink.sim.world import Progress as ProgressFn
from fraudlink.sim.world import WorldSummary

_MAX_GANGS = 12
_KIND = {"refund_fraud": "refund ring", "impersonation_scam": "scam gang"}
# Short role tags keep the table inside an 80-column terminal.
_ROLE = {
    "organiser": " org",
    "claimant": " claim",
    "coordinator": " coord",
    "caller": " call",
    "mule": " mule",
    "cash_out": " cash",
}
_PHASES = {
    "people": "people and accounts",
    "planted": "planted stories",
    "days": "days of activity",
}


@contextmanager
def world_progress(console: Console) -> Iterator[ProgressFn]:
    """A progress bar per generation phase."""
    with Progress(
        TextColumn("{task.description:<22}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        tasks: dict[str, TaskID] = {}
        done: dict[str, int] = {}

        def update(phase: str, value: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(_PHASES.get(phase, phase), total=total)
                done[phase] = 0
            # "people" reports increments; the other phases report positions.
            done[phase] = done[phase] + value if phase == "people" else value
            bar.update(tasks[phase], completed=min(done[phase], total))

        yield update


def render_world(summary: WorldSummary, console: Console) -> None:
    facts = world_facts(summary.truth)
    console.print(
        f"\n[bold]World[/] scale={summary.scale} seed={summary.seed} → {summary.out_dir}\n"
        f"{summary.people:,} people, {summary.accounts:,} accounts, "
        f"{summary.events:,} events from {summary.truth.start} to {summary.truth.end}"
    )
    events = Table(title="Events by type", title_justify="left")
    events.add_column("type")
    events.add_column("count", justify="right")
    for name, n in summary.counts.items():
        events.add_row(name, f"{n:,}")
    console.print(events)

    gangs = Table(title="Planted gangs (ground truth)", title_justify="left")
    for col in ("gang", "kind", "members by role", "acc.", "cities", "victims", "loss"):
        gangs.add_column(
            col, justify="left" if col in ("gang", "kind", "members by role") else "right"
        )
    for g in facts.gangs[:_MAX_GANGS]:
        roles = " ".join(f"{n}{_ROLE.get(r, r)}" for r, n in sorted(g.roles.items()))
        gangs.add_row(
            g.gang_id,
            _KIND.get(g.typology, g.typology),
            roles,
            str(g.accounts),
            str(len(g.cities)),
            str(g.victims or ""),
            format_money(g.loss, "CNY") if g.loss else "",
        )
    if len(facts.gangs) > _MAX_GANGS:
        gangs.add_row("…", f"{len(facts.gangs) - _MAX_GANGS} more", "", "", "", "", "")
    console.print(gangs)

    losses = Table(title="Victims and losses by province", title_justify="left")
    losses.add_column("province")
    losses.add_column("victims", justify="right")
    losses.add_column("loss", justify="right")
    for province, loss in facts.loss_by_province.items():
        losses.add_row(
            province, str(facts.victims_by_province[province]), format_money(loss, "CNY")
        )
    losses.add_row(
        "[bold]total[/]",
        f"[bold]{facts.victims}[/]",
        f"[bold]{format_money(facts.total_loss, 'CNY')}[/]",
    )
    console.print(losses)
    console.print(
        f"Account takeovers: {facts.takeovers} ({format_money(facts.stolen_by_takeover, 'CNY')} "
        f"taken or ordered).  Honest look-alikes: "
        + ", ".join(f"{n} {k}" for k, n in sorted(facts.lookalikes.items()))
    )
