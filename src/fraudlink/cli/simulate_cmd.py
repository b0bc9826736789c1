"""``fraudlink simulate``: generate a synthetic world with planted fraud and ground truth."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from fraudlink.cli.app import app, console
from fraudlink.cli.world_view import render_world, world_progress
from fraudlink.sim.world import simulate


class ScaleName(StrEnum):
    tiny = "tiny"
    small = "small"
    medium = "medium"
    large = "large"
    xlarge = "xlarge"


@app.command("simulate")
def simulate_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the world into.")],
    scale: Annotated[
        ScaleName,
        typer.Option(
            help="tiny ≈ 10k events, small ≈ 200k, medium ≈ 2M, large ≈ 20M, xlarge ≈ 27M "
            "(≥ 5M transfers)."
        ),
    ] = ScaleName.small,
    seed: Annotated[int, typer.Option(help="Same seed, byte-identical world.")] = 1,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or summary.")] = False,
) -> None:
    """Simulate platforms, wallets and people with planted fraud gangs.

    Writes events.parquet (canonical events in event-time order), accounts.parquet,
    parties.parquet, organisations.parquet, truth.json (gangs, roles, victims,
    losses, takeovers, look-alikes, identities) and manifest.json (SHA-256 per file).
    """
    if quiet:
        simulate(scale.value, seed, out)
        return
    with world_progress(console) as progress:
        summary = simulate(scale.value, seed, out, progress)
    render_world(summary, console)
