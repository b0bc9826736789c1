"""Portal reports matched to the transfers they describe: by payee, amount and time, each
transfer answering one reported payment; the rest grouped into people by payer or contact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq

from fraudlink.investigate.ledger_parquet import load_ledger
from fraudlink.investigate.victim_reports import (
    group_new,
    match_reports,
    normalise_contact,
    owner_of,
)
from fraudlink.model.columns import events_to_table
from fraudlink.model.events import WalletTransfer
from fraudlink.store import ReportRecord

T0 = datetime(2026, 9, 14, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def transfer(i: int, src: str, dst: str, amount: int, hours: float) -> WalletTransfer:
    at = T0 + timedelta(hours=hours)
    return WalletTransfer(event_id=f"e{i}", ts=at, org="qb-pay", transfer_id=f"T{i}",
                          from_account=src, to_account=dst, to_org="lt-pay", amount=amount,
                          currency="CNY", channel="app", status="completed", initiated_at=at,
                          completed_at=at)  # fmt: skip


def report(number: str, contact: str, *payments: tuple[str, int, str]) -> ReportRecord:
    return ReportRecord(id=number, follow_sha256="0" * 64, created_at=T0, lang="en", name="x",
                        contact=contact, story="a caller said he was police", status="received",
                        payments=[{"account": a, "amount_minor": m, "currency": "CNY",
                                   "paid_at": when} for a, m, when in payments],
                        files=[], matches=[], freeze_ids=[])  # fmt: skip


def test_payments_match_by_payee_amount_and_nearest_time(tmp_path: Path) -> None:
    events = tmp_path / "events.parquet"
    pq.write_table(events_to_table([
        transfer(1, "v1", "mule", 5_000_00, 0),      # 10:00 Shanghai
        transfer(2, "v2", "mule", 5_000_00, 30),     # the next day, same amount
        transfer(3, "v3", "mule", 1_234_00, 5),
    ]), events)  # fmt: skip
    ledger = load_ledger([events])
    a, b, c, d = match_reports(ledger, [
        report("FR-A", "+86 138-0000-0001", ("mule", 5_000_00, "2026-09-15T17:30")),
        report("FR-B", "a@b.cn", ("mule", 5_000_00, "2026-09-14T10:05")),
        report("FR-C", "x", ("mule", 1_234_00, "")),          # no time: a single candidate
        report("FR-D", "13800000001", ("mule", 5_000_00, "2026-09-20T10:00")),  # too far
    ])  # fmt: skip
    ids = ledger.transfer_ids.to_pylist()
    assert [ids[k] for k in a.transfers] == ["T2"] and [ids[k] for k in b.transfers] == ["T1"]
    assert [ids[k] for k in c.transfers] == ["T3"] and c.payers == {("qb-pay", "v3")}
    assert d.transfers == [] and d.unmatched == 5_000_00
    # Known victims: by the payer account first, then by the reporter's phone.
    assert owner_of(b, {("qb-pay", "v1"): "P1"}, {}) == "P1"
    assert owner_of(d, {}, {normalise_contact("138 0000 0001"): "P9"}) == "P9"
    # FR-A and FR-D come from the same phone: one person.
    groups = group_new([a, c, d])
    assert sorted(sorted(m.report.id for m in g) for g in groups) == [["FR-A", "FR-D"], ["FR-C"]]
