"""``fraudlink rank``: accounts ordered by combined evidence, for a review budget."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import msgspec
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from fraudlink.cli.app import app, console, err_console, fail
from fraudlink.cli.detect_cmd import (
    EventsArg,
    LatenessOpt,
    MappingOpt,
    RulesOpt,
    _canonical,
    _lateness,
    _pack,
    _run,
)
from fraudlink.detect.ranking.budget import Budget, BudgetError, parse_budget
from fraudlink.detect.ranking.combine import RankedAccount
from fraudlink.detect.ranking.gather import Gathered, gather
from fraudlink.detect.ranking.learned import LinearRanker, ModelFileError, load_model, save_model
from fraudlink.detect.ranking.targets import TargetFileError, fraud_accounts

BudgetOpt = Annotated[
    str,
    typer.Option(help="Review capacity: a share of the accounts (5%) or a count (200)."),
]
ModelOpt = Annotated[
    Path | None,
    typer.Option(
        "--model", help="A learned ranker (JSON); with --train, where to save the one trained."
    ),
]


def budget_of(text: str) -> Budget:
    try:
        return parse_budget(text)
    except BudgetError as exc:
        raise fail(str(exc)) from exc


def model_of(path: Path) -> LinearRanker:
    try:
        return load_model(path)
    except ModelFileError as exc:
        hint = "train one with `fraudlink rank ... --train LABELS --model FILE`"
        raise fail(str(exc), hint) from exc


def targets_of(path: Path) -> set[str]:
    try:
        return fraud_accounts(path)
    except TargetFileError as exc:
        raise fail(str(exc)) from exc


def gathered_for(
    events: Sequence[Path], rules: Path | None, mapping: Path | None, lateness: str | None,
    work: Path, quiet: bool,
) -> Gathered:  # fmt: skip
    pack = _pack(rules)
    paths = _canonical(events, mapping, work)
    result = _run(paths, pack, _lateness(lateness), quiet)
    try:
        return gather(paths, pack, result.alerts)
    except ValueError as exc:
        raise fail(str(exc)) from exc


def render_ranking(ranked: Sequence[RankedAccount], n: int, title: str, target: Console) -> None:
    table = Table(title=title, title_justify="left")
    for col in ("rank", "account", "score"):
        table.add_column(col, justify="left" if col == "account" else "right", no_wrap=True)
    table.add_column("top reasons", overflow="fold", ratio=1)
    for r in ranked[:n]:
        top = [f"{c.source} {c.contribution:+.3f}" for c in r.contributions[:3]]
        why = "; ".join(top) + ("\n" + "\n".join(r.reasons[:2]) if r.reasons else "")
        table.add_row(str(r.rank), r.account, f"{r.score:.3f}", escape(why))
    target.print(table)


@app.command("rank")
def rank_command(
    events: EventsArg,
    budget: BudgetOpt = "5%",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write every ranked account (JSON lines).")
    ] = None,
    train: Annotated[
        Path | None,
        typer.Option(help="Train a learned ranker on these labels (labels file or truth.json)."),
    ] = None,
    model: ModelOpt = None,
    rules: RulesOpt = None,
    mapping: MappingOpt = None,
    lateness: LatenessOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or table.")] = False,
) -> None:
    """Rank accounts by combined evidence so a review budget gets the best accounts first.

    By default the score adds up the rules' evidence and features that stand out from
    the population (docs/ranking.md); with --train or --model a learned ranker orders
    the accounts instead. Every account lists the rules and features that made its
    score, and their contributions add up to it.
    """
    wanted = budget_of(budget)
    loaded = model_of(model) if model is not None and train is None else None
    fraud = targets_of(train) if train is not None else None
    with tempfile.TemporaryDirectory(prefix="fraudlink-rank-") as scratch:
        # Mapped files are only needed until the features are read.
        work = out.parent / f"{out.stem}.ingest" if out is not None else Path(scratch)
        gathered = gathered_for(events, rules, mapping, lateness, work, quiet)
    if fraud is not None:
        try:
            loaded = gathered.train(fraud)
        except ValueError as exc:
            raise fail(str(exc)) from exc
        if model is not None:
            save_model(loaded, model)
            err_console.print(f"model written to {escape(str(model))}")
    ranked = gathered.rank_by_model(loaded) if loaded is not None else gathered.rank_by_rules()
    n = wanted.of(len(ranked))
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(b"".join(msgspec.json.encode(r) + b"\n" for r in ranked))
    if quiet:
        return
    by = "learned ranker (logit)" if loaded is not None else "rule evidence"
    render_ranking(ranked, n, f"Top {n:,} of {len(ranked):,} accounts ({wanted.label()}) by {by}",
                   console)  # fmt: skip
    if out is not None:
        console.print(f"Ranking written to [bold]{escape(str(out))}[/]")
