"""``fraudlink demo``: the main job on the embedded default, start to finish."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fraudlink.cli.app import app, console
from fraudlink.cli.world_view import render_world, world_progress
from fraudlink.sim.world import simulate


@app.command("demo")
def demo_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Working folder.")] = Path("demo-out"),
    seed: Annotated[int, typer.Option(help="Seed of the simulated world.")] = 7,
) -> None:
    """Simulate a small world and show what is in it.

    Steps still to come on this command: detect → refer → investigate → report.
    """
    console.rule("[bold]1. A simulated world: two shops, two wallets, a bank, two police units")
    with world_progress(console) as progress:
        summary = simulate("small", seed, out / "world", progress)
    render_world(summary, console)
    console.print(f"\nFiles are in [bold]{out / 'world'}[/]; ground truth in truth.json.")
