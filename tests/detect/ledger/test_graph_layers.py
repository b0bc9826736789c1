"""Layering: a bipartite stack found at minutes, days and weeks, in dollars and yen;
a fan-out, a scatter-gather and a payroll are not layering."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

from fraudlink.detect.ledger.finding import Finding
from fraudlink.detect.ledger.operators import graph_layers
from fraudlink.detect.ledger.run import Known
from fraudlink.detect.rules.ledger_schema import LayeringSpec
from tests.detect.ledger.builders import LedgerBuilder, background, days, hours, minutes

CUSTOMERS = [f"c{i}" for i in range(30)]


def _found(tmp_path: Path, b: LedgerBuilder, spec: LayeringSpec) -> dict[str, Finding]:
    return {f.account: f for f in graph_layers.layering(b.ledger(tmp_path), spec, Known())}


def _stack(
    b: LedgerBuilder, tag: str, amount: int, step: timedelta, at: timedelta, widths: list[int]
) -> list[str]:
    """A source paying layer 1; every member of a layer paying every member of the next."""
    layers = [[f"{tag}-src"]] + [
        [f"{tag}-l{d}-{i}" for i in range(w)] for d, w in enumerate(widths)
    ]
    layers.append([f"{tag}-exit"])
    money = {f"{tag}-src": float(amount)}
    t = at
    for here, there in itertools.pairwise(layers):
        for payer in here:
            share = money[payer] * 0.96 / len(there)
            for payee in there:
                b.pay(payer, payee, int(share), t)
                money[payee] = money.get(payee, 0.0) + int(share)
        t += step
    return [n for layer in layers[:-1] for n in layer]


def test_stacks_at_every_scale_and_amount(tmp_path: Path) -> None:
    b = LedgerBuilder()
    background(b, CUSTOMERS)
    m = _stack(b, "min", 120_00, minutes(10), days(5), [3, 3])
    d = _stack(b, "day", 48_000_00, days(1), days(25), [2, 3, 2])
    w = _stack(b, "wk", 9_000_00, timedelta(weeks=1), days(40), [3, 2])
    found = _found(tmp_path, b, LayeringSpec(within="30d"))
    assert set(found) == {*m, *d, *w}
    src = found["day-src"]
    assert "sent $46,080.00" in src.reason and "3 layers of 2, 3, 2 accounts" in src.reason
    assert src.metrics["layers"] == 3 and "day-l1-0" in src.linked
    assert 0 < found["min-l0-1"].strength <= 1


def test_stack_in_yen(tmp_path: Path) -> None:
    b = LedgerBuilder(currency="JPY")
    background(b, CUSTOMERS, salary=300_000)
    members = _stack(b, "y", 6_000_000, hours(5), days(8), [2, 2])
    assert set(_found(tmp_path, b, LayeringSpec())) == set(members)


def test_fan_out_scatter_gather_and_payroll_are_not_layering(tmp_path: Path) -> None:
    b = LedgerBuilder()
    background(b, CUSTOMERS)
    for i in range(5):  # a fan-out: the payees keep the money
        b.pay("fan", f"fan-p{i}", 900_00, days(3) + hours(i))
    for i in range(4):  # a scatter-gather: one sink after one layer
        b.pay("sg", f"sg-m{i}", 900_00, days(10))
        b.pay(f"sg-m{i}", "sg-sink", 880_00, days(11))
    for i, c in enumerate(CUSTOMERS[:8]):  # a bonus spent on rent and shops
        b.pay("firm", c, 1_000_00, days(61) + minutes(i))
        b.pay(c, f"store{i % 3}", 600_00, days(62))
    assert _found(tmp_path, b, LayeringSpec()) == {}


def test_layer_that_keeps_the_money_stops_the_stack(tmp_path: Path) -> None:
    b = LedgerBuilder()
    background(b, CUSTOMERS)
    for i in range(3):
        b.pay("s", f"a{i}", 1_000_00, days(2))
        for j in range(3):
            b.pay(f"a{i}", f"b{j}", 100_00, days(3))  # passes on 30 %
    assert _found(tmp_path, b, LayeringSpec()) == {}
