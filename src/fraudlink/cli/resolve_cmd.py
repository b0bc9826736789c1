"""``fraudlink resolve``: which person records are one person, and why each merge was made."""

from __future__ import annotations

import csv
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import msgspec
import typer
from rich.markup import escape
from rich.table import Table

from fraudlink.cli.app import app, console, err_console, fail, spinner
from fraudlink.cli.evidence_cmd import investigation_inputs
from fraudlink.ingest.errors import MappingError, SourceError
from fraudlink.investigate.evidence_world import merged_world
from fraudlink.investigate.resolve import ResolveReport, ResolveSettings, resolve
from fraudlink.investigate.resolve_hard import DEFAULT_HUB_LIMIT
from fraudlink.investigate.resolve_mapping import load_person_mapping
from fraudlink.investigate.resolve_merges import Resolution, Unmerged
from fraudlink.investigate.resolve_records import PersonRecords
from fraudlink.investigate.resolve_score import pairwise_scores, world_truth
from fraudlink.investigate.resolve_splink import ModelSettings
from fraudlink.investigate.resolve_summary import ResolveSummary, summarise
from fraudlink.investigate.resolve_table import read_person_table
from fraudlink.investigate.resolve_world import read_parties, read_world


def _people(
    table: Path | None,
    mapping: Path | None,
    world: Path | None,
    parties: Path | None,
    home: Path | None = None,
) -> tuple[PersonRecords, ResolveSettings, list[str]]:
    """The records to resolve, and the settings the mapping sets (hard kinds, hub limit)."""
    given = [x for x in (table, world, parties, home) if x is not None]
    if len(given) != 1:
        raise fail(
            "give one of: a person table (with --mapping), --world DIR, --parties FILE, "
            "--home POLICE_HOME"
        )
    if home is not None:
        return _held_people(home), ResolveSettings(), []
    if (table is None) != (mapping is None):
        raise fail(
            "a person table and --mapping go together",
            "fraudlink resolve PERSONS.csv --mapping MAP.yaml (docs/investigate-resolve.md)",
        )
    try:
        if table is not None and mapping is not None:
            spec = load_person_mapping(mapping)
            people, notes = read_person_table(table, spec)
            settings = ResolveSettings(
                hard_kinds=spec.hard, hub_limit=spec.hub_limit or DEFAULT_HUB_LIMIT
            )
            return people, settings, notes
        if world is not None:
            return read_world(world), ResolveSettings(), []
        assert parties is not None
        return read_parties(parties), ResolveSettings(), []
    except (MappingError, SourceError) as exc:
        raise fail(escape(exc.headline), exc.hint) from exc
    except (FileNotFoundError, ValueError) as exc:
        raise fail(escape(str(exc))) from exc


def _held_people(home: Path) -> PersonRecords:
    """The parties of every source in a police node's evidence store, each once."""
    folders = investigation_inputs(None, home)
    if not any((f / "parties.parquet").exists() for f in folders):
        raise fail(f"no source in {escape(str(home))} carries KYC records (parties)",
                   "import case packages with account details or a world folder "
                   "with parties.parquet (`fraudlink evidence import`)")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="fraudlink-resolve-") as tmp:
        return read_world(merged_world(folders, Path(tmp)))


def _resolve(people: PersonRecords, settings: ResolveSettings, quiet: bool) -> ResolveReport:
    with spinner(quiet) as bar:
        task = bar.add_task(f"resolving {people.size:,} records") if bar is not None else None

        def progress(phase: str) -> None:
            if bar is not None and task is not None:
                bar.update(task, description=f"{phase} ({people.size:,} records)")

        try:
            return resolve(people, settings, progress)
        except ValueError as exc:  # Splink cannot train on a handful of records
            raise fail(
                f"the match model cannot be trained on these {people.size:,} records: "
                f"{escape(str(exc))}",
                "merge on shared identifiers alone with --hard-only",
            ) from exc


def _undo(resolution: Resolution, merge_ids: list[str]) -> tuple[Resolution, list[Unmerged]]:
    done = []
    for merge_id in merge_ids:
        try:
            resolution, result = resolution.unmerge(merge_id)
        except KeyError as exc:
            raise fail(
                f"no merge {escape(merge_id)} in this resolution",
                "merge ids are in the --merges file; they are stable across runs "
                "on the same records",
            ) from exc
        done.append(result)
    return resolution, done


@app.command("resolve")
def resolve_command(
    table: Annotated[
        Path | None,
        typer.Argument(
            help="A person table (CSV or Parquet), read with --mapping.", show_default=False
        ),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping", "-m", help="Which columns are which (docs/investigate-resolve.md)."
        ),
    ] = None,
    world: Annotated[
        Path | None,
        typer.Option(help="A world folder: parties, accounts and the devices in its events."),
    ] = None,
    parties: Annotated[Path | None, typer.Option(help="A parties.parquet file alone.")] = None,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            help="A police node: the parties of every source in its evidence store "
            "(persons across platforms).",
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write record_id,cluster_id rows here (CSV).")
    ] = None,
    merges: Annotated[
        Path | None, typer.Option(help="Write every merge with its evidence here (JSON lines).")
    ] = None,
    undo: Annotated[
        list[str] | None,
        typer.Option("--undo", help="Undo this merge (repeat); see --merges for ids."),
    ] = None,
    threshold: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Match probability a probabilistic merge needs.")
    ] = ModelSettings().threshold,
    hub_limit: Annotated[
        int | None,
        typer.Option(
            min=2, help=f"Records one identifier value may join [default: {DEFAULT_HUB_LIMIT}]."
        ),
    ] = None,
    hard_only: Annotated[
        bool, typer.Option("--hard-only", help="Merge on hard identifiers only.")
    ] = False,
    top: Annotated[int, typer.Option(min=0, help="Largest clusters to show.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Merge person records into people: shared identifiers first, then Splink.

    Records sharing a phone, e-mail, hashed id number, bank card or wallet are merged,
    unless the value is a hub (too many records) or the names share nothing; Splink,
    trained on the records themselves, merges pairs over the match-probability
    threshold on names, birth dates, addresses, places and shared devices. Every merge
    keeps its evidence and can be undone with --undo (docs/investigate-resolve.md).
    """
    people, settings, notes = _people(table, mapping, world, parties, home)
    settings = ResolveSettings(
        hard_kinds=settings.hard_kinds,
        hub_limit=hub_limit or settings.hub_limit,
        probabilistic=not hard_only,
        model=ModelSettings(threshold=threshold),
    )
    for note in notes:
        err_console.print(f"[yellow]note:[/] {escape(note)}")
    report = _resolve(people, settings, as_json)
    for note in report.notes:
        err_console.print(f"[yellow]note:[/] {escape(note)}")
    resolution, undone = _undo(report.resolution, undo or [])
    report = replace(report, resolution=resolution)
    names = people.records.column("name").to_pylist()
    summary = summarise(report, names, top, undone)
    if world is not None and (world / "truth.json").exists():
        truth = world_truth(world, resolution.record_ids)
        summary.score = pairwise_scores(resolution.cluster_ids(), truth).as_dict()
    _write(resolution, out, merges)
    if as_json:
        sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(summary)) + b"\n")
        return
    render_summary(summary)


def _write(resolution: Resolution, out: Path | None, merges: Path | None) -> None:
    try:
        if out is not None:
            ids, clusters = resolution.record_ids.to_pylist(), resolution.cluster_ids().to_pylist()
            with out.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(["record_id", "cluster_id"])
                writer.writerows(zip(ids, clusters, strict=True))
        if merges is not None:
            undone = resolution.undone
            with merges.open("wb") as fh:
                for row in resolution.merges.drop_columns(["left_idx", "right_idx"]).to_pylist():
                    row["undone"] = row["merge_id"] in undone
                    fh.write(msgspec.json.encode(row) + b"\n")
    except OSError as exc:
        raise fail(f"cannot write {escape(str(exc.filename))}: {exc.strerror}") from exc


def render_summary(summary: ResolveSummary) -> None:
    s = summary.stats
    console.print(
        f"[bold]{s['records']:,}[/] records → [bold]{s['clusters']:,}[/] persons "
        f"({s['clusters_of_2_or_more']:,} with more than one record); "
        f"{s['hard_merges']:,} merges on shared identifiers, "
        f"{s['probabilistic_merges']:,} probabilistic."
    )
    evidence = Table(title="Merges by evidence", title_justify="left")
    evidence.add_column("evidence")
    evidence.add_column("merges", justify="right")
    for kind, count in summary.merges_by_evidence.items():
        evidence.add_row(kind, f"{count:,}")
    console.print(evidence)
    if summary.largest_clusters:
        largest = Table(title="Largest clusters", title_justify="left")
        for col in ("cluster", "records", "names", "merged on"):
            largest.add_column(col, overflow="fold")
        for c in summary.largest_clusters:
            largest.add_row(
                escape(c.cluster_id),
                str(c.size),
                escape(", ".join(c.names)),
                ", ".join(f"{k} {n}" for k, n in c.evidence.items()),
            )
        console.print(largest)
    if s["hub_values"]:
        shown = ", ".join(
            f"{h['kind']} {h['value']} ({h['records']} records)" for h in summary.hubs[:5]
        )
        console.print(
            f"[yellow]{s['hub_values']:,} identifier values held by too many records "
            f"merged nothing:[/] {escape(shown)}"
        )
    if s["name_conflicts"]:
        shown = "; ".join(
            f"{c['left']} {c['left_name']} / {c['right']} {c['right_name']} ({c['kind']})"
            for c in summary.conflicts[:3]
        )
        console.print(
            f"[yellow]{s['name_conflicts']:,} pairs of records share an identifier but no "
            f"name, and were not merged on it:[/] {escape(shown)}"
        )
    for u in summary.undone:
        if u["split"]:
            console.print(
                f"undid {u['merge_id']}: {u['left_cluster']} and {u['right_cluster']} are apart"
            )
        else:
            via = ", ".join(str(m) for m in u["still_joined_by"])  # type: ignore[attr-defined]
            console.print(f"undid {u['merge_id']}: still one cluster, joined through {via}")
    if summary.score is not None:
        sc = summary.score
        console.print(
            f"Against the simulator's truth: pairwise precision {sc['precision']:.4f}, "
            f"recall {sc['recall']:.4f}, F1 {sc['f1']:.4f}."
        )
