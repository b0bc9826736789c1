"""Hand-built and generated event streams for the detection tests."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pyarrow as pa
from hypothesis import strategies as st

from fraudlink.detect.durations import US
from fraudlink.model.columns import EVENT_SCHEMA

T0 = 1_788_192_000 * US  # 2026-09-01 00:00 +08:00
MINUTE = 60 * US
HOUR = 60 * MINUTE


def table(rows: list[dict[str, Any]]) -> pa.Table:
    """Rows (ts and other times as integer microseconds) in the canonical layout, ids in order."""
    out = []
    for i, row in enumerate(rows):
        full = {"event_id": f"ev-{i:06d}", "org": "qb-pay", "currency": "CNY", **row}
        out.append(full)
    return pa.Table.from_pylist(out, schema=EVENT_SCHEMA)


def login(ts: int, account: str, city: str = "Beijing", *, device: str = "dv-1",
          ip: str = "58.20.0.1", success: bool = True) -> dict[str, Any]:  # fmt: skip
    return {"type": "login", "ts": ts, "account": account, "city": city, "device_id": device,
            "ip": ip, "success": success}  # fmt: skip


def transfer(ts: int, payer: str, payee: str, amount: int, *, channel: str = "app",
             status: str = "completed") -> dict[str, Any]:  # fmt: skip
    return {
        "type": "wallet_transfer", "ts": ts, "transfer_id": f"t-{payer}-{payee}-{ts}",
        "from_account": payer, "to_account": payee, "to_org": "qb-pay", "amount": amount,
        "channel": channel, "status": status, "initiated_at": ts,
        "completed_at": ts if status == "completed" else None, "memo": "",
    }  # fmt: skip


def scan(ts: int, account: str, order: str, status: str) -> dict[str, Any]:
    return {"type": "parcel_scan", "ts": ts, "account": account, "order_id": order,
            "scan_status": status, "city": "Beijing", "carrier": "SF"}  # fmt: skip


def claim(
    ts: int, account: str, order: str, amount: int, reason: str = "not_received"
) -> dict[str, Any]:
    return {"type": "refund_requested", "ts": ts, "account": account, "order_id": order,
            "refund_id": f"r-{order}", "amount": amount, "reason": reason, "text": ""}  # fmt: skip


def registered(ts: int, account: str, device: str = "dv-r") -> dict[str, Any]:
    return {"type": "account_registered", "ts": ts, "account": account, "city": "Beijing",
            "ip": "58.20.0.9", "device_id": device}  # fmt: skip


@st.composite
def transfer_streams(draw: st.DrawFn, max_size: int = 60) -> list[dict[str, Any]]:
    """Transfers among a few accounts, in time order, with ties and bursts."""
    n = draw(st.integers(min_value=1, max_value=max_size))
    accounts = ["a", "b", "c", "d", "e"]
    ts = T0
    rows = []
    for _ in range(n):
        ts += draw(st.sampled_from([0, 0, 1, 30, 300, 1800, 4000, 9000])) * US
        payer = draw(st.sampled_from(accounts))
        payee = draw(st.sampled_from(accounts))
        amount = draw(st.sampled_from([100, 10_000, 55_555, 200_000, 1_234_567, 500_000]))
        status = draw(st.sampled_from(["completed", "completed", "completed", "failed"]))
        rows.append(transfer(ts, payer, payee, amount, status=status))
    return rows


@st.composite
def batch_cuts(draw: st.DrawFn, n: int) -> list[int]:
    """Where to cut a stream of n events into micro-batches."""
    cuts = draw(st.lists(st.integers(min_value=1, max_value=max(1, n - 1)), max_size=6))
    return sorted({c for c in cuts if 0 < c < n})


def split(t: pa.Table, cuts: list[int]) -> list[pa.Table]:
    bounds = [0, *cuts, t.num_rows]
    return [t.slice(a, b - a) for a, b in pairwise(bounds) if b > a]
