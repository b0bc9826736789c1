"""``fraudlink evidence import|list``: what a police node holds, as sources investigations read.

Every referral the node accepts is imported on arrival; ``import`` adds case packages
from elsewhere (a drop folder, a colleague's disk) and raw canonical event files.
``--home`` on ``trace``, ``gangs``, ``victims``, ``report``, ``resolve`` and ``timeline``
reads everything listed here (:func:`investigation_inputs`).
"""

from __future__ import annotations

import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import msgspec
import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from fraudlink.cli.app import app, console, fail
from fraudlink.cli.node_cmd import HomeOpt
from fraudlink.exchange.node import Node, NodeInfo
from fraudlink.investigate import evidence
from fraudlink.investigate.evidence_custody import held_sources
from fraudlink.store import Store, store_url

evidence_app = typer.Typer(
    help="The police node's evidence store: received packages and raw event files.",
    no_args_is_help=True,
)
app.add_typer(evidence_app, name="evidence")


def investigation_inputs(events: list[Path] | None, home: Path | None) -> list[Path]:
    """The event files or world folders given, then every source the node at ``home`` holds."""
    found = list(events or [])
    if home is not None:
        if not home.is_dir():
            raise fail(f"no folder {escape(str(home))}", "give a police node's home folder")
        held = evidence.evidence_folders(home)
        if not held and not found:
            raise fail(f"{escape(str(home))} holds no evidence yet",
                       "referrals are imported when they arrive; or run "
                       "`fraudlink evidence import PATH... --home HOME`")  # fmt: skip
        found += held
    if not found:
        raise fail("nothing to read", "give --events FILE_OR_WORLD and/or --home POLICE_HOME")
    return found


def _is_package(path: Path) -> bool:
    # A simulated world has a manifest.json too; its events.parquet tells it apart.
    return (path / "manifest.json").exists() and not (path / "events.parquet").exists()


def _audit(home: Path, got: evidence.ImportedSource) -> None:
    if not got.changed or not Node.info_path(home).exists():
        return
    info = msgspec.json.decode(Node.info_path(home).read_bytes(), type=NodeInfo)
    with Store.open(store_url(home)) as store:
        store.append_audit(info.org, "evidence.import", got.folder.name,
                           {"label": got.info.label, "events": got.info.events,
                            "files": got.info.files, "by": "cli"})  # fmt: skip


# For the investigation commands that also read what a police node holds.
EvidenceHomeOpt = Annotated[
    Path | None,
    typer.Option(
        "--home",
        envvar="FRAUDLINK_HOME",
        help="A police node: every source in its evidence store is read too.",
    ),
]


@evidence_app.command("import")
def import_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Case package folders (with manifest.json), folders of them (an inbox), or "
            "canonical event files / world folders."
        ),
    ],
    home: HomeOpt,
    label: Annotated[
        str | None,
        typer.Option(help="Name for the raw event files given (default: the first's name)."),
    ] = None,
) -> None:
    """Verify and import sources; importing the same one again changes nothing."""
    packages: list[Path] = []
    raw: list[Path] = []
    for path in paths:
        if _is_package(path):
            packages.append(path)
        elif path.is_dir() and not (path / "events.parquet").exists():
            inside = sorted(p for p in path.iterdir() if _is_package(p))
            if not inside:
                raise fail(f"{escape(str(path))} holds no case package or events.parquet",
                           "give package folders, an inbox folder, or event files")  # fmt: skip
            packages += inside
        else:
            raw.append(path)
    done: list[evidence.ImportedSource] = []
    try:
        for folder in packages:
            done.append(evidence.import_package(home, folder))
        if raw:
            name = label or (raw[0].stem if raw[0].is_file() else raw[0].name)
            done.append(evidence.import_events(home, raw, name))
    except evidence.EvidenceError as exc:
        for got in done:
            _audit(home, got)
        raise fail(escape(str(exc))) from exc
    for got in done:
        _audit(home, got)
        state = "imported" if got.changed else "already held, unchanged"
        console.print(f"{escape(got.info.label)}: {got.info.events:,} events, "
                      f"{got.info.accounts:,} accounts, {got.info.parties:,} parties — {state} "
                      f"([bold]{escape(str(got.folder))}[/])")  # fmt: skip


@evidence_app.command("list")
def list_command(
    home: HomeOpt,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
) -> None:
    """Every source held, with its SHA-256 and the signed receipt of its referral."""
    held = held_sources(home)
    waiting = _not_imported(home, {h.info.case_id for h in held})
    if as_json:
        out = [{"folder": str(h.folder), "source": msgspec.to_builtins(h.info),
                "receipt": None if h.receipt is None else asdict(h.receipt)}
               for h in held]  # fmt: skip
        sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(
            {"sources": out, "not_imported": waiting})) + b"\n")  # fmt: skip
        return
    table = Table(title=f"Evidence held in {escape(str(home))}", title_justify="left",
                  box=box.SIMPLE_HEAD)  # fmt: skip
    table.add_column("source", no_wrap=True)
    table.add_column("events", justify="right")
    table.add_column("SHA-256")
    table.add_column("signed receipt")
    table.add_column("imported")
    for h in held:
        digest = h.info.manifest_sha256 or next(iter(h.info.files.values()), "")
        if h.receipt is None:
            receipt = "— (from a file)"
        else:
            when = h.receipt.received_at[:16].replace("T", " ")
            receipt = f"{h.receipt.status} {when}\n{h.receipt.message_id}"
        imported = datetime.fromisoformat(h.info.imported_at).astimezone(UTC)
        table.add_row(escape(h.info.label.replace(" from ", "\nfrom ")), f"{h.info.events:,}",
                      digest[:12] + "…", escape(receipt), f"{imported:%m-%d %H:%M}")  # fmt: skip
    console.print(table)
    total = sum(h.info.events for h in held)
    console.print(f"{len(held)} sources, {total:,} events (an event in several is counted once "
                  "by every investigation).")  # fmt: skip
    if waiting:
        console.print(f"[yellow]{len(waiting)} received package(s) not in the store:[/] "
                      f"{escape(', '.join(waiting))}; `fraudlink evidence import "
                      f"{escape(str(home / 'inbox'))} --home {escape(str(home))}`")  # fmt: skip


def _not_imported(home: Path, held: set[str | None]) -> list[str]:
    inbox = home / "inbox"
    if not inbox.is_dir():
        return []
    return sorted(p.name for p in inbox.iterdir() if _is_package(p) and p.name not in held)
