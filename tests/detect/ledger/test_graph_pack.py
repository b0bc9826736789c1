"""The pack entries of docs/ledger-graph-rules.md load, run through ``ledger_alerts``
and reinforce each other: a ring's members are alerted by the cycle rule, and the
account the ring pays out to by risk propagation seeded from them."""

from __future__ import annotations

import re
from pathlib import Path

from fraudlink.detect.ledger.operators import (  # noqa: F401 - registers the ops
    graph_communities,
    graph_cycles,
    graph_fans,
    graph_layers,
    graph_risk,
)
from fraudlink.detect.ledger.run import ledger_alerts
from fraudlink.detect.rules.loader import load_rules_text
from tests.detect.ledger.builders import LedgerBuilder, background, days, hours

DOC = Path(__file__).parents[3] / "docs" / "ledger-graph-rules.md"


def _pack_text() -> str:
    found = re.search(r"```yaml\n(.*?)```", DOC.read_text(), re.S)
    assert found is not None
    return "version: 1\nsettings: {currency: USD}\n" + found.group(1)


def test_documented_entries_run_and_reinforce(tmp_path: Path) -> None:
    pack = load_rules_text(_pack_text())
    assert [r.id for r in pack.ledger] == [
        "cycle", "scatter_gather", "gather_scatter", "layering", "community_flow",
        "risk_propagation",
    ]  # fmt: skip
    b = LedgerBuilder()
    background(b, [f"c{i}" for i in range(30)])
    ring = ["r1", "r2", "r3", "r4"]
    for i, payer in enumerate(ring):
        b.pay(payer, ring[(i + 1) % 4], 9_000_00 - 100_00 * i, days(10) + hours(i))
    b.pay("r3", "cashout", 8_000_00, days(12))
    alerts = ledger_alerts(pack, b.ledger(tmp_path))
    by_rule: dict[str, set[str]] = {}
    for alert in alerts:
        by_rule.setdefault(alert.rule_id, set()).add(alert.entity)
    assert by_rule["cycle"] == set(ring)
    assert "cashout" in by_rule["risk_propagation"]
    assert not by_rule["risk_propagation"] & set(ring)
    cashout = next(a for a in alerts if a.entity == "cashout")
    assert "known-bad r3" in cashout.reasons[0] and "$8,000.00" in cashout.reasons[0]
