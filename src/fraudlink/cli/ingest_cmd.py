"""``fraudlink ingest``: a platform's own files → canonical events, through a column mapping."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from fraudlink.cli.app import app, console, fail
from fraudlink.ingest import (
    FileProgress,
    IngestSummary,
    MappingError,
    SourceError,
    check_sources,
    ingest_files,
    load_mapping,
    read_quarantine,
)
from fraudlink.ingest.pipeline import ProgressFn


class SortChoice(StrEnum):
    auto = "auto"
    arrow = "arrow"
    duckdb = "duckdb"


@app.command("ingest")
def ingest_command(
    sources: Annotated[
        list[Path],
        typer.Argument(
            help="CSV, JSON lines (.jsonl/.ndjson) or Parquet files; .gz versions too.",
            show_default=False,
        ),
    ],
    mapping: Annotated[
        Path, typer.Option("--mapping", "-m", help="YAML column mapping (see docs/ingest.md).")
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="Folder for events.parquet, quarantine.jsonl and summary.json."
        ),
    ],
    sort: Annotated[
        SortChoice,
        typer.Option(help="Final sort: auto = arrow in memory, duckdb (spills) past 2M events."),
    ] = SortChoice.auto,
    show: Annotated[
        int, typer.Option(help="How many quarantined rows to print after the summary.")
    ] = 10,
    fail_on_quarantine: Annotated[
        bool, typer.Option(help="Exit with 1 when any row was quarantined (for scheduled jobs).")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Map every row of SOURCES to a canonical event, or quarantine it with the reason.

    Writes OUT/events.parquet (canonical events in event-time order),
    OUT/quarantine.jsonl (one line per rejected row: source, row, line, field, reason)
    and OUT/summary.json. Exits 0 when the run completed, even with quarantined
    rows; 2 when the mapping or an input file cannot be used.
    """
    try:
        loaded = load_mapping(mapping)
        check_sources(sources, loaded)  # before the progress bar, so errors print cleanly
        with _file_progress(quiet) as progress:
            summary = ingest_files(sources, loaded, out, progress, sort.value)
    except (MappingError, SourceError) as exc:
        raise fail(escape(exc.headline), escape(exc.hint) if exc.hint else None) from None
    except (OSError, RuntimeError) as exc:
        raise fail(escape(str(exc))) from None
    _render(summary, show)
    if fail_on_quarantine and summary.quarantined:
        raise typer.Exit(1)


@contextmanager
def _file_progress(quiet: bool) -> Iterator[ProgressFn]:
    """A bar per input file, over bytes read (rows for Parquet), with the row count."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rows]:>10,} rows"),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
    ) as bar:
        tasks: dict[int, TaskID] = {}

        def update(step: FileProgress) -> None:
            total = max(step.total, 1)
            if step.index not in tasks:
                name = escape(Path(step.source).name)
                label = f"[{step.index + 1}/{step.files}] {name}"
                tasks[step.index] = bar.add_task(label, total=total, rows=0)
            done = total if step.finished else min(step.done, total)
            bar.update(tasks[step.index], completed=done, rows=step.rows)

        yield update


def _render(summary: IngestSummary, show: int) -> None:
    table = Table(title="Ingest summary", title_justify="left")
    table.add_column("source", overflow="fold")
    table.add_column("format")
    for column in ("read", "accepted", "quarantined"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("reasons", no_wrap=True)
    for s in summary.sources:
        counts = (s.read, s.accepted, s.quarantined)
        table.add_row(escape(s.source), s.format, *(f"{n:,}" for n in counts), _reasons(s.reasons))
    totals = (summary.read, summary.accepted, summary.quarantined)
    table.add_row(
        "[bold]total[/]", "", *(f"[bold]{n:,}[/]" for n in totals), _reasons(summary.reasons)
    )
    console.print(table)
    types = ", ".join(f"{name} {n:,}" for name, n in summary.events_by_type.items())
    console.print(f"Events by type: {types or 'none'}")
    if summary.quarantined and show > 0:
        _render_quarantine(summary, show)
    console.print(
        f"Wrote {escape(summary.events_file)} ({summary.accepted:,} events in event-time order), "
        f"{escape(summary.quarantine_file)} ({summary.quarantined:,} rows) "
        f"and {escape(summary.summary_file)}."
    )


def _reasons(reasons: dict[str, int]) -> str:
    return "\n".join(f"{reason} {n:,}" for reason, n in sorted(reasons.items()))


def _render_quarantine(summary: IngestSummary, show: int) -> None:
    shown = min(show, summary.quarantined)
    console.print(f"[bold]Quarantined rows[/] (first {shown} of {summary.quarantined:,}):")
    for record in read_quarantine(Path(summary.quarantine_file), limit=show):
        where = f"{Path(record.source).name} row {record.row}"
        if record.line is not None and record.line != record.row:
            where += f" (line {record.line})"
        field = record.field or ""
        if record.column is not None:
            field = f"{field} ← {record.column}"
        field_text = f"[cyan]{escape(field)}[/]  " if field else ""
        console.print(
            f"  {escape(where)}  {field_text}[yellow]{record.reason}[/]: {escape(record.detail)}"
        )
