"""Where a timeline's rows come from: event files, a police node's evidence store, packages.

Event files are read with DuckDB, only the account's own rows (and the parcel scans of
its orders). The evidence store (``investigate/evidence.py``) holds every received source
as such a file, with the alerts its package carried. A case package folder holds evidence
tables, not events; ``evidence_rows`` turns them back into event rows, so the timeline
core sees one shape whatever the source.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.compute as pc

from fraudlink.cases import package
from fraudlink.investigate import evidence
from fraudlink.investigate.evidence_rows import package_events

Row = dict[str, Any]

ACCOUNT_EVENTS = """
SELECT * FROM ev
WHERE account = $a OR from_account = $a OR to_account = $a
   OR (type = 'parcel_scan' AND order_id IN (
        SELECT order_id FROM ev WHERE type = 'order_placed' AND account = $a))
ORDER BY ts, event_id
"""


def event_files(paths: list[Path]) -> list[Path]:
    """The events.parquet of each world folder, files as given; missing ones refused."""
    found = []
    for path in paths:
        file = path / "events.parquet" if path.is_dir() else path
        if not file.exists():
            raise FileNotFoundError(f"{file} not found: give events.parquet or its folder")
        found.append(file)
    return found


def _account_rows(file: Path, account: str) -> list[Row]:
    con = duckdb.connect()
    try:
        literal = "'" + str(file).replace("'", "''") + "'"
        con.execute(f"CREATE VIEW ev AS SELECT * FROM read_parquet({literal})")
        rows: list[Row] = (
            con.sql(ACCOUNT_EVENTS, params={"a": account}).to_arrow_table().to_pylist()
        )
    finally:
        con.close()
    return [{k: v for k, v in row.items() if v is not None} for row in rows]


def from_events(paths: list[Path], account: str) -> Iterator[tuple[str, Row]]:
    for file in event_files(paths):
        for row in _account_rows(file, account):
            yield str(file), row


def _alerts_about(alerts: list[Row], account: str) -> list[Row]:
    return [a for a in alerts if account in (a.get("accounts") or [a.get("entity")])]


def from_evidence(home: Path, account: str) -> tuple[list[tuple[str, Row]], list[tuple[str, Row]]]:
    """Event rows and alerts about ``account`` in every source of the node's evidence store."""
    rows: list[tuple[str, Row]] = []
    alerts: list[tuple[str, Row]] = []
    for folder, info in evidence.sources(home):
        rows += [(info.label, r) for r in _account_rows(folder / "events.parquet", account)]
        listed = folder / "alerts.jsonl"
        if listed.exists():
            found = [json.loads(line) for line in listed.read_text("utf-8").splitlines() if line]
            alerts += [(info.label, a) for a in _alerts_about(found, account)]
    return rows, alerts


def inbox_not_imported(home: Path) -> list[Path]:
    """Received packages (``HOME/inbox/<case>``) that are not in the evidence store."""
    inbox = home / "inbox"
    if not inbox.is_dir():
        return []
    return [folder for folder in sorted(inbox.iterdir())
            if (folder / "manifest.json").exists()
            and evidence.case_folder(home, folder.name) is None]  # fmt: skip


def from_package(folder: Path, account: str) -> tuple[list[tuple[str, Row]], list[tuple[str, Row]]]:
    """Event rows and alerts about ``account`` in a verified case package folder."""
    manifest = package.verify(folder)
    blobs = {name: (folder / e.file).read_bytes() for name, e in manifest.tables.items()}
    source = f"case {manifest.case_id} from {manifest.sender}"
    table = package_events(manifest, blobs)
    mine = pc.or_kleene(
        pc.or_kleene(pc.equal(table.column("account"), account),
                     pc.equal(table.column("from_account"), account)),
        pc.equal(table.column("to_account"), account),
    )  # fmt: skip
    rows = [(source, {k: v for k, v in r.items() if v is not None})
            for r in table.filter(pc.fill_null(mine, False)).to_pylist()]  # fmt: skip
    listed = blobs.get("alerts", b"").decode("utf-8").splitlines()
    found = [json.loads(line) for line in listed if line]
    return rows, [(source, a) for a in _alerts_about(found, account)]
