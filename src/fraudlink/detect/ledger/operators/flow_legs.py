"""Shared views of the ledger for the flow rules: each transfer from each side, and
which pairs of accounts deal with each other regularly.

A *leg* is a transfer seen from one account: ``out`` for the payer, ``in`` for the
payee, with the other side as ``counterparty``. ``spend`` marks a card payment to a
merchant outside the customer base: buying something, not passing money on (a cash
withdrawal is not spending in this sense: it is how a mule cashes out).

A *regular* pair is one that met in at least ``min_buckets`` distinct periods of
``bucket_us`` (a tenant's rent, an employee's pay, a saver's own savings account):
the flow rules do not count those as the one-off counterparties laundering uses.
"""

from __future__ import annotations

from fraudlink.detect.ledger.book import Ledger


def legs(ledger: Ledger) -> str:
    """The name of the legs table, created once per ledger."""
    ledger.con.execute(
        """
        CREATE TABLE IF NOT EXISTS legs AS
        SELECT from_account AS account, to_account AS counterparty, 'out' AS direction,
               amount, ts_us, event_id,
               coalesce(external = 'payee' AND channel = 'card_payment', false) AS spend
        FROM transfers WHERE external IS DISTINCT FROM 'payer'
        UNION ALL
        SELECT to_account, from_account, 'in', amount, ts_us, event_id, false
        FROM transfers WHERE external IS DISTINCT FROM 'payee'
        """
    )
    return "legs"


def regular_pairs(ledger: Ledger, bucket_us: int, min_buckets: int) -> str:
    """The name of a table of ``(account, counterparty)`` pairs that meet regularly."""
    name = f"regular_{bucket_us}_{min_buckets}"
    ledger.con.execute(
        f"""
        CREATE TABLE IF NOT EXISTS {name} AS
        SELECT account, counterparty FROM {legs(ledger)}
        GROUP BY account, counterparty
        HAVING count(DISTINCT (ts_us - {ledger.start_us}) // {bucket_us}) >= {min_buckets}
        """
    )
    return name
