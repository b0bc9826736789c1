"""``fraudlink detect``, ``watch`` and ``backtest``: one engine for replay, live and scoring."""

from __future__ import annotations

import os
import select
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Annotated

import duckdb
import msgspec
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from fraudlink.cli.app import app, console, err_console, fail
from fraudlink.detect.alerts import Alert
from fraudlink.detect.backtest import BacktestReport, BudgetRecall, backtest
from fraudlink.detect.durations import parse_duration
from fraudlink.detect.engine import Engine
from fraudlink.detect.explain import count_of
from fraudlink.detect.labels import FORMAT as LABELS_FORMAT
from fraudlink.detect.labels import LabelReport, Labels, score_labels
from fraudlink.detect.ledger.book import load_ledger
from fraudlink.detect.ledger.run import ledger_alerts
from fraudlink.detect.live import LiveSession, tune_arrow_for_latency, tune_gc_for_latency
from fraudlink.detect.readers import BadLineError
from fraudlink.detect.replay import ActiveAccounts, ReplayResult, replay
from fraudlink.detect.rules.compile import RulePack
from fraudlink.detect.rules.ledger_schema import LedgerRule
from fraudlink.detect.rules.loader import RuleFileError, builtin_pack, load_rules
from fraudlink.sim.truth import Truth

RulesOpt = Annotated[
    Path | None,
    typer.Option(
        "--rules", "-r", help="YAML rule file (default: the built-in pack, docs/rules.md)."
    ),
]
LatenessOpt = Annotated[
    str | None,
    typer.Option(help="How late (event time) an event may arrive and still be used, e.g. 5m."),
]
MappingOpt = Annotated[
    Path | None,
    typer.Option(
        "--mapping", "-m", help="Column mapping for non-canonical files (docs/ingest.md)."
    ),
]
EventsArg = Annotated[
    list[Path],
    typer.Argument(help="events.parquet or canonical .jsonl files.", show_default=False),
]


def _pack(rules: Path | None) -> RulePack:
    try:
        return load_rules(rules) if rules is not None else builtin_pack()
    except FileNotFoundError as exc:
        raise fail(f"rule file {rules} not found") from exc
    except RuleFileError as exc:
        raise fail(str(exc), "docs/rules.md lists every operator and field") from exc


def _lateness(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise fail(str(exc)) from exc


def _canonical(paths: Sequence[Path], mapping: Path | None, work: Path) -> list[Path]:
    """The files as canonical events; foreign files go through ingest with the mapping."""
    for path in paths:
        if not path.exists():
            raise fail(f"{path} not found")
    if mapping is None:
        return list(paths)
    try:
        from fraudlink.ingest import MappingError, SourceError, ingest_files, load_mapping
    except ImportError as exc:  # pragma: no cover - ingest ships with fraudlink
        raise fail("--mapping needs fraudlink.ingest") from exc
    try:
        summary = ingest_files(list(paths), load_mapping(mapping), work)
    except (MappingError, SourceError) as exc:
        raise fail(str(exc)) from exc
    err_console.print(
        f"mapped {summary.read:,} rows: {summary.accepted:,} events, "
        f"{summary.quarantined:,} quarantined in {escape(summary.quarantine_file)}"
    )
    return [Path(summary.events_file)]


@contextmanager
def _bar(quiet: bool, *columns: ProgressColumn) -> Iterator[Progress | None]:
    """A transient progress bar on stderr with these columns (none when quiet)."""
    if quiet:
        yield None
        return
    with Progress(*columns, TimeElapsedColumn(), console=err_console, transient=True) as bar:
        yield bar


_EVENT_COLUMNS = (
    TextColumn("detecting"),
    BarColumn(),
    TaskProgressColumn(),
    TextColumn("{task.completed:,.0f} events"),
)
_RULE_COLUMNS = (
    TextColumn("ledger rules"),
    BarColumn(),
    TextColumn("{task.completed}/{task.total} {task.description}"),
)


def _run(
    paths: Sequence[Path],
    pack: RulePack,
    lateness: int | None,
    quiet: bool,
    out: IO[bytes] | None = None,
    on_batch: ActiveAccounts | None = None,
) -> ReplayResult:
    with _bar(quiet, *_EVENT_COLUMNS) as bar:
        task = bar.add_task("detect", total=None) if bar is not None else None

        def progress(done: int, total: int | None) -> None:
            if bar is not None and task is not None:
                bar.update(task, completed=done, total=total)

        def write(alert: Alert) -> None:
            if out is not None:
                out.write(msgspec.json.encode(alert) + b"\n")

        try:
            return replay(
                paths,
                pack,
                lateness_us=lateness,
                progress=progress,
                on_alert=write,
                on_batch=on_batch,
            )
        except (BadLineError, ValueError) as exc:
            raise fail(str(exc)) from exc


def _ledger_pass(paths: Sequence[Path], pack: RulePack, quiet: bool) -> list[Alert]:
    """The pack's ledger rules over the whole ledger of the files (none: no pass)."""
    if not pack.ledger:
        return []
    with _bar(quiet, *_RULE_COLUMNS) as bar:
        task = bar.add_task("", total=len(pack.ledger)) if bar is not None else None

        def progress(rule: LedgerRule, done: int, total: int) -> None:
            if bar is not None and task is not None:
                bar.update(task, completed=done, description=rule.id)

        try:
            ledger = load_ledger(paths, pack.zone)
            return ledger_alerts(pack, ledger, progress=progress)
        except (BadLineError, ValueError, duckdb.Error) as exc:
            raise fail(f"ledger rules: {exc}") from exc


def render_alerts(
    alerts: Sequence[Alert], target: Console, top: int = 8, title: str | None = None
) -> None:
    """The highest-scoring alerts with their reasons (one per entity and rule)."""
    if not alerts:
        target.print("No alerts.")
        return
    best = sorted(alerts, key=lambda a: (-a.score, a.ts, a.alert_id))[:top]
    table = Table(title=title or f"Top {len(best)} of {len(alerts):,} alerts", title_justify="left")
    for col in ("score", "severity", "rule", "entity"):
        # Ids must stay whole to be copied; only the reasons wrap.
        table.add_column(col, justify="right" if col == "score" else "left", no_wrap=True)
    table.add_column("reasons", overflow="fold", ratio=1)
    for a in best:
        table.add_row(str(a.score), a.severity, a.rule_id, a.entity, escape("\n".join(a.reasons)))
    target.print(table)


def _summary(result: ReplayResult, target: Console) -> None:
    stats = result.stats
    target.print(
        f"{stats.events:,} events in {result.seconds:.1f} s "
        f"({result.events_per_second:,.0f} events/s), {len(result.alerts):,} alerts"
        + (f", [yellow]{stats.late:,} late events not used[/]" if stats.late else "")
    )
    by_rule = Table(title="Alerts by rule", title_justify="left")
    by_rule.add_column("rule")
    by_rule.add_column("hits", justify="right")
    by_rule.add_column("alerts", justify="right")
    for rule_id, hits in sorted(stats.hits.items()):
        by_rule.add_row(rule_id, f"{hits:,}", f"{stats.alerts.get(rule_id, 0):,}")
    # A ledger rule has one alert per account it found: hits and alerts are the same.
    ledger = Counter(a.rule_id for a in result.alerts if a.rule_id not in stats.hits)
    for rule_id, found in sorted(ledger.items()):
        by_rule.add_row(rule_id, f"{found:,}", f"{found:,}")
    target.print(by_rule)


@app.command("detect")
def detect_command(
    events: EventsArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write alerts (JSON lines).")],
    rules: RulesOpt = None,
    mapping: MappingOpt = None,
    lateness: LatenessOpt = None,
    late: Annotated[
        Path | None, typer.Option(help="Write late events (id, ts, how late) here as JSON lines.")
    ] = None,
    top: Annotated[int, typer.Option(help="How many top alerts to show.")] = 8,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or tables.")] = False,
) -> None:
    """Replay event files through the rules and write alerts as JSON lines.

    Files are merged in event-time order. Alerts carry a deterministic id, the rule,
    the entity, a 0-100 score, a severity and reasons with the actual numbers.
    """
    pack = _pack(rules)
    paths = _canonical(events, mapping, out.parent / f"{out.stem}.ingest")
    out.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed at the end: a failed run leaves no half file.
    partial = out.with_name(f".{out.name}.partial")
    try:
        with partial.open("wb") as fh:
            result = _run(paths, pack, _lateness(lateness), quiet, fh)
            began = time.perf_counter()
            found = _ledger_pass(paths, pack, quiet)
            ledger_seconds = time.perf_counter() - began
            fh.write(b"".join(msgspec.json.encode(a) + b"\n" for a in found))
        result.alerts.extend(found)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    if late is not None:
        late.write_bytes(b"".join(msgspec.json.encode(e) + b"\n" for e in result.stats.late_events))
    if result.stats.late:
        verb = "was" if result.stats.late == 1 else "were"
        where = f"; listed in {late}" if late else "; see --late"
        err_console.print(
            f"[yellow]{count_of(result.stats.late, 'event')} arrived later than the lateness "
            f"allows and {verb} not used[/]{where}"
        )
    if quiet:
        return
    _summary(result, console)
    if pack.ledger:
        console.print(
            f"ledger rules: {count_of(len(found), 'alert')} from {len(pack.ledger)} rules "
            f"over the whole ledger in {ledger_seconds:.1f} s"
        )
    render_alerts(result.alerts, console, top)
    console.print(f"Alerts written to [bold]{escape(str(out))}[/]")


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    """Bytes as soon as they are there: a pipe gives what it holds, never waiting to fill up."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        fd = -1
    if fd < 0:
        yield from iter(stream.readline, b"")
        return
    while True:
        select.select([fd], [], [])
        data = os.read(fd, 1 << 16)
        if not data:
            return
        yield data


@app.command("watch")
def watch_command(
    rules: RulesOpt = None,
    lateness: LatenessOpt = None,
) -> None:
    """Live: canonical events as JSON lines on stdin, alerts as JSON lines on stdout.

    Each alert is written the moment its event is processed. The rules file is
    reloaded when it changes (rules that did not change keep their state). Bad
    lines are reported on stderr with their number and skipped.
    """
    tune_arrow_for_latency()
    pack = _pack(rules)
    engine = Engine(pack, lateness_us=_lateness(lateness))
    session = LiveSession(engine, lambda m: err_console.print(escape(m)), rules)
    tune_gc_for_latency()
    out = sys.stdout.buffer

    def write(alerts: list[Alert]) -> None:
        if alerts:
            out.write(b"".join(msgspec.json.encode(a) + b"\n" for a in alerts))
            out.flush()

    try:
        for data in _chunks(sys.stdin.buffer):
            write(session.feed(data))
    except KeyboardInterrupt:
        pass
    write(session.close())
    s = session.stats
    err_console.print(
        f"watch: {count_of(s.events, 'event')}, {count_of(s.alerts, 'alert')}, "
        f"{count_of(s.invalid, 'bad line')}, {count_of(engine.stats.late, 'late event')} "
        f"not used, {count_of(s.reloads, 'reload')}"
    )


def _report_tables(report: BacktestReport, target: Console) -> None:
    typ = Table(
        title=f"By typology (account level; flagged at score ≥ {report.flag_at})",
        title_justify="left",
    )
    columns = ("typology", "positives", "flagged", "true pos.", "precision", "recall", "F1",
               "active", "recall (active)")  # fmt: skip
    for col in columns:
        typ.add_column(col, justify="left" if col == "typology" else "right")
    for name, s in report.typologies.items():
        active = "" if s.recall_active is None else f"{s.recall_active:.3f}"
        typ.add_row(
            name, str(s.positives), str(s.flagged), str(s.true_positives),
            f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}",
            str(s.active_positives if s.active_positives is not None else ""), active,
        )  # fmt: skip
    target.print(typ)
    per_rule = Table(title="By rule (every account it alerted on)", title_justify="left")
    for col in ("rule", "typology", "alerts", "accounts", "precision", "recall", "F1",
                "on any fraud"):  # fmt: skip
        per_rule.add_column(col, justify="left" if col in ("rule", "typology") else "right")
    for r in report.rules:
        per_rule.add_row(
            r.rule_id, r.typology, f"{r.alerts:,}", f"{r.accounts:,}",
            f"{r.score.precision:.3f}", f"{r.score.recall:.3f}", f"{r.score.f1:.3f}",
            f"{r.on_any_fraud:.3f}",
        )  # fmt: skip
    target.print(per_rule)
    looks = report.lookalikes_flagged
    target.print(
        f"{report.alerts:,} alerts over {report.events:,} events "
        f"({report.alerts_per_10k_events:g} per 10k events); "
        f"honest look-alikes flagged: "
        + (", ".join(f"{k}: {len(v)}" for k, v in looks.items()) if looks else "none")
        + f"; unlabelled accounts flagged: {report.unlabelled_flagged}"
    )


def _label_tables(report: LabelReport, target: Console) -> None:
    per_rule = Table(
        title="By rule, against the analysts' verdicts (accounts it alerted on)",
        title_justify="left",
    )
    for col in ("rule", "alerts", "accounts", "judged", "fraud", "not fraud", "precision"):
        per_rule.add_column(col, justify="left" if col == "rule" else "right")
    for r in report.rules:
        per_rule.add_row(
            r.rule_id, f"{r.alerts:,}", f"{r.accounts:,}", f"{r.labelled:,}",
            f"{r.true_positives:,}", f"{r.false_positives:,}",
            "—" if r.precision is None else f"{r.precision:.3f}",
        )  # fmt: skip
    target.print(per_rule)
    precision = "—" if report.flagged_precision is None else f"{report.flagged_precision:.3f}"
    retained = "—" if report.fraud_retained is None else f"{report.fraud_retained:.3f}"
    target.print(
        f"judged accounts: {report.labelled_accounts:,} ({report.fraud_accounts:,} fraud, "
        f"{report.not_fraud_accounts:,} not fraud, {report.mixed_accounts:,} judged both ways); "
        f"flagged at score ≥ {report.flag_at}: {report.flagged_accounts:,}, of which "
        f"{report.flagged_labelled:,} judged, precision {precision}; "
        f"judged fraud still flagged: {retained}"
        + (f" (missed: {', '.join(report.fraud_missed[:5])}"
           + (", …" if len(report.fraud_missed) > 5 else "") + ")"
           if report.fraud_missed else "")
        + ". Recall needs the truth (--truth): analysts judge only what was alerted."
    )  # fmt: skip


def _read_labels(path: Path) -> Labels:
    try:
        labels = msgspec.json.decode(path.read_bytes(), type=Labels)
    except FileNotFoundError as exc:
        raise fail(f"{path} not found") from exc
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise fail(f"{path}: not a labels file ({exc})",
                   "write one with `fraudlink alerts labels --out FILE`") from exc  # fmt: skip
    if labels.format != LABELS_FORMAT:
        raise fail(f"{path}: labels format {labels.format!r}, this version reads {LABELS_FORMAT}")
    return labels


@app.command("backtest")
def backtest_command(
    events: EventsArg,
    truth: Annotated[
        Path | None, typer.Option("--truth", "-t", help="The world's truth.json.")
    ] = None,
    labels: Annotated[
        Path | None,
        typer.Option("--labels", "-l", help="Analysts' verdicts from `alerts labels`."),
    ] = None,
    rules: RulesOpt = None,
    mapping: MappingOpt = None,
    lateness: LatenessOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    budget: Annotated[
        str | None,
        typer.Option(help="Also score the rankings at this review budget (5% or 200)."),
    ] = None,
    model: Annotated[
        Path | None, typer.Option("--model", help="A learned ranker to compare with the rules.")
    ] = None,
) -> None:
    """Replay and score: against ground truth (--truth), the analysts' verdicts (--labels), or both.

    With --truth: precision, recall and F1 per planted typology and per rule, at account
    level, alerts per 10k events and which honest look-alikes were flagged. With --labels:
    per-rule precision over the accounts analysts judged, and how much of what they
    confirmed as fraud the rules still flag (recall needs the truth). Always: recall of
    the account ranking at 5 % and 10 % of accounts (and at --budget), beside a learned
    ranker's (--model).
    """
    if truth is None and labels is None:
        raise fail(
            "nothing to score against", "give --truth truth.json, --labels labels.json or both"
        )
    pack = _pack(rules)
    verdicts = _read_labels(labels) if labels is not None else None
    known: Truth | None = None
    if truth is not None:
        try:
            known = msgspec.json.decode(truth.read_bytes(), type=Truth)
        except FileNotFoundError as exc:
            raise fail(f"{truth} not found") from exc
        except msgspec.DecodeError as exc:
            raise fail(f"{truth}: not a truth.json ({exc})") from exc
    beside = truth if truth is not None else labels
    assert beside is not None
    paths = _canonical(events, mapping, beside.parent / "backtest.ingest")
    active = ActiveAccounts()
    result = _run(paths, pack, _lateness(lateness), quiet=as_json, on_batch=active)
    result.alerts.extend(_ledger_pass(paths, pack, quiet=as_json))
    report = None if known is None else backtest(
        result.alerts, known, pack, result.stats.events, result.stats.late, active.accounts
    )  # fmt: skip
    judged = None if verdicts is None else score_labels(
        result.alerts, verdicts, pack, result.stats.events
    )  # fmt: skip
    ranking = _ranking_recall(paths, pack, result.alerts, known, verdicts, budget, model)
    if report is not None:
        report = msgspec.structs.replace(report, ranking=ranking)
    if as_json:
        # One report alone keeps its own shape; both side by side under their names.
        shown: object = {"truth": report, "labels": judged, "ranking": ranking}
        if judged is None:
            shown = report
        elif report is None:
            # The labels report has no ranking field of its own: it is added beside.
            shown = {**msgspec.to_builtins(judged), "ranking": msgspec.to_builtins(ranking)}
        sys.stdout.write(msgspec.json.format(msgspec.json.encode(shown), indent=2).decode())
        sys.stdout.write("\n")
        return
    if report is not None:
        _report_tables(report, console)
    if judged is not None:
        _label_tables(judged, console)
    _ranking_table(ranking, console)


def _ranking_recall(
    paths: Sequence[Path], pack: RulePack, alerts: Sequence[Alert], known: Truth | None,
    verdicts: Labels | None, budget: str | None, model: Path | None,
) -> list[BudgetRecall]:  # fmt: skip
    from fraudlink.cli.rank_cmd import budget_of, model_of
    from fraudlink.detect.ranking.budget import Budget
    from fraudlink.detect.ranking.gather import budget_recalls, gather
    from fraudlink.detect.ranking.targets import labels_fraud, truth_fraud

    budgets = [Budget(percent=5), Budget(percent=10)]
    if budget is not None and (extra := budget_of(budget)) not in budgets:
        budgets.append(extra)
    ranker = model_of(model) if model is not None else None
    fraud = truth_fraud(known) if known is not None else set()
    if verdicts is not None:
        fraud |= labels_fraud(verdicts)
    try:
        gathered = gather(paths, pack, alerts)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    return budget_recalls(gathered, fraud, budgets, ranker)


def _ranking_table(ranking: Sequence[BudgetRecall], target: Console) -> None:
    table = Table(title="Account ranking: labelled accounts in the top N", title_justify="left")
    for col in ("budget", "reviewed", "labelled", "recall (rules)", "recall (model)"):
        table.add_column(col, justify="left" if col == "budget" else "right")
    for r in ranking:
        shown = "—" if r.model is None else f"{r.model:.3f}"
        table.add_row(r.budget, f"{r.reviewed:,}", f"{r.positives:,}", f"{r.rules:.3f}", shown)
    target.print(table)
