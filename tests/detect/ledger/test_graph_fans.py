"""Scatter-gather and gather-scatter found at minutes, days and weeks and at any
amount; payroll, landlord and shop look-alikes are not."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fraudlink.detect.ledger.finding import Finding
from fraudlink.detect.ledger.operators import graph_fans
from fraudlink.detect.ledger.run import Known
from fraudlink.detect.rules.ledger_schema import ScatterGatherSpec
from tests.detect.ledger.builders import LedgerBuilder, background, days, hours, minutes

CUSTOMERS = [f"c{i}" for i in range(30)]
SG = ScatterGatherSpec()
GS = ScatterGatherSpec(shape="gather_scatter")


def _found(tmp_path: Path, b: LedgerBuilder, spec: ScatterGatherSpec) -> dict[str, Finding]:
    return {f.account: f for f in graph_fans.scatter_gather(b.ledger(tmp_path), spec, Known())}


def _scatter(
    b: LedgerBuilder, tag: str, amount: int, step: timedelta, at: timedelta, n: int = 4
) -> list[str]:
    middles = [f"{tag}-m{i}" for i in range(n)]
    for i, m in enumerate(middles):
        b.pay(f"{tag}-src", m, amount, at + step * i)
        b.pay(m, f"{tag}-sink", int(amount * 0.95), at + step * (n + i))
    return [f"{tag}-src", *middles, f"{tag}-sink"]


def test_scatter_gather_at_every_scale(tmp_path: Path) -> None:
    b = LedgerBuilder()
    background(b, CUSTOMERS)
    a = _scatter(b, "min", 120_00, minutes(5), days(3))
    d = _scatter(b, "day", 48_000_00, hours(20), days(30))
    w = _scatter(b, "week", 9_500_00, timedelta(days=1.5), days(50))
    found = _found(tmp_path, b, ScatterGatherSpec(within="14d"))
    assert set(found) == {*a, *d, *w}
    src = found["day-src"]
    assert "paid $192,000.00 to 4 accounts" in src.reason
    assert "day-sink" in src.linked and len(src.event_ids) == 8
    assert found["min-m2"].metrics["role"] == "intermediary"


def test_scatter_gather_in_yen(tmp_path: Path) -> None:
    b = LedgerBuilder(currency="JPY")
    background(b, CUSTOMERS, salary=300_000)
    members = _scatter(b, "y", 1_200_000, hours(2), days(10), n=5)
    assert set(_found(tmp_path, b, SG)) == set(members)


def test_payroll_is_not_scatter_gather(tmp_path: Path) -> None:
    b = LedgerBuilder()
    background(b, CUSTOMERS)
    # One-off bonus to every employee, who then pay the same landlord their rent.
    for i, c in enumerate(CUSTOMERS[:9]):
        b.pay("firm", c, 2_000_00, days(61) + minutes(i))
        b.pay(c, "landlord-0", 700_00, days(62))
    assert _found(tmp_path, b, SG) == {}


def _gather(b: LedgerBuilder, hub: str, amount: int, step: timedelta, at: timedelta) -> None:
    for i in range(5):
        b.pay(f"{hub}-victim{i}", hub, amount, at + step * i)
    for i in range(4):
        b.pay(hub, f"{hub}-out{i}", int(amount * 5 * 0.9 / 4), at + step * (5 + i))


def test_gather_scatter_at_every_scale(tmp_path: Path) -> None:
    b = LedgerBuilder()
    background(b, CUSTOMERS)
    _gather(b, "hub-min", 120_00, minutes(3), days(2))
    _gather(b, "hub-day", 48_000_00, hours(30), days(20))
    _gather(b, "hub-week", 700_00, timedelta(days=1.5), days(40))
    found = _found(tmp_path, b, GS)
    assert set(found) == {"hub-min", "hub-day", "hub-week"}
    hub = found["hub-day"]
    assert "gathered $240,000.00 from 5 payers" in hub.reason and "4 payees" in hub.reason
    assert hub.metrics["payers"] == 5 and 0 < hub.strength <= 1


def test_gather_scatter_in_yen(tmp_path: Path) -> None:
    b = LedgerBuilder(currency="JPY")
    background(b, CUSTOMERS, salary=300_000)
    _gather(b, "hub", 480_000, hours(4), days(15))
    assert set(_found(tmp_path, b, GS)) == {"hub"}


def test_landlord_and_shop_are_not_gather_scatter(tmp_path: Path) -> None:
    b = LedgerBuilder()
    background(b, CUSTOMERS)
    # The landlords of the background get rent monthly; one spends it normally.
    for month in range(3):
        b.pay("landlord-0", "utility", 300_00, days(30 * month + 8))
        b.pay("landlord-0", "plumber", 150_00, days(30 * month + 12))
    # A shop gets many small one-off receipts and pays a wholesaler and wages.
    for i in range(40):
        b.pay(f"buyer{i}", "shop-x", 25_00 + i * 10, days(1) + hours(i))
    b.pay("shop-x", "wholesaler", 400_00, days(6))
    b.pay("shop-x", "clerk", 200_00, days(7))
    assert _found(tmp_path, b, GS) == {}
