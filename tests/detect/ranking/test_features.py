"""Per-account features, each as its definition says, from a ledger small enough to check."""

from __future__ import annotations

from pathlib import Path

import pytest

from fraudlink.detect.ranking.features import FEATURES, account_features
from tests.detect.ledger.builders import LedgerBuilder, days, hours


def test_features_of_a_pass_through_account(tmp_path: Path) -> None:
    b = LedgerBuilder()
    b.open("mule", days(1))
    b.pay("a", "mule", 500_00, days(2))
    b.pay("mule", "boss", 450_00, days(2) + hours(2))
    b.pay("b", "mule", 300_00, days(3))
    b.pay("mule", "boss", 300_00, days(3) + hours(4))
    b.pay("shop", "outside", 10_00, days(9), external="payee")
    table = account_features(b.ledger(tmp_path))
    assert table.names == tuple(FEATURES)
    assert "outside" not in table.accounts
    mule = dict(zip(table.names, table.rows["mule"], strict=True))
    assert mule["in_count"] == 2 and mule["out_count"] == 2
    assert mule["in_sum"] == 800_00 and mule["out_sum"] == 750_00
    assert mule["counterparties"] == 3
    assert mule["pass_through"] == pytest.approx(750 / 800)
    assert mule["median_hold_hours"] == pytest.approx(3.0)
    assert mule["age_at_first_out_days"] == pytest.approx(1 + 2 / 24)
    assert mule["night_share"] == pytest.approx(1.0)  # 00:00, 02:00, 00:00, 04:00 UTC
    assert mule["new_counterparty_rate"] == pytest.approx(3 / 4)
    boss = dict(zip(table.names, table.rows["boss"], strict=True))
    assert boss["out_count"] == 0 and boss["pass_through"] == 0
    span_hours = 8 * 24
    assert boss["median_hold_hours"] == pytest.approx(span_hours)
