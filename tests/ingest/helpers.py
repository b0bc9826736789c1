"""Shared fixtures-as-functions for the ingest tests: small mappings, files, a one-row mapper."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from fraudlink.ingest import Mapping, QuarantineRecord, ingest_files, parse_mapping, read_quarantine
from fraudlink.ingest.rows import Rejection, RowMapper
from fraudlink.ingest.summary import IngestSummary
from fraudlink.model.columns import table_to_events
from fraudlink.model.events import AnyEvent

LOGIN_MAPPING = """\
version: 1
defaults: {timezone: Asia/Shanghai, org: shop-a}
event_type: login
events:
  login:
    event_id: id
    ts: {column: time, format: "%Y/%m/%d %H:%M:%S"}
    account: user
    ip: ip
    city: city
    device_id: device
    success: {column: result, map: {成功: true, 失败: false}}
"""

LOGIN_HEADER = ("id", "time", "user", "ip", "city", "device", "result")


def login_row(n: int, **changes: str) -> dict[str, str]:
    """A good login row; ``changes`` break it on purpose."""
    row = {
        "id": f"L{n:05d}",
        "time": f"2026/10/03 {n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}",
        "user": f"u{n % 7}",
        "ip": "10.0.0.1",
        "city": "上海",
        "device": "dev-1",
        "result": "成功",
    }
    row.update(changes)
    return row


TRANSFER_MAPPING = """\
version: 1
defaults: {timezone: Asia/Shanghai, currency: CNY, org: wallet-a}
event_type: wallet_transfer
events:
  wallet_transfer:
    event_id: id
    ts: {column: [done, started], format: "%Y/%m/%d %H:%M:%S"}
    transfer_id: tx
    signed_amount: {column: amount, unit: major, account: user, counterparty: other}
    to_org: {const: wallet-a}
    channel: {const: app}
    status: {column: status, map: {成功: completed, 失败: failed, 处理中: pending}}
    initiated_at: {column: started, format: "%Y/%m/%d %H:%M:%S"}
    completed_at: {column: done, format: "%Y/%m/%d %H:%M:%S"}
"""


def mapping(text: str, name: str = "map.yaml") -> Mapping:
    return parse_mapping(text, Path(name))


def map_one(
    text: str, row: dict[str, Any], source: str = "in.csv", n: int = 1
) -> AnyEvent | Rejection:
    """Apply a mapping to one row, without files."""
    return RowMapper(mapping(text)).map_row(row, source, n)


def write_csv(
    path: Path,
    rows: Sequence[dict[str, Any]],
    header: Sequence[str] | None = None,
    encoding: str = "utf-8",
) -> Path:
    names = list(header if header is not None else rows[0])
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(names)
        for row in rows:
            writer.writerow([row.get(n, "") for n in names])
    return path


def write_jsonl(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return path


def write_parquet(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    pq.write_table(pa.Table.from_pylist(list(rows)), path)
    return path


def run(
    tmp_path: Path, text: str, files: Sequence[Path], **kwargs: Any
) -> tuple[IngestSummary, list[AnyEvent], list[QuarantineRecord]]:
    """Ingest ``files`` with mapping ``text`` into tmp_path/out; return what came out."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    map_file = tmp_path / "map.yaml"
    map_file.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    summary = ingest_files(list(files), mapping(text, str(map_file)), out, **kwargs)
    events = list(table_to_events(pq.read_table(out / "events.parquet")))
    return summary, events, list(read_quarantine(out / "quarantine.jsonl"))
