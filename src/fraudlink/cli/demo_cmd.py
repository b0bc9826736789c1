"""``fraudlink demo``: the main job on the embedded default, start to finish."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import msgspec
import typer

from fraudlink.cli.app import app, console
from fraudlink.cli.demo_exchange import refer_and_freeze
from fraudlink.cli.demo_serve import serve_demo
from fraudlink.cli.detect_cmd import render_alerts
from fraudlink.cli.gangs_cmd import render_gang, render_score, render_summary
from fraudlink.cli.report_cmd import write_report as invoke_report
from fraudlink.cli.trace_cmd import render as render_trace
from fraudlink.cli.world_view import render_world, world_progress
from fraudlink.detect.alerts import Alert
from fraudlink.detect.backtest import backtest
from fraudlink.detect.replay import ActiveAccounts, replay
from fraudlink.detect.rules.loader import builtin_pack
from fraudlink.investigate import evidence
from fraudlink.investigate.gangs import GangSettings, find_gangs
from fraudlink.investigate.ledger_parquet import load_ledger
from fraudlink.investigate.trace import trace_funds
from fraudlink.investigate.trace_seeds import (
    seeds_from_transfers,
    traced_share,
    victim_destinations,
)
from fraudlink.sim.truth import Truth
from fraudlink.sim.world import simulate


@app.command("demo")
def demo_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Working folder.")] = Path("demo-out"),
    seed: Annotated[int, typer.Option(help="Seed of the simulated world.")] = 7,
    serve: Annotated[
        bool, typer.Option("--serve", help="Then serve both nodes' web pages with demo users.")
    ] = False,
    port: Annotated[int, typer.Option(help="With --serve: the platform's port (police: +1).")] = (
        8000
    ),
) -> None:
    """Simulate a small world, run the built-in rules over it and show the top alerts.

    Then a platform node refers its strongest cases to a police node over HTTP, the
    police ask for a freeze and the platform confirms it, every receipt verified.
    Last, the police side follows the biggest victim's money hop by hop to where it can
    still be frozen, finds the gangs and their members' roles, and writes the biggest
    gang's case report (report.html, opens offline).
    """
    world = out / "world"
    console.rule("[bold]1. A simulated world: two shops, two wallets, a bank, two police units")
    with world_progress(console) as progress:
        summary = simulate("small", seed, world, progress)
    render_world(summary, console)
    console.print(f"\nFiles are in [bold]{world}[/]; ground truth in truth.json.")

    console.rule("[bold]2. Detection: the built-in rule pack replayed over the platforms' events")
    pack = builtin_pack()
    alerts_file = out / "alerts.jsonl"
    with alerts_file.open("wb") as fh:

        def write(alert: Alert) -> None:
            fh.write(msgspec.json.encode(alert) + b"\n")

        active = ActiveAccounts()
        result = replay([world / "events.parquet"], pack, on_alert=write, on_batch=active)
    console.print(
        f"{result.stats.events:,} events in {result.seconds:.1f} s "
        f"({result.events_per_second:,.0f} events/s): {len(result.alerts):,} alerts "
        f"in [bold]{alerts_file}[/]"
    )
    strongest: dict[str, Alert] = {}
    for alert in result.alerts:
        best = strongest.get(alert.rule_id)
        if best is None or alert.score > best.score:
            strongest[alert.rule_id] = alert
    render_alerts(
        list(strongest.values()),
        console,
        top=len(strongest),
        title=f"The strongest alert of each rule ({len(result.alerts):,} alerts in all)",
    )
    truth = msgspec.json.decode((world / "truth.json").read_bytes(), type=Truth)
    report = backtest(result.alerts, truth, pack, result.stats.events, active=active.accounts)
    for typology, score in report.typologies.items():
        seen = "" if score.recall_active is None else f" ({score.recall_active:.2f} of the active)"
        console.print(
            f"  {typology:<20} precision {score.precision:.2f}  recall {score.recall:.2f}{seen}"
            f"  ({score.true_positives} of {score.positives} planted accounts)"
        )
    looks = sum(len(v) for v in report.lookalikes_flagged.values())
    console.print(f"  honest look-alikes flagged: {looks}")

    console.rule("[bold]3. Referral: platform → police over loopback HTTP, signed receipts back")
    ranked = sorted(strongest.values(), key=lambda a: (-a.score, a.alert_id))
    police = refer_and_freeze(out, world, ranked, console)

    console.rule("[bold]4. Investigation: where the biggest victim's money went")
    # The referrals show the suspects' own accounts; the whole picture needs the platforms'
    # event files too (handed over under a production order), imported as one more source.
    raw = evidence.import_events(police, [world], "platform exports")
    held = evidence.evidence_folders(police)
    console.print(f"The police node works from its evidence store: {len(held) - 1} referred "
                  f"case packages and the platforms' exports ({raw.info.events:,} events); "
                  "an event in several sources counts once.")  # fmt: skip
    ledger = load_ledger(held)
    victim = max(truth.victims, key=lambda v: (v.loss, v.person_id))
    seeds = seeds_from_transfers(ledger, [p.transfer_id for p in victim.payments])
    traced = trace_funds(ledger, seeds)
    render_trace(traced, f"victim {victim.person_id} ({victim.city})", ZoneInfo("Asia/Shanghai"))
    share = traced_share(traced, victim_destinations(victim))
    console.print(f"{share:.1%} of the loss traced to the accounts it really ended in "
                  "(the simulator's truth).")  # fmt: skip

    console.rule("[bold]5. Investigation: the gangs behind it, with each member's role")
    found = find_gangs(held, GangSettings())
    if found.gangs:
        render_gang(max(found.gangs, key=lambda g: (g.money_in, g.gang_id)))
    render_summary(found)
    render_score(found, truth, held)
    report_file = out / "report.html"
    invoke_report(None, report_file, home=police)
    if serve:
        console.rule("[bold]6. Try it in a browser")
        serve_demo(out, world, result.alerts, console, port=port)
