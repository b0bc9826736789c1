"""Community flow: a mule ring that lets the money through is found in dollars and
yen, small and large; ordinary households, a shop and a family are not."""

from __future__ import annotations

from pathlib import Path

from fraudlink.detect.ledger.finding import Finding
from fraudlink.detect.ledger.operators import graph_communities
from fraudlink.detect.ledger.run import Known
from fraudlink.detect.rules.ledger_schema import CommunityFlowSpec
from tests.detect.ledger.builders import LedgerBuilder, background, days, hours

CUSTOMERS = [f"c{i}" for i in range(40)]
RING = ["m0", "m1", "m2", "m3", "x0", "x1"]


def _found(tmp_path: Path, b: LedgerBuilder) -> dict[str, Finding]:
    ledger = b.ledger(tmp_path)
    return {
        f.account: f for f in graph_communities.community_flow(ledger, CommunityFlowSpec(), Known())
    }


def _ring(b: LedgerBuilder, amount: int) -> None:
    """Victims among the customers pay four mules, who pass it to two cash-out
    accounts, who send it abroad."""
    for i, victim in enumerate(CUSTOMERS[:12]):
        b.pay(victim, f"m{i % 4}", amount, days(10 + i) + hours(i))
    for i in range(4):
        b.pay(f"m{i}", f"m{(i + 1) % 4}", amount // 10, days(23))
        b.pay(f"m{i}", f"x{i % 2}", int(amount * 2.9), days(24) + hours(i))
    for j in range(2):
        b.pay(f"x{j}", f"abroad{j}", int(amount * 5.7), days(26), external="payee")


def test_mule_ring_found_in_dollars(tmp_path: Path) -> None:
    for amount in (120_00, 48_000_00):
        b = LedgerBuilder()
        background(b, CUSTOMERS)
        _ring(b, amount)
        found = _found(tmp_path, b)
        assert set(RING) <= set(found), amount
        assert not set(found) & set(CUSTOMERS)
        f = found["m0"]
        assert "took in" in f.reason and "pass-through factor" in f.reason
        assert int(str(f.metrics["community_size"])) >= 6 and 0 < f.strength <= 1


def test_mule_ring_found_in_yen(tmp_path: Path) -> None:
    b = LedgerBuilder(currency="JPY")
    background(b, CUSTOMERS, salary=300_000)
    _ring(b, 1_500_000)
    assert set(RING) <= set(_found(tmp_path, b))


def test_households_shop_and_family_are_not_flagged(tmp_path: Path) -> None:
    b = LedgerBuilder()
    background(b, CUSTOMERS)
    for i, c in enumerate(CUSTOMERS):  # a shop with many small receipts
        b.pay(c, "corner-shop", 12_00 + i, days(3 + i % 20))
    b.pay("corner-shop", "wholesaler", 300_00, days(25), external="payee")
    for month in range(3):  # a family sending money back and forth
        b.pay("c1", "c2", 400_00, days(30 * month + 3))
        b.pay("c2", "c1", 350_00, days(30 * month + 15))
    assert _found(tmp_path, b) == {}
