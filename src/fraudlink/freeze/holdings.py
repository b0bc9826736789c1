"""What a platform can actually hold on an account: its wallet balance from its own events.

Money arrives by completed wallet transfers to the account and leaves by completed
transfers from it (cash-out to a bank card is a transfer to an external account in
the canonical model), so the balance at the end of the data is what a freeze can
still catch. Amounts in other currencies are not mixed in.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

BALANCE = """
SELECT coalesce(sum(CASE WHEN to_account = $acc THEN amount ELSE -amount END), 0)
FROM read_parquet($path)
WHERE type = 'wallet_transfer' AND status = 'completed' AND currency = $cur
  AND (to_account = $acc OR from_account = $acc)
"""


RECEIVED = """
SELECT coalesce(sum(amount), 0) FROM read_parquet($path)
WHERE type = 'wallet_transfer' AND status = 'completed' AND currency = $cur
  AND to_account = $acc
"""


def _sum(sql: str, events: Path, account: str, currency: str) -> int:
    con = duckdb.connect()
    try:
        row = con.execute(sql, {"acc": account, "path": str(events), "cur": currency}).fetchone()
    finally:
        con.close()
    return int(row[0]) if row else 0


def balance(events: Path, account: str, currency: str) -> int:
    """The account's balance in minor units of ``currency`` (never below zero)."""
    return max(_sum(BALANCE, events, account, currency), 0)


def received(events: Path, account: str, currency: str) -> int:
    """Everything paid into the account: what the police may ask to be held."""
    return _sum(RECEIVED, events, account, currency)
