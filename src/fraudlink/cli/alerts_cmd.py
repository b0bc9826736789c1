"""``fraudlink alerts import|list``: the platform's alert queue in its node store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import msgspec
import typer
from rich.markup import escape
from rich.table import Table

from fraudlink.cli.app import app, console, fail
from fraudlink.cli.node_cmd import HomeOpt
from fraudlink.detect.alerts import Alert
from fraudlink.store import AlertRecord, Store, store_url

alerts_app = typer.Typer(help="The alert queue of a platform node.", no_args_is_help=True)
app.add_typer(alerts_app, name="alerts")


def _store(home: Path) -> Store:
    if not (home / "node.json").exists():
        raise fail(f"no node in {escape(str(home))}", "run `fraudlink node init` first")
    return Store.open(store_url(home))


@alerts_app.command("import")
def import_command(
    alerts_file: Annotated[Path, typer.Argument(help="alerts.jsonl written by `detect`.")],
    home: HomeOpt,
) -> None:
    """Put the alerts of a detect run into the queue (an alert already there is kept)."""
    now = datetime.now(UTC)
    try:
        lines = alerts_file.read_bytes().splitlines()
    except OSError as exc:
        raise fail(f"cannot read {escape(str(alerts_file))}: {exc.strerror}") from exc
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            alert = msgspec.json.decode(line, type=Alert)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            hint = "give the alerts.jsonl that `fraudlink detect --out` wrote"
            where = f"{escape(str(alerts_file))} line {number}"
            raise fail(f"{where}: not an alert: {exc}", hint) from exc
        records.append(AlertRecord(id=alert.alert_id, rule_id=alert.rule_id,
                                   rule_version=alert.rule_version,
                                   entity_kind=alert.entity_kind, entity_id=alert.entity,
                                   ts=alert.ts, score=alert.score, severity=alert.severity,
                                   reasons=alert.reasons, body=msgspec.to_builtins(alert),
                                   created_at=now))  # fmt: skip
    with _store(home) as store:
        added = sum(store.add_alert(r) for r in records)
        store.append_audit("cli", "alerts.import", str(alerts_file),
                           {"read": len(records), "added": added})  # fmt: skip
    console.print(f"{added:,} new alerts, {len(records) - added:,} already in the queue")


@alerts_app.command("list")
def list_command(
    home: HomeOpt,
    status: Annotated[str | None, typer.Option(help="open, closed, true_positive, …")] = None,
    rule: Annotated[str | None, typer.Option(help="Only this rule id.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 20,
    top: Annotated[bool, typer.Option("--top", help="Highest score first.")] = False,
) -> None:
    """The queue, newest first (or highest score first with --top)."""
    with _store(home) as store:
        found = store.list_alerts(status=status, rule_id=rule, limit=10_000 if top else limit)
    if top:
        found = sorted(found, key=lambda a: (-a.score, a.id))[:limit]
    table = Table()
    for name in ("alert", "rule", "entity", "time (UTC)", "score", "status"):
        table.add_column(name, no_wrap=True)
    table.add_column("first reason")
    for a in found:
        table.add_row(a.id, a.rule_id, f"{a.entity_kind} {a.entity_id}",
                      f"{a.ts:%Y-%m-%d %H:%M}", str(a.score), a.status,
                      a.reasons[0] if a.reasons else "")  # fmt: skip
    console.print(table)
