"""``fraudlink alerts import|list|labels``: the platform's alert queue in its node store, and
its analysts' verdicts exported as backtest labels."""

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
from fraudlink.detect.labels import LabelledAlert, Labels, Verdict, accounts_of
from fraudlink.exchange.node import Node, NodeInfo
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
    for name in ("alert", "rule", "entity", "time (UTC)", "score", "status", "assigned to"):
        table.add_column(name, no_wrap=True)
    table.add_column("first reason")
    for a in found:
        table.add_row(a.id, a.rule_id, f"{a.entity_kind} {a.entity_id}",
                      f"{a.ts:%Y-%m-%d %H:%M}", str(a.score), a.status, a.assigned_to or "—",
                      a.reasons[0] if a.reasons else "")  # fmt: skip
    console.print(table)


def _labelled(record: AlertRecord) -> LabelledAlert:
    verdict: Verdict = "true_positive" if record.status == "true_positive" else "false_positive"
    return LabelledAlert(
        alert_id=record.id, rule_id=record.rule_id, rule_version=record.rule_version,
        entity_kind=record.entity_kind, entity=record.entity_id,
        accounts=accounts_of(record.entity_kind, record.entity_id, record.body), ts=record.ts,
        verdict=verdict, by=record.disposition_by, at=record.disposition_at,
        note=record.disposition_note,
    )  # fmt: skip


@alerts_app.command("labels")
def labels_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write labels.json.")],
    home: HomeOpt = Path(),
) -> None:
    """Export the analysts' verdicts (true / false positive) as labels for `backtest --labels`.

    Each judged alert is written with its rule, the accounts it names, who judged it,
    when and the note; open or closed alerts carry no verdict and are left out.
    """
    with _store(home) as store:
        judged = store.labelled_alerts()
        store.append_audit("cli", "alerts.labels", str(out), {"alerts": len(judged)})
    org = msgspec.json.decode(Node.info_path(home).read_bytes(), type=NodeInfo).org
    labels = Labels(org=org, exported_at=datetime.now(UTC), alerts=[_labelled(a) for a in judged])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(msgspec.json.format(msgspec.json.encode(labels), indent=2) + b"\n")
    fraud = sum(1 for a in labels.alerts if a.verdict == "true_positive")
    console.print(
        f"{len(labels.alerts):,} judged alerts ({fraud:,} fraud, "
        f"{len(labels.alerts) - fraud:,} not fraud) written to [bold]{escape(str(out))}[/]"
    )
