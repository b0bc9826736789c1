"""A pack's ledger rules feed the ranking with their strengths, without any wiring.

The operator here stands in for a real ledger detector (the ranking is under test, not
the detector): it finds the accounts whose pass-through share is high, with a strength
that grows with the share, through the same ``run_rules`` path every pack takes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fraudlink.detect.ledger import operators  # noqa: F401 - the real ops, registered first
from fraudlink.detect.ledger.book import Ledger
from fraudlink.detect.ledger.finding import Finding
from fraudlink.detect.ledger.run import OPERATORS, Known
from fraudlink.detect.ranking.features import account_features
from fraudlink.detect.ranking.gather import gather
from fraudlink.detect.rules.loader import load_rules
from tests.detect.ranking.worlds import mule_world

PACK = """
ledger:
  - id: pass_through
    title: Pass-through
    typology: pass_through
    weight: 0.8
    detect: {op: pass_through}
"""


def passed_on(ledger: Ledger, spec: Any, known: Known) -> Iterator[Finding]:
    table = account_features(ledger)
    for account in table.accounts:
        share = table.value(account, "pass_through")
        if share > 0.9 and table.value(account, "in_count") >= 5:
            yield Finding(account=account, ts_us=ledger.end_us, window_start_us=ledger.start_us,
                          reason=f"passed on {share:.0%} of what came in",
                          strength=min(1.0, 10 * (share - 0.9)))  # fmt: skip


def test_ledger_findings_rank_their_accounts_first_with_their_strength(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(OPERATORS, "pass_through", passed_on)
    rules = tmp_path / "pack.yaml"
    rules.write_text(PACK)
    builder, bad = mule_world(3)
    builder.ledger(tmp_path)
    gathered = gather([tmp_path / "events.parquet"], load_rules(rules), [])
    ranked = gathered.rank_by_rules()
    assert {r.account for r in ranked[: len(bad)]} == bad
    top = ranked[0]
    [rule] = [c for c in top.contributions if c.source == "pass_through"]
    share = gathered.table.value(top.account, "pass_through")
    assert rule.value == pytest.approx(0.8 * min(1.0, 10 * (share - 0.9)), abs=1e-6)
    assert any(r.startswith("passed on ") for r in top.reasons)
    model = gathered.train(bad)
    assert "rule:pass_through" in model.features
