"""The ledger: transfers in the order money moved, each account's transfers at hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fraudlink.investigate.ledger import build_ledger
from fraudlink.investigate.ledger_parquet import load_ledger
from fraudlink.model.columns import EVENT_SCHEMA

T0 = 1_788_192_000_000_000  # 2026-09-01 00:00 +08:00, in µs


@given(
    rows=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(0, 10)), max_size=40)
)
@settings(max_examples=200, deadline=None)
def test_index_lists_each_accounts_transfers_in_time_order(
    rows: list[tuple[int, int, int]],
) -> None:
    ledger = build_ledger(
        account_ids=[f"a{i}" for i in range(6)],
        account_orgs=["w"] * 6,
        external=[False] * 6,
        src=[r[0] for r in rows],
        dst=[r[1] for r in rows],
        amount=[1] * len(rows),
        time_us=[r[2] for r in rows],
        currency=["CNY"] * len(rows),
        transfer_ids=[f"t{i}" for i in range(len(rows))],
    )
    # Sorted by time, ties in the given order, self-transfers left out.
    expected = sorted((t, i) for i, (a, b, t) in enumerate(rows) if a != b)
    assert ledger.transfer_ids.to_pylist() == [f"t{i}" for _, i in expected]
    assert ledger.time_us.tolist() == [t for t, _ in expected]
    for code in range(6):
        mine = ledger.transfers_of(code).tolist()
        brute = [k for k in range(ledger.n_transfers)
                 if code in (ledger.src[k], ledger.dst[k])]  # fmt: skip
        assert mine == brute


def _transfer(
    tid: str, payer: str, payee: str, amount: int, minute: int, **extra: Any
) -> dict[str, Any]:
    ts = T0 + minute * 60_000_000
    row = {
        "event_id": f"ev-{tid}", "type": "wallet_transfer", "ts": ts, "org": "qb-pay",
        "transfer_id": tid, "from_account": payer, "to_account": payee, "to_org": "qb-pay",
        "amount": amount, "currency": "CNY", "channel": "app", "status": "completed",
        "initiated_at": ts, "completed_at": ts, "memo": "",
    }  # fmt: skip
    row.update(extra)
    return row


@pytest.fixture
def world(tmp_path: Path) -> Path:
    rows = [
        _transfer("t1", "v", "m", 500, 1),
        _transfer("t2", "m", "n", 200, 2),
        _transfer("t3", "m", "x", 900, 3, status="failed", completed_at=None),
        _transfer("t4", "m", "6222001", 100, 4, to_org="hs-bank"),  # a bank: cash-out
        _transfer("t5", "n", "own-card", 150, 5, channel="withdrawal", to_org="lt-pay"),
        _transfer("t6", "m", "n", 50, 6, to_org="lt-pay"),  # same id "n", another wallet
        {"event_id": "ev-login", "type": "login", "ts": T0, "org": "qb-pay", "account": "m",
         "ip": "1.2.3.4", "city": "Beijing", "device_id": "d", "success": True},
    ]  # fmt: skip
    pq.write_table(pa.Table.from_pylist(rows, schema=EVENT_SCHEMA), tmp_path / "events.parquet")
    pq.write_table(
        pa.table({"org_id": ["qb-pay", "hs-bank"], "kind": ["wallet", "bank"]}),
        tmp_path / "organisations.parquet",
    )
    return tmp_path


def test_load_reads_completed_transfers_and_marks_cash_out_points(world: Path) -> None:
    phases: list[str] = []
    ledger = load_ledger([world], progress=phases.append)
    assert ledger.transfer_ids.to_pylist() == ["t1", "t2", "t4", "t5", "t6"]
    assert ledger.amount.tolist() == [500, 200, 100, 150, 50]
    assert ledger.currencies == ("CNY",)
    external = {ledger.account(int(c)) for c in np.flatnonzero(ledger.external)}
    assert external == {"6222001", "own-card"}  # by the bank's kind, by the channel
    assert phases[0] == "reading transfers" and len(phases) == 4
    # An account is (org, id): "n" at two wallets is two accounts.
    assert sorted(ledger.org(c) for c in ledger.account_codes("n")) == ["lt-pay", "qb-pay"]
    assert len(ledger.account_codes("n", "lt-pay")) == 1


def test_load_counts_a_transfer_once_when_files_overlap(world: Path) -> None:
    events = world / "events.parquet"
    ledger = load_ledger([events, events])
    assert ledger.transfer_ids.to_pylist() == ["t1", "t2", "t4", "t5", "t6"]
    without_orgs = load_ledger([events], bank_orgs=[])
    external = {without_orgs.account(int(c)) for c in np.flatnonzero(without_orgs.external)}
    assert external == {"own-card"}


def test_load_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_ledger([tmp_path / "missing.parquet"])
    (tmp_path / "events.jsonl").write_text("{}\n")
    with pytest.raises(ValueError, match="Parquet"):
        load_ledger([tmp_path / "events.jsonl"])
