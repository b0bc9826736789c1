"""``fraudlink report``: one gang's case report as a self-contained HTML file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from fraudlink.cli.app import app, console, fail
from fraudlink.cli.evidence_cmd import investigation_inputs
from fraudlink.investigate.gangs import GangSettings, find_gangs
from fraudlink.investigate.ledger_parquet import load_ledger
from fraudlink.report.gang_report import gang_report_html


@app.command("report")
def report_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write.")],
    events: Annotated[
        list[Path] | None, typer.Option("--events", "-e", help="Event files or world folders.")
    ] = None,
    gang: Annotated[
        str | None, typer.Option(help="The gang id (`fraudlink gangs`); default the largest.")
    ] = None,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            envvar="FRAUDLINK_HOME",
            help="A police node: its evidence store is read, and its received packages "
            "are listed with their receipts.",
        ),
    ] = None,
) -> None:
    """Write a gang's case report: roles with evidence, key members' timelines, victims,
    fund flows, and the sources with their SHA-256 and receipts."""
    write_report(events, out, gang, home)


def write_report(
    events: list[Path] | None, out: Path, gang: str | None = None, home: Path | None = None
) -> str:
    """Write the report to ``out``; the chosen gang's id."""
    inputs = investigation_inputs(events, home)
    try:
        found = find_gangs(inputs, GangSettings())
        ledger = load_ledger(inputs)
    except (FileNotFoundError, ValueError) as exc:
        raise fail(escape(str(exc)), "give event Parquet files or world folders") from exc
    if not found.gangs:
        raise fail("no gangs found in these events")
    chosen = (max(found.gangs, key=lambda g: (g.money_in, g.gang_id)) if gang is None
              else next((g for g in found.gangs if g.gang_id == gang), None))  # fmt: skip
    if chosen is None:
        ids = ", ".join(g.gang_id for g in found.gangs)
        raise fail(f"no gang {escape(gang or '')}", f"gangs found: {ids}")
    report = gang_report_html(chosen, ledger, list(events or []), home)
    tmp = out.with_name(f".{out.name}.partial")
    tmp.write_text(report.html, encoding="utf-8")
    tmp.replace(out)
    received = f", {report.packages} received packages with receipts" if report.packages else ""
    console.print(f"{escape(str(out))}: gang {chosen.gang_id}, {len(chosen.members)} members, "
                  f"{len(chosen.victims)} victims, {report.traces} fund flows, "
                  f"{report.timelines} timelines{received} "
                  f"({len(report.html):,} bytes, opens offline)")  # fmt: skip
    return chosen.gang_id
