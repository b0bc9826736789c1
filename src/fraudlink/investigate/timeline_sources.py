"""Where a timeline's rows come from: canonical event files and received case packages.

Event files are read with DuckDB, only the account's own rows (and the parcel scans of
its orders). A case package holds evidence tables, not events; their rows are turned
back into event rows here so the timeline core sees one shape.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from fraudlink.cases import package

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


def from_events(paths: list[Path], account: str) -> Iterator[tuple[str, Row]]:
    for file in event_files(paths):
        con = duckdb.connect()
        try:
            literal = "'" + str(file).replace("'", "''") + "'"
            con.execute(f"CREATE VIEW ev AS SELECT * FROM read_parquet({literal})")
            rows = con.sql(ACCOUNT_EVENTS, params={"a": account}).to_arrow_table().to_pylist()
        finally:
            con.close()
        for row in rows:
            yield str(file), {k: v for k, v in row.items() if v is not None}


def _time(value: Any) -> Any:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _table(folder: Path, manifest: package.Manifest, name: str) -> list[Row]:
    entry = manifest.tables.get(name)
    if entry is None:
        return []
    text = (folder / entry.file).read_text("utf-8")
    return [json.loads(line) for line in text.splitlines() if line]


def from_package(folder: Path, account: str) -> tuple[list[tuple[str, Row]], list[tuple[str, Row]]]:
    """Event rows and alerts about ``account`` in a verified case package."""
    manifest = package.verify(folder)
    source = f"case {manifest.case_id} from {manifest.sender}"
    rows: list[tuple[str, Row]] = []
    for r in _table(folder, manifest, "logins"):
        if r.get("subject", account) == account:
            rows.append((source, {**r, "account": account, "ts": _time(r["ts"])}))
    for r in _table(folder, manifest, "transactions"):
        if account in (r.get("from_account"), r.get("to_account")):
            rows.append((source, {**r, "type": "wallet_transfer", "ts": _time(r["initiated_at"]),
                                  "initiated_at": _time(r["initiated_at"]),
                                  "completed_at": _time(r.get("completed_at"))}))  # fmt: skip
    for r in _table(folder, manifest, "refunds"):
        if r.get("account") != account:
            continue
        rows.append((source, {**r, "type": "refund_requested", "ts": _time(r["ts"])}))
        if r.get("latest_scan_at"):
            rows.append((source, {"type": "parcel_scan", "event_id": f"{r['event_id']}/scan",
                                  "ts": _time(r["latest_scan_at"]), "order_id": r["order_id"],
                                  "scan_status": r.get("latest_scan"),
                                  "city": r.get("scan_city"), "account": account}))  # fmt: skip
    alerts = [(source, a) for a in _table(folder, manifest, "alerts")
              if account in (a.get("accounts") or [a.get("entity")])]  # fmt: skip
    return rows, alerts
