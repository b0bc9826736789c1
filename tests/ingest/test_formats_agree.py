"""The same records as CSV, JSON lines or Parquet become the same events."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.ingest.helpers import run, write_csv, write_jsonl, write_parquet
from tests.ingest.test_quarantine_exact import MAPPING

RECORDS = [
    {"kind": "登录", "id": "A1", "time": "2026/10/03 09:00:00", "done": "", "user": "u1",
     "other": "", "amount": "", "channel": "", "status": "", "ip": "10.0.0.1", "city": "上海",
     "device": "d1", "result": "成功", "memo": ""},
    {"kind": "转账", "id": "A2", "time": "2026/10/03 09:01:00", "done": "2026/10/03 09:01:05",
     "user": "u1", "other": "u2", "amount": "-1,234.50", "channel": "qr_code", "status": "成功",
     "ip": "", "city": "", "device": "", "result": "", "memo": "货款"},
    {"kind": "转账", "id": "A3", "time": "2026/10/03 08:01:00", "done": "", "user": "u2",
     "other": "u1", "amount": "88.00", "channel": "app", "status": "处理中", "ip": "", "city": "",
     "device": "", "result": "", "memo": ""},
    {"kind": "登录", "id": "A4", "time": "2026/10/03 09:00:00", "done": "", "user": "u2",
     "other": "", "amount": "", "channel": "", "status": "", "ip": "10.0.0.2", "city": "北京",
     "device": "d2", "result": "失败", "memo": ""},
]  # fmt: skip


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_every_format_gives_the_same_events(tmp_path: Path, fmt: str) -> None:
    writers = {"csv": write_csv, "jsonl": write_jsonl, "parquet": write_parquet}
    source = writers[fmt](tmp_path / f"in.{fmt}", RECORDS)
    reference = write_csv(tmp_path / "reference.csv", RECORDS)
    summary, events, quarantined = run(tmp_path / "a", MAPPING, [source])
    _, expected, _ = run(tmp_path / "b", MAPPING, [reference])
    assert quarantined == [] and summary.accepted == 4
    assert events == expected
    assert [e.event_id for e in events] == ["A3", "A1", "A4", "A2"]


NATIVE_MAPPING = """\
version: 1
defaults: {timezone: Asia/Shanghai, currency: CNY, org: wallet-a}
event_type: wallet_transfer
events:
  wallet_transfer:
    event_id: id
    ts: {column: [done, time]}
    transfer_id: id
    amount: {column: fen, unit: minor}
    from_account: payer
    to_account: payee
    to_org: {const: wallet-a}
    channel: {const: app}
    status: {column: ok, map: {true: completed, false: pending}}
    initiated_at: time
    completed_at: done
"""

TEXT_MAPPING = """\
version: 1
defaults: {timezone: Asia/Shanghai, currency: CNY, org: wallet-a}
event_type: wallet_transfer
events:
  wallet_transfer:
    event_id: id
    ts: {column: [done, time], format: "%Y/%m/%d %H:%M:%S"}
    transfer_id: id
    amount: {column: yuan, unit: major}
    from_account: payer
    to_account: payee
    to_org: {const: wallet-a}
    channel: {const: app}
    status: {column: ok, map: {是: completed, 否: pending}}
    initiated_at: {column: time, format: "%Y/%m/%d %H:%M:%S"}
    completed_at: {column: done, format: "%Y/%m/%d %H:%M:%S"}
"""


def test_typed_parquet_columns_match_their_text_export(tmp_path: Path) -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    native = pa.table(
        {
            "id": ["N1", "N2"],
            # One naive (the mapping's zone applies), one aware (its own instant is kept).
            "time": pa.array(
                [datetime(2026, 10, 3, 14, 5, 1), datetime(2026, 10, 3, 15, 0)],
                pa.timestamp("us"),
            ),
            "done": pa.array(
                [datetime(2026, 10, 3, 6, 5, 9, tzinfo=ZoneInfo("UTC")), None],
                pa.timestamp("us", tz="UTC"),
            ),
            "fen": pa.array([123450, 8800], pa.int64()),
            "payer": ["u1", "u2"],
            "payee": ["u2", "u1"],
            "ok": [True, False],
        }
    )
    pq.write_table(native, tmp_path / "native.parquet")
    text = write_csv(
        tmp_path / "text.csv",
        [
            {
                "id": "N1",
                "time": "2026/10/03 14:05:01",
                "done": "2026/10/03 14:05:09",
                "yuan": "1,234.50",
                "payer": "u1",
                "payee": "u2",
                "ok": "是",
            },
            {
                "id": "N2",
                "time": "2026/10/03 15:00:00",
                "done": "",
                "yuan": "88.00",
                "payer": "u2",
                "payee": "u1",
                "ok": "否",
            },
        ],
    )
    _, from_parquet, q1 = run(tmp_path / "a", NATIVE_MAPPING, [tmp_path / "native.parquet"])
    _, from_csv, q2 = run(tmp_path / "b", TEXT_MAPPING, [text])
    assert q1 == q2 == []
    assert from_parquet == from_csv
    assert from_parquet[0].initiated_at == datetime(2026, 10, 3, 14, 5, 1, tzinfo=shanghai)


def test_several_files_of_different_formats_in_one_run(tmp_path: Path) -> None:
    a = write_csv(tmp_path / "a.csv", RECORDS[:2])
    b = write_jsonl(tmp_path / "b.jsonl", RECORDS[2:3])
    c = write_parquet(tmp_path / "c.parquet", RECORDS[3:])
    summary, events, _ = run(tmp_path, MAPPING, [a, b, c])
    assert [(s.source, s.format, s.read) for s in summary.sources] == [
        (str(a), "csv", 2),
        (str(b), "jsonl", 1),
        (str(c), "parquet", 1),
    ]
    assert [e.event_id for e in events] == ["A3", "A1", "A4", "A2"]
