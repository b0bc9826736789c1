"""Risk propagation: the accounts a known-bad account's money flows to are found,
from given seeds and from other rules' findings; a shop it paid once and the
ordinary customers are not; seeds are never found."""

from __future__ import annotations

from pathlib import Path

from fraudlink.detect.ledger.finding import Finding
from fraudlink.detect.ledger.operators import graph_risk
from fraudlink.detect.ledger.run import Known
from fraudlink.detect.rules.ledger_schema import RiskPropagationSpec
from tests.detect.ledger.builders import LedgerBuilder, background, days, hours

CUSTOMERS = [f"c{i}" for i in range(40)]
DOWNSTREAM = {"m0", "m1", "m2", "x0"}


def _network(b: LedgerBuilder, amount: int) -> None:
    for i in range(3):
        b.pay("boss", f"m{i}", amount, days(10) + hours(i))
        b.pay(f"m{i}", "x0", int(amount * 0.9), days(11) + hours(i))
    b.pay("boss", "shop-1", amount // 100, days(12))


def _found(tmp_path: Path, b: LedgerBuilder, known: Known) -> dict[str, Finding]:
    ledger = b.ledger(tmp_path)
    spec = RiskPropagationSpec()
    return {f.account: f for f in graph_risk.risk_propagation(ledger, spec, known)}


def test_money_of_a_known_bad_account_is_followed(tmp_path: Path) -> None:
    for amount in (120_00, 48_000_00):
        b = LedgerBuilder()
        background(b, CUSTOMERS)
        _network(b, amount)
        found = _found(tmp_path, b, Known(bad=frozenset({"boss"})))
        assert set(found) == DOWNSTREAM, amount
        m0 = found["m0"]
        assert "1 hop along the money from known-bad boss" in m0.reason
        assert "(100 %) came from them" in m0.reason and m0.linked == ("boss",)
        assert found["x0"].metrics["hops"] == 2 and 0 < found["x0"].strength <= 1


def test_seeds_from_other_rules_in_yen(tmp_path: Path) -> None:
    b = LedgerBuilder(currency="JPY")
    background(b, CUSTOMERS, salary=300_000)
    _network(b, 2_000_000)
    strong = Known(found={"boss": [("cycle", 0.7)], "c3": [("fan_in", 0.2)]})
    found = _found(tmp_path, b, strong)
    assert set(found) == DOWNSTREAM
    assert "¥" in found["m1"].reason or "JP" in found["m1"].reason
    # A weak finding is no seed: nothing propagates.
    assert _found(tmp_path, b, Known(found={"boss": [("cycle", 0.3)]})) == {}


def test_seeds_of_combines_rules_and_caps() -> None:
    known = Known(bad=frozenset({"z"}), found={"a": [("r1", 0.4), ("r2", 0.4)], "b": [("r", 0.5)]})
    assert graph_risk.seeds_of(known, 0.6, 10) == ["z", "a"]
    assert graph_risk.seeds_of(known, 0.6, 1) == ["z"]
