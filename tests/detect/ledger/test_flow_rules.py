"""The flow ledger rules on small ledgers: each typology found at several time scales,
amounts and currencies, and the honest look-alike beside it left alone."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fraudlink.detect.ledger.book import Ledger
from fraudlink.detect.ledger.finding import Finding
from fraudlink.detect.ledger.operators.flow_counterparties import counterparty_explosion
from fraudlink.detect.ledger.operators.flow_dormancy import dormant_burst
from fraudlink.detect.ledger.operators.flow_fans import fan, own_pace
from fraudlink.detect.ledger.operators.flow_pass_through import binomial_bar, pass_through
from fraudlink.detect.ledger.operators.flow_rapid import rapid_in_out
from fraudlink.detect.ledger.operators.flow_structuring import structuring
from fraudlink.detect.ledger.run import Known
from fraudlink.detect.rules.ledger_schema import (
    CounterpartyExplosionSpec,
    DormantBurstSpec,
    FanLedgerSpec,
    PassThroughLedgerSpec,
    RapidInOutSpec,
    StructuringSpec,
)
from tests.detect.ledger.builders import LedgerBuilder, background, days, hours, minutes

CUSTOMERS = [f"c{i:03d}" for i in range(150)]


def found(
    rule: Callable[[Ledger, Any, Known], Iterable[Finding]], ledger: Ledger, spec: Any
) -> dict[str, Finding]:
    return {f.account: f for f in rule(ledger, spec, Known())}


def world(currency: str = "USD", months: int = 4) -> LedgerBuilder:
    b = LedgerBuilder(currency=currency)
    background(b, CUSTOMERS, months=months)
    return b


@pytest.mark.parametrize(
    ("gap", "amount"), [(minutes(7), 120_00), (hours(9), 4_800_00), (days(2), 48_000_00)]
)
def test_fan_in_found_at_every_pace_and_amount(tmp_path: Path, gap: Any, amount: int) -> None:
    b = world()
    for i in range(12):
        b.pay(f"victim{i}", "collector", amount + 13_00 * i, days(50) + gap * i)
    hits = found(fan, b.ledger(tmp_path), FanLedgerSpec(direction="in"))
    assert set(hits) == {"collector"}
    assert hits["collector"].metrics["counterparties"] == 12
    assert "from 12 one-off payers" in hits["collector"].reason
    assert "$" in hits["collector"].reason


def test_fan_in_leaves_a_landlord_and_a_steady_shop_alone(tmp_path: Path) -> None:
    b = world()
    for month in range(4):
        for t in range(12):  # the same tenants every month
            b.pay(CUSTOMERS[t], "landlord", 950_00, days(30 * month + 1) + hours(t))
    rng = random.Random(3)
    for day in range(120):  # a shop: new passers-by every day, all through the data
        for j in range(6):
            b.pay(f"walkin{day}-{j}", "shop", 4_00 + rng.randrange(2_000), days(day) + hours(j))
    hits = found(fan, b.ledger(tmp_path), FanLedgerSpec(direction="in"))
    assert "landlord" not in hits
    assert "shop" not in hits


def test_fan_out_found_and_payroll_not(tmp_path: Path) -> None:
    b = world()
    for i in range(15):
        b.pay("distributor", f"drop{i}", 900_00 + 7_00 * i, days(60) + hours(3 * i))
    for month in range(4):  # payroll: the same staff every month
        for e in range(40):
            b.pay("employer2", f"staff{e}", 2_500_00, days(30 * month + 25))
    hits = found(fan, b.ledger(tmp_path), FanLedgerSpec(direction="out"))
    assert "distributor" in hits
    assert "employer2" not in hits
    assert "employer" not in hits


@pytest.mark.parametrize(
    ("hold", "scale"), [(minutes(12), "1h"), (hours(7), "1d"), (days(4), "7d")]
)
def test_pass_through_found_at_its_own_time_scale(tmp_path: Path, hold: Any, scale: str) -> None:
    b = world()
    for i in range(5):
        at = days(35 + 12 * i)
        b.pay(f"victim{i}", "mule", 2_000_00 + 100_00 * i, at)
        b.pay("mule", f"onward{i}", int((2_000_00 + 100_00 * i) * 0.93), at + hold)
    hits = found(pass_through, b.ledger(tmp_path), PassThroughLedgerSpec())
    assert set(hits) == {"mule"}
    assert hits["mule"].metrics["scale"] == scale
    assert hits["mule"].metrics["inflows_passed"] == 5


def test_pass_through_leaves_a_saver_alone(tmp_path: Path) -> None:
    b = world()
    for month in range(4):
        b.pay("employer", "saver", 4_000_00, days(30 * month))
        b.pay("saver", "saver-savings", 3_600_00, days(30 * month) + hours(2))
    hits = found(pass_through, b.ledger(tmp_path), PassThroughLedgerSpec())
    assert "saver" not in hits


@pytest.mark.parametrize(("currency", "near"), [("USD", 9_600_00), ("JPY", 960_000)])
def test_structuring_in_the_currency_of_the_data(tmp_path: Path, currency: str, near: int) -> None:
    b = world(currency)
    for i in range(4):
        b.pay("cash-desk", "structurer", near + 1_000 * i, days(40) + hours(20 * i))
    b.pay("cash-desk", "honest", near * 2, days(41))  # one big deposit, reported
    hits = found(structuring, b.ledger(tmp_path), StructuringSpec())
    assert "structurer" in hits
    assert "honest" not in hits
    assert hits["structurer"].metrics["transfers"] == 4
    assert "just under the" in hits["structurer"].reason


def test_structuring_not_judged_without_a_threshold_for_the_currency(tmp_path: Path) -> None:
    b = world("CHF")
    for i in range(4):
        b.pay("desk", "someone", 9_600_00, days(40) + hours(i))
    assert found(structuring, b.ledger(tmp_path), StructuringSpec()) == {}


def test_rapid_in_out_on_a_new_account_not_on_a_new_shopper(tmp_path: Path) -> None:
    b = world()
    b.open("fresh-mule", days(70))
    b.open("fresh-shopper", days(70))
    for i in range(3):
        b.pay(f"victim{i}", "fresh-mule", 1_500_00, days(72 + i))
        b.pay("fresh-mule", f"onward{i}", 1_450_00, days(72 + i) + hours(5))
        b.pay(f"friend{i}", "fresh-shopper", 300_00, days(72 + i))
        b.pay(
            "fresh-shopper", "grocer", 290_00, days(72 + i) + hours(5),
            external="payee", channel="card_payment",
        )  # fmt: skip
    hits = found(rapid_in_out, b.ledger(tmp_path), RapidInOutSpec())
    assert "fresh-mule" in hits
    assert "fresh-shopper" not in hits
    assert hits["fresh-mule"].metrics["inflows_passed"] == 3


def test_dormant_burst_found_and_a_returning_traveller_not(tmp_path: Path) -> None:
    b = world(months=5)
    for name in ("sleeper", "traveller"):
        for week in range(6):  # one transfer a week, then silence
            b.pay(name, f"{name}-shop", 30_00, days(7 * week))
    for i in range(20):  # woken: twenty transfers in four days
        b.pay("sleeper", f"new{i}", 700_00, days(120) + hours(5 * i))
    for week in range(3):  # back from the trip at the old pace
        b.pay("traveller", "traveller-shop", 30_00, days(120 + 7 * week))
    hits = found(dormant_burst, b.ledger(tmp_path), DormantBurstSpec())
    assert "sleeper" in hits
    assert "traveller" not in hits
    assert hits["sleeper"].metrics["burst_transfers"] == 20


def test_counterparty_explosion_against_the_account_s_own_history(tmp_path: Path) -> None:
    b = world(months=5)
    for i in range(25):
        b.pay(CUSTOMERS[5], f"stranger{i}", 210_00, days(130) + hours(4 * i))
    hits = found(counterparty_explosion, b.ledger(tmp_path), CounterpartyExplosionSpec())
    assert CUSTOMERS[5] in hits
    # 25 strangers over four days: most of them in one 7-day window of its own
    assert hits[CUSTOMERS[5]].metrics["new_counterparties"] >= 13
    assert all(a == CUSTOMERS[5] or a.startswith("stranger") for a in hits)


def test_findings_are_the_same_every_run(tmp_path: Path) -> None:
    b = world()
    for i in range(6):
        b.pay(f"victim{i}", "mule", 700_00, days(40) + minutes(3 * i))
        b.pay("mule", f"onward{i}", 690_00, days(40) + minutes(3 * i + 1))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    runs = []
    spec, fan_in = PassThroughLedgerSpec(), FanLedgerSpec(direction="in")
    for sub in ("a", "b"):
        ledger = b.ledger(tmp_path / sub)
        runs.append(
            [(f.account, f.reason, f.event_ids) for f in pass_through(ledger, spec, Known())]
            + [(f.account, f.reason, f.event_ids) for f in fan(ledger, fan_in, Known())]
        )
    assert runs[0] == runs[1]
    assert runs[0]


@given(
    inflows=st.integers(1, 5_000),
    rate=st.floats(0, 1),
    spread=st.floats(0, 0.5),
)
def test_binomial_bar_is_at_least_a_third_and_grows_with_the_rate(
    inflows: int, rate: float, spread: float
) -> None:
    bar = binomial_bar(inflows, rate, spread, 3.5)
    assert bar >= inflows / 3 - 1e-9
    assert binomial_bar(inflows, min(1.0, rate + 0.1), spread, 3.5) >= bar - 1e-9 or rate > 0.5


@settings(max_examples=200)
@given(
    data=st.lists(st.tuples(st.integers(0, 200), st.integers(1, 50)), min_size=1, max_size=60),
    start=st.integers(0, 200),
    width=st.integers(1, 30),
)
def test_own_pace_is_a_median_of_the_days_outside_the_peak(
    data: list[tuple[int, int]], start: int, width: int
) -> None:
    per_day = dict(data)
    days_, counts = sorted(per_day), [per_day[d] for d in sorted(per_day)]
    pace = own_pace(days_, counts, start, start + width)
    outside = [
        per_day.get(d, 0) for d in range(min(days_), max(days_) + 1)
        if not start <= d < start + width
    ]  # fmt: skip
    if not outside:
        assert pace == 0
    else:
        ordered = sorted(outside)
        assert pace == ordered[len(ordered) // 2]
