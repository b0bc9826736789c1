"""Behaviour that marks an account as working for a gang, with the numbers behind it.

Two behaviours seed gang finding; everything else joins a gang only through its links
to them, so honest commerce never forms communities of its own:

- **relay**: a *pass-through* account (most of the money it received left again within
  hours) that sent money to, or received money from, another pass-through account.
  Laundering chains are made of such accounts; an honest person who happens to spend
  what a friend just sent is a pass-through account now and then, but two of them in a
  row is not what honest money does (on the large simulated world: 832 pass-through
  accounts, 179 of them honest, and none of the 653 relays honest; docs/investigate-gangs.md).
- **claim burst**: several "not received" refund claims on one account within a short
  window, the signature of a refund-fraud ring.

Pass-through is measured per received *lot* (one incoming transfer): the lot counts as
passed on if at least ``lot_share`` of its amount left the account within ``window``
after it arrived. Running sums of each account's outgoing money make that two ASOF
joins, so the whole ledger is measured in one vectorised pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

HOUR_US = 3_600_000_000


@dataclass(frozen=True)
class SignalSettings:
    pass_window_us: int = 4 * HOUR_US
    lot_share: float = 0.5  # a lot is passed on when this share of it leaves in the window
    passer_share: float = 0.8  # share of received money in passed-on lots
    min_received: int = 100_000  # minor units (¥1,000): small change is not laundering
    burst_claims: int = 3
    burst_window_us: int = 2 * HOUR_US


_SENT = """
CREATE TEMP TABLE sent AS
SELECT src_org AS org, src AS account, ts,
       sum(amount) OVER (PARTITION BY src_org, src ORDER BY ts, transfer_id
                         ROWS UNBOUNDED PRECEDING) AS cum
FROM tr
"""
# For each lot: what the payee had sent by its arrival, and by the end of the window.
_LOTS = """
CREATE TEMP TABLE lots AS
SELECT i.dst_org AS org, i.dst AS account, i.amount,
       coalesce(b.cum, 0) - coalesce(a.cum, 0) AS onward
FROM tr i
ASOF LEFT JOIN sent a ON i.dst_org = a.org AND i.dst = a.account AND i.ts >= a.ts
ASOF LEFT JOIN sent b ON i.dst_org = b.org AND i.dst = b.account AND i.ts + $window >= b.ts
"""
_PASSERS = """
CREATE TEMP TABLE passer AS
SELECT org, account, sum(amount)::BIGINT AS received, count(*) AS lots,
       coalesce(sum(amount) FILTER (onward >= $lot_share * amount), 0)::BIGINT AS passed
FROM lots GROUP BY org, account
HAVING sum(amount) >= $min_received
   AND coalesce(sum(amount) FILTER (onward >= $lot_share * amount), 0)
       >= $passer_share * sum(amount)
"""
_RELAYS = """
CREATE TEMP TABLE relay AS
SELECT DISTINCT org, account FROM (
    SELECT p.org, p.account FROM tr
    JOIN passer p ON tr.src_org = p.org AND tr.src = p.account
    JOIN passer q ON tr.dst_org = q.org AND tr.dst = q.account
    UNION ALL
    SELECT q.org, q.account FROM tr
    JOIN passer p ON tr.src_org = p.org AND tr.src = p.account
    JOIN passer q ON tr.dst_org = q.org AND tr.dst = q.account
)
"""
_BURSTS = """
CREATE TEMP TABLE burst AS
SELECT org, account, max(in_window) AS claims_in_window, count(*) AS claims,
       sum(amount)::BIGINT AS claimed, min(currency) AS claim_currency
FROM (
    SELECT org, account, amount, currency,
           count(*) OVER (PARTITION BY org, account ORDER BY ts
                          RANGE BETWEEN $window PRECEDING AND CURRENT ROW) AS in_window
    FROM claims
)
GROUP BY org, account
HAVING max(in_window) >= $claims
"""
# One row per seed account, with the evidence for it.
_SIGNAL = """
CREATE TEMP TABLE signal AS
SELECT org, account,
       p.received, p.lots, p.passed,
       b.claims_in_window, b.claims, b.claimed, b.claim_currency
FROM relay r
FULL JOIN burst b USING (org, account)
LEFT JOIN passer p USING (org, account)
"""


def find_signals(con: duckdb.DuckDBPyConnection, settings: SignalSettings) -> None:
    """Create ``passer``, ``relay``, ``burst`` and ``signal`` from ``tr`` and ``claims``."""
    con.execute(_SENT)
    con.execute(_LOTS, {"window": settings.pass_window_us})
    con.execute(
        _PASSERS,
        {
            "lot_share": settings.lot_share,
            "passer_share": settings.passer_share,
            "min_received": settings.min_received,
        },
    )
    con.execute("DROP TABLE lots; DROP TABLE sent")
    con.execute(_RELAYS)
    con.execute(_BURSTS, {"window": settings.burst_window_us, "claims": settings.burst_claims})
    con.execute(_SIGNAL)
