"""A file with known broken rows: exactly those rows are quarantined, each with its reason."""

from __future__ import annotations

import json
from pathlib import Path

from fraudlink.ingest import REASONS
from tests.ingest.helpers import run

MAPPING = """\
version: 1
defaults: {timezone: Asia/Shanghai, currency: CNY, org: wallet-a}
event_type:
  column: kind
  map: {登录: login, 转账: wallet_transfer}
common:
  event_id: id
  ts: {column: [done, time], format: "%Y/%m/%d %H:%M:%S"}
events:
  login:
    account: user
    ip: ip
    city: city
    device_id: device
    success: {column: result, map: {成功: true, 失败: false}}
  wallet_transfer:
    transfer_id: id
    signed_amount: {column: amount, unit: major, account: user, counterparty: other}
    to_org: {const: wallet-a}
    channel: channel
    status: {column: status, map: {成功: completed, 失败: failed, 处理中: pending}}
    initiated_at: {column: time, format: "%Y/%m/%d %H:%M:%S"}
    completed_at: {column: done, format: "%Y/%m/%d %H:%M:%S"}
    memo: memo
"""

CSV = """\
kind,id,time,done,user,other,amount,channel,status,ip,city,device,result,memo
登录,A1,2026/10/03 09:00:00,,u1,,,,,10.0.0.1,上海,d1,成功,
转账,A2,2026/10/03 09:01:00,2026/10/03 09:01:05,u1,u2,-10.00,app,成功,,,,,
登录,A3,2026/10/03 09:02:00,,u1,,,,,10.0.0.1,上海,d1,成功,,EXTRA
充值,A4,2026/10/03 09:03:00,,u1,,100.00,,,,,,,
登录,A5,2026/10/03 09:04:00,,,,,,,10.0.0.1,上海,d1,成功,
登录,A6,2026/10/03 09:05:00,,u1,,,,,10.0.0.1,上海,d1,超时,
转账,A7,2026/10/03 09:06:00,2026/10/03 09:06:01,u1,u2,-1.00,wechat,成功,,,,,
登录,A8,2026/10/3 9:07,,u1,,,,,10.0.0.1,上海,d1,成功,
转账,A9,2026/10/03 09:08:00,2026/10/03 09:08:02,u1,u2,-12.345,app,成功,,,,,
登录,A10,2026/10/03 09:09:00,,u1,,,,,10.0.0.300x,上海,d1,成功,
登录,A11,2026/10/03 09:10:00,,u2,,,,,10.0.0.2,北京,d2,失败,
转账,A12,2026/10/03 09:11:00,2026/10/03 09:11:09,u2,u1,"5,000.00",app,成功,,,,,"line one
line two"
登录,A13,2026/10/03 09:12:00
转账,A14,2026/10/03 09:13:00,,u1,u2,-3.00,app,成功,,,,,
登录,A15,2026/10/03 08:00:00,,u3,,,,,10.0.0.3,深圳,d3,成功,
"""

# row -> (physical line, field, reason, column, offending value)
BROKEN = {
    3: (4, None, "malformed_row", None, None),
    4: (5, "type", "unknown_event_type", "kind", "充值"),
    5: (6, "account", "missing_field", "user", None),
    6: (7, "success", "not_in_map", "result", "超时"),
    7: (8, "channel", "bad_value", "channel", "wechat"),
    8: (9, "ts", "bad_timestamp", "time", "2026/10/3 9:07"),
    9: (10, "amount", "bad_amount", "amount", "-12.345"),
    10: (11, "ip", "invalid_event", "ip", "10.0.0.300x"),
    13: (15, None, "malformed_row", None, None),
    14: (16, "completed_at", "invalid_event", "done", None),
}


def test_exactly_the_broken_rows_are_quarantined(tmp_path: Path) -> None:
    source = tmp_path / "ledger.csv"
    source.write_text(CSV, encoding="utf-8")
    summary, events, quarantined = run(tmp_path, MAPPING, [source])

    got = {q.row: (q.line, q.field, q.reason, q.column, q.value) for q in quarantined}
    assert got == BROKEN
    assert all(q.source == str(source) and q.detail for q in quarantined)
    assert all(q.reason in REASONS for q in quarantined)

    [counts] = summary.sources
    assert (counts.read, counts.accepted, counts.quarantined) == (15, 5, 10)
    assert counts.read == counts.accepted + counts.quarantined
    assert counts.reasons == {
        "malformed_row": 2,
        "unknown_event_type": 1,
        "missing_field": 1,
        "not_in_map": 1,
        "bad_value": 1,
        "bad_timestamp": 1,
        "bad_amount": 1,
        "invalid_event": 2,
    }
    assert [e.event_id for e in events] == ["A15", "A1", "A2", "A11", "A12"]


def test_quarantine_records_carry_the_whole_raw_row(tmp_path: Path) -> None:
    source = tmp_path / "ledger.csv"
    source.write_text(CSV, encoding="utf-8")
    run(tmp_path, MAPPING, [source])
    lines = (tmp_path / "out" / "quarantine.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    assert list(first) == [
        "source", "row", "line", "field", "column", "reason", "detail", "value", "raw"
    ]  # fmt: skip
    assert first["raw"] == [
        "登录", "A3", "2026/10/03 09:02:00", "", "u1", "", "", "", "", "10.0.0.1", "上海", "d1",
        "成功", "", "EXTRA",
    ]  # fmt: skip
    amount = json.loads(lines[6])
    assert amount["raw"]["amount"] == "-12.345" and amount["raw"]["id"] == "A9"


def test_jsonl_broken_lines_are_quarantined_by_line(tmp_path: Path) -> None:
    good = {"kind": "登录", "id": "J1", "time": "2026/10/03 09:00:00", "user": "u1"}
    good |= {"ip": "10.0.0.1", "city": "上海", "device": "d1", "result": "成功"}
    lines = [
        json.dumps(good, ensure_ascii=False),
        "",
        "{not json",
        json.dumps({**good, "id": "J2", "result": None}, ensure_ascii=False),
        '"a string"',
        json.dumps({**good, "id": "J3"}, ensure_ascii=False),
    ]
    source = tmp_path / "feed.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary, events, quarantined = run(tmp_path, MAPPING, [source])
    got = {q.row: (q.line, q.field, q.reason) for q in quarantined}
    assert got == {
        2: (3, None, "malformed_row"),
        3: (4, "success", "missing_field"),
        4: (5, None, "malformed_row"),
    }
    assert [e.event_id for e in events] == ["J1", "J3"]
    assert (summary.read, summary.accepted, summary.quarantined) == (5, 2, 3)
