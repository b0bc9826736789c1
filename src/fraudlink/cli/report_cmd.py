"""``fraudlink report``: one gang's case report as a self-contained HTML file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from fraudlink.cli.app import app, console, fail
from fraudlink.investigate.gang_sources import locate
from fraudlink.investigate.gangs import GangSettings, find_gangs
from fraudlink.investigate.ledger import Ledger
from fraudlink.investigate.ledger_parquet import load_ledger
from fraudlink.investigate.trace import trace_funds
from fraudlink.investigate.trace_seeds import SeedError, seeds_from_account
from fraudlink.report.gang_report import render_gang_report

VICTIMS_TRACED = 5


def _payee(ledger: Ledger, k: int) -> tuple[str, str]:
    code = int(ledger.dst[k])
    return ledger.org(code), ledger.account(code)


@app.command("report")
def report_command(
    events: Annotated[
        list[Path], typer.Option("--events", "-e", help="Event files or world folders.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write.")],
    gang: Annotated[
        str | None, typer.Option(help="The gang id (`fraudlink gangs`); default the largest.")
    ] = None,
) -> None:
    """Write a gang's case report: roles with evidence, victims, fund flows, sources."""
    write_report(events, out, gang)


def write_report(events: list[Path], out: Path, gang: str | None = None) -> None:
    try:
        found = find_gangs(events, GangSettings())
        ledger = load_ledger(events)
        files = locate(events).events
    except (FileNotFoundError, ValueError) as exc:
        raise fail(escape(str(exc)), "give event Parquet files or world folders") from exc
    if not found.gangs:
        raise fail("no gangs found in these events")
    chosen = (max(found.gangs, key=lambda g: (g.money_in, g.gang_id)) if gang is None
              else next((g for g in found.gangs if g.gang_id == gang), None))  # fmt: skip
    if chosen is None:
        ids = ", ".join(g.gang_id for g in found.gangs)
        raise fail(f"no gang {escape(gang or '')}", f"gangs found: {ids}")
    traces = []
    gang_accounts = {(a.org, a.account) for m in chosen.members for a in m.accounts}
    for victim in chosen.victims[:VICTIMS_TRACED]:
        for acc in victim.accounts[:1]:
            try:
                sent = seeds_from_account(ledger, acc.account, direction="forward", org=acc.org)
            except SeedError:
                continue
            # Only the victim's payments into the gang: their other spending is not the case.
            seeds = [k for k in sent if _payee(ledger, k) in gang_accounts]
            if seeds:
                label = f"{victim.name or victim.person} ({acc.org}:{acc.account})"
                traces.append((label, trace_funds(ledger, seeds)))
    html = render_gang_report(chosen, traces, list(files))
    tmp = out.with_name(f".{out.name}.partial")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    console.print(f"{escape(str(out))}: gang {chosen.gang_id}, {len(chosen.members)} members, "
                  f"{len(chosen.victims)} victims, {len(traces)} fund flows "
                  f"({len(html):,} bytes, opens offline)")  # fmt: skip
