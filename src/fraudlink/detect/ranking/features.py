"""Per-account features computed from the ledger, the same for every ranker.

Each is defined over the account's completed transfers in the ledger's currency
(the ``transfers`` view), counting only customers (never the external side of a
statement). Amounts are in minor units of :attr:`Ledger.currency`; times in hours or
days so that no feature depends on the data's currency or clock resolution.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from fraudlink.detect.ledger.book import Ledger

FEATURES: dict[str, str] = {
    "in_count": "transfers received",
    "out_count": "transfers sent",
    "in_sum": "amount received",
    "out_sum": "amount sent",
    "counterparties": "distinct accounts it sent to or received from",
    "pass_through": "share of the amount received that was sent on (min(out, in) / in)",
    "median_hold_hours": "median hours between an outgoing transfer and the latest "
    "incoming one before it (the ledger's span when nothing came in first)",
    "age_at_first_out_days": "days from the account's first appearance (registration or "
    "first transfer) to its first outgoing transfer (the ledger's span when it never sent)",
    "night_share": "share of its transfers between 00:00 and 06:00 in the pack's zone",
    "new_counterparty_rate": "share of its transfers made with a counterparty for the first "
    "time (distinct counterparties / transfers)",
}
"""Feature name → definition (docs/ranking.md prints the same list)."""

_US_HOUR = 3_600_000_000


@dataclass(frozen=True)
class FeatureTable:
    """One row of :data:`FEATURES` values per customer account, accounts sorted."""

    accounts: tuple[str, ...]
    names: tuple[str, ...]
    rows: dict[str, tuple[float, ...]]

    def column(self, name: str) -> list[float]:
        i = self.names.index(name)
        return [self.rows[a][i] for a in self.accounts]

    def value(self, account: str, name: str) -> float:
        return self.rows[account][self.names.index(name)]


def _offset_us(ledger: Ledger) -> int:
    moment = datetime.fromtimestamp(ledger.start_us / 1e6, tz=UTC)
    delta = moment.astimezone(ledger.zone).utcoffset()
    return int(delta.total_seconds() * 1_000_000) if delta is not None else 0


_SQL = """
WITH legs AS (
    SELECT to_account AS account, from_account AS other, 'in' AS dir, amount, ts_us
    FROM transfers WHERE external IS DISTINCT FROM 'payee'
    UNION ALL
    SELECT from_account, to_account, 'out', amount, ts_us
    FROM transfers WHERE external IS DISTINCT FROM 'payer'
),
ins AS (SELECT account, ts_us FROM legs WHERE dir = 'in'),
outs AS (SELECT account, ts_us FROM legs WHERE dir = 'out'),
holds AS (
    SELECT o.account, median(o.ts_us - i.ts_us) / $hour AS hold
    FROM outs o ASOF JOIN ins i ON o.account = i.account AND i.ts_us <= o.ts_us
    GROUP BY o.account
),
agg AS (
    SELECT account,
        count(*) FILTER (WHERE dir = 'in') AS in_count,
        count(*) FILTER (WHERE dir = 'out') AS out_count,
        coalesce(sum(amount) FILTER (WHERE dir = 'in'), 0) AS in_sum,
        coalesce(sum(amount) FILTER (WHERE dir = 'out'), 0) AS out_sum,
        count(DISTINCT other) AS counterparties,
        min(ts_us) AS first_us,
        min(ts_us) FILTER (WHERE dir = 'out') AS first_out_us,
        avg(CASE WHEN ((ts_us + $offset) % 86400000000) < 6 * $hour THEN 1.0 ELSE 0.0 END)
            AS night_share,
        count(*) AS legs
    FROM legs GROUP BY account
)
SELECT c.account,
    coalesce(a.in_count, 0), coalesce(a.out_count, 0),
    coalesce(a.in_sum, 0), coalesce(a.out_sum, 0), coalesce(a.counterparties, 0),
    CASE WHEN coalesce(a.in_sum, 0) > 0 THEN least(a.out_sum, a.in_sum) / a.in_sum ELSE 0 END,
    coalesce(h.hold, $span_hours),
    CASE WHEN a.first_out_us IS NULL THEN $span_hours / 24.0
         ELSE (a.first_out_us - least(coalesce(o.ts_us, a.first_us), a.first_us)) / $hour / 24.0
    END,
    coalesce(a.night_share, 0),
    CASE WHEN coalesce(a.legs, 0) > 0 THEN a.counterparties / a.legs ELSE 0 END
FROM customers c
LEFT JOIN agg a USING (account)
LEFT JOIN holds h USING (account)
LEFT JOIN opened o USING (account)
ORDER BY c.account
"""


def account_features(ledger: Ledger) -> FeatureTable:
    """Every customer's :data:`FEATURES`, in one DuckDB pass over the ledger."""
    span_hours = max(ledger.end_us - ledger.start_us, 0) / _US_HOUR
    rows = ledger.con.execute(
        _SQL, {"hour": _US_HOUR, "offset": _offset_us(ledger), "span_hours": span_hours}
    ).fetchall()
    table = {str(r[0]): tuple(float(v) for v in r[1:]) for r in rows}
    return FeatureTable(accounts=tuple(table), names=tuple(FEATURES), rows=table)
