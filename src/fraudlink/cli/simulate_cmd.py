"""``fraudlink simulate``: generate a synthetic world with planted fraud and ground truth."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from fraudlink.cli.app import app, console
from fraudlink.cli.world_view import render_world, world_progress
from fraudlink.sim.bank.amounts import PER_USD
from fraudlink.sim.bank.profile import BankConfig, simulate_bank
from fraudlink.sim.world import simulate


class ScaleName(StrEnum):
    tiny = "tiny"
    small = "small"
    medium = "medium"
    large = "large"
    xlarge = "xlarge"


class Profile(StrEnum):
    platforms = "platforms"
    bank = "bank"


@app.command("simulate")
def simulate_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the world into.")],
    profile: Annotated[
        Profile,
        typer.Option(
            help="platforms: shops, wallets, devices and IPs; bank: a bank's ledger only "
            "(no IP, device or city) with every ledger typology and look-alikes planted."
        ),
    ] = Profile.platforms,
    scale: Annotated[
        ScaleName,
        typer.Option(
            help="platforms profile: tiny ≈ 10k events, small ≈ 200k, medium ≈ 2M, "
            "large ≈ 20M, xlarge ≈ 27M (≥ 5M transfers)."
        ),
    ] = ScaleName.small,
    seed: Annotated[int, typer.Option(help="Same seed, byte-identical world.")] = 1,
    accounts: Annotated[int, typer.Option(help="bank profile: ordinary customers.")] = 2_000,
    days: Annotated[int, typer.Option(help="bank profile: days of history (≥ 120).")] = 183,
    currency: Annotated[
        str, typer.Option(help=f"bank profile: currency, one of {', '.join(PER_USD)}.")
    ] = "USD",
    laundering: Annotated[
        float, typer.Option(help="bank profile: rough share of accounts in a typology.")
    ] = 0.02,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or summary.")] = False,
) -> None:
    """Simulate platforms, wallets and people with planted fraud gangs, or a bank's ledger.

    Writes events.parquet (canonical events in event-time order), truth.json
    (labels, gangs or planted instances, look-alikes, identities) and manifest.json
    (SHA-256 per file); the platforms profile also writes accounts.parquet,
    parties.parquet and organisations.parquet.
    """
    if profile is Profile.bank:
        config = BankConfig(
            seed=seed, accounts=accounts, days=days, currency=currency.upper(),
            laundering=laundering,
        )  # fmt: skip
        began = time.perf_counter()
        try:
            summary = simulate_bank(config, out)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        if not quiet:
            console.print(
                f"bank ledger: {summary.events:,} events, {summary.accounts:,} accounts, "
                f"{summary.labelled:,} labelled, {len(summary.truth.planted)} planted instances, "
                f"{len(summary.truth.lookalikes)} look-alikes, in {config.currency} "
                f"({time.perf_counter() - began:.1f} s) → {out}"
            )
        return
    if quiet:
        simulate(scale.value, seed, out)
        return
    with world_progress(console) as progress:
        summary_world = simulate(scale.value, seed, out, progress)
    render_world(summary_world, console)
