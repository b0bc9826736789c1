"""A platform's own export of the simulator's records, ingested, gives the simulator's events.

The test writes some of a simulated world's events the way a Chinese platform might
export them — its own column names, one CSV for every kind of record, local wall-clock
times in its own format, yuan with thousands separators, its own codes for statuses
and event types, and transfers as signed amounts from either side's ledger — with
plain Python, independent of the ingest code. Ingesting that file through a mapping
must give back the simulator's events exactly, column for column. Then the same file
with some rows broken must put exactly those rows in quarantine and nothing else.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow.parquet as pq
import pytest

from fraudlink.ingest import ingest_files, load_mapping
from fraudlink.sim.world import WorldSummary, simulate

SHANGHAI = ZoneInfo("Asia/Shanghai")
PER_TYPE = 25
TIME_FORMAT = "%Y年%m月%d日 %H:%M:%S.%f"

TYPE_CODES = {
    "account_registered": "开户",
    "login": "登录",
    "order_placed": "下单",
    "payment": "支付",
    "parcel_scan": "物流",
    "refund_requested": "申请退款",
    "refund_decided": "退款审核",
    "wallet_transfer": "转账",
}
SCAN_CODES = {
    "shipped": "已发货",
    "in_transit": "运输中",
    "delivered": "已送达",
    "signed": "已签收",
}
TRANSFER_STATUS = {"completed": "成功", "failed": "失败", "pending": "处理中", "reversed": "已退回"}

# Export columns that carry a canonical field's text unchanged.
PLAIN_COLUMNS = [
    ("用户", "account"),
    ("订单号", "order_id"),
    ("商户", "merchant"),
    ("品类", "item_category"),
    ("IP", "ip"),
    ("设备", "device_id"),
    ("支付方式", "method"),
    ("支付工具", "instrument"),
    ("快递", "carrier"),
    ("退款单号", "refund_id"),
    ("退款原因", "reason"),
    ("说明", "text"),
    ("审核结果", "decision"),
    ("交易单号", "transfer_id"),
    ("对方机构", "to_org"),
    ("渠道", "channel"),
    ("备注", "memo"),
]
COLUMNS = [
    "记录号", "类型", "机构", "时间", "用户", "订单号", "商户", "金额", "币种", "品类", "城市",
    "IP", "设备", "结果", "支付方式", "支付工具", "物流状态", "快递", "退款单号", "退款原因",
    "说明", "审核结果", "交易单号", "对方账户", "对方机构", "渠道", "交易状态", "发起时间",
    "完成时间", "备注",
]  # fmt: skip

MAPPING = """
version: 1
defaults: {timezone: Asia/Shanghai}
source: {format: csv, null_values: ["", "—"]}
event_type:
  column: 类型
  map: {%(type_map)s}
common:
  event_id: 记录号
  org: 机构
  ts: {column: 时间, format: "%(fmt)s"}
  account: 用户
  order_id: 订单号
  city: 城市
  currency: 币种
events:
  account_registered: {ip: IP, device_id: 设备}
  login:
    ip: IP
    device_id: 设备
    success: 结果
  order_placed:
    merchant: 商户
    amount: {column: 金额, unit: major}
    item_category: 品类
    ship_city: 城市
  payment:
    amount: {column: 金额, unit: major}
    method: 支付方式
    instrument: 支付工具
  parcel_scan:
    scan_status: {column: 物流状态, map: {%(scan_map)s}}
    carrier: 快递
  refund_requested:
    refund_id: 退款单号
    amount: {column: 金额, unit: major}
    reason: 退款原因
    text: 说明
  refund_decided:
    refund_id: 退款单号
    decision: 审核结果
    amount: {column: 金额, unit: major}
  wallet_transfer:
    transfer_id: 交易单号
    signed_amount: {column: 金额, unit: major, account: 用户, counterparty: 对方账户}
    to_org: 对方机构
    channel: 渠道
    status: {column: 交易状态, map: {%(status_map)s}}
    initiated_at: {column: 发起时间, format: "%(fmt)s"}
    completed_at: {column: 完成时间, format: "%(fmt)s"}
    memo: 备注
"""


def _yaml_map(codes: dict[str, str]) -> str:
    return ", ".join(f"{v}: {k}" for k, v in codes.items())


def mapping_text() -> str:
    return MAPPING % {
        "type_map": _yaml_map(TYPE_CODES),
        "scan_map": _yaml_map(SCAN_CODES),
        "status_map": _yaml_map(TRANSFER_STATUS),
        "fmt": TIME_FORMAT,
    }


def local(value: datetime | None) -> str:
    return value.astimezone(SHANGHAI).strftime(TIME_FORMAT) if value is not None else ""


def yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}"


def export_row(event: dict[str, Any], index: int) -> dict[str, str]:
    """One simulator event as the platform's export writes it."""
    kind = event["type"]
    row = dict.fromkeys(COLUMNS, "")
    row.update(
        记录号=event["event_id"],
        类型=TYPE_CODES[kind],
        机构=event["org"],
        时间=local(event["ts"]),
        币种=(event.get("currency") or "").lower(),  # the export writes codes in lower case
    )
    for column, field in PLAIN_COLUMNS:
        if event.get(field) is not None:
            row[column] = str(event[field])
    row["城市"] = event.get("city") or event.get("ship_city") or ""
    if kind == "login":
        row["结果"] = "是" if event["success"] else "否"
    if kind == "parcel_scan":
        row["物流状态"] = SCAN_CODES[event["scan_status"]]
    if event.get("amount") is not None:
        row["金额"] = yuan(event["amount"])
    if kind == "wallet_transfer":
        # Alternate between the payer's ledger (money out, negative) and the payee's.
        payer_side = index % 2 == 0
        row["用户"] = event["from_account"] if payer_side else event["to_account"]
        row["对方账户"] = event["to_account"] if payer_side else event["from_account"]
        row["金额"] = ("-" if payer_side else "") + yuan(event["amount"])
        row["交易状态"] = TRANSFER_STATUS[event["status"]]
        row["发起时间"] = local(event["initiated_at"])
        row["完成时间"] = local(event["completed_at"]) or "—"
    return row


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> WorldSummary:
    return simulate("tiny", 3, tmp_path_factory.mktemp("world"))


@pytest.fixture(scope="module")
def sample(world: WorldSummary) -> list[dict[str, Any]]:
    """The first events of every type in the world, in time order, as Arrow rows."""
    rows = pq.read_table(world.out_dir / "events.parquet").to_pylist()
    taken: dict[str, int] = {}
    out = []
    for row in rows:
        if taken.get(row["type"], 0) < PER_TYPE:
            taken[row["type"]] = taken.get(row["type"], 0) + 1
            out.append(row)
    assert set(taken) == set(TYPE_CODES), "the sample covers every event type"
    return out


def write_export(path: Path, rows: Iterator[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def ingest(tmp_path: Path, export: Path) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    mapping = tmp_path / "platform.yaml"
    mapping.write_text(mapping_text(), encoding="utf-8")
    out = tmp_path / "out"
    summary = ingest_files([export], load_mapping(mapping), out)
    events = pq.read_table(summary.events_file).to_pylist()
    quarantine = [json.loads(x) for x in Path(summary.quarantine_file).read_text().splitlines()]
    assert summary.read == summary.accepted + summary.quarantined
    return {e["event_id"]: e for e in events}, quarantine


def test_the_export_ingests_to_exactly_the_simulators_events(
    tmp_path: Path, sample: list[dict[str, Any]]
) -> None:
    export = tmp_path / "platform-export.csv"
    write_export(export, (export_row(e, i) for i, e in enumerate(sample)))
    ingested, quarantine = ingest(tmp_path, export)
    assert quarantine == []
    assert len(ingested) == len(sample)
    for event in sample:
        assert ingested[event["event_id"]] == event, event["type"]


BREAKAGES: dict[str, tuple[str, str, str]] = {
    # what breaks: (column, bad value, field the quarantine must name)
    "time": ("时间", "2026-13-45 25:61", "ts"),
    "amount": ("金额", "十二块", "amount"),
    "scan code": ("物流状态", "丢了", "scan_status"),
    "type code": ("类型", "聊天", "type"),
    "account": ("用户", "", "account"),
    "currency": ("币种", "yuan", "currency"),
    "success": ("结果", "也许", "success"),
}


def test_broken_rows_and_only_those_land_in_quarantine(
    tmp_path: Path, sample: list[dict[str, Any]]
) -> None:
    rows = [export_row(e, i) for i, e in enumerate(sample)]
    broken: dict[int, str] = {}  # data row number (1-based) → field named in quarantine
    for what, (column, bad, field) in BREAKAGES.items():
        # A row not yet broken that has something in that column, spread over the file.
        start = (len(rows) * len(broken)) // len(BREAKAGES)
        order = [*range(start, len(rows)), *range(start)]
        index = next(
            i
            for i in order
            if rows[i][column] and i + 1 not in broken
            and (what != "amount" or sample[i]["type"] != "wallet_transfer")
        )  # fmt: skip
        rows[index][column] = bad
        broken[index + 1] = field
    export = tmp_path / "platform-export.csv"
    write_export(export, iter(rows))
    ingested, quarantine = ingest(tmp_path, export)
    assert {q["row"]: q["field"] for q in quarantine} == broken
    assert all(q["source"].endswith("platform-export.csv") and q["reason"] for q in quarantine)
    kept = [e for i, e in enumerate(sample) if i + 1 not in broken]
    assert len(ingested) == len(kept)
    for event in kept:
        assert ingested[event["event_id"]] == event
